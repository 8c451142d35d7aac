"""Tests of the web app and `ripple serve`, and a helper to run an app's lifespan in a test.

Starlette's TestClient would also run the lifespan, but with plain httpx installed it
warns on import (it wants httpx2), which ``filterwarnings = error`` turns into a failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.types import ASGIApp, Message

LIFESPAN_TIMEOUT = 30.0


@asynccontextmanager
async def running(app: ASGIApp) -> AsyncIterator[None]:
    """Start ``app`` as an ASGI server would (lifespan startup), and shut it down after."""
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()

    async def serve() -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        await app(scope, inbox.get, outbox.put)

    server = asyncio.create_task(serve())

    async def step(message: str) -> None:
        await inbox.put({"type": f"lifespan.{message}"})
        reply = await asyncio.wait_for(outbox.get(), LIFESPAN_TIMEOUT)
        assert reply["type"] == f"lifespan.{message}.complete", reply

    try:
        await step("startup")
        yield
        await step("shutdown")
    finally:
        if not server.done():
            server.cancel()
        await asyncio.gather(server, return_exceptions=True)
