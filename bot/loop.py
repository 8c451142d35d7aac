"""Closing the loop: a manager records what the team will do, and the team hears it.

An action answers one published week. It names nobody, not even who recorded it; the
people of the channel hear it at the start of their next check-in, and later digests show
it beside the trend so managers can see whether it helped.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from bot.context import Context
from bot.model import ACTION_TEXT_LIMIT, ActionChoice, Actor, Channel, Round, TeamAction
from bot.outgoing import TextMessage
from bot.ports import PromptCatalog, UnitOfWork
from bot.questions import Choice

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class ActionForm:
    """What a platform shows a manager to record an action about one published week."""

    round_id: str
    title: str
    intro: str
    choice_label: str
    choices: tuple[Choice, ...]
    text_label: str
    text_hint: str
    submit: str
    text_limit: int = ACTION_TEXT_LIMIT


@dataclass(frozen=True, kw_only=True)
class ActionResult:
    saved: bool
    message: str
    field: str | None = None  # the form field at fault, when the answer can't be read


def action_form(catalog: PromptCatalog, *, round_id: str, locale: str) -> ActionForm:
    def say(key: str, **params: object) -> str:
        return catalog.message(key, locale=locale, **params)

    return ActionForm(
        round_id=round_id,
        title=say("loop.form.title"),
        intro=say("loop.form.intro"),
        choice_label=say("loop.form.choice"),
        choices=tuple(
            Choice(value=c.value, label=say(f"loop.choice.{c.value}")) for c in ActionChoice
        ),
        text_label=say("loop.form.text"),
        text_hint=say("loop.form.hint", limit=ACTION_TEXT_LIMIT),
        submit=say("loop.form.submit"),
    )


def read_action(choice: str | None, text: str | None) -> tuple[ActionChoice | None, str]:
    """The form's answers as an action; ValueError naming the field when they can't be."""
    picked: ActionChoice | None = None
    if choice:
        try:
            picked = ActionChoice(choice)
        except ValueError:
            raise ValueError("choice") from None
    written = " ".join((text or "").split())
    if len(written) > ACTION_TEXT_LIMIT:
        raise ValueError("text")
    if picked is None and not written:
        raise ValueError("choice")
    return picked, written


def check_action(
    catalog: PromptCatalog, *, choice: str | None, text: str | None, locale: str
) -> ActionResult | None:
    """Whether the form's answers make an action, without touching the store: None if they
    do, else why not, naming the field at fault."""
    try:
        read_action(choice, text)
    except ValueError as exc:
        field = str(exc)
        key = "loop.too_long" if field == "text" else "loop.empty"
        message = catalog.message(key, locale=locale, limit=ACTION_TEXT_LIMIT)
        return ActionResult(saved=False, message=message, field=field)
    return None


def may_record(channel: Channel, *, actor: Actor) -> bool:
    """Only a manager of the channel, and never acting from another place.

    A person id already names its workspace or tenant, so a manager acting from a direct
    chat, where a platform names no team, is still the one the channel's admins chose.
    """
    if actor.place is not None and channel.scope is not None and actor.place != channel.scope:
        return False
    return actor.person_id in channel.config.managers


def describe(catalog: PromptCatalog, action: TeamAction, *, locale: str) -> str:
    """An action in words: its suggested action, the manager's own words, or both."""
    parts = []
    if action.choice is not None:
        parts.append(catalog.message(f"loop.choice.{action.choice.value}", locale=locale))
    if action.text:
        parts.append(action.text.rstrip(".。"))
    if len(parts) == 2:
        return catalog.message("loop.joined", locale=locale, first=parts[0], rest=parts[1])
    return parts[0] if parts else ""


async def record_action(
    ctx: Context,
    *,
    actor: Actor,
    round_id: str,
    choice: str | None,
    text: str | None,
    rule: str | None,
    locale: str,
) -> ActionResult:
    """Record what the team will do about a published week, if ``actor`` manages its channel.

    The outcome is told to the actor by direct message, through the outbox. ``rule`` is kept
    only if that nudge was really sent to this manager for that week.
    """
    async with ctx.store.unit_of_work() as uow:
        result = await _record(ctx, uow, actor, round_id, choice, text, rule, locale)
        told = TextMessage(
            recipient=actor.person_id,
            idempotency_key=f"action:{round_id}:{secrets.token_hex(8)}",
            text=result.message,
            locale=locale,
        )
        await uow.outbox.add(told, now=ctx.clock.now())
        await uow.commit()
    return result


async def _record(
    ctx: Context,
    uow: UnitOfWork,
    actor: Actor,
    round_id: str,
    choice: str | None,
    text: str | None,
    rule: str | None,
    locale: str,
) -> ActionResult:
    round_ = await uow.rounds.get(round_id)
    channel = await uow.channels.get(round_.channel_id) if round_ is not None else None
    published = await uow.summaries.get(round_id)
    if (
        round_ is None
        or channel is None
        or published is None
        or not may_record(channel, actor=actor)
    ):
        logger.info("refused an action on %s by %s", round_id, actor.person_id)
        return ActionResult(saved=False, message=ctx.catalog.message("loop.refused", locale=locale))
    refusal = check_action(ctx.catalog, choice=choice, text=text, locale=locale)
    if refusal is not None:
        return refusal
    picked, written = read_action(choice, text)
    view = await uow.summaries.view(round_id, actor.person_id)
    fired = view.nudges if view is not None else ()
    action = TeamAction(
        round_id=round_id,
        channel_id=channel.channel_id,
        period=round_.period,
        choice=picked,
        text=written,
        rule=rule if rule in fired else None,
        recorded_at=ctx.clock.now(),
    )
    await uow.actions.save(action)
    logger.info("recorded an action for %s", round_id)
    message = ctx.catalog.message(
        "loop.saved",
        locale=locale,
        channel=channel.name,
        action=describe(ctx.catalog, action, locale=locale),
    )
    return ActionResult(saved=True, message=message)


async def previous_action(uow: UnitOfWork, round_: Round) -> TeamAction | None:
    """The action recorded about the channel's check-in before ``round_``, if any."""
    for earlier in await uow.rounds.recent_closed(round_.channel_id, limit=2):
        if earlier.scheduled_date < round_.scheduled_date:
            return await uow.actions.for_round(earlier.round_id)
    return None


def gate_lead(catalog: PromptCatalog, action: TeamAction, *, locale: str) -> str:
    """How a check-in opens after a recorded action: the pattern, if any, and the change."""
    what = describe(catalog, action, locale=locale)
    if action.rule is not None:
        said = catalog.message(f"loop.said.{action.rule}", locale=locale)
        return catalog.message("loop.lead", locale=locale, said=said, action=what)
    return catalog.message("loop.lead_plain", locale=locale, action=what)


def action_lines(
    catalog: PromptCatalog, actions: Sequence[TeamAction], *, locale: str
) -> tuple[str, ...]:
    """A digest's lines for the actions of the weeks it shows, oldest first."""
    return tuple(
        catalog.message(
            "loop.digest_line",
            locale=locale,
            period=a.period,
            action=describe(catalog, a, locale=locale),
        )
        for a in sorted(actions, key=lambda a: a.period)
    )
