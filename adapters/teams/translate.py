"""Teams activities as the core's events: typed commands and card taps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microsoft_agents.activity import Activity

from adapters.teams.cards import NOTE_INPUT, SNOOZE_DATE_INPUT, SNOOZE_TIME_INPUT
from adapters.teams.ids import person_id, tenant_of
from bot.events import Event as CoreEvent
from bot.events import EventKind, Origin, Requested, SnoozeChosen, requested, tapped

ADAPTIVE_CARD_ACTION = "adaptiveCard/action"


@dataclass(frozen=True, kw_only=True)
class Author:
    """Who an activity came from, in the core's words."""

    person_id: str
    tenant_id: str
    display_name: str | None
    timezone: str | None
    locale: str | None
    event_id: str | None

    @classmethod
    def of(cls, activity: Activity) -> Author:
        assert activity.from_property is not None and activity.conversation is not None
        tenant = tenant_of(activity)
        return cls(
            person_id=person_id(tenant_id=tenant, account=activity.from_property),
            tenant_id=tenant,
            display_name=activity.from_property.name,
            timezone=activity.local_timezone,
            locale=activity.locale,
            # Message ids are only unique within a conversation, so the key names both.
            event_id=f"teams:{activity.conversation.id}:{activity.id}" if activity.id else None,
        )

    def origin(self, *, now: datetime) -> Origin:
        return Origin(
            person_id=self.person_id,
            occurred_at=now,
            event_id=self.event_id,
            display_name=self.display_name,
            timezone=self.timezone,
            locale=self.locale,
        )


def command_word(activity: Activity) -> str:
    """The first word typed, without the bot's @mention, in lower case."""
    text = activity.remove_recipient_mention() if activity.entities else (activity.text or "")
    words = text.replace("\xa0", " ").strip().lower().split()
    return words[0] if words else ""


def command_event(activity: Activity, *, now: datetime) -> Requested:
    """A command typed in personal chat; anything Ripple doesn't know gets the help card."""
    origin = Author.of(activity).origin(now=now)
    return requested(origin, command_word(activity)) or Requested(
        origin=origin, request=EventKind.HELP
    )


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
    origin = Author.of(activity).origin(now=now)
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
