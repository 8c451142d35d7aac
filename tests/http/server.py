"""Serve an ASGI app on a real loopback port for the length of a test (uvicorn, same loop)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

START_TIMEOUT = 20.0


@asynccontextmanager
async def serving(app: ASGIApp, *, lifespan: str = "on") -> AsyncIterator[str]:
    """Run ``app`` with uvicorn on 127.0.0.1 and a free port; yields its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan=lifespan, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while not server.started:
                if task.done():
                    task.result()  # raises what stopped the server from starting
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.01)
        (socket,) = [s for srv in server.servers for s in srv.sockets]
        host, port = socket.getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, START_TIMEOUT)
