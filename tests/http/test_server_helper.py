"""The test helper that serves an app on a real port answers over real HTTP."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.http.server import serving


async def test_an_app_is_served_on_a_loopback_port():
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        assert base_url.startswith("http://127.0.0.1:")
        assert (await client.get("/ping")).json() == {"pong": "yes"}
