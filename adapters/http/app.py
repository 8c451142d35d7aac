"""Builds the FastAPI app: health probes, the scheduler's lifespan, platform routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from adapters.scheduler import RippleClock
from bot.ripple import Ripple

RippleApp = FastAPI


def create_app(*, ripple: Ripple, tick_seconds: float | None = 60.0) -> FastAPI:
    """The app; with ``tick_seconds`` None the scheduler is left off (tests tick by hand)."""
    clock = RippleClock(ripple=ripple, interval=tick_seconds) if tick_seconds else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if clock is not None:
            clock.start()
        try:
            yield
        finally:
            if clock is not None:
                await clock.stop()
            await ripple.store.close()

    app = FastAPI(title="Ripple", lifespan=lifespan)
    app.state.ripple = ripple

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
