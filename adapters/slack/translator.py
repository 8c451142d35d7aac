"""What every Slack listener shares: turning a Slack user's action into a core event."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.directory import Directory, SlackUser
from adapters.slack.home import home_view
from adapters.slack.ids import ripple_id, team_prefix, workspace_scope
from adapters.slack.workspaces import Workspaces
from bot.events import Event, Origin
from bot.ports import PromptCatalog
from bot.ripple import Ripple

logger = logging.getLogger(__name__)

Body = dict[str, Any]


@dataclass
class SlackTranslator:
    """Translates Slack requests for the core; holds no rule of its own."""

    ripple: Ripple
    catalog: PromptCatalog
    directory: Directory
    workspaces: Workspaces

    async def register_channel(
        self, client: AsyncWebClient, *, team_id: str, channel_id: str
    ) -> None:
        ref = ripple_id(team_id=team_id, local_id=channel_id)
        name = await self.channel_name(client, channel_id)
        await self.ripple.register_channel(
            channel_id=ref, name=name, scope=workspace_scope(team_id)
        )
        await self.sync_channel(client, team_id=team_id, channel_id=channel_id)

    async def sync_channel(self, client: AsyncWebClient, *, team_id: str, channel_id: str) -> None:
        """Make a Ripple channel's members the people Slack says are in it (the core tries
        again later if Slack can't be read now)."""
        await self.ripple.read_members(ripple_id(team_id=team_id, local_id=channel_id))

    async def channel_name(self, client: AsyncWebClient, channel_id: str) -> str:
        return await self.directory.channel_name(client, channel_id=channel_id)

    async def deactivate(self, team_id: str, *, reason: str) -> None:
        await self.workspaces.deactivate(team_id, reason=reason)
        await self.ripple.uninstalled(prefix=team_prefix(team_id))

    async def actor(self, client: AsyncWebClient, body: Body) -> SlackUser | None:
        person = body.get("user") or {}
        team_id = str((body.get("team") or {}).get("id") or person.get("team_id") or "")
        user = await self.directory.user(client, team_id=team_id, user_id=str(person.get("id")))
        return user if user is not None and user.is_human else None

    def origin(self, user: SlackUser, *, event_id: str, channel_id: str | None = None) -> Origin:
        person = user.person
        return Origin(
            person_id=person.person_id,
            occurred_at=self.ripple.clock.now(),
            channel_id=channel_id,
            event_id=event_id,
            display_name=person.display_name,
            timezone=person.timezone,
            locale=person.locale,
        )

    async def person_event(self, event: Event, *, deliver: bool = True) -> None:
        """Hand the core what someone did, then deliver the replies to them."""
        await self.ripple.handle(event)
        if deliver:
            await self.ripple.reply(event.origin.person_id)

    async def publish_home(self, client: AsyncWebClient, user: SlackUser) -> None:
        home = await self.ripple.home(actor=user.actor)
        view = home_view(home, catalog=self.catalog, locale=home.locale)
        await client.views_publish(user_id=user.user_id, view=view)

    async def locale(self, user: SlackUser | None, *, channel: str | None = None) -> str:
        """The person's Slack language if Ripple speaks it, else the channel's, else English."""
        return await self.ripple.locale_for(
            person=user.person if user else None, channel_id=channel
        )

    def say(self, key: str, locale: str, **params: object) -> str:
        return self.catalog.message(key, locale=locale, **params)
