"""Socket Mode with the same checks as /slack/events: what Slack would not send goes no further.

The websocket itself is authenticated (Ripple opens it with its app token), so there is no
signature to check; every frame is still read as untrusted. A frame that is not a JSON
object, or an envelope whose payload is not shaped as Slack sends it, is logged in one line
without its contents and, if it has an envelope id, acknowledged so Slack does not send it
again. Nothing reaches Bolt or Ripple.
"""

from __future__ import annotations

import asyncio
import json
import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from adapters.slack.shapes import shape_problem

logger = logging.getLogger(__name__)

# What Slack sends on the socket besides envelopes: ``hello`` and ``disconnect``.
ENVELOPE_TYPES = frozenset({"events_api", "interactive", "slash_commands"})


class _CheckedClient(SocketModeClient):
    """slack_sdk's client, except that a frame that is not a JSON object is dropped quietly."""

    _listening: set[asyncio.Task[None]]

    async def process_message(self) -> None:
        raw = await self.message_queue.get()
        if raw is None:
            return
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            logger.warning("ignored a Slack Socket Mode frame that is not a JSON object")
            return
        if "payload" in message and not isinstance(message["payload"], dict):
            # slack_sdk would raise reading it; the envelope is refused here instead.
            logger.warning("refused a Slack Socket Mode envelope: a payload that is not an object")
            envelope_id = message.get("envelope_id")
            if isinstance(envelope_id, str) and envelope_id:
                await self.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))
            return
        task = asyncio.ensure_future(self.run_message_listeners(message, raw))
        self._listening.add(task)
        task.add_done_callback(self._listening.discard)


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler behind Ripple's shape check."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        self.app = app
        self.app_token = app_token
        client = _CheckedClient(app_token=app_token, logger=app.logger, web_client=app.client)
        client._listening = set()
        self.client = client
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        problem = envelope_problem(req)
        if problem is None:
            await super().handle(client, req)
            return
        logger.warning("refused a Slack Socket Mode envelope: %s", problem)
        if isinstance(req.envelope_id, str) and req.envelope_id:
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


def envelope_problem(req: SocketModeRequest) -> str | None:
    """What about an envelope is not as Slack sends it, or None if nothing is."""
    if not isinstance(req.envelope_id, str) or not req.envelope_id:
        return "an envelope without an id"
    if req.type not in ENVELOPE_TYPES:
        return f"an envelope of an unknown type ({str(req.type)[:40]!r})"
    return shape_problem(req.payload)
