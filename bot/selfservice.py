"""What a person can do for themselves: pause, resume, history, export, forget, summaries,
and a sign-in link to the web view."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from bot.context import Context
from bot.erasure import erase_person
from bot.events import EventKind, ForgetAnswered, SelfServiceEvent
from bot.model import Channel, CheckIn, Person
from bot.oneway import mark
from bot.outgoing import Outgoing, QuestionMessage, TextMessage
from bot.ports import UnitOfWork
from bot.publication import latest_digest
from bot.questions import Choice
from bot.webview import LINK_LIFETIME, channels_of

HISTORY_ROWS = 8


class _Reply:
    """Replies to the person who sent ``event``, in their language."""

    def __init__(self, ctx: Context, event: SelfServiceEvent, locale: str) -> None:
        self.ctx, self.event, self.origin, self.locale = ctx, event, event.origin, locale

    def say(self, key: str, **params: object) -> str:
        return self.ctx.catalog.message(key, locale=self.locale, **params)

    def key(self, label: str) -> str:
        stamp = self.origin.event_id or self.origin.occurred_at.isoformat()
        return f"reply:{self.origin.person_id}:{label}:{stamp}"

    def text(
        self, body: str, *, label: str, data: str | None = None, ephemeral: bool = False
    ) -> TextMessage:
        return TextMessage(
            recipient=self.origin.person_id,
            idempotency_key=self.key(label),
            text=body,
            data=data,
            locale=self.locale,
            ephemeral=ephemeral,
        )


Handler = Callable[
    [Context, UnitOfWork, _Reply, Person | None], Coroutine[Any, Any, list[Outgoing]]
]


async def apply(
    ctx: Context, uow: UnitOfWork, event: SelfServiceEvent, person: Person | None
) -> list[Outgoing]:
    channel_ids = await uow.channels.channels_of(event.origin.person_id)
    first = await uow.channels.get(channel_ids[0]) if channel_ids else None
    reply = _Reply(ctx, event, ctx.locale_for(person, first))
    if isinstance(reply.event, ForgetAnswered):
        return await _forget_confirmed(ctx, uow, reply, person)
    return await HANDLERS[reply.event.request](ctx, uow, reply, person)


async def _pause(
    ctx: Context, uow: UnitOfWork, reply: _Reply, person: Person | None
) -> list[Outgoing]:
    if person is None or person.paused:
        return [reply.text(reply.say("pause.already"), label="pause")]
    await uow.people.save(replace(person, paused=True))
    return [reply.text(reply.say("pause.ack"), label="pause")]


async def _resume(
    ctx: Context, uow: UnitOfWork, reply: _Reply, person: Person | None
) -> list[Outgoing]:
    if person is None or not person.paused:
        return [reply.text(reply.say("resume.already"), label="resume")]
    await uow.people.save(replace(person, paused=False))
    return [reply.text(reply.say("resume.ack"), label="resume")]


async def _history(
    ctx: Context, uow: UnitOfWork, reply: _Reply, person: Person | None
) -> list[Outgoing]:
    lines = await history_lines(
        ctx, uow, person_id=reply.origin.person_id, locale=reply.locale, limit=HISTORY_ROWS
    )
    if not lines:
        return [reply.text(reply.say("history.empty"), label="history")]
    body = "\n".join([reply.say("history.heading"), *lines])
    return [reply.text(body, label="history", ephemeral=True)]


async def history_lines(
    ctx: Context, uow: UnitOfWork, *, person_id: str, locale: str, limit: int
) -> list[str]:
    """One line (with its answers) per recent check-in of the person, newest first."""
    mine = (await uow.checkins.list_for_person(person_id))[:limit]
    return [await _history_line(ctx, uow, checkin, locale=locale) for checkin in mine]


async def _history_line(ctx: Context, uow: UnitOfWork, checkin: CheckIn, *, locale: str) -> str:
    def say(key: str, **params: object) -> str:
        return ctx.catalog.message(key, locale=locale, **params)

    round_ = await uow.rounds.get(checkin.round_id)
    channel = await uow.channels.get(checkin.channel_id)
    row = say(
        "history.row",
        period=round_.period if round_ else checkin.round_id,
        channel=channel.name if channel else checkin.channel_id,
        state=say(f"state.{checkin.state.value}"),
    )
    if not checkin.answers or channel is None:
        return f"• {row}"
    questions = ctx.catalog.question_set(channel.config.question_set, locale=locale)
    labels = [
        f"{q.text.rstrip('?')}: {q.label_for(checkin.answers[q.signal.value])}"
        for q in questions.questions
        if q.signal.value in checkin.answers
    ]
    return f"• {row}\n    " + "\n    ".join(labels)


async def _export(
    ctx: Context, uow: UnitOfWork, reply: _Reply, person: Person | None
) -> list[Outgoing]:
    pid = reply.origin.person_id
    document = {
        "person": None
        if person is None
        else {
            "id": person.person_id,
            "display_name": person.display_name,
            "timezone": person.timezone,
            "locale": person.locale,
            "paused": person.paused,
        },
        "channels": await uow.channels.channels_of(pid),
        "checkins": [_checkin_record(c) for c in await uow.checkins.list_for_person(pid)],
    }
    data = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    return [reply.text(reply.say("export.text"), label="export", data=data, ephemeral=True)]


def _checkin_record(checkin: CheckIn) -> dict[str, object]:
    return {
        "round": checkin.round_id,
        "channel": checkin.channel_id,
        "state": checkin.state.value,
        "answers": dict(checkin.answers),
        "note": checkin.note,
        "note_shared": checkin.note_shared,
        "asked_at": checkin.due_at.isoformat(),
        "completed_at": checkin.completed_at.isoformat() if checkin.completed_at else None,
    }


async def _forget(
    ctx: Context, uow: UnitOfWork, reply: _Reply, person: Person | None
) -> list[Outgoing]:
    return [
        QuestionMessage(
            recipient=reply.origin.person_id,
            locale=reply.locale,
            idempotency_key=reply.key("forget"),
            text=reply.say("forget.confirm"),
            choices=(
                Choice(value="yes", label=reply.say("forget.yes")),
                Choice(value="no", label=reply.say("forget.no")),
            ),
            action="forget",
            ephemeral=True,
        )
    ]


async def _forget_confirmed(
    ctx: Context, uow: UnitOfWork, reply: _Reply, person: Person | None
) -> list[Outgoing]:
    if not (isinstance(reply.event, ForgetAnswered) and reply.event.confirmed):
        return [reply.text(reply.say("forget.cancelled"), label="forget", ephemeral=True)]
    o = reply.origin
    await erase_person(ctx, uow, person_id=o.person_id, now=o.occurred_at)
    stamp = f"{o.person_id}:{o.event_id or o.occurred_at.isoformat()}"
    return [
        TextMessage(
            recipient=o.person_id,
            idempotency_key=f"farewell:{mark(stamp, purpose='farewell')}",
            text=reply.say("forget.done"),
            locale=reply.locale,
            ephemeral=True,
            farewell=True,
        )
    ]


async def _summary(
    ctx: Context, uow: UnitOfWork, reply: _Reply, person: Person | None
) -> list[Outgoing]:
    pid = reply.origin.person_id
    managed = [c for c in await uow.channels.list_all() if pid in c.config.managers]
    if not managed:
        return [reply.text(reply.say("summary.not_manager"), label="summary")]
    messages: list[Outgoing] = []
    for channel in managed:
        messages.extend(await _latest_summary(ctx, uow, reply, channel))
    return messages or [reply.text(reply.say("summary.none"), label="summary")]


async def _latest_summary(
    ctx: Context, uow: UnitOfWork, reply: _Reply, channel: Channel
) -> list[Outgoing]:
    digest = await latest_digest(
        ctx,
        uow,
        channel=channel,
        viewer=reply.origin.person_id,
        idempotency_key=reply.key(f"summary:{channel.channel_id}"),
    )
    return [] if digest is None else [digest]


async def _web(
    ctx: Context, uow: UnitOfWork, reply: _Reply, person: Person | None
) -> list[Outgoing]:
    """A private sign-in link for a manager or Ripple admin of an active channel."""
    pid = reply.origin.person_id
    if not await channels_of(uow, pid):
        return [reply.text(reply.say("web.not_for_you"), label="web")]
    if ctx.links is None:
        return [reply.text(reply.say("web.not_set_up"), label="web")]
    link = ctx.links.link(pid, now=reply.origin.occurred_at)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    body = reply.say("web.link", link=link, minutes=minutes)
    return [reply.text(body, label="web", ephemeral=True)]


async def _help(
    ctx: Context, uow: UnitOfWork, reply: _Reply, person: Person | None
) -> list[Outgoing]:
    return [reply.text(reply.say("help.text"), label="help")]


HANDLERS: dict[EventKind, Handler] = {
    EventKind.PAUSE: _pause,
    EventKind.RESUME: _resume,
    EventKind.HISTORY: _history,
    EventKind.EXPORT: _export,
    EventKind.FORGET: _forget,
    EventKind.SUMMARY: _summary,
    EventKind.WEB: _web,
    EventKind.HELP: _help,
}
