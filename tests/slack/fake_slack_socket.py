"""Socket Mode in the fake Slack: apps.connections.open with an app token, and the websocket."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from aiohttp import WSCloseCode, WSMsgType, web

from tests.slack.fake_slack_state import APP_ID, Body, SlackError, SlackState

T = TypeVar("T")

CONNECTIONS_OPEN = "apps.connections.open"
SOCKET_PATH = "/socket-mode"
ENVELOPE_TYPES = frozenset({"events_api", "slash_commands", "interactive"})
WAIT_SECONDS = 20.0  # the machine being busy; passing tests never wait it out


def make_app_token() -> str:
    """A new app-level token in Slack's shape: ``xapp-1-<app id>-<digits13>-<hex64>``."""
    digits = secrets.randbelow(9 * 10**12) + 10**12
    return f"xapp-1-{APP_ID}-{digits}-{secrets.token_hex(32)}"


def hello(connections: int) -> Body:
    """The first message on a new Socket Mode connection, as Slack sends it."""
    return {
        "type": "hello",
        "num_connections": connections,
        "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
        "connection_info": {"app_id": APP_ID},
    }


@dataclass(eq=False)
class SocketConnection:
    """One websocket the app opened, and every JSON message it sent on it, acks included."""

    ticket: str
    app_token: str
    socket: web.WebSocketResponse = field(repr=False)
    received: list[Body] = field(default_factory=list)
    closed_by: Literal["client", "fake"] | None = None  # None while open
    close_code: int | None = None  # the code in the client's close frame

    @property
    def is_open(self) -> bool:
        return self.closed_by is None


class SocketModeServer:
    """App-level tokens, single-use tickets and the websockets they open."""

    def __init__(self, state: SlackState) -> None:
        self.state = state
        self.app_tokens: set[str] = set()
        self.connections: list[SocketConnection] = []
        self.envelopes: list[Body] = []  # every envelope sent, oldest first
        self._tickets: dict[str, str] = {}  # ticket -> the app token it was issued to
        self._changed = asyncio.Condition()

    def install(self, app: web.Application) -> None:
        app.router.add_get(SOCKET_PATH, self._handle_socket)
        app.on_shutdown.append(self._close_all)

    def connections_open(self, token: str | None, *, socket_url: str) -> Body:
        """apps.connections.open: a websocket URL for an app-level token, never a bot token."""
        if not token:
            raise SlackError("not_authed")
        if token in self.state.dead_tokens:
            raise SlackError(self.state.dead_tokens[token])
        if token in self.state.tokens:
            raise SlackError("not_allowed_token_type")
        if token not in self.app_tokens:
            raise SlackError("invalid_auth")
        ticket = str(uuid.uuid4())
        self._tickets[ticket] = token
        return {"ok": True, "url": f"{socket_url}?ticket={ticket}"}

    @property
    def open_count(self) -> int:
        return sum(1 for connection in self.connections if connection.is_open)

    async def send(
        self,
        payload_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
    ) -> str:
        """Deliver an envelope on the newest open connection (waiting for one); its id."""
        if payload_type not in ENVELOPE_TYPES:
            raise ValueError(f"Slack sends no {payload_type!r} envelopes")
        connection = await self._wait(
            self._newest_open, wait_seconds=WAIT_SECONDS, what="a Socket Mode connection"
        )
        envelope: Body = {
            "envelope_id": str(uuid.uuid4()),
            "type": payload_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if payload_type == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        self.envelopes.append(envelope)
        await connection.socket.send_json(envelope)
        return str(envelope["envelope_id"])

    async def send_raw(self, text: str) -> None:
        """Send one text frame as it is, on the newest open connection (a broken frame)."""
        connection = await self._wait(
            self._newest_open, wait_seconds=WAIT_SECONDS, what="a Socket Mode connection"
        )
        await connection.socket.send_str(text)

    async def ack(self, envelope_id: str, *, wait_seconds: float = WAIT_SECONDS) -> Body:
        """The app's first acknowledgement of ``envelope_id``, waiting for it to arrive."""

        def first_ack() -> Body | None:
            acks = self.acks(envelope_id)
            return acks[0] if acks else None

        what = f"the ack of envelope {envelope_id}"
        return await self._wait(first_ack, wait_seconds=wait_seconds, what=what)

    def acks(self, envelope_id: str) -> list[Body]:
        """Every acknowledgement of ``envelope_id`` received so far, oldest first."""
        return [
            message
            for connection in self.connections
            for message in connection.received
            if message.get("envelope_id") == envelope_id
        ]

    def _newest_open(self) -> SocketConnection | None:
        return next((c for c in reversed(self.connections) if c.is_open), None)

    async def _wait(self, find: Callable[[], T | None], *, wait_seconds: float, what: str) -> T:
        try:
            async with asyncio.timeout(wait_seconds), self._changed:
                found = await self._changed.wait_for(find)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None
        assert found is not None
        return found

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        token = self._tickets.pop(ticket, None)
        if token is None:
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        # Without autoclose the fake sees a client's close frame before answering it, so a
        # test that awaited the app's shutdown finds the connection already marked closed.
        socket = web.WebSocketResponse(autoclose=False)
        await socket.prepare(request)
        connection = SocketConnection(ticket=ticket, app_token=token, socket=socket)
        await socket.send_json(hello(self.open_count + 1))
        self.connections.append(connection)
        await self._notify()
        try:
            await self._read(connection)
        finally:
            if connection.closed_by is None:
                connection.closed_by = "client"
            await self._notify()
        return socket

    async def _read(self, connection: SocketConnection) -> None:
        socket = connection.socket
        while True:
            message = await socket.receive()
            if message.type is WSMsgType.TEXT:
                connection.received.append(_parse(message.data))
                await self._notify()
            elif message.type is WSMsgType.CLOSE:
                if connection.closed_by is None:
                    connection.closed_by, connection.close_code = "client", message.data
                await socket.close()
                return
            elif message.type in (WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return

    async def _close_all(self, app: web.Application) -> None:
        """Close every open websocket when the fake shuts down, as Slack's servers would."""
        for connection in self.connections:
            if connection.is_open:
                connection.closed_by = "fake"
                await connection.socket.close(code=WSCloseCode.GOING_AWAY, message=b"shutdown")


def _parse(text: str) -> Body:
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"unparsed": text}
    return parsed if isinstance(parsed, dict) else {"unparsed": text}
