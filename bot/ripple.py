"""Ripple's core facade: one object that adapters, the scheduler and the CLI talk to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot import admin, loop, rhythm, roster, settings_view, startnow, webview
from bot.context import DEFAULT_RETENTION, Context
from bot.delivery import LEASE_SECONDS, Dispatcher, DrainReport
from bot.engine import Engine
from bot.erasure import is_forgotten
from bot.events import Event
from bot.home import HomeView, home_for
from bot.insights.noise import OpenDPNoise
from bot.metrics import NoMetrics
from bot.model import Actor, Channel, ChannelConfig, Person, RoundTerms
from bot.outgoing import Outgoing
from bot.ports import (
    Clock,
    Metrics,
    Noise,
    OutboxBacklog,
    PromptCatalog,
    Roster,
    Sender,
    SignInLinks,
    Store,
)
from bot.replies import Replies
from bot.retention import PurgeReport, purge_expired
from bot.setup_form import START_FIELD, FormValue, SetupForm


class Ripple:
    """The core's use cases over one store, prompt catalog, clock and set of senders."""

    def __init__(
        self,
        *,
        store: Store,
        catalog: PromptCatalog,
        clock: Clock,
        senders: Mapping[str, Sender] | None = None,
        rosters: Mapping[str, Roster] | None = None,
        channel_defaults: ChannelConfig | None = None,
        noise: Noise | None = None,
        retention: timedelta = DEFAULT_RETENTION,
        send_lease: timedelta = timedelta(seconds=LEASE_SECONDS),
        links: SignInLinks | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.metrics: Metrics = metrics or NoMetrics()
        self.context = Context(
            store=store,
            catalog=catalog,
            clock=clock,
            noise=noise or OpenDPNoise(),
            retention=retention,
            links=links,
        )
        self.channel_defaults = channel_defaults or ChannelConfig()
        self.engine = Engine(self.context)
        self.senders = dict(senders or {})
        self.rosters = dict(rosters or {})
        self.dispatcher = Dispatcher(
            store=store,
            senders=self.senders,
            clock=clock,
            lease_seconds=send_lease.total_seconds(),
            metrics=self.metrics,
        )
        self._replies = Replies(lambda wanted: self.deliver(recipients=wanted))

    @property
    def store(self) -> Store:
        return self.context.store

    @property
    def clock(self) -> Clock:
        return self.context.clock

    async def handle(self, event: Event) -> list[Outgoing]:
        """Apply what someone did; the messages it queued (none if it was a repeat)."""
        return await self.engine.handle(event)

    async def tick(self, *, now: datetime | None = None) -> rhythm.TickReport:
        report = await rhythm.tick(self.context, now=now or self.clock.now())
        self.metrics.ticked(report)
        return report

    async def outbox_backlog(self) -> OutboxBacklog:
        """How many messages wait to be delivered, and since when the oldest has waited."""
        async with self.store.unit_of_work() as uow:
            return await uow.outbox.backlog()

    async def purge(self, *, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
        """Delete what is older than the retention period (``dry_run``: only count it)."""
        return await purge_expired(self.context, now=now or self.clock.now(), dry_run=dry_run)

    async def forgotten(self, person_ids: Iterable[str]) -> frozenset[str]:
        """Which of these people erased their data and have not come back since."""
        async with self.store.unit_of_work() as uow:
            return frozenset([pid for pid in set(person_ids) if await is_forgotten(uow, pid)])

    async def drain(self, *, limit: int = 200) -> DrainReport:
        return await self.dispatcher.drain_all(limit=limit)

    async def deliver(self, *, recipients: Iterable[str], limit: int = 50) -> DrainReport:
        """Send what is due now for these recipients only (an interactive reply).

        Everything else is left to the clock, so a reply never waits behind a large fan-out.
        """
        wanted = frozenset(recipients)
        if not wanted:
            return DrainReport()
        return await self.dispatcher.drain_all(limit=limit, recipients=wanted)

    async def reply(self, person_id: str) -> DrainReport:
        """Deliver the replies to what ``person_id`` just did, in the order they were queued.

        Adapters call this right after handling someone's event (or after acknowledging it);
        deliveries to one person never overtake each other within this process.
        """
        return await self._replies.send(person_id)

    async def register_channel(
        self,
        *,
        channel_id: str,
        name: str,
        scope: str | None = None,
        config: ChannelConfig | None = None,
    ) -> Channel:
        return await admin.register_channel(
            self.context,
            channel_id=channel_id,
            name=name,
            scope=scope,
            config=config,
            defaults=self.channel_defaults,
        )

    async def rename_channel(self, *, channel_id: str, name: str) -> bool:
        """Give a known channel the name its platform shows now; False if unknown or same."""
        return await admin.rename_channel(self.context, channel_id=channel_id, name=name)

    async def channel_name(self, channel_id: str) -> str | None:
        """The name Ripple knows a channel by, or None if it doesn't know the channel."""
        async with self.store.unit_of_work() as uow:
            channel = await uow.channels.get(channel_id)
        return channel.name if channel is not None else None

    async def display_names(self, person_ids: Iterable[str]) -> dict[str, str]:
        """The display names Ripple knows for these people (those without one are left out)."""
        names: dict[str, str] = {}
        async with self.store.unit_of_work() as uow:
            for person_id in sorted(set(person_ids)):
                person = await uow.people.get(person_id)
                if person is not None and person.display_name:
                    names[person_id] = person.display_name
        return names

    async def sync_members(self, *, channel_id: str, people: Iterable[Person]) -> tuple[int, int]:
        return await admin.sync_members(
            self.context, channel_id=channel_id, people=people, now=self.clock.now()
        )

    async def read_members(self, channel_id: str) -> roster.RosterReport:
        """Read the channel's members from its platform now and make them Ripple's; if the
        platform can't be read, the scheduler tries again, backing off."""
        return await roster.read_channel(
            self.context, self.rosters, channel_id, now=self.clock.now()
        )

    async def read_due_members(self, *, limit: int = 20) -> roster.RosterReport:
        """Read the members of the channels due a read (daily, or a retry after a failure)."""
        return await roster.read_due(self.context, self.rosters, now=self.clock.now(), limit=limit)

    async def add_members(self, *, channel_id: str, people: Iterable[Person]) -> int:
        """Add ``people`` to the channel, removing nobody; how many joined."""
        joined, _ = await admin.sync_members(
            self.context,
            channel_id=channel_id,
            people=people,
            now=self.clock.now(),
            keep_others=True,
        )
        return joined

    async def configure_channel(
        self,
        *,
        actor: Actor,
        channel_id: str,
        config: ChannelConfig | Mapping[str, Any],
        locale: str = "en",
    ) -> admin.ConfigResult:
        return await admin.configure_channel(
            self.context, actor=actor, channel_id=channel_id, config=config, locale=locale
        )

    async def may_configure(self, *, actor: Actor, channel_id: str) -> bool:
        """Whether the actor may change the channel's settings (False for an unknown channel)."""
        async with self.store.unit_of_work() as uow:
            channel = await uow.channels.get(channel_id)
        return channel is not None and admin.may_configure(channel, actor=actor)

    async def locale_for(self, *, person: Person | None, channel_id: str | None = None) -> str:
        """The language to speak to ``person``: theirs if Ripple has it, else the channel's."""
        async with self.store.unit_of_work() as uow:
            known = await uow.people.get(person.person_id) if person else None
            channel = await uow.channels.get(channel_id) if channel_id else None
        if person is not None and person.locale is None and known is not None:
            person = known
        return self.context.locale_for(person, channel)

    async def terms_for_round(self, *, round_id: str) -> RoundTerms | None:
        """The privacy terms a round's answers are shared under (None if it or its channel
        is gone): those it was opened with, tightened by any stricter setting since."""
        async with self.store.unit_of_work() as uow:
            round_ = await uow.rounds.get(round_id)
            channel = await uow.channels.get(round_.channel_id) if round_ else None
        if round_ is None or channel is None:
            return None
        return round_.terms.strictest(channel.config)

    async def note_privacy(self, *, round_id: str, shared: bool, locale: str) -> str | None:
        """Who will see a note written now, in words (None if the round is gone)."""
        terms = await self.terms_for_round(round_id=round_id)
        if terms is None:
            return None
        catalog = self.context.catalog
        if shared:
            return catalog.message(
                "preview.note_shared", locale=locale, threshold=terms.comment_threshold
            )
        return catalog.message("preview.note_private", locale=locale)

    async def uninstalled(self, *, prefix: str) -> int:
        """Ripple was removed from the channels under ``prefix`` (a workspace, a team's
        channel): they go quiet, kept until it is installed again."""
        return await admin.uninstalled(self.context, prefix=prefix, now=self.clock.now())

    async def set_channels_active(self, *, prefix: str, active: bool) -> int:
        return await admin.set_channels_active(self.context, prefix=prefix, active=active)

    async def start_setup(
        self, *, actor: Actor, channel_id: str, name: str, locale: str = "en"
    ) -> admin.SetupStart:
        """The settings form for ``actor``, or the refusal; a new channel is registered only
        for a workspace admin or team owner acting from its own place."""
        return await admin.start_setup(
            self.context,
            actor=actor,
            channel_id=channel_id,
            name=name,
            locale=locale,
            defaults=self.channel_defaults,
        )

    async def setup_form(self, *, channel_id: str, locale: str = "en") -> SetupForm:
        return await admin.setup_form_for(self.context, channel_id=channel_id, locale=locale)

    def check_setup(
        self, *, values: Mapping[str, FormValue], locale: str = "en"
    ) -> admin.ConfigResult | None:
        """Whether a submitted setup form makes usable settings, answered from the form
        alone (no store, no platform): None if it does, else the refusal naming the field.
        Fields left out are read as the defaults; saving reads them as the channel's own."""
        return admin.check_setup(
            self.context,
            values=values,
            current=self.channel_defaults,
            locale=locale,
        )

    async def apply_setup(
        self,
        *,
        actor: Actor,
        channel_id: str,
        values: Mapping[str, FormValue],
        locale: str = "en",
        confirm: bool = False,
    ) -> admin.ConfigResult:
        """Save the setup form if the actor may, and start this week's check-in if the form
        asks to. With ``confirm``, the outcome is also told to the actor by direct message,
        through the outbox."""
        result = await admin.apply_setup(
            self.context,
            actor=actor,
            channel_id=channel_id,
            values=values,
            locale=locale,
            confirm=confirm,
        )
        if not result.saved or values.get(START_FIELD) != "now":
            return result
        started = await self.start_now(
            actor=actor, channel_id=channel_id, locale=locale, confirm=confirm
        )
        return replace(result, message=f"{result.message}\n{started.message}")

    async def start_now(
        self, *, actor: Actor, channel_id: str, locale: str = "en", confirm: bool = False
    ) -> startnow.StartResult:
        """Start this week's check-in of a channel now, if ``actor`` may configure it. With
        ``confirm`` the outcome is also sent to the actor by direct message."""
        result = await startnow.start_now(
            self.context,
            actor=actor,
            channel_id=channel_id,
            locale=locale,
            now=self.clock.now(),
            confirm=confirm,
        )
        if result.started:
            self.metrics.ticked(await rhythm.ask_due(self.context, now=self.clock.now()))
        return result

    def action_form(self, *, round_id: str, locale: str = "en") -> loop.ActionForm:
        """The form a manager fills in to record what the team will do about a week."""
        return loop.action_form(self.context.catalog, round_id=round_id, locale=locale)

    def check_action(
        self, *, choice: str | None, text: str | None, locale: str = "en"
    ) -> loop.ActionResult | None:
        """Whether a submitted action form can be read, from the form alone: None if it can,
        else the refusal naming the field."""
        return loop.check_action(self.context.catalog, choice=choice, text=text, locale=locale)

    async def record_action(
        self,
        *,
        actor: Actor,
        round_id: str,
        choice: str | None,
        text: str | None,
        rule: str | None = None,
        locale: str = "en",
    ) -> loop.ActionResult:
        """Record what a manager's team will do about a published week; the outcome is sent
        to the manager by direct message, and the team hears it at its next check-in."""
        return await loop.record_action(
            self.context,
            actor=actor,
            round_id=round_id,
            choice=choice,
            text=text,
            rule=rule,
            locale=locale,
        )

    async def redeem_sign_in(
        self, *, person_id: str, nonce: str, now: datetime | None = None
    ) -> webview.SignIn:
        """Use a web view sign-in link whose signature and age the web adapter checked:
        accepted once, refused when used before or when the person has erased their data."""
        return await webview.redeem_sign_in(
            self.context, person_id=person_id, nonce=nonce, now=now or self.clock.now()
        )

    async def web_visitor(self, person_id: str) -> webview.Visitor | None:
        """Who is signed in to the web view and the channels they may open there, read now;
        None when they have erased their data."""
        return await webview.visitor(self.context, person_id=person_id)

    async def web_summaries(
        self, *, person_id: str, channel_id: str, limit: int = webview.PAGE_DIGESTS
    ) -> webview.SummariesPage | None:
        """A manager's digests of one channel, newest first; None unless they manage it now."""
        return await webview.summaries_page(
            self.context, person_id=person_id, channel_id=channel_id, limit=limit
        )

    async def web_settings(
        self, *, person_id: str, channel_id: str, locale: str
    ) -> settings_view.SettingsPage | None:
        """A channel's settings in words; None unless ``person_id`` is its Ripple admin now."""
        return await settings_view.settings_page(
            self.context, person_id=person_id, channel_id=channel_id, locale=locale
        )

    async def home(self, *, actor: Actor) -> HomeView:
        """The acting person's home page; the channels they administer are those whose
        settings they may change."""
        return await home_for(self.context, actor=actor)
