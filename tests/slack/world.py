"""Ripple's server with Slack on, over real HTTP, against the fake Slack Web API.

async with slack_world(tmp_path) as world:
    await world.command("checkin", user="U0001")
    await world.press("U0001", "Yes, let's go")
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from adapters.slack.pacing import SlackPacer
from adapters.slack.platform import SlackConfig, SlackPlatform
from bot.app.bootstrap import (
    build_app,
    build_ripple,
    load_catalog,
    rosters_of,
    senders_of,
    slack_platform,
    token_cipher,
)
from bot.app.settings import Settings, load_settings
from bot.clock import ManualClock
from bot.ripple import Ripple
from storage.store import SqlStore
from tests.console import migrated_sqlite_store
from tests.http.server import serving
from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack, make_bot_token
from tests.slack.fake_slack_state import Message
from tests.slack.signing import FORM, JSON, command_body, event_body, form_body, signed_headers

SIGNING_SECRET = "d8b5a1c0e2f34c6a9b7e1f0a2c3d4e5f"  # a dummy, in Slack's format
TEAM = "T0001"
CHANNEL = "C0DESIGN"
MONDAY_0930 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
WAIT_SECONDS = 20.0  # the machine being busy; passing tests never wait it out


@dataclass
class SlackWorld:
    slack: FakeSlack
    ripple: Ripple
    clock: ManualClock
    http: httpx.AsyncClient
    store: SqlStore
    platform: SlackPlatform
    team_id: str = TEAM
    secret: str = SIGNING_SECRET
    responses: list[httpx.Response] = field(default_factory=list)
    answer_urls: list[str] = field(default_factory=list)

    # Requests, signed as Slack signs them

    async def post(
        self,
        body: str,
        *,
        content_type: str,
        headers: dict[str, str] | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
        path: str = "/slack/events",
    ) -> httpx.Response:
        signed = signed_headers(
            body, secret=secret or self.secret, content_type=content_type, timestamp=timestamp
        )
        response = await self.http.post(path, content=body, headers={**signed, **(headers or {})})
        self.responses.append(response)
        return response

    async def command(
        self, text: str, *, user: str, channel: str = CHANNEL, trigger_id: str | None = None
    ) -> httpx.Response:
        """``/ripple TEXT``; its answer comes to ``self.answers`` through the response_url."""
        url = self.slack.response_url(team_id=self.team_id, kind="commands")
        fields = payloads.load(
            "slash_command",
            team_id=self.team_id,
            user_id=user,
            channel_id=channel,
            text=text,
            response_url=url,
            trigger_id=trigger_id or self.slack.trigger_id(),
        )
        self.answer_urls.append(url)
        return await self.post(command_body(**fields), content_type=FORM)

    async def answer(
        self, text: str, *, user: str, channel: str = CHANNEL, trigger_id: str | None = None
    ) -> str:
        """Run ``/ripple TEXT`` and wait for the answer only the caller sees."""
        response = await self.command(text, user=user, channel=channel, trigger_id=trigger_id)
        assert response.status_code == 200 and response.text in ("", "null"), response.text
        url = self.answer_urls[-1]
        await self.eventually(
            lambda: bool(self.slack.responses(url)), what=f"an answer to {text!r}"
        )
        [answer] = self.slack.responses(url)
        assert answer["response_type"] == "ephemeral"
        return str(answer["text"])

    async def event(
        self, fixture: str, *, retry: int | None = None, **values: Any
    ) -> tuple[httpx.Response, dict[str, Any]]:
        envelope = payloads.load(fixture, team_id=self.team_id, **values)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        response = await self.post(
            event_body(envelope), content_type=JSON, headers=headers if retry else None
        )
        return response, envelope

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return await self.post(form_body(payload), content_type=FORM)

    def latest_message(self, user: str) -> Message:
        messages = self.slack.messages(user)
        assert messages, f"Ripple has sent {user} nothing"
        return messages[-1]

    def find_element(self, user: str, label: str) -> tuple[dict[str, Any], Message]:
        """The button (or select option) labelled ``label`` on the user's latest message."""
        message = self.latest_message(user)
        return element_labelled(message.blocks, label), message

    def action_payload_from_view(
        self, user: str, view: dict[str, Any] | None, label: str
    ) -> dict[str, Any]:
        """A tap on the button labelled ``label`` in a view (the App Home tab)."""
        assert view is not None, "no view to tap on"
        element = element_labelled(view["blocks"], label)
        payload = payloads.load("block_actions", team_id=self.team_id, user_id=user)
        payload["container"] = {"type": "view", "view_id": "VHOME0001"}
        payload.pop("message", None)
        payload.pop("channel", None)
        payload["view"] = {"id": "VHOME0001", "type": "home", "blocks": view["blocks"]}
        payload["actions"] = [
            {
                "action_id": element["action_id"],
                "block_id": element["block_id"],
                "type": element["type"],
                "value": element.get("value"),
                "text": element["text"],
                "action_ts": payload["actions"][0]["action_ts"],
            }
        ]
        return payload

    def action_payload(self, user: str, label: str) -> dict[str, Any]:
        element, message = self.find_element(user, label)
        payload = payloads.load(
            "block_actions",
            team_id=self.team_id,
            user_id=user,
            channel_id=message.channel,
            message_ts=message.ts,
            message_text=message.text,
            trigger_id=self.slack.trigger_id(),
        )
        action: dict[str, Any] = {
            "action_id": element["action_id"],
            "block_id": element["block_id"],
            "type": element["type"],
            "action_ts": payload["actions"][0]["action_ts"],
        }
        if "selected_option" in element:
            action["selected_option"] = element["selected_option"]
        else:
            action["value"] = element.get("value")
            action["text"] = element["text"]
        payload["actions"] = [action]
        payload["message"]["blocks"] = message.blocks
        return payload

    async def press(self, user: str, label: str) -> httpx.Response:
        """Tap the button labelled ``label`` on the user's latest message from Ripple."""
        return await self.interact(self.action_payload(user, label))

    async def submit_view(
        self, user: str, *, view: dict[str, Any], state: dict[str, Any]
    ) -> httpx.Response:
        payload = payloads.load(
            "view_submission",
            team_id=self.team_id,
            user_id=user,
            callback_id=view["callback_id"],
            private_metadata=view.get("private_metadata", ""),
            state=state,
        )
        payload["view"]["blocks"] = view.get("blocks", [])
        return await self.interact(payload)

    # Waiting for the work Ripple does after acknowledging

    async def eventually(self, check: Callable[[], bool], *, what: str) -> None:
        """Wait for work Ripple does after acknowledging a request (ack first, work after)."""

        async def holds() -> bool:
            return check()

        await self.until_stored(holds, what=what)

    async def until_stored(self, check: Callable[[], Awaitable[bool]], *, what: str) -> None:
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        while not await check():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for: {what}")
            await asyncio.sleep(0.02)

    async def messages_settle(self, user: str, *, count: int) -> list[Message]:
        await self.eventually(
            lambda: len(self.slack.messages(user)) >= count,
            what=f"{count} message(s) to {user}",
        )
        return self.slack.messages(user)

    async def add_team(self, *, members: int, admins: tuple[str, ...] = ()) -> list[str]:
        """A channel of ``members`` people (U0001…), registered the way inviting Ripple does."""
        users = [f"U{i:04d}" for i in range(1, members + 1)]
        for user in users:
            self.slack.add_user(
                self.team_id,
                user,
                real_name=f"Person {user}",
                tz="Europe/Berlin",
                locale="en-US",
                is_admin=user in admins,
            )
        self.slack.add_channel(self.team_id, CHANNEL, name="design", members=[*users, "U0BOT"])
        response, _ = await self.event(
            "event_member_joined_channel", user_id="U0BOT", channel_id=CHANNEL
        )
        assert response.status_code == 200
        await self.until_stored(
            lambda: self._has_members(len(users)), what=f"{CHANNEL} with {len(users)} members"
        )
        return users

    async def _has_members(self, count: int) -> bool:
        async with self.store.unit_of_work() as uow:
            members = await uow.channels.members(f"slack:{self.team_id}:{CHANNEL}")
        return len(members) >= count


