"""ChannelConfig to and from plain JSON data, stored in one column."""

from __future__ import annotations

import logging
from dataclasses import fields
from datetime import date, time
from typing import Any

from bot.model import Cadence, ChannelConfig

logger = logging.getLogger(__name__)

_CONFIG_FIELDS = frozenset(f.name for f in fields(ChannelConfig))


def cadence_to_json(cadence: Cadence) -> dict[str, Any]:
    return {
        "weekday": cadence.weekday,
        "local_time": cadence.local_time.isoformat(),
        "every_weeks": cadence.every_weeks,
        "anchor": cadence.anchor.isoformat(),
    }


def cadence_from_json(data: dict[str, Any]) -> Cadence:
    values: dict[str, Any] = {}
    if "weekday" in data:
        values["weekday"] = int(data["weekday"])
    if "local_time" in data:
        values["local_time"] = time.fromisoformat(data["local_time"])
    if "every_weeks" in data:
        values["every_weeks"] = int(data["every_weeks"])
    if "anchor" in data:
        values["anchor"] = date.fromisoformat(data["anchor"])
    return Cadence(**values)


def config_to_json(config: ChannelConfig) -> dict[str, Any]:
    """Plain JSON data: sets become sorted lists, dates and times ISO strings."""
    return {
        "cadence": cadence_to_json(config.cadence),
        "timezone": config.timezone,
        "question_set": config.question_set,
        "locale": config.locale,
        "k": config.k,
        "comment_threshold": config.comment_threshold,
        "managers": sorted(config.managers),
        "admins": sorted(config.admins),
        "reminders": config.reminders,
        "nudges": config.nudges,
        "quiet_dates": sorted(d.isoformat() for d in config.quiet_dates),
        "signpost": config.signpost,
        "response_window_hours": config.response_window_hours,
        "noise_budget": config.noise_budget,
    }


def config_from_json(data: dict[str, Any]) -> ChannelConfig:
    """The stored configuration; keys it lacks take today's defaults, unknown keys are ignored."""
    unknown = set(data) - _CONFIG_FIELDS
    if unknown:
        logger.warning("ignoring unknown channel config keys: %s", ", ".join(sorted(unknown)))
    values: dict[str, Any] = {k: v for k, v in data.items() if k in _CONFIG_FIELDS}
    if "cadence" in values:
        values["cadence"] = cadence_from_json(values["cadence"])
    for name in ("managers", "admins"):
        if name in values:
            values[name] = frozenset(values[name])
    if "quiet_dates" in values:
        values["quiet_dates"] = frozenset(date.fromisoformat(d) for d in values["quiet_dates"])
    return ChannelConfig(**values)
