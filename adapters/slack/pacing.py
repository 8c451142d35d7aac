"""Keeps Ripple inside Slack's published rate limits, per workspace and per channel."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from adapters.pacing import Limits, SlidingWindows

# chat.postMessage: about one message per second per channel, with short bursts allowed.
PER_CHANNEL: Limits = ((1, 1.0), (3, 4.0))
# chat.postMessage also has a workspace-wide limit that Slack doesn't put a number on; this
# pace stays well inside what Slack tolerates, and a 429 beyond it pauses the workspace.
PER_WORKSPACE: Limits = ((10, 1.0), (300, 60.0))

# A wait this short is spent in place, so a reply in a conversation isn't left for the
# next scheduler tick; a longer one sends the message back to the outbox.
MAX_INLINE_WAIT = 2.0


@dataclass
class SlackPacer:
    """One pacer per process: workspace-wide and per-channel windows for posting."""

    per_workspace: Limits = PER_WORKSPACE
    per_channel: Limits = PER_CHANNEL
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    max_inline_wait: float = MAX_INLINE_WAIT

    def __post_init__(self) -> None:
        self._workspaces = SlidingWindows(self.per_workspace, self.now)
        self._channels = SlidingWindows(self.per_channel, self.now)
        self._held_until: dict[str, float] = {}

    def wait(self, *, team_id: str, channel: str) -> float:
        held = self._held_until.get(team_id, 0.0) - self.now()
        return max(
            held,
            self._workspaces.wait(team_id),
            self._channels.wait(f"{team_id}:{channel}"),
            0.0,
        )

    def hold(self, *, team_id: str, seconds: float) -> None:
        """Slack answered 429: nothing more goes to the workspace until ``seconds`` pass."""
        until = self.now() + seconds
        self._held_until[team_id] = max(until, self._held_until.get(team_id, 0.0))

    def record(self, *, team_id: str, channel: str) -> None:
        self._workspaces.record(team_id)
        self._channels.record(f"{team_id}:{channel}")
