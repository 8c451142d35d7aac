"""Recorded Slack payloads from ``fixtures/``, with their ``{{placeholders}}`` filled in.

A string that is exactly ``"{{name}}"`` becomes the value itself, whatever its type (an
int ``event_time``, a ``state`` dict); a placeholder inside a longer string or a dict key
is replaced by ``str(value)``. Values come from, in rising priority: ``common_values()``,
the fixture's own ``"_defaults"`` object (dropped from the result; its values may use
placeholders too), and ``load``'s keyword arguments. ``dm_channel_id`` is the fake's DM
channel for ``user_id`` (``D`` + the id's tail) unless given. ``event_id``, ``trigger_id`` and the ``*_ts`` stamps are fresh on every load,
so two loads are two distinct deliveries unless a test passes the same ids.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import time
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def _upper_alnum(length: int) -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length))


def _now_ts() -> str:
    return f"{time.time():.6f}"


def common_values() -> dict[str, Any]:
    """Values shared by every fixture; ids match what ``FakeSlack`` hands out by default."""
    return {
        "team_id": "T0001",
        "team_domain": "team-t0001",
        "api_app_id": "A0RIPPLE01",
        "bot_user_id": "U0BOT",
        "bot_id": "B0BOT",
        "user_id": "U0001",
        "user_name": "u0001",
        "verification_token": "dummy-verification-token",
        "event_id": f"Ev{_upper_alnum(10)}",
        "event_time": int(time.time()),
        "event_ts": _now_ts(),
        "action_ts": _now_ts(),
        "trigger_id": f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}",
        "event_context": f"4-{_upper_alnum(40)}",
    }


@cache
def _read(name: str) -> str:
    return (FIXTURES / f"{name.removesuffix('.json')}.json").read_text(encoding="utf-8")


def names() -> list[str]:
    """Every fixture's name."""
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def placeholders(name: str) -> set[str]:
    """The placeholder names fixture ``name`` uses."""
    return set(PLACEHOLDER.findall(_read(name)))


def load(name: str, **values: Any) -> dict[str, Any]:
    """Fixture ``name`` (``"block_actions"`` or ``"block_actions.json"``) with values filled."""
    raw = json.loads(_read(name))
    defaults = raw.pop("_defaults", {})
    merged = {**common_values(), **defaults, **values}
    merged.setdefault("dm_channel_id", f"D{merged['user_id'][1:]}")
    for key in defaults.keys() - values.keys():  # a default may name other values
        merged[key] = fill(defaults[key], merged)
    filled = fill(raw, merged)
    assert isinstance(filled, dict)
    return filled


def fill(node: Any, values: dict[str, Any]) -> Any:
    """Replace ``{{name}}`` placeholders throughout a JSON value; unknown names raise KeyError."""
    if isinstance(node, dict):
        return {fill(key, values): fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [fill(item, values) for item in node]
    if not isinstance(node, str):
        return node
    whole = PLACEHOLDER.fullmatch(node)
    if whole:
        return _value(whole.group(1), values)
    return PLACEHOLDER.sub(lambda match: str(_value(match.group(1), values)), node)


def _value(name: str, values: dict[str, Any]) -> Any:
    if name not in values:
        raise KeyError(f"no value for placeholder {{{{{name}}}}}")
    return values[name]
