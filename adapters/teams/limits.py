"""Teams' published send limits, kept on Ripple's side so the service rarely has to say 429."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# Per bot per conversation (Teams' "per bot per thread" limits): at most this many
# requests in any window of this many seconds.
CONVERSATION_WINDOWS: tuple[tuple[int, float], ...] = (
    (7, 1.0),
    (8, 2.0),
    (60, 30.0),
    (1800, 3600.0),
)
# Per app per tenant, across all conversations: 50 requests per second.
TENANT_WINDOWS: tuple[tuple[int, float], ...] = ((50, 1.0),)


@dataclass
class _Windows:
    """Sliding windows over one key's recent request times."""

    limits: Sequence[tuple[int, float]]
    times: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        horizon = max(seconds for _, seconds in self.limits)
        while self.times and self.times[0] <= now - horizon:
            self.times.popleft()
        longest = 0.0
        for count, seconds in self.limits:
            if len(self.times) < count:
                continue
            inside = [t for t in self.times if t > now - seconds]
            if len(inside) >= count:
                # Wait until the oldest request that fills this window has left it.
                longest = max(longest, inside[-count] + seconds - now)
        return longest

    def record(self, now: float) -> None:
        self.times.append(now)

    def idle(self, now: float) -> bool:
        horizon = max(seconds for _, seconds in self.limits)
        return not self.times or self.times[-1] <= now - horizon


class SendLimiter:
    """Sliding-window pacing per conversation and per tenant, on an injectable monotonic clock."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        conversation_windows: Sequence[tuple[int, float]] = CONVERSATION_WINDOWS,
        tenant_windows: Sequence[tuple[int, float]] = TENANT_WINDOWS,
    ) -> None:
        self._clock = clock
        self._conversation_windows = tuple(conversation_windows)
        self._tenant_windows = tuple(tenant_windows)
        self._conversations: dict[str, _Windows] = {}
        self._tenants: dict[str, _Windows] = {}
        self._requests = 0

    def now(self) -> float:
        return self._clock()

    def acquire(self, *, conversation: str, tenant: str) -> float:
        """Take a request slot now and return 0, or return how many seconds until one is free."""
        now = self._clock()
        own = self._conversations.setdefault(conversation, _Windows(self._conversation_windows))
        shared = self._tenants.setdefault(tenant, _Windows(self._tenant_windows))
        wait = max(own.wait(now), shared.wait(now))
        if wait > 0:
            return wait
        own.record(now)
        shared.record(now)
        self._requests += 1
        if self._requests % 1000 == 0:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        """Drop conversations with nothing in their longest window, so memory stays bounded."""
        for table in (self._conversations, self._tenants):
            for key in [k for k, windows in table.items() if windows.idle(now)]:
                del table[key]
