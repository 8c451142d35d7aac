"""Times shown to people: in their own zone, in a form every language reads the same way."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_label(moment: datetime, zone: str) -> str:
    """E.g. ``2026-11-30 14:00 (Europe/Berlin)``: in the person's zone, and naming it, with
    no month or day names to translate."""
    return f"{moment.astimezone(ZoneInfo(zone)).strftime('%Y-%m-%d %H:%M')} ({zone})"
