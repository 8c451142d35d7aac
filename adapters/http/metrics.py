"""Ripple's metrics, served at ``/metrics`` in Prometheus's text format.

Every label is a route template, a method, a status, a platform or an outcome: never a
person, channel or workspace.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from bot.ports import DeliveryResult
from bot.rhythm import TickReport
from bot.ripple import Ripple

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
# Slack must be acknowledged within 3 s and Teams within 15 s; most answers take milliseconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)


class PrometheusMetrics:
    """The core's ``Metrics`` port, the request timer, and the gauges read on each scrape.

    Each instance keeps its own registry, so several apps in one process never share counts.
    """

    def __init__(self, *, platforms: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self._requests = Histogram(
            "ripple_http_request_duration_seconds",
            "Time from a request's arrival to the last byte of its answer (the acknowledgement "
            "for Slack and Teams), by route template, method and status.",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._sends = Counter(
            "ripple_sends",
            "Attempts to deliver an outbox message, by platform and result.",
            ["platform", "result"],
            registry=registry,
        )
        self._rate_limited = Counter(
            "ripple_rate_limited",
            "Sends the platform answered with 429 (too many requests).",
            ["platform"],
            registry=registry,
        )
        self._retries = Counter(
            "ripple_send_retries",
            "Messages put back in the outbox to be tried again later.",
            ["platform"],
            registry=registry,
        )
        self._opened = Counter("ripple_rounds_opened", "Check-in rounds opened.", registry=registry)
        self._asked = Counter(
            "ripple_checkins_asked",
            "Capacity questions queued: first asks, and asks again after a snooze.",
            registry=registry,
        )
        self._reminders = Counter("ripple_reminders", "Reminders queued.", registry=registry)
        self._digests = Counter(
            "ripple_digests_sent", "Summaries published to managers.", registry=registry
        )
        self._depth = Gauge(
            "ripple_outbox_depth",
            "Messages waiting in the outbox (pending or being sent), read at each scrape.",
            registry=registry,
        )
        self._oldest = Gauge(
            "ripple_outbox_oldest_age_seconds",
            "How long the oldest waiting message has waited (0 when none waits).",
            registry=registry,
        )
        self._lag: Gauge | None = None  # only where a scheduler runs
        for platform in platforms:  # every series exists from the start, at zero
            for result in DeliveryResult:
                self._sends.labels(platform=platform, result=result.value)
            self._rate_limited.labels(platform=platform)
            self._retries.labels(platform=platform)

    # The core's Metrics port.

    def delivery(self, *, platform: str, result: DeliveryResult) -> None:
        self._sends.labels(platform=platform, result=result.value).inc()

    def rate_limited(self, *, platform: str) -> None:
        self._rate_limited.labels(platform=platform).inc()

    def send_retried(self, *, platform: str) -> None:
        self._retries.labels(platform=platform).inc()

    def ticked(self, report: TickReport) -> None:
        self._opened.inc(report.opened)
        self._asked.inc(report.asked)
        self._reminders.inc(report.reminded)
        self._digests.inc(report.digests)

    # The app's own.

    def time_request(self, *, route: str, method: str, status: int, seconds: float) -> None:
        self._requests.labels(route=route, method=method, status=str(status)).observe(seconds)

    def watch_scheduler(self, lag: Callable[[], float]) -> None:
        """Report the scheduler's lag, in seconds, read from ``lag`` at each scrape."""
        if self._lag is None:
            self._lag = Gauge(
                "ripple_scheduler_lag_seconds",
                "How much later than planned the scheduler's latest tick started, or how "
                "overdue the next one is.",
                registry=self.registry,
            )
        self._lag.set_function(lag)

    async def exposition(self, *, ripple: Ripple) -> bytes:
        """Every metric, with the outbox read now (NaN when the database can't be read)."""
        try:
            backlog = await ripple.outbox_backlog()
        except Exception as exc:
            logger.warning("could not read the outbox for /metrics: %s", type(exc).__name__)
            self._depth.set(math.nan)
            self._oldest.set(math.nan)
        else:
            self._depth.set(backlog.waiting)
            oldest = backlog.oldest_created_at
            age = 0.0 if oldest is None else (ripple.clock.now() - oldest).total_seconds()
            self._oldest.set(max(age, 0.0))
        return generate_latest(self.registry)

    def mount(self, app: FastAPI, *, ripple: Ripple) -> None:
        async def metrics() -> Response:
            """Ripple's metrics for Prometheus; keep this path off the public internet."""
            return Response(await self.exposition(ripple=ripple), media_type=CONTENT_TYPE_LATEST)

        app.add_api_route(METRICS_PATH, metrics, methods=["GET"], include_in_schema=False)
