"""Ripple's ids for Slack people and channels: ``slack:<team>:<user or channel>``."""

from __future__ import annotations

from dataclasses import dataclass

PLATFORM = "slack"


@dataclass(frozen=True, kw_only=True)
class SlackRef:
    team_id: str
    local_id: str  # a user id (U…/W…) or a conversation id (C…/G…/D…)


def ripple_id(*, team_id: str, local_id: str) -> str:
    return f"{PLATFORM}:{team_id}:{local_id}"


def parse_ref(ref: str) -> SlackRef:
    """The team and Slack id inside a Ripple id; ValueError for anything else."""
    platform, _, rest = ref.partition(":")
    team_id, _, local_id = rest.partition(":")
    if platform != PLATFORM or not team_id or not local_id:
        raise ValueError(f"{ref!r} is not a Slack id")
    return SlackRef(team_id=team_id, local_id=local_id)


def team_prefix(team_id: str) -> str:
    """The start of every Ripple id in one workspace."""
    return f"{PLATFORM}:{team_id}:"


def workspace_scope(team_id: str) -> str:
    """The place a Slack workspace's channels belong to, and its admins act from."""
    return f"{PLATFORM}:{team_id}"
