"""Ripple in a team channel: `@Ripple setup`, its settings card, who may save it, and
`@Ripple start`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import ClientError
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext

from adapters.teams.cards import Card, card_activity
from adapters.teams.connector import ConnectorClients
from adapters.teams.ids import (
    channel_conversation_id,
    channel_id,
    conversation_type,
    team_info,
    team_scope,
    tenant_of,
)
from adapters.teams.install import LOOKUP_SECONDS, Installs
from adapters.teams.owners import TeamOwners
from adapters.teams.setup_card import setup_card, setup_values
from adapters.teams.translate import command_word, sender_id
from bot.model import Actor, Person, Role
from bot.ripple import Ripple

logger = logging.getLogger(__name__)

SETUP_WORD = "setup"
START_WORD = "start"  # this week's check-in, now


@dataclass(frozen=True, kw_only=True)
class SetupOutcome:
    """What saving the settings card came to: the core's answer and the card to show now."""

    message: str
    card: Card | None  # None when the channel isn't one Ripple knows


class ChannelCommands:
    """Answers @mentions in a channel and saves the settings card for owners and admins."""

    def __init__(
        self,
        *,
        ripple: Ripple,
        installs: Installs,
        clients: ConnectorClients,
        owners: TeamOwners,
    ) -> None:
        self._ripple = ripple
        self._installs = installs
        self._clients = clients
        self._owners = owners
        self._team_groups: dict[str, str] = {}

    def _say(self, key: str, *, locale: str) -> str:
        return self._ripple.context.catalog.message(key, locale=locale)

    async def _locale(self, activity: Activity, ref: str) -> str:
        """The language to answer in, as the core chooses it for the sender in this channel."""
        assert activity.from_property is not None
        sender = Person(
            person_id=sender_id(activity),
            display_name=activity.from_property.name or "",
            locale=activity.locale,
        )
        return await self._ripple.locale_for(person=sender, channel_id=ref)

    async def message(self, context: TurnContext, *, now: datetime) -> None:
        """A message in a channel: the setup word posts the card; anything else, a short help."""
        activity = context.activity
        ref = channel_id(
            tenant_id=tenant_of(activity), conversation_id=channel_conversation_id(activity)
        )
        locale = await self._locale(activity, ref)
        word = command_word(activity)
        if word == START_WORD and conversation_type(activity) == "channel":
            started = await self._ripple.start_now(
                actor=await self._actor(activity), channel_id=ref, locale=locale
            )
            await context.send_activity(started.message)
            return
        if word != SETUP_WORD or conversation_type(activity) != "channel":
            await context.send_activity(self._say("teams.channel_help", locale=locale))
            return
        start = await self._ripple.start_setup(
            actor=await self._actor(activity),
            channel_id=ref,
            name=await self._installs.name_of(activity, ref),
            locale=locale,
        )
        if start.form is None:
            await context.send_activity(start.message)
            return
        await self._installs.register_channel(activity, now=now)  # its address and roster
        card = await self._card(ref, activity, locale=locale)
        await context.send_activity(
            card_activity(card, summary=self._say("teams.setup_posted", locale=locale))
        )

    async def save(self, activity: Activity, data: Mapping[str, Any]) -> SetupOutcome:
        """Save a submitted card if the core allows it; the card shows the outcome on top.

        The channel is the one the card was submitted in, as Teams says; whatever channel
        the card's data names is ignored.
        """
        tenant = tenant_of(activity)
        ref = channel_id(tenant_id=tenant, conversation_id=channel_conversation_id(activity))
        actor = await self._actor(activity)
        locale = await self._locale(activity, ref)
        result = await self._ripple.apply_setup(
            actor=actor,
            channel_id=ref,
            values=setup_values(data, tenant_id=tenant),
            locale=locale,
        )
        logger.info("settings of %s by %s: saved=%s", ref, actor.person_id, result.saved)
        try:
            card = await self._card(
                ref, activity, locale=locale, notice=result.message, problem=not result.saved
            )
        except LookupError:  # no card of Ripple's was ever posted there
            card = None
        return SetupOutcome(message=result.message, card=card)

    async def _card(
        self,
        ref: str,
        activity: Activity,
        *,
        locale: str,
        notice: str | None = None,
        problem: bool = False,
    ) -> Card:
        form = await self._ripple.setup_form(channel_id=ref, locale=locale)
        chosen = {
            p
            for f in form.fields
            if f.kind == "people"
            for p in f.value
            if isinstance(f.value, tuple)
        }
        names = await self._ripple.display_names(chosen)
        return setup_card(
            form,
            channel_id=ref,
            tenant_id=tenant_of(activity),
            names=names,
            notice=notice,
            notice_is_problem=problem,
        )

    async def _actor(self, activity: Activity) -> Actor:
        """The sender, in the team the activity came from; a team owner if Graph says so."""
        owner = await self._owns_team(activity)
        return Actor(
            person_id=sender_id(activity),
            place=team_scope(activity),
            roles=frozenset({Role.WORKSPACE_ADMIN}) if owner else frozenset(),
        )

    async def _owns_team(self, activity: Activity) -> bool:
        """Whether the sender owns the team this channel belongs to (asked of Graph)."""
        account = activity.from_property
        team_id = team_info(activity).get("id")
        if account is None or not account.aad_object_id or not team_id:
            return False
        group = await self._team_group(activity, str(team_id))
        if group is None:
            return False
        return await self._owners.is_owner(
            tenant_id=tenant_of(activity), team_group_id=group, user_object_id=account.aad_object_id
        )

    async def _team_group(self, activity: Activity, team_id: str) -> str | None:
        """The team's Microsoft 365 group id: from the activity, else asked of Teams once."""
        group = team_info(activity).get("aadGroupId") or self._team_groups.get(team_id)
        if group:
            return str(group)
        assert activity.service_url is not None
        try:
            async with (
                asyncio.timeout(LOOKUP_SECONDS),
                self._clients.open(activity.service_url) as client,
            ):
                details = await client.fetch_team_details(team_id)
        except (ClientError, TimeoutError) as exc:
            logger.warning("could not read the details of team %s: %s", team_id, exc)
            return None
        if details.aad_group_id:
            self._team_groups[team_id] = details.aad_group_id
        return details.aad_group_id
