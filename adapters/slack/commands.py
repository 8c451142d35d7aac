"""The words people type after ``/ripple`` (or in the DM with Ripple), as core events."""

from __future__ import annotations

from bot.events import COMMAND_EVENTS

WORDS = frozenset({*COMMAND_EVENTS, "setup", "start"})
# Spellings people reach for; each means the command it points to.
ALIASES = {"check-in": "checkin", "check": "checkin", "stop": "pause"}


def parse_command(text: str) -> str | None:
    """The one command in ``text``, or None when it is empty, unknown or has extra words."""
    words = text.strip().lower().split()
    if len(words) != 1:
        return None
    word = ALIASES.get(words[0], words[0])
    return word if word in WORDS else None
