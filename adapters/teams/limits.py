"""Teams' published send limits, kept on Ripple's side so the service rarely has to say 429."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from adapters.pacing import Limits, SlidingWindows

# Per bot per conversation (Teams' "per bot per thread" limits): at most this many
# requests in any window of this many seconds.
CONVERSATION_WINDOWS: Limits = (
    (7, 1.0),
    (8, 2.0),
    (60, 30.0),
    (1800, 3600.0),
)
# Per app per tenant, across all conversations: 50 requests per second.
TENANT_WINDOWS: Limits = ((50, 1.0),)
# Every this many requests taken, conversations and tenants gone quiet are forgotten.
TIDY_EVERY = 1000


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
        self._conversations = SlidingWindows(tuple(conversation_windows), clock)
        self._tenants = SlidingWindows(tuple(tenant_windows), clock)
        self._requests = 0

    def acquire(self, *, conversation: str, tenant: str) -> float:
        """Take a request slot now and return 0, or return how many seconds until one is free."""
        now = self._clock()
        wait = max(
            self._conversations.wait(conversation, at=now), self._tenants.wait(tenant, at=now)
        )
        if wait > 0:
            return wait
        self._conversations.record(conversation, at=now)
        self._tenants.record(tenant, at=now)
        self._requests += 1
        if self._requests % TIDY_EVERY == 0:
            self._conversations.forget_idle(at=now)
            self._tenants.forget_idle(at=now)
        return 0.0
