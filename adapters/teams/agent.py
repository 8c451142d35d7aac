"""The Agents SDK agent: each Teams activity becomes core events, answered within the turn."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, ContentTypes, InvokeResponse
from microsoft_agents.hosting.core import TurnContext

from adapters.teams.background import Replies
from adapters.teams.cards import ACTION_CHOICE_INPUT, ACTION_TEXT_INPUT, RECORD, render
from adapters.teams.channel import ChannelCommands
from adapters.teams.ids import conversation_type, team_scope
from adapters.teams.install import Installs
from adapters.teams.references import Addresses, route_to_sender
from adapters.teams.setup_card import SETUP
from adapters.teams.translate import (
    ADAPTIVE_CARD_ACTION,
    card_data,
    card_event,
    command_event,
    sender_id,
)
from bot.events import Event
from bot.model import Actor
from bot.outgoing import Outgoing
from bot.replies import replacement
from bot.ripple import Ripple

logger = logging.getLogger(__name__)


class RippleAgent:
    """Handles one activity per turn; replies travel through the outbox after the turn."""

    def __init__(
        self,
        *,
        ripple: Ripple,
        addresses: Addresses,
        installs: Installs,
        channel: ChannelCommands,
        replies: Replies,
    ) -> None:
        self._ripple = ripple
        self._addresses = addresses
        self._installs = installs
        self._channel = channel
        self._replies = replies

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        now = self._ripple.clock.now()
        if activity.type == ActivityTypes.message:
            await self._message(context)
        elif activity.type == ActivityTypes.invoke and activity.name == ADAPTIVE_CARD_ACTION:
            await self._card_action(context)
        elif activity.type == ActivityTypes.conversation_update:
            await self._installs.conversation_update(activity, now=now)
        elif activity.type == ActivityTypes.installation_update:
            await self._installs.installation_update(activity, now=now)
        elif activity.type == ActivityTypes.invoke:
            # Teams waits for an answer to every invoke: one Ripple has no use for is
            # acknowledged, rather than left to the SDK's 501.
            logger.debug("acknowledging a %.60r invoke Ripple has no use for", activity.name)
            await context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200))
            )
        else:
            logger.debug("ignoring a %.60r activity", activity.type)

    async def _message(self, context: TurnContext) -> None:
        activity = context.activity
        now = self._ripple.clock.now()
        data = card_data(activity)
        if data is not None and data.get("ripple") == RECORD:
            await self._record(activity, data)
            return
        if _in_channel(activity):
            if data is not None and data.get("ripple") == SETUP:
                outcome = await self._channel.save(activity, data)
                await context.send_activity(outcome.message)
            else:
                await self._channel.message(context, now=now)
            return
        event = card_event(activity, data, now=now) if data is not None else None
        if event is None:
            event = command_event(activity, now=now)
        await self._handle(_with_route(event, activity))

    async def _card_action(self, context: TurnContext) -> None:
        """A tap on Action.Execute: handle it, then answer with the card that replaces it."""
        activity = context.activity
        now = self._ripple.clock.now()
        data = card_data(activity)
        if data is not None and data.get("ripple") == SETUP:
            outcome = await self._channel.save(activity, data)
            await _respond(context, card=outcome.card)
            return
        if data is not None and data.get("ripple") == RECORD:
            await self._record(activity, data)
            await _respond(context, card=None)
            return
        event = card_event(activity, data, now=now) if data is not None else None
        if event is None:
            logger.warning("ignoring a Teams card tap that names no choice of Ripple's")
        elif not _in_channel(activity):
            event = _with_route(event, activity)
        queued = await self._handle(event) if event is not None else []
        update = replacement(queued, person_id=sender_id(activity))
        card = None if update is None else render(update, catalog=self._ripple.context.catalog)
        await _respond(context, card=card)

    async def _record(self, activity: Activity, data: Mapping[str, Any]) -> None:
        """A manager's action from a digest or nudge card; the core decides if they may.

        Who is acting comes from the activity Teams signed; the card's data only names the
        week, the nudge and the language, and what was typed and picked.
        """
        person = sender_id(activity)
        place = team_scope(activity) if _in_channel(activity) else None
        await self._ripple.record_action(
            actor=Actor(person_id=person, place=place),
            round_id=_field(data, "round") or "",
            choice=_field(data, ACTION_CHOICE_INPUT),
            text=_field(data, ACTION_TEXT_INPUT),
            rule=_field(data, "rule"),
            locale=_field(data, "locale") or "en",
        )
        self._replies.deliver(person)

    async def _handle(self, event: Event) -> list[Outgoing]:
        queued = await self._ripple.handle(event)
        self._replies.deliver(event.origin.person_id)
        return queued


def _with_route(event: Event, activity: Activity) -> Event:
    """The event, carrying the route back to its sender for the core to keep if it keeps it."""
    origin = replace(event.origin, address=route_to_sender(activity).to_json())
    return replace(event, origin=origin)


def _field(data: Mapping[str, Any], name: str) -> str | None:
    """A text field of submitted card data; None when it is missing, empty or not text."""
    value = data.get(name)
    return value if isinstance(value, str) and value else None


def _in_channel(activity: Activity) -> bool:
    return conversation_type(activity) in ("channel", "groupChat")


async def _respond(context: TurnContext, *, card: dict[str, Any] | None) -> None:
    """Answer an Action.Execute: the new card for this person, or a plain acknowledgement."""
    body: dict[str, Any] = (
        {"statusCode": 200, "type": ContentTypes.adaptive_card, "value": card}
        if card is not None
        else {"statusCode": 200, "type": ContentTypes.message, "value": ""}
    )
    await context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
    )
