"""Teams adapter tests, and a harness that talks to /api/messages over real HTTP.

Activities come from the recorded payloads in ``fixtures/`` (placeholders in double
braces), signed by a local issuer; everything Ripple sends goes to a local fake Bot
Connector. No Microsoft service is contacted.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from adapters.http.app import create_app
from adapters.teams.limits import SendLimiter
from adapters.teams.platform import TeamsPlatform, build_teams_platform
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.ports import PromptCatalog, Store
from bot.ripple import Ripple
from tests.http.server import serving
from tests.teams.fake_connector import FakeConnector, Member
from tests.teams.tokens import LocalIssuer

FIXTURES = Path(__file__).parent / "fixtures"
TENANT = "3f2b6f6a-5a1d-4c1e-9d37-2a6f1f0c0d11"
APP_ID = "6c1a2f3e-0000-4000-8000-00000000a0b1"
APP_PASSWORD = "dummy-password-for-tests"
TEAM_ID = "19:3c5b2f0e9a7d4c1b8e6f0a2d4c6e8f01@thread.tacv2"
TEAM_NAME = "Design"
CHANNEL_ID = f"teams:{TENANT}:{TEAM_ID}"  # the team's General channel, as Ripple names it


@functools.cache
def catalog() -> PromptCatalog:
    """The built-in prompts, read once per run (they don't change while tests run)."""
    return YamlPromptCatalog.load()


def load_activity(name: str, **values: str) -> dict[str, Any]:
    """A recorded activity with its ``{{placeholders}}`` filled in."""
    text = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", json.dumps(value)[1:-1])
    if "{{" in text:
        raise AssertionError(f"{name}.json still has placeholders: {text}")
    document: dict[str, Any] = json.loads(text)
    return document


@dataclass(frozen=True)
class TeamsUser:
    name: str
    aad: str
    locale: str = "en-US"
    timezone: str = "Europe/Berlin"

    @property
    def teams_id(self) -> str:
        return f"29:1{self.aad.replace('-', '')}"

    @property
    def person_id(self) -> str:
        return f"teams:{TENANT}:{self.aad}"

    @property
    def conversation_id(self) -> str:
        """The personal chat's id; the fake connector gives Ripple the same when it creates it."""
        return f"a:personal-{self.teams_id}"

    def member(self, *, owner: bool = False) -> Member:
        return Member(id=self.teams_id, aad_object_id=self.aad, name=self.name, owner=owner)

    def fields(self) -> dict[str, str]:
        return {
            "user_id": self.teams_id,
            "user_name": self.name,
            "user_aad": self.aad,
            "locale": self.locale,
            "timezone": self.timezone,
        }


def user(number: int, name: str | None = None, **kwargs: str) -> TeamsUser:
    return TeamsUser(
        name=name or f"Person {number}", aad=f"00000000-0000-4000-8000-{number:012d}", **kwargs
    )


SAM = user(1, "Sam")
ALEX = user(2, "Alex")


@dataclass
class Harness:
    ripple: Ripple
    platform: TeamsPlatform
    connector: FakeConnector
    issuer: LocalIssuer
    http: httpx.AsyncClient
    clock: ManualClock
    app_id: str | None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def next_id(self) -> str:
        return f"1:{next(self._ids)}"

    def activity(self, name: str, **values: str) -> dict[str, Any]:
        defaults = {
            "service_url": self.connector.service_url,
            "tenant_id": TENANT,
            "app_id": self.app_id or APP_ID,
            "activity_id": self.next_id(),
        }
        return load_activity(name, **{**defaults, **values})

    def token(self, *, service_url: str | None = None, **kwargs: Any) -> str:
        return self.issuer.token(
            audience=kwargs.pop("audience", self.app_id or APP_ID),
            service_url=service_url if service_url is not None else self.connector.service_url,
            **kwargs,
        )

    async def post(
        self, activity: dict[str, Any], *, token: str | None = None, signed: bool = True
    ) -> httpx.Response:
        """Post an activity to /api/messages and wait for the work it started."""
        headers = {}
        if signed and self.app_id:
            headers["Authorization"] = f"Bearer {token or self.token()}"
        response = await self.http.post("/api/messages", json=activity, headers=headers)
        await self.platform.settle()
        return response

    # A person's side of the conversation.

    async def say(self, who: TeamsUser, text: str) -> httpx.Response:
        activity = self.activity(
            "personal_message", text=text, conversation_id=who.conversation_id, **who.fields()
        )
        return await self.post(activity)

    def find_action(
        self, card: dict[str, Any], match: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        for action in card.get("actions", []):
            if match(action.get("data", {})):
                return action
        raise AssertionError(f"no such action on {json.dumps(card)[:2000]}")

    async def tap(
        self,
        who: TeamsUser,
        *,
        value: str | None = None,
        skip: bool = False,
        inputs: dict[str, str] | None = None,
        submit: bool = False,
        activity_id: str | None = None,
    ) -> httpx.Response:
        """Tap a button on the latest card in the person's chat (Execute, or Submit as a fallback)."""
        card = self.connector.last_card(who.conversation_id)
        if skip:
            action = self.find_action(card, lambda d: d.get("ripple") == "skip")
        else:
            action = self.find_action(
                card, lambda d: d.get("value") == value and d.get("ripple") != "skip"
            )
        data = {**action["data"], **(inputs or {})}
        return await self.post(
            self.card_activity(
                who, data, title=action["title"], submit=submit, activity_id=activity_id
            )
        )

    def card_activity(
        self,
        who: TeamsUser,
        data: dict[str, Any],
        *,
        title: str = "",
        submit: bool = False,
        activity_id: str | None = None,
    ) -> dict[str, Any]:
        fields = {
            **who.fields(),
            "conversation_id": who.conversation_id,
            "conversation_type": "personal",
            "reply_to_id": "act-0",
            "activity_id": activity_id or self.next_id(),
        }
        if submit:
            activity = self.activity("card_submit_message", **fields)
            activity["value"] = data
        else:
            activity = self.activity("card_action_invoke", title=title, **fields)
            activity["value"]["action"]["data"] = data
        return activity

    # Installs.

    async def install_in_team(
        self, *, by: TeamsUser, roster: list[TeamsUser], owners: tuple[TeamsUser, ...] = ()
    ) -> None:
        self.connector.roster = [p.member(owner=p in owners) for p in roster]
        activity = self.activity(
            "team_conversation_update",
            team_id=TEAM_ID,
            team_name=TEAM_NAME,
            team_group_id=self.connector.team_group_id,
            event_type="teamMemberAdded",
            **{k: v for k, v in by.fields().items() if k in ("user_id", "user_aad")},
        )
        activity["membersAdded"] = [{"id": f"28:{self.app_id or APP_ID}"}]
        response = await self.post(activity)
        assert response.status_code in (200, 202), response.text

    async def install_personally(self, who: TeamsUser, *, action: str = "add") -> httpx.Response:
        activity = self.activity(
            "personal_install",
            action=action,
            conversation_id=who.conversation_id,
            **{k: v for k, v in who.fields().items() if k != "user_name"},
        )
        return await self.post(activity)


def manual_limiter(clock: ManualClock) -> tuple[SendLimiter, Callable[[float], Any]]:
    """A limiter on the test's clock, and a sleep that moves that clock instead of waiting."""

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    return SendLimiter(clock=lambda: clock.now().timestamp()), sleep


@asynccontextmanager
async def teams_harness(
    *, store: Store, clock: ManualClock, authenticated: bool = True
) -> AsyncIterator[Harness]:
    """Ripple with the Teams platform, served on a loopback port, with its fakes running."""
    issuer = LocalIssuer()
    connector = FakeConnector(now=lambda: clock.now().timestamp(), require_token=authenticated)
    async with issuer.running(), connector.running():
        limiter, sleep = manual_limiter(clock)
        app_id = APP_ID if authenticated else None
        platform = build_teams_platform(
            app_id=app_id,
            app_password=APP_PASSWORD if authenticated else None,
            tenant_id=TENANT if authenticated else None,
            openid_metadata_url=issuer.metadata_url,
            token_provider_factory=issuer.provider_factory,
            graph_url=connector.graph_url,
            limiter=limiter,
            sleep=sleep,
        )
        ripple = Ripple(
            store=store,
            catalog=catalog(),
            clock=clock,
            senders={platform.sender.platform: platform.sender},
            rosters={platform.roster.platform: platform.roster},
        )
        app = create_app(ripple=ripple, platforms=[platform])
        async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
            yield Harness(
                ripple=ripple,
                platform=platform,
                connector=connector,
                issuer=issuer,
                http=http,
                clock=clock,
                app_id=app_id,
            )
