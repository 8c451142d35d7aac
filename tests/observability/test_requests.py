"""Each request's id and timing, in-process: route templates, refusals at the edge, and ids."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client.exposition import generate_latest

from adapters.http.limits import EdgeLimits
from adapters.http.metrics import PrometheusMetrics
from adapters.http.observe import ObservedRequests
from tests.observability.serving import parse_metrics, sample

DURATION = "ripple_http_request_duration_seconds_count"


def observed_app(metrics: PrometheusMetrics) -> FastAPI:
    app = FastAPI()

    @app.get("/web/channels/{channel_id}")
    async def channel(channel_id: str) -> dict[str, str]:
        return {"channel": channel_id}

    @app.post("/slack/events")
    async def events() -> dict[str, str]:
        return {}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(EdgeLimits, max_body_bytes=10)
    app.add_middleware(ObservedRequests, timer=metrics.time_request)
    return app


async def test_requests_are_timed_by_route_template_never_by_the_ids_in_a_path() -> None:
    metrics = PrometheusMetrics()
    app = observed_app(metrics)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ripple"
    ) as client:
        for channel_id in ("slack:T1:C1", "teams:19:abc", "slack:T2:C9"):
            assert (await client.get(f"/web/channels/{channel_id}")).status_code == 200
        assert (await client.get("/web/nope/U0001")).status_code == 404
        assert (await client.post("/slack/events", content=b"x" * 11)).status_code == 413
        assert (await client.get("/healthz")).status_code == 200

    samples = parse_metrics(generate_latest(metrics.registry).decode())
    by_route = {
        (labels["route"], labels["status"]): value
        for (name, frozen), value in samples.items()
        if name == DURATION and (labels := dict(frozen))
    }
    assert by_route == {
        ("/web/channels/{channel_id}", "200"): 3,
        ("other", "404"): 1,
        ("other", "413"): 1,  # refused before any route was reached
    }
    assert sample(samples, DURATION, route="/healthz", method="GET", status="200") is None


async def test_a_request_keeps_a_safe_incoming_id_and_gets_a_new_one_otherwise() -> None:
    app = observed_app(PrometheusMetrics())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ripple"
    ) as client:
        kept = await client.get("/healthz", headers={"X-Request-Id": "lb-42.a_b"})
        replaced = await client.get("/healthz", headers={"X-Request-Id": "x" * 65})
        unsafe = await client.get("/healthz", headers={"X-Request-Id": "a=b;c"})
        fresh = [await client.get("/healthz") for _ in range(2)]
        refused = await client.post("/slack/events", content=b"x" * 11)

    assert kept.headers["x-request-id"] == "lb-42.a_b"
    for response in (replaced, unsafe, *fresh, refused):
        assert len(response.headers["x-request-id"]) == 16
        assert response.headers["x-request-id"].isalnum()
    assert fresh[0].headers["x-request-id"] != fresh[1].headers["x-request-id"]
