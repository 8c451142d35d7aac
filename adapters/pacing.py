"""Sliding-window pacing: how long until the next send under a key fits every window."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, KeysView
from dataclasses import dataclass, field

# (count, seconds) pairs: at most ``count`` sends in any window of ``seconds``.
Limits = tuple[tuple[int, float], ...]


@dataclass
class SlidingWindows:
    """Counts sends per key over several windows; says how long until the next one fits.

    A send at ``t`` is inside a window of ``seconds`` while ``now - t < seconds``. Keys are
    paced apart. ``at`` lets a caller ask about several keys at one instant of the clock.
    """

    limits: Limits
    now: Callable[[], float] = time.monotonic
    _sent: dict[str, deque[float]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.limits or any(count < 1 or seconds <= 0 for count, seconds in self.limits):
            raise ValueError(f"each window needs a count of 1 or more and a length: {self.limits}")
        self._longest = max(seconds for _, seconds in self.limits)

    def wait(self, key: str, *, at: float | None = None) -> float:
        """Seconds until ``key`` may send again (0.0 when it may send now)."""
        sent = self._sent.get(key)
        if not sent:
            return 0.0
        now = self.now() if at is None else at
        while sent and now - sent[0] >= self._longest:
            sent.popleft()
        wait = 0.0
        for count, seconds in self.limits:
            if len(sent) < count:
                continue
            inside = [t for t in sent if now - t < seconds]
            if len(inside) >= count:
                # Until the oldest send that fills this window has left it.
                wait = max(wait, inside[-count] + seconds - now)
        return wait

    def record(self, key: str, *, at: float | None = None) -> None:
        """Count a send under ``key``, now or ``at``."""
        self._sent.setdefault(key, deque()).append(self.now() if at is None else at)

    def forget_idle(self, *, at: float | None = None) -> None:
        """Drop keys with nothing left in their longest window, so memory stays bounded."""
        now = self.now() if at is None else at
        idle = [k for k, sent in self._sent.items() if not sent or now - sent[-1] >= self._longest]
        for key in idle:
            del self._sent[key]

    def keys(self) -> KeysView[str]:
        """The keys with sends still remembered."""
        return self._sent.keys()
