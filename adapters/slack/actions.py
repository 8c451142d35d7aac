"""The ids and values Ripple puts in Slack payloads, and how to read them back safely."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

CHOICE: Final = "ripple_choice"  # a question's buttons ("ripple_choice:<i>") or its select
SKIP: Final = "ripple_skip"
SNOOZE_AT: Final = "ripple_snooze_at"  # the datetimepicker next to the snooze options
COMMAND: Final = "ripple_command"  # App Home buttons: "ripple_command:<command>"
NOTE_VIEW: Final = "ripple_note"  # callback_id of the note modal
SETUP_VIEW: Final = "ripple_setup"  # callback_id of the setup modal
SNOOZE_BLOCK: Final = "ripple_snooze"  # block_id prefix carrying the round id to the picker
RECORD: Final = "ripple_record"  # a manager's "record what the team will do" button
ACTION_VIEW: Final = "ripple_action"  # callback_id of the modal that records it

CHOICE_PATTERN: Final = re.compile(r"^ripple_choice(:\d+)?$")
SKIP_PATTERN: Final = re.compile(r"^ripple_skip$")
SNOOZE_AT_PATTERN: Final = re.compile(r"^ripple_snooze_at$")
COMMAND_PATTERN: Final = re.compile(r"^ripple_command:[a-z_]+$")
RECORD_PATTERN: Final = re.compile(r"^ripple_record$")

# Slack's published limits for the places these strings travel.
BUTTON_VALUE_LIMIT: Final = 2000
OPTION_VALUE_LIMIT: Final = 150
BLOCK_ID_LIMIT: Final = 255

# What a tap can mean: a QuestionMessage.action, or leaving the question out.
TAP_ACTIONS: Final = frozenset({"capacity", "snooze", "answer", "note", "forget", "skip"})


@dataclass(frozen=True, kw_only=True)
class Tap:
    """One press on a question: what it means, for which round and question, and the value."""

    action: str  # a QuestionMessage.action, or "skip"
    round_id: str | None
    question_id: str | None
    value: str
    until: datetime | None = None  # a time picked for a snooze


def encode_tap(tap: Tap, *, limit: int = BUTTON_VALUE_LIMIT) -> str:
    """A compact JSON array for a button or option value; ValueError if it exceeds ``limit``."""
    if tap.action not in TAP_ACTIONS:
        raise ValueError(f"unknown tap action {tap.action!r}")
    raw = json.dumps(
        [tap.action, tap.round_id, tap.question_id, tap.value],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    if len(raw) > limit:
        raise ValueError(
            f"the encoded tap is {len(raw)} characters, over Slack's limit of {limit} "
            f"(round {tap.round_id!r}, question {tap.question_id!r})"
        )
    return raw


def decode_tap(raw: object) -> Tap:
    """The Tap in a button or option value; ValueError if it is anything but one Ripple wrote."""
    if not isinstance(raw, str):
        raise ValueError(f"a tap value must be text, got {type(raw).__name__}")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        raise ValueError("a tap value must be a JSON array") from None
    if not isinstance(data, list) or len(data) != 4:
        raise ValueError("a tap value must be a JSON array of four items")
    action, round_id, question_id, value = data
    if not isinstance(action, str) or action not in TAP_ACTIONS:
        raise ValueError(f"unknown tap action {action!r}")
    if not _optional_text(round_id) or not _optional_text(question_id):
        raise ValueError("a tap's round and question ids must be text or null")
    if not isinstance(value, str):
        raise ValueError("a tap's value must be text")
    return Tap(action=action, round_id=round_id, question_id=question_id, value=value)


def snooze_block_id(round_id: str) -> str:
    """The block_id of the snooze picker: the picker has no value, so the round travels here."""
    block_id = f"{SNOOZE_BLOCK}:{round_id}"
    if not round_id or len(block_id) > BLOCK_ID_LIMIT:
        raise ValueError(f"round id {round_id!r} does not fit in a Slack block_id")
    return block_id


def snooze_round_id(block_id: object) -> str:
    """The round id in a snooze picker's block_id; ValueError if it isn't one."""
    prefix = f"{SNOOZE_BLOCK}:"
    if not isinstance(block_id, str) or not block_id.startswith(prefix):
        raise ValueError(f"{block_id!r} is not a snooze picker block_id")
    round_id = block_id.removeprefix(prefix)
    if not round_id:
        raise ValueError("the snooze picker block_id names no round")
    return round_id


def snooze_time(selected_date_time: object) -> datetime:
    """The moment picked in the snooze picker (a UNIX time); ValueError if it isn't one."""
    if isinstance(selected_date_time, bool) or not isinstance(selected_date_time, int | str):
        raise ValueError("a picked time must be a UNIX timestamp")
    try:
        return datetime.fromtimestamp(int(selected_date_time), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"{selected_date_time!r} is not a UNIX timestamp") from None


def read_action(action: Mapping[str, object]) -> Tap:
    """The Tap behind one entry of a ``block_actions`` payload's ``actions`` list.

    Reads Ripple's buttons (``value``), its question select (``selected_option.value``),
    the skip button and the snooze picker (``block_id`` + ``selected_date_time``).
    """
    action_id = action.get("action_id")
    if not isinstance(action_id, str):
        raise ValueError("the action has no action_id")
    if SNOOZE_AT_PATTERN.match(action_id):
        return Tap(
            action="snooze",
            round_id=snooze_round_id(action.get("block_id")),
            question_id=None,
            value="",
            until=snooze_time(action.get("selected_date_time")),
        )
    if CHOICE_PATTERN.match(action_id) or SKIP_PATTERN.match(action_id):
        raw = action.get("value")
        if raw is None and isinstance(option := action.get("selected_option"), Mapping):
            raw = option.get("value")
        tap = decode_tap(raw)
        if (tap.action == "skip") != (action_id == SKIP):
            raise ValueError(f"{action_id!r} does not carry a {tap.action!r} tap")
        return tap
    raise ValueError(f"{action_id!r} is not one of Ripple's question actions")


def _optional_text(value: object) -> bool:
    return value is None or isinstance(value, str)


@dataclass(frozen=True, kw_only=True)
class Record:
    """A press on "record what the team will do": the week, the nudge it came from, if any,
    and the language of the message it was on. None of it says who may record: the core
    decides that from who pressed it."""

    round_id: str
    rule: str | None
    locale: str


def encode_record(record: Record) -> str:
    raw = json.dumps(
        [record.round_id, record.rule, record.locale], ensure_ascii=False, separators=(",", ":")
    )
    if len(raw) > BUTTON_VALUE_LIMIT:
        raise ValueError(f"the record button's value is {len(raw)} characters, over Slack's limit")
    return raw


def decode_record(raw: object) -> Record:
    """The Record in a button value; ValueError if it isn't one of Ripple's."""
    if not isinstance(raw, str):
        raise ValueError("the record button carries no value")
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        raise ValueError("the record button's value is not JSON") from None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not isinstance(value[0], str)
        or not value[0]
        or not _optional_text(value[1])
        or not isinstance(value[2], str)
    ):
        raise ValueError("the record button's value is not a round, a rule and a language")
    return Record(round_id=value[0], rule=value[1], locale=value[2])
