"""Ripple with its web view on, over a fresh SQLite database and a hand-turned clock.

async with web_world(tmp_path) as world:
    await world.team()                  # #design: six people, Maya manages, Ada administers
    await world.week(WEEK1)             # everyone checks in; the week closes and is published
    browser = await world.signed_in(MANAGER)
    page = await browser.get("/web/")
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from adapters.console.sender import ConsoleSender
from adapters.web.signing import WebSigning
from bot.app.bootstrap import build_app, build_ripple
from bot.app.settings import Settings, load_settings
from bot.clock import ManualClock
from bot.events import EventKind
from bot.model import Person
from bot.outgoing import SummaryMessage, TextMessage
from bot.ripple import Ripple
from storage.store import SqlStore
from tests.console import migrated_sqlite_store
from tests.engine.conftest import ADMIN, CHANNEL, MANAGER, TEAM, set_up_team
from tests.engine.test_digests import HEAVY, run_week
from tests.scripted import Conversation

PUBLIC_URL = "https://ripple.example"
SECRET = "test-only-web-secret-0123456789abcdef"  # a dummy, long enough to be accepted
WEB_SECRET_OTHER = "another-deployments-secret-0123456789"
WEEK1 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
WEEK2 = WEEK1 + timedelta(weeks=1)
OPS = "console:ops"
OPS_MANAGER = "console:omar"
OPS_TEAM = tuple(f"console:q{i}" for i in range(6))
LINK = re.compile(r"https?://\S+/web/sign-in\?t=\S+")
SUPPRESSED = "Not enough responses to share this week."
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def web_settings(db: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{db}",
        "public_url": PUBLIC_URL,
        "web_secret": SECRET,
        **overrides,
    }
    return load_settings(**values)


def link_in(text: str) -> str:
    found = LINK.search(text)
    assert found, f"no sign-in link in {text!r}"
    return found.group(0)


def page_text(response: httpx.Response) -> str:
    """What a page says, tags removed and entities read, for comparing with chat's words."""
    return html.unescape(re.sub(r"<[^>]+>", " ", response.text))


@dataclass
class WebWorld:
    ripple: Ripple
    clock: ManualClock
    sender: ConsoleSender
    store: SqlStore
    settings: Settings
    app: FastAPI
    browsers: list[httpx.AsyncClient] = field(default_factory=list)

    def browser(self, app: FastAPI | None = None) -> httpx.AsyncClient:
        """A fresh browser (its own cookie jar) at Ripple's public address."""
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app or self.app), base_url=PUBLIC_URL
        )
        self.browsers.append(client)
        return client

    @property
    def signing(self) -> WebSigning:
        links = self.ripple.context.links
        assert isinstance(links, WebSigning)
        return links

    async def ask(self, person_id: str, *, name: str | None = None) -> TextMessage:
        """The person types ``web`` to Ripple; its private reply."""
        chat = Conversation(self.ripple, person_id=person_id, display_name=name)
        self.clock.advance(timedelta(seconds=1))  # each ask is its own moment
        [reply] = await chat.send(EventKind.WEB)
        assert isinstance(reply, TextMessage)
        return reply

    async def link(self, person_id: str, *, name: str | None = None) -> str:
        return link_in((await self.ask(person_id, name=name)).text)

    async def signed_in(self, person_id: str, *, name: str | None = None) -> httpx.AsyncClient:
        browser = self.browser()
        response = await browser.get(await self.link(person_id, name=name))
        assert response.status_code == 303, response.text
        return browser

    async def team(self, *, people: tuple[str, ...] = TEAM, **config: object) -> None:
        await set_up_team(self.ripple, people=people, **config)

    async def ops(self) -> None:
        """A second channel, #ops, with its own team and manager."""
        await self.ripple.register_channel(
            channel_id=OPS,
            name="#ops",
            scope="console",
            config=replace(
                (await self._channel(CHANNEL)).config,
                managers=frozenset({OPS_MANAGER}),
                admins=frozenset(),
            ),
        )
        await self.ripple.sync_members(
            channel_id=OPS,
            people=[Person(person_id=p, display_name=p.split(":")[1]) for p in OPS_TEAM],
        )

    async def week(self, start: datetime, people: tuple[str, ...] = TEAM) -> None:
        await run_week(self.ripple, self.clock, start, dict.fromkeys(people, HEAVY))

    async def _channel(self, channel_id: str) -> Any:
        async with self.store.unit_of_work() as uow:
            return await uow.channels.get(channel_id)

    async def set_person(self, person: Person) -> None:
        async with self.store.unit_of_work() as uow:
            await uow.people.save(person)
            await uow.commit()

    def digests_sent(self, person_id: str) -> list[SummaryMessage]:
        return [m for m in self.sender.to(person_id) if isinstance(m, SummaryMessage)]

    async def forget(self, person_id: str) -> None:
        chat = Conversation(self.ripple, person_id=person_id)
        self.clock.advance(timedelta(seconds=1))
        await chat.send(EventKind.FORGET)
        self.clock.advance(timedelta(seconds=1))
        await chat.press("yes")


@asynccontextmanager
async def web_world(tmp_path: Path, **overrides: Any) -> AsyncIterator[WebWorld]:
    db = tmp_path / "ripple.db"
    store = await migrated_sqlite_store(db)
    settings = web_settings(db, **overrides)
    clock = ManualClock(WEEK1 - timedelta(minutes=30))
    sender = ConsoleSender()
    ripple = build_ripple(settings, store=store, clock=clock, senders={"console": sender})
    world = WebWorld(
        ripple=ripple,
        clock=clock,
        sender=sender,
        store=store,
        settings=settings,
        app=build_app(settings, ripple=ripple, tick=False),
    )
    try:
        yield world
    finally:
        for browser in world.browsers:
            await browser.aclose()
        await store.close()


__all__ = ["ADMIN", "CHANNEL", "MANAGER", "TEAM", "WEEK1", "WEEK2", "WebWorld", "web_world"]
