"""What each request leaves for an operator: an id in the logs and the response, and a timing."""

from __future__ import annotations

import re
import secrets
import time
from contextvars import ContextVar
from typing import Protocol

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-Id"
# An incoming id is kept only if it is a short token that can't forge or break a log line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Probes and scrapes come every few seconds and say nothing about Ripple's traffic.
UNTIMED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER = "other"

# The id of the request being handled, for log records made while handling it.
current_request_id: ContextVar[str | None] = ContextVar("ripple_request_id", default=None)


class RequestTimer(Protocol):
    def __call__(self, *, route: str, method: str, status: int, seconds: float) -> None: ...


def request_id_of(headers: Headers) -> str:
    """The caller's ``X-Request-Id`` if it is a short safe token, else a new one."""
    given = headers.get(REQUEST_ID_HEADER, "")
    return given if SAFE_REQUEST_ID.fullmatch(given) else secrets.token_hex(8)


def route_of(scope: Scope) -> str:
    """The template of the route that answered (``/web/channels/{channel_id}``), or ``other``
    for a request that reached none (an unknown path, a body refused at the edge)."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else OTHER


class ObservedRequests:
    """Gives every request an id (logged with it, echoed in ``X-Request-Id``) and times it,
    from its arrival until the last byte of its answer is handed to the server, with
    ``timer``; probes and scrapes are not timed."""

    def __init__(self, app: ASGIApp, *, timer: RequestTimer | None = None) -> None:
        self.app = app
        self.timer = timer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(Headers(scope=scope))
        timed = self.timer is not None and scope["path"] not in UNTIMED_PATHS
        status = 500  # if the app fails before it answers, the server answers 500
        answered = False

        def record() -> None:
            if self.timer is not None:
                method = scope["method"] if scope["method"] in METHODS else OTHER
                seconds = time.perf_counter() - started
                self.timer(route=route_of(scope), method=method, status=status, seconds=seconds)

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                if timed and not answered:
                    record()
                answered = True

        token = current_request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)
            if timed and not answered:
                record()
