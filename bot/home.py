"""A person's home page in Ripple: their own check-ins and controls, and what their role adds."""

from __future__ import annotations

from dataclasses import dataclass

from bot.admin import may_configure
from bot.context import Context
from bot.model import Actor, Channel
from bot.outgoing import SummaryMessage
from bot.publication import latest_digest
from bot.questions import Choice
from bot.selfservice import history_lines

HOME_HISTORY_ROWS = 5


@dataclass(frozen=True, kw_only=True)
class HomeSection:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class HomeView:
    """What a home page shows; ``actions`` are commands (EventKind values) with labels."""

    title: str
    sections: tuple[HomeSection, ...]
    actions: tuple[Choice, ...]
    locale: str


async def home_for(ctx: Context, *, actor: Actor) -> HomeView:
    """The home page of the person acting.

    Managers also see their channels' latest summaries, read back exactly as they were
    published to them. Admins see the channels whose settings they may change.
    """
    person_id = actor.person_id
    async with ctx.store.unit_of_work() as uow:
        person = await uow.people.get(person_id)
        channel_ids = await uow.channels.channels_of(person_id)
        first = await uow.channels.get(channel_ids[0]) if channel_ids else None
        locale = ctx.locale_for(person, first)

        def say(key: str, **params: object) -> str:
            return ctx.catalog.message(f"home.{key}", locale=locale, **params)

        history = await history_lines(
            ctx, uow, person_id=person_id, locale=locale, limit=HOME_HISTORY_ROWS
        )
        paused = person is not None and person.paused
        status = say("paused") if paused else say("active")
        sections = [
            HomeSection(heading=say("mine"), lines=(status, *(history or [say("no_history")])))
        ]
        channels = await uow.channels.list_all()
        for channel in (c for c in channels if person_id in c.config.managers):
            digest = await latest_digest(
                ctx,
                uow,
                channel=channel,
                viewer=person_id,
                idempotency_key=f"home:{person_id}:{channel.channel_id}",
            )
            if digest is None:
                sections.append(HomeSection(heading=channel.name, lines=(say("no_summary_yet"),)))
                continue
            sections.append(_summary_section(digest))
        administered = [c for c in channels if may_configure(c, actor=actor)]
        if administered:
            lines = tuple(_admin_line(c, ctx=ctx, locale=locale) for c in administered)
            sections.append(HomeSection(heading=say("admin_heading"), lines=lines))
    commands = ("checkin", "resume" if paused else "pause", "history", "export", "forget")
    actions = tuple(Choice(value=c, label=say(f"action.{c}")) for c in commands)
    return HomeView(title=say("title"), sections=tuple(sections), actions=actions, locale=locale)


def _summary_section(digest: SummaryMessage) -> HomeSection:
    if digest.suppressed:
        return HomeSection(heading=digest.title, lines=(digest.text,))
    lines: list[str] = []
    for section in digest.sections:
        lines.extend((section.heading, *section.lines))
    return HomeSection(heading=digest.title, lines=tuple(lines))


def _admin_line(channel: Channel, *, ctx: Context, locale: str) -> str:
    config = channel.config
    return ctx.catalog.message(
        "home.admin_channel",
        locale=locale,
        channel=channel.name,
        weekday=ctx.catalog.message(f"setup.weekday.{config.cadence.weekday}", locale=locale),
        time=config.cadence.local_time.strftime("%H:%M"),
        timezone=config.timezone,
        k=config.k,
        state=ctx.catalog.message(
            "home.channel_active" if channel.active else "home.channel_inactive", locale=locale
        ),
    )
