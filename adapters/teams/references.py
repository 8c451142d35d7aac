"""Where a Teams person or channel can be reached: conversation references kept as addresses."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)

from adapters.teams.ids import (
    channel_conversation_id,
    conversation_type,
    team_id_of,
    tenant_of,
    tenant_prefix,
)
from bot import reach
from bot.ports import Store

logger = logging.getLogger(__name__)

FORMAT = 1


@dataclass(frozen=True, kw_only=True)
class Route:
    """A conversation reference, or what is needed to create one (a person known from a roster).

    ``conversation_id`` is None until Ripple has a personal chat with the person; the
    sender then creates it and stores the route again.
    """

    service_url: str
    tenant_id: str
    bot: ChannelAccount
    user: ChannelAccount | None = None
    conversation_id: str | None = None
    conversation_type: str = "personal"
    locale: str | None = None
    team_id: str | None = None  # for a team channel: the team it belongs to

    @property
    def reference(self) -> ConversationReference | None:
        if self.conversation_id is None:
            return None
        return ConversationReference(
            bot=self.bot,
            user=self.user,
            conversation=ConversationAccount(
                id=self.conversation_id,
                conversation_type=self.conversation_type,
                tenant_id=self.tenant_id,
            ),
            channel_id="msteams",
            service_url=self.service_url,
            locale=self.locale,
        )

    def with_conversation(self, conversation_id: str) -> Route:
        return replace(self, conversation_id=conversation_id)

    def to_json(self) -> str:
        reference = self.reference
        document: dict[str, Any] = {
            "format": FORMAT,
            "serviceUrl": self.service_url,
            "tenantId": self.tenant_id,
            "bot": _account(self.bot),
            "user": None if self.user is None else _account(self.user),
            "teamId": self.team_id,
            "reference": None
            if reference is None
            else reference.model_dump(by_alias=True, exclude_none=True, mode="json"),
        }
        return json.dumps(document, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Route:
        document = json.loads(raw)
        reference = document.get("reference")
        conversation = (reference or {}).get("conversation") or {}
        user = document.get("user")
        return cls(
            service_url=document["serviceUrl"],
            tenant_id=document["tenantId"],
            bot=ChannelAccount.model_validate(document["bot"]),
            user=None if user is None else ChannelAccount.model_validate(user),
            conversation_id=conversation.get("id"),
            conversation_type=conversation.get("conversationType") or "personal",
            locale=(reference or {}).get("locale"),
            team_id=document.get("teamId"),
        )


def _account(account: ChannelAccount) -> dict[str, Any]:
    return account.model_dump(by_alias=True, exclude_none=True, mode="json")


def slim(account: ChannelAccount) -> ChannelAccount:
    """Only what routing needs: a roster also carries email addresses Ripple has no use for."""
    fields = {"id": account.id, "name": account.name, "aad_object_id": account.aad_object_id}
    return ChannelAccount.model_validate({k: v for k, v in fields.items() if v is not None})


def route_to_sender(activity: Activity) -> Route:
    """The route back to whoever sent ``activity``, in the conversation it arrived in."""
    assert activity.service_url and activity.recipient and activity.conversation
    kind = conversation_type(activity)
    conversation_id = activity.conversation.id
    team_id = None
    if kind == "channel":
        conversation_id = channel_conversation_id(activity)
        team_id = team_id_of(activity)
    return Route(
        service_url=activity.service_url,
        tenant_id=tenant_of(activity),
        bot=slim(activity.recipient),
        user=None
        if kind == "channel" or activity.from_property is None
        else slim(activity.from_property),
        conversation_id=conversation_id,
        conversation_type=kind,
        locale=activity.locale,
        team_id=team_id,
    )


def route_to_member(activity: Activity, member: ChannelAccount) -> Route:
    """A route to a person seen in a team's roster: no personal chat yet."""
    assert activity.service_url and activity.recipient
    return Route(
        service_url=activity.service_url,
        tenant_id=tenant_of(activity),
        bot=slim(activity.recipient),
        user=slim(member),
    )


class Addresses:
    """Teams routes in the core's address book; the core decides what is kept."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, owner_id: str) -> tuple[Route, bool] | None:
        """The route and whether it is still reachable, or None if nothing is known."""
        known = await reach.route_of(self._store, owner_id, read=_judged)
        if known is None:
            return None
        return Route.from_json(known.route.data), known.reachable

    async def remember(self, owner_id: str, route: Route, *, now: datetime) -> None:
        await reach.remember(self._store, owner_id, _judge(route), read=_judged, now=now)

    async def remember_many(self, routes: dict[str, Route], *, now: datetime) -> None:
        judged = {owner_id: _judge(route) for owner_id, route in routes.items()}
        await reach.remember_roster(self._store, judged, read=_judged, now=now)

    async def team_channels(self, *, tenant_id: str, team_id: str) -> list[str]:
        """The Ripple channels Ripple knows in one team (Teams channel ids start with 19:)."""
        found = await reach.addresses_under(self._store, tenant_prefix(tenant_id) + "19:")
        return [
            address.owner_id
            for address in found
            if Route.from_json(address.data).team_id == team_id
        ]

    async def mark_unreachable(self, owner_id: str, *, now: datetime) -> None:
        if await reach.mark_unreachable(self._store, owner_id, now=now):
            logger.info("%s can no longer be reached on Teams", owner_id)


def _judge(route: Route) -> reach.Route:
    """A route as the core judges it: a personal chat or channel exists, or only a roster
    entry; and the service URL Teams takes messages at."""
    return reach.Route(
        data=route.to_json(), direct=route.conversation_id is not None, endpoint=route.service_url
    )


def _judged(data: str) -> reach.Route:
    return _judge(Route.from_json(data))
