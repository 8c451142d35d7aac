"""The core's own ``Metrics``: one that counts nothing, and an in-memory tally for tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.ports import DeliveryResult
from bot.rhythm import TickReport


class NoMetrics:
    """Counts nothing: Ripple without a metrics endpoint (the CLI, tests, a disabled setting)."""

    def delivery(self, *, platform: str, result: DeliveryResult) -> None:
        pass

    def rate_limited(self, *, platform: str) -> None:
        pass

    def send_retried(self, *, platform: str) -> None:
        pass

    def ticked(self, report: TickReport) -> None:
        pass


@dataclass
class TalliedMetrics:
    """Keeps every count in memory, to read back in tests."""

    deliveries: Counter[tuple[str, DeliveryResult]] = field(default_factory=Counter)
    rate_limits: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    rhythm: TickReport = field(default_factory=TickReport)

    def delivery(self, *, platform: str, result: DeliveryResult) -> None:
        self.deliveries[platform, result] += 1

    def rate_limited(self, *, platform: str) -> None:
        self.rate_limits[platform] += 1

    def send_retried(self, *, platform: str) -> None:
        self.retries[platform] += 1

    def ticked(self, report: TickReport) -> None:
        self.rhythm += report
