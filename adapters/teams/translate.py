"""Teams activities as the core's events: typed commands and card taps."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from microsoft_agents.activity import Activity

from adapters.teams.cards import NOTE_INPUT, SNOOZE_DATE_INPUT, SNOOZE_TIME_INPUT
from adapters.teams.ids import person_id, tenant_of
from bot.events import Event as CoreEvent
from bot.events import Origin, Requested, SnoozeChosen, requested_or_help, tapped

ADAPTIVE_CARD_ACTION = "adaptiveCard/action"


def sender_id(activity: Activity) -> str:
    """The person id of whoever sent the activity."""
    assert activity.from_property is not None
    return person_id(tenant_id=tenant_of(activity), account=activity.from_property)


def origin_of(activity: Activity, *, now: datetime) -> Origin:
    """Who an activity came from, and when, in the core's words."""
    assert activity.from_property is not None and activity.conversation is not None
    return Origin(
        person_id=sender_id(activity),
        occurred_at=now,
        # Message ids are only unique within a conversation, so the key names both.
        event_id=f"teams:{activity.conversation.id}:{activity.id}" if activity.id else None,
        display_name=activity.from_property.name,
        timezone=activity.local_timezone,
        locale=activity.locale,
    )


def command_word(activity: Activity) -> str:
    """The first word typed, without the bot's @mention, in lower case."""
    text = activity.remove_recipient_mention() if activity.entities else (activity.text or "")
    words = text.replace("\xa0", " ").strip().lower().split()
    return words[0] if words else ""


def command_event(activity: Activity, *, now: datetime) -> Requested:
    """A command typed in personal chat; anything Ripple doesn't know gets the help card."""
    return requested_or_help(origin_of(activity, now=now), command_word(activity))


def card_data(activity: Activity) -> Mapping[str, Any] | None:
    """The data of a Ripple card tap: an Action.Execute invoke or an Action.Submit message."""
    value = activity.value
    if not isinstance(value, dict):
        return None
    if activity.type == "invoke":
        action = value.get("action")
        data = action.get("data") if isinstance(action, dict) else None
    else:
        data = value
    if isinstance(data, dict) and isinstance(data.get("ripple"), str):
        return data
    return None


def card_event(activity: Activity, data: Mapping[str, Any], *, now: datetime) -> CoreEvent | None:
    """The event a tap on a check-in card stands for, or None if it isn't one."""
    origin = origin_of(activity, now=now)
    action, value = data["ripple"], _text(data.get("value"))
    round_id = _text(data.get("round"))
    if action == "snooze" and value == "at":
        day, at = _text(data.get(SNOOZE_DATE_INPUT)), _text(data.get(SNOOZE_TIME_INPUT))
        return SnoozeChosen(origin=origin, round_id=round_id, until=_local_time(day, at))
    return tapped(
        origin,
        action=action,
        value=value,
        round_id=round_id,
        question_id=_text(data.get("question")),
        text=_text(data.get(NOTE_INPUT)) or "",
    )


def _local_time(day: str | None, at: str | None) -> datetime | None:
    """The date and time picked on the card, in the person's local time (None if unreadable)."""
    if not day or not at:
        return None
    try:
        picked = datetime.fromisoformat(f"{day}T{at}")
    except ValueError:
        return None
    return picked.replace(tzinfo=None)


def _text(raw: object) -> str | None:
    return raw if isinstance(raw, str) else None
