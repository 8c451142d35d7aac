"""Keeps Ripple inside Slack's published rate limits, per workspace and per channel."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# chat.postMessage: about one message per second per channel, with short bursts allowed.
PER_CHANNEL = ((1, 1.0), (3, 4.0))
# chat.postMessage also has a workspace-wide limit that Slack doesn't put a number on; this
# pace stays well inside what Slack tolerates, and a 429 beyond it pauses the workspace.
PER_WORKSPACE = ((10, 1.0), (300, 60.0))


@dataclass
class SlidingWindows:
    """Counts events per key over several windows; says how long until the next one fits."""

    limits: tuple[tuple[int, float], ...]
    now: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may act again (0.0 when it may act now)."""
        stamps = self._seen.get(key)
        if not stamps:
            return 0.0
        now = self.now()
        longest = max(window for _, window in self.limits)
        while stamps and now - stamps[0] >= longest:
            stamps.popleft()
        wait = 0.0
        for count, window in self.limits:
            recent = [t for t in stamps if now - t < window]
            if len(recent) >= count:
                wait = max(wait, recent[-count] + window - now)
        return wait

    def record(self, key: str) -> None:
        self._seen.setdefault(key, deque()).append(self.now())


# A wait this short is spent in place, so a reply in a conversation isn't left for the
# next scheduler tick; a longer one sends the message back to the outbox.
MAX_INLINE_WAIT = 2.0


@dataclass
class SlackPacer:
    """One pacer per process: workspace-wide and per-channel windows for posting."""

    per_workspace: tuple[tuple[int, float], ...] = PER_WORKSPACE
    per_channel: tuple[tuple[int, float], ...] = PER_CHANNEL
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
