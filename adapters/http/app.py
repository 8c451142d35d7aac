"""Builds the FastAPI app: health probes, platform routes, and what runs while the app runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from adapters.http.limits import EdgeLimits
from adapters.http.metrics import PrometheusMetrics
from adapters.http.observe import ObservedRequests
from bot.ports import Roster, Sender
from bot.ripple import Ripple

RippleApp = FastAPI


class Platform(Protocol):
    """A chat platform's wiring: its sender, its routes, and what runs while the app runs."""

    @property
    def sender(self) -> Sender: ...

    @property
    def roster(self) -> Roster:
        """Reads who is in the platform's channels."""
        ...

    def mount(self, app: FastAPI, *, ripple: Ripple) -> None:
        """Add the platform's routes, handing what arrives on them to ``ripple``."""
        ...

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class Service(Protocol):
    """Something that runs beside the app while it serves, such as the scheduler."""

    def start(self) -> None: ...
    async def stop(self) -> None: ...


def create_app(
    *,
    ripple: Ripple,
    platforms: Sequence[Platform] = (),
    services: Sequence[Service] = (),
    api_docs: bool = False,
    metrics: PrometheusMetrics | None = None,
) -> FastAPI:
    """The app: ``platforms`` mounted, ``services`` started after them and stopped first.

    ``api_docs`` serves Swagger UI and the OpenAPI schema, for development only. With
    ``metrics``, requests are timed and ``/metrics`` serves them; every request gets an id.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started: list[Platform] = []
        try:
            for platform in platforms:
                await platform.start()
                started.append(platform)
            for service in services:
                service.start()
            yield
        finally:
            for service in reversed(services):
                await service.stop()
            for platform in reversed(started):
                await platform.stop()
            await ripple.store.close()

    app = FastAPI(
        title="Ripple",
        lifespan=lifespan,
        docs_url="/docs" if api_docs else None,
        redoc_url="/redoc" if api_docs else None,
        openapi_url="/openapi.json" if api_docs else None,
    )
    app.state.ripple = ripple
    app.add_middleware(EdgeLimits)
    # Added last, so outermost: it times and names what EdgeLimits refuses too.
    app.add_middleware(
        ObservedRequests, timer=metrics.time_request if metrics is not None else None
    )
    if metrics is not None:
        metrics.mount(app, ripple=ripple)
    for platform in platforms:
        platform.mount(app, ripple=ripple)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """The database answers and its schema is current."""
        if await ripple.store.is_ready():
            return JSONResponse({"status": "ready"})
        return JSONResponse(
            {"status": "not ready", "detail": "database unreachable or not migrated"},
            status_code=503,
        )

    return app
