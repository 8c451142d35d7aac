"""The floor any Bolt app pays: FastAPI + slack_bolt, with listeners that only ack: `/ripple`,
every block action and every view submission.

Configured like Ripple's single-workspace app, from the environment:
SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_API_URL.

Run: .venv/bin/python -m uvicorn benchmarks.bare_bolt_app:app --port 8000
"""

from __future__ import annotations

import os
import re

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

bolt = AsyncApp(
    name="bare",
    client=AsyncWebClient(
        base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
        token=os.environ["SLACK_BOT_TOKEN"],
    ),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    process_before_response=False,
)


@bolt.command("/ripple")
@bolt.action(re.compile(".*"))
@bolt.view(re.compile(".*"))
async def acknowledge(ack: AsyncAck) -> None:
    await ack()


handler = AsyncSlackRequestHandler(bolt)
app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/slack/events")
async def slack_events(request: Request) -> Response:
    return await handler.handle(request)
