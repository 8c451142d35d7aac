"""Limits every request meets before an endpoint runs: body size, and headers on every response."""

from __future__ import annotations

import logging

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.refusal import MAX_BODY_BYTES

logger = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class _BodyTooLargeError(Exception):
    """Raised into the endpoint while it reads a body past the limit; the middleware answers."""


class EdgeLimits:
    """Refuses bodies over ``max_body_bytes`` with 413 and adds ``SECURITY_HEADERS``.

    Bytes are counted as they stream in, so a body sent without a Content-Length (or
    with a false one) is cut off at the limit too, before the endpoint holds it all.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(scope, send_with_headers, f"declared {declared} bytes")
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except _BodyTooLargeError:
            if started:  # an endpoint answered before reading all of it; nothing to add
                return
            await self._refuse(scope, send_with_headers, f"over {self.max_body_bytes} bytes")

    async def _refuse(self, scope: Scope, send: Send, why: str) -> None:
        logger.warning("refused a request body to %r: %s", str(scope.get("path", ""))[:100], why)
        body = b"request body too large"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
