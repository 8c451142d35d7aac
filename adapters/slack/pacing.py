"""Keeps Ripple inside Slack's rate limits, per workspace and per channel, and slows down
when Slack says 429 anyway."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from adapters.pacing import Limits, SlidingWindows

# chat.postMessage: about one message per second per channel, with short bursts allowed.
PER_CHANNEL: Limits = ((1, 1.0), (3, 4.0))
# chat.postMessage also has a workspace-wide limit that Slack doesn't put a number on; this
# pace (RIPPLE_SLACK_MESSAGES_PER_MINUTE) stays well inside what Slack tolerates.
DEFAULT_MESSAGES_PER_MINUTE = 300
# After a 429 a workspace's pace halves (to a tenth at the slowest), then comes back by a
# tenth of the configured pace for every RECOVER_SECONDS without another 429.
SLOWEST_SHARE = 0.1
RECOVER_SECONDS = 30.0

# A wait this short is spent in place, so a reply in a conversation isn't left for later;
# a longer one sends the message back to the outbox.
MAX_INLINE_WAIT = 2.0


def workspace_limits(messages_per_minute: int) -> Limits:
    """A steady ``messages_per_minute``, in bursts of at most two seconds' worth."""
    return ((max(1, math.ceil(messages_per_minute / 30)), 1.0), (messages_per_minute, 60.0))


@dataclass
class SlackPacer:
    """One pacer per process: workspace-wide and per-channel windows for posting, and each
    workspace's share of the pace while it recovers from a 429."""

    messages_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE
    per_channel: Limits = PER_CHANNEL
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    max_inline_wait: float = MAX_INLINE_WAIT

    def __post_init__(self) -> None:
        if self.messages_per_minute < 1:
            raise ValueError("the Slack pace must be at least one message a minute")
        self._workspaces = SlidingWindows(workspace_limits(self.messages_per_minute), self.now)
        self._channels = SlidingWindows(self.per_channel, self.now)
        self._held_until: dict[str, float] = {}
        self._slowed: dict[str, tuple[float, float]] = {}  # team: (share after 429, when)
        self._last_post: dict[str, float] = {}

    def share(self, team_id: str) -> float:
        """The part of the configured pace the workspace may use now (1.0: all of it)."""
        slowed = self._slowed.get(team_id)
        if slowed is None:
            return 1.0
        share, since = slowed
        recovered = share + 0.1 * (max(self.now() - since, 0.0) // RECOVER_SECONDS)
        if recovered >= 1.0:
            del self._slowed[team_id]
            return 1.0
        return recovered

    def wait(self, *, team_id: str, channel: str) -> float:
        now = self.now()
        held = self._held_until.get(team_id, 0.0) - now
        share, last = self.share(team_id), self._last_post.get(team_id)
        spaced = 0.0
        if share < 1.0 and last is not None:
            spaced = last + 60.0 / (self.messages_per_minute * share) - now
        return max(
            held,
            spaced,
            self._workspaces.wait(team_id, at=now),
            self._channels.wait(f"{team_id}:{channel}", at=now),
            0.0,
        )

    def hold(self, *, team_id: str, seconds: float) -> None:
        """Slack answered 429: nothing more goes to the workspace until ``seconds`` pass,
        and then at half the pace it had, coming back gradually."""
        now = self.now()
        self._held_until[team_id] = max(now + seconds, self._held_until.get(team_id, 0.0))
        self._slowed[team_id] = (max(SLOWEST_SHARE, self.share(team_id) / 2), now + seconds)

    def record(self, *, team_id: str, channel: str) -> None:
        now = self.now()
        self._workspaces.record(team_id, at=now)
        self._channels.record(f"{team_id}:{channel}", at=now)
        self._last_post[team_id] = now
