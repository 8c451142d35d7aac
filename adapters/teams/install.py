"""Installs, uninstalls and roster changes: who Ripple can reach, and who is in which channel."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import ClientError
from microsoft_agents.activity import Activity, ChannelAccount

from adapters.teams.background import Background
from adapters.teams.connector import ConnectorClients
from adapters.teams.ids import (
    channel_conversation_id,
    channel_data,
    channel_id,
    channel_name,
    conversation_type,
    is_bot,
    person_id,
    team_id_of,
    team_scope,
    tenant_of,
)
from adapters.teams.references import Addresses, route_to_member, route_to_sender
from bot.events import MemberJoined, MemberLeft, Origin
from bot.ripple import Ripple

logger = logging.getLogger(__name__)

ADDED = ("add", "add-upgrade")
REMOVED = ("remove", "remove-upgrade")
RENAMED = ("channelRenamed", "teamRenamed")
UNNAMED_CHANNEL = "Teams channel"  # until an install or rename tells Ripple the name
LOOKUP_SECONDS = 5.0  # lookups inside a turn must leave room in Teams' 15 seconds


class Installs:
    """Keeps Ripple's addresses and channel memberships in step with Teams."""

    def __init__(
        self,
        *,
        ripple: Ripple,
        addresses: Addresses,
        clients: ConnectorClients,
        background: Background,
    ) -> None:
        self._ripple = ripple
        self._addresses = addresses
        self._clients = clients
        self._background = background
        self._syncing: set[str] = set()

    async def installation_update(self, activity: Activity, *, now: datetime) -> None:
        action = (activity.action or "").lower()
        if action in ADDED:
            await self._installed(activity, now=now)
        elif action in REMOVED:
            await self._uninstalled(activity, now=now)

    async def conversation_update(self, activity: Activity, *, now: datetime) -> None:
        bot_id = activity.recipient.id if activity.recipient else None
        added = activity.members_added or []
        removed = activity.members_removed or []
        if any(member.id == bot_id for member in added):
            await self._installed(activity, now=now)
        if any(member.id == bot_id for member in removed):
            await self._uninstalled(activity, now=now)
        if conversation_type(activity) != "channel":
            return
        if channel_data(activity).get("eventType") in RENAMED:
            await self._renamed(activity)
        people_added = [m for m in added if m.id != bot_id and not is_bot(m)]
        people_removed = [m for m in removed if m.id != bot_id and not is_bot(m)]
        if people_added or people_removed:
            await self._members_changed(activity, people_added, people_removed, now=now)

    async def register_channel(self, activity: Activity, *, now: datetime) -> str:
        """Make this team channel a Ripple channel (once), keep its address, sync its roster."""
        tenant = tenant_of(activity)
        ref = channel_id(tenant_id=tenant, conversation_id=channel_conversation_id(activity))
        name = await self.name_of(activity, ref)
        await self._ripple.register_channel(channel_id=ref, name=name, scope=team_scope(activity))
        route = route_to_sender(activity)
        await self._addresses.remember(ref, route, now=now)
        if ref not in self._syncing:
            self._syncing.add(ref)
            self._background.spawn(self._sync(ref), name=f"roster of {ref}")
        return ref

    async def name_of(self, activity: Activity, ref: str) -> str:
        """The channel's name: as the activity says, as Ripple knows it, or as Teams tells."""
        return (
            channel_name(activity)
            or await self._ripple.channel_name(ref)
            or await self._look_up_name(activity)
        )

    async def _renamed(self, activity: Activity) -> None:
        """Keep a Ripple channel's name as Teams shows it (General goes by the team's name)."""
        ref = channel_id(
            tenant_id=tenant_of(activity), conversation_id=channel_conversation_id(activity)
        )
        name = channel_name(activity)
        if name:
            await self._ripple.rename_channel(channel_id=ref, name=name)

    async def _look_up_name(self, activity: Activity) -> str:
        """Ask Teams for the channel's name (or, for General, the team's): messages lack it."""
        team = team_id_of(activity)
        conversation = channel_conversation_id(activity)
        assert activity.service_url is not None
        try:
            async with (
                asyncio.timeout(LOOKUP_SECONDS),
                self._clients.open(activity.service_url) as client,
            ):
                channels = await client.fetch_channel_list(team)
                details = await client.fetch_team_details(team)
        except (ClientError, TimeoutError) as exc:
            logger.warning("could not read the name of %s: %s", conversation, exc)
            return UNNAMED_CHANNEL
        named = next((c.name for c in channels if c.id == conversation and c.name), None)
        return named or details.name or UNNAMED_CHANNEL

    async def _installed(self, activity: Activity, *, now: datetime) -> None:
        if conversation_type(activity) == "channel":
            await self.register_channel(activity, now=now)
            return
        if activity.from_property is not None:
            person = person_id(tenant_id=tenant_of(activity), account=activity.from_property)
            await self._addresses.remember(person, route_to_sender(activity), now=now)

    async def _uninstalled(self, activity: Activity, *, now: datetime) -> None:
        tenant = tenant_of(activity)
        if conversation_type(activity) != "channel":
            if activity.from_property is not None:
                person = person_id(tenant_id=tenant, account=activity.from_property)
                await self._addresses.mark_unreachable(person, now=now)
            return
        team = team_id_of(activity)
        for ref in await self._addresses.team_channels(tenant_id=tenant, team_id=team):
            await self._ripple.uninstalled(prefix=ref)

    async def _members_changed(
        self,
        activity: Activity,
        added: list[ChannelAccount],
        removed: list[ChannelAccount],
        *,
        now: datetime,
    ) -> None:
        tenant = tenant_of(activity)
        channels = await self._addresses.team_channels(
            tenant_id=tenant, team_id=team_id_of(activity)
        )
        routes = {
            person_id(tenant_id=tenant, account=m): route_to_member(activity, m) for m in added
        }
        await self._addresses.remember_many(routes, now=now)
        stamp = f"teams:{activity.conversation.id if activity.conversation else ''}:{activity.id}"
        for joined, members in ((True, added), (False, removed)):
            for member in members:
                person = person_id(tenant_id=tenant, account=member)
                for ref in channels:
                    what = "member_joined" if joined else "member_left"
                    origin = Origin(
                        person_id=person,
                        occurred_at=now,
                        channel_id=ref,
                        display_name=member.name,
                        event_id=f"{stamp}:{what}:{person}:{ref}" if activity.id else None,
                    )
                    event = (
                        MemberJoined(origin=origin, channel_id=ref)
                        if joined
                        else MemberLeft(origin=origin, channel_id=ref)
                    )
                    await self._ripple.handle(event)

    async def _sync(self, ref: str) -> None:
        """Make the channel's members the people in its Teams roster (retried by the core's
        schedule if Teams can't be read now)."""
        try:
            await self._ripple.read_members(ref)
        finally:
            self._syncing.discard(ref)
