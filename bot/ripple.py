"""Ripple's core facade: one object that adapters, the scheduler and the CLI talk to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot import admin, rhythm
from bot.context import Context
from bot.delivery import Dispatcher, DrainReport
from bot.engine import Engine
from bot.events import InboundEvent
from bot.model import Channel, ChannelConfig, Person
from bot.outgoing import Outgoing
from bot.ports import Clock, PromptCatalog, Sender, Store


class Ripple:
    """The core's use cases over one store, prompt catalog, clock and set of senders."""

    def __init__(
        self,
        *,
        store: Store,
        catalog: PromptCatalog,
        clock: Clock,
        senders: Mapping[str, Sender] | None = None,
        channel_defaults: ChannelConfig | None = None,
    ) -> None:
        self.context = Context(store=store, catalog=catalog, clock=clock)
        self.channel_defaults = channel_defaults or ChannelConfig()
        self.engine = Engine(self.context)
        self.senders = dict(senders or {})
        self.dispatcher = Dispatcher(store=store, senders=self.senders, clock=clock)

    @property
    def store(self) -> Store:
        return self.context.store

    @property
    def clock(self) -> Clock:
        return self.context.clock

    async def handle(self, event: InboundEvent) -> list[Outgoing]:
        return await self.engine.handle(event)

    async def tick(self, *, now: datetime | None = None) -> rhythm.TickReport:
        return await rhythm.tick(self.context, now=now or self.clock.now())

    async def drain(self, *, limit: int = 200) -> DrainReport:
        return await self.dispatcher.drain_all(limit=limit)

    async def register_channel(
        self, *, channel_id: str, name: str, config: ChannelConfig | None = None
    ) -> Channel:
        return await admin.register_channel(
            self.context,
            channel_id=channel_id,
            name=name,
            config=config,
            defaults=self.channel_defaults,
        )

    async def sync_members(self, *, channel_id: str, people: Iterable[Person]) -> tuple[int, int]:
        return await admin.sync_members(
            self.context, channel_id=channel_id, people=people, now=self.clock.now()
        )

    async def configure_channel(
        self,
        *,
        actor_id: str,
        channel_id: str,
        config: ChannelConfig | Mapping[str, Any],
        actor_is_workspace_admin: bool = False,
        locale: str = "en",
    ) -> admin.ConfigResult:
        return await admin.configure_channel(
            self.context,
            actor_id=actor_id,
            channel_id=channel_id,
            config=config,
            actor_is_workspace_admin=actor_is_workspace_admin,
            locale=locale,
        )
