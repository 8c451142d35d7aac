"""Builds the FastAPI app: health probes, the scheduler's lifespan, platform routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from adapters.http.limits import EdgeLimits
from adapters.scheduler import RippleClock
from bot.ports import Sender
from bot.ripple import Ripple

RippleApp = FastAPI


class Platform(Protocol):
    """A chat platform's wiring: its sender, its routes, and what runs while the app runs."""

    @property
    def sender(self) -> Sender: ...

    def mount(self, app: FastAPI, *, ripple: Ripple) -> None:
        """Add the platform's routes, handing what arrives on them to ``ripple``."""
        ...

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


def create_app(
    *,
    ripple: Ripple,
    tick_seconds: float | None = 60.0,
    platforms: Sequence[Platform] = (),
    api_docs: bool = False,
) -> FastAPI:
    """The app; with ``tick_seconds`` None the scheduler is left off (tests tick by hand).

    ``api_docs`` serves Swagger UI and the OpenAPI schema, for development only.
    """
    clock = RippleClock(ripple=ripple, interval=tick_seconds) if tick_seconds else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started: list[Platform] = []
        try:
            for platform in platforms:
                await platform.start()
                started.append(platform)
            if clock is not None:
                clock.start()
            yield
        finally:
            if clock is not None:
                await clock.stop()
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
