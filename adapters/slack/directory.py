"""Who is who in a Slack workspace: people's profiles and channels' human members."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.ids import ripple_id, workspace_scope
from bot.model import Actor, Person, Role

PROFILE_TTL_SECONDS = 600.0
MEMBERS_PAGE = 200


@dataclass(frozen=True, kw_only=True)
class SlackUser:
    """What Ripple needs from ``users.info``."""

    team_id: str
    user_id: str
    display_name: str
    timezone: str | None
    locale: str | None
    is_human: bool  # not a bot, not deactivated
    is_workspace_admin: bool  # a workspace admin or owner

    @property
    def actor(self) -> Actor:
        """Who this is, in the workspace Slack signed the request for, with the role it vouches."""
        roles = frozenset({Role.WORKSPACE_ADMIN}) if self.is_workspace_admin else frozenset()
        return Actor(
            person_id=self.person.person_id, place=workspace_scope(self.team_id), roles=roles
        )

    @property
    def person(self) -> Person:
        return Person(
            person_id=ripple_id(team_id=self.team_id, local_id=self.user_id),
            display_name=self.display_name,
            timezone=self.timezone,
            locale=self.locale,
        )


def read_user(team_id: str, user: dict[str, Any]) -> SlackUser:
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or ""
    )
    return SlackUser(
        team_id=team_id,
        user_id=str(user["id"]),
        display_name=str(name),
        timezone=user.get("tz") or None,
        locale=user.get("locale") or None,
        is_human=not (user.get("is_bot") or user.get("deleted") or user.get("id") == "USLACKBOT"),
        is_workspace_admin=bool(
            user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
        ),
    )


@dataclass
class Directory:
    """Looks people up with ``users.info`` and remembers them for a few minutes."""

    ttl: float = PROFILE_TTL_SECONDS
    now: Callable[[], float] = time.monotonic
    _cache: dict[tuple[str, str], tuple[float, SlackUser]] = field(default_factory=dict)
    # Lookups under way: a burst from someone not yet seen asks Slack about them once.
    _asking: dict[tuple[str, str], asyncio.Task[SlackUser | None]] = field(default_factory=dict)

    async def user(self, client: AsyncWebClient, *, team_id: str, user_id: str) -> SlackUser | None:
        """The user, or None when Slack doesn't know them."""
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and self.now() - cached[0] < self.ttl:
            return cached[1]
        asking = self._asking.get(key)
        if asking is None:
            asking = asyncio.create_task(self._look_up(client, team_id=team_id, user_id=user_id))
            self._asking[key] = asking
            asking.add_done_callback(lambda _: self._asking.pop(key, None))
        return await asyncio.shield(asking)

    async def _look_up(
        self, client: AsyncWebClient, *, team_id: str, user_id: str
    ) -> SlackUser | None:
        try:
            response = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "users_not_found"):
                return None
            raise
        user = read_user(team_id, response["user"])
        self._cache[(team_id, user_id)] = (self.now(), user)
        return user

    def forget(self, *, team_id: str, user_id: str) -> None:
        self._cache.pop((team_id, user_id), None)

    async def channel_people(
        self, client: AsyncWebClient, *, team_id: str, channel_id: str
    ) -> list[Person]:
        """The channel's human members (bots and deactivated accounts left out), every page."""
        people: list[Person] = []
        pages = await client.conversations_members(channel=channel_id, limit=MEMBERS_PAGE)
        async for page in pages:  # slack_sdk follows next_cursor from page to page
            for user_id in page.get("members") or []:
                user = await self.user(client, team_id=team_id, user_id=str(user_id))
                if user is not None and user.is_human:
                    people.append(user.person)
        return people

    async def channel_name(self, client: AsyncWebClient, *, channel_id: str) -> str:
        response = await client.conversations_info(channel=channel_id)
        name = (response.get("channel") or {}).get("name")
        return f"#{name}" if name else channel_id