def element_labelled(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """The button (or select, with that option chosen) labelled ``label`` in ``blocks``."""
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return {**element, "block_id": block.get("block_id")}
            for option in element.get("options") or []:
                if option["text"]["text"] == label:
                    return {**element, "selected_option": option, "block_id": block.get("block_id")}
    labels = [e.get("text", {}).get("text") for b in blocks for e in b.get("elements") or []]
    raise AssertionError(f"no {label!r} here; there is {labels}")


def slack_settings(db: Path, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{db}",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        **overrides,
    }
    return load_settings(**values)


@asynccontextmanager
async def slack_world(
    tmp_path: Path,
    *,
    oauth: bool = False,
    pacer: Callable[[ManualClock], SlackPacer] | None = None,
    bot_token: str | None = None,
    socket_mode: bool = False,
    secret_key: str | None = None,
    extra_settings: dict[str, Any] | None = None,
) -> AsyncIterator[SlackWorld]:
    """Ripple serving Slack on a real port, on a fresh SQLite database and a manual clock.

    With ``socket_mode`` Ripple also connects to the fake over Socket Mode, with an app token.
    With ``secret_key`` (RIPPLE_SECRET_KEY's value) installed workspaces' tokens are stored
    encrypted; without it, unencrypted, as in development. ``extra_settings`` are more
    settings by name, e.g. ``{"public_url": ...}`` to turn the web view on.
    """
    async with FakeSlack() as slack:
        clock = ManualClock(MONDAY_0930 - timedelta(minutes=30))
        if pacer is not None:  # Ripple waits on the test's clock: so does Slack
            slack.now = lambda: clock.now().timestamp()
        if oauth:
            settings = slack_settings(
                tmp_path / "ripple.db",
                slack.api_url,
                slack_client_id=slack.client_id,
                slack_client_secret=slack.client_secret,
                secret_key=secret_key,
                **(extra_settings or {}),
            )
        else:
            token = bot_token or make_bot_token()
            slack.add_workspace(TEAM, bot_token=token)
            settings = slack_settings(
                tmp_path / "ripple.db",
                slack.api_url,
                slack_bot_token=token,
                **(extra_settings or {}),
            )
        store = await migrated_sqlite_store(tmp_path / "ripple.db")
        config = SlackConfig(
            signing_secret=SIGNING_SECRET,
            bot_token=None if oauth else settings.slack_bot_token.get_secret_value(),  # type: ignore[union-attr]
            client_id=slack.client_id if oauth else None,
            client_secret=slack.client_secret if oauth else None,
            api_url=slack.api_url,
            app_token=slack.add_app_token() if socket_mode else None,
            socket_mode=socket_mode,
        )
        platform = slack_platform(
            config,
            store=store,
            catalog=load_catalog(settings),
            cipher=token_cipher(settings),
            pacer=pacer(clock) if pacer else None,
        )
        ripple = build_ripple(
            settings,
            store=store,
            clock=clock,
            senders=senders_of([platform]),
            rosters=rosters_of([platform]),
        )
        app = build_app(settings, ripple=ripple, platforms=[platform], tick=False)
        async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
            yield SlackWorld(
                slack=slack,
                ripple=ripple,
                clock=clock,
                http=http,
                store=store,
                platform=platform,
            )


def home_texts(view: dict[str, Any] | None) -> str:
    assert view is not None, "no Home tab was published"
    return json.dumps(view, ensure_ascii=False)
