"""A local fake of the Slack Web API over real HTTP, with recording and fault injection."""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.slack.fake_slack_faults import (
    Answer,
    Fault,
    FaultPlan,
    RateLimit,
    RecipientFault,
    error_answer,
)
from tests.slack.fake_slack_files import UPLOAD, UPLOAD_PATH, receive_upload, scope_error
from tests.slack.fake_slack_methods import METHODS, TOKENLESS_METHODS
from tests.slack.fake_slack_socket import (
    CONNECTIONS_OPEN,
    SOCKET_PATH,
    WAIT_SECONDS,
    SocketModeServer,
    make_app_token,
)
from tests.slack.fake_slack_state import (
    Channel,
    Message,
    OAuthGrant,
    Params,
    SharedFile,
    SlackError,
    SlackState,
    User,
    View,
    Workspace,
    dm_channel_id,
    install,
    make_bot_token,
)

__all__ = [
    "Call",
    "FakeSlack",
    "Message",
    "SharedFile",
    "User",
    "View",
    "Workspace",
    "make_app_token",
    "make_bot_token",
]

DEFAULT_CLIENT_ID = "1111111111.2222222222222"
DEFAULT_CLIENT_SECRET = "dummy-client-secret"


TRIGGER_SECONDS = 3.0
TRIGGERED_METHODS = frozenset({"views.open", "views.push"})


@dataclass(frozen=True)
class Call:
    """One Web API request as received; ``at`` is the fake's ``now()`` on arrival."""

    method: str
    params: Params
    token: str | None
    at: float
    status: int = 200
    error: str | None = None


class FakeSlack:
    """The Slack Web API on 127.0.0.1; point ``AsyncWebClient(base_url=...)`` at ``api_url``.

    Use as ``async with FakeSlack() as slack:``. Ids are global to the fake only where
    Slack's are: users and channels are kept per workspace.
    """

    def __init__(
        self, *, client_id: str = DEFAULT_CLIENT_ID, client_secret: str = DEFAULT_CLIENT_SECRET
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        # The fake's sense of time, for Retry-After holds and trigger_id expiry; a test on a
        # manual clock sets it to that clock.
        self.now: Callable[[], float] = time.monotonic
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self.state = SlackState(client_id=client_id, client_secret=client_secret)
        self.faults = FaultPlan()
        self.sockets = SocketModeServer(self.state)
        self.port = 0
        self._calls: list[Call] = []
        self._responses: list[tuple[str, dict[str, Any]]] = []
        self._runner: web.AppRunner | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/{kind:actions|commands}/{rest:.+}", self._handle_response_url)
        app.router.add_post(UPLOAD_PATH + "{file_id}", self._handle_upload)
        self.sockets.install(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        self.state.upload_url = f"http://127.0.0.1:{self.port}{UPLOAD_PATH}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- set-up ----------------------------------------------------------------------------

    def add_workspace(
        self,
        team_id: str = "T0001",
        *,
        bot_token: str | None = None,
        bot_user_id: str = "U0BOT",
        team_name: str | None = None,
    ) -> Workspace:
        """Install the app in a workspace; its bot token is valid from now on."""
        name = team_name or f"Team {team_id}"
        grant = OAuthGrant(team_id, name, bot_token or make_bot_token(), bot_user_id, "", "")
        return install(self.state, grant)

    def add_user(
        self,
        team_id: str,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        display_name: str = "",
        tz: str = "Europe/Berlin",
        locale: str = "de-DE",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
    ) -> User:
        """Add (or replace) a member of ``team_id``; returns the record, which tests may edit."""
        if team_id not in self.state.workspaces:
            raise KeyError(f"add_workspace({team_id!r}) first")
        user = User(
            team_id=team_id,
            id=user_id,
            name=name or user_id.lower(),
            real_name=real_name or f"User {user_id}",
            display_name=display_name,
            tz=tz,
            locale=locale,
            is_bot=is_bot,
            deleted=deleted,
            is_admin=is_admin,
            is_owner=is_owner,
        )
        self.state.users[(team_id, user_id)] = user
        return user

    def add_channel(
        self,
        team_id: str,
        channel_id: str,
        *,
        name: str | None = None,
        members: list[str] | tuple[str, ...] = (),
        is_private: bool = False,
        is_archived: bool = False,
    ) -> Channel:
        """Add a channel; member ids not yet known become default users of the workspace."""
        for user_id in members:
            if (team_id, user_id) not in self.state.users:
                self.add_user(team_id, user_id)
        channel = Channel(
            team_id=team_id,
            id=channel_id,
            name=name or channel_id.lower(),
            members=list(members),
            is_private=is_private,
            is_archived=is_archived,
        )
        self.state.channels[(team_id, channel_id)] = channel
        return channel

    def add_oauth_code(
        self,
        code: str,
        *,
        team_id: str,
        bot_token: str | None = None,
        bot_user_id: str = "U0BOT",
        scope: str = "channels:read,chat:write,commands,files:write,groups:read,im:history,users:read",
        authed_user_id: str = "U0INSTALLER",
        team_name: str | None = None,
        refresh_token: str | None = None,
        expires_in: int | None = None,
    ) -> str:
        """Accept ``code`` once at oauth.v2.access; returns the bot token it will grant.

        With ``refresh_token`` the install uses token rotation: the answer carries
        ``refresh_token`` and ``expires_in``, and ``grant_type=refresh_token`` works.
        """
        token = bot_token or make_bot_token()
        name = team_name or f"Team {team_id}"
        self.state.oauth_codes[code] = OAuthGrant(
            team_id, name, token, bot_user_id, scope, authed_user_id, refresh_token, expires_in
        )
        return token

    def add_app_token(self, token: str | None = None) -> str:
        """Accept an app-level token (``xapp-…``) at apps.connections.open; returns it."""
        token = token or make_app_token()
        self.sockets.app_tokens.add(token)
        return token

    def grant_scopes(self, team_id: str, scopes: Iterable[str]) -> None:
        """The workspace's token carries only ``scopes`` from now on, as after an install
        that asked for those; methods needing another answer ``missing_scope``."""
        self.state.workspaces[team_id].scopes = frozenset(scopes)

    def revoke(self, token: str) -> None:
        """Calls with ``token`` answer ``token_revoked`` from now on."""
        self.state.tokens.pop(token, None)
        self.state.dead_tokens[token] = "token_revoked"

    def expire(self, token: str) -> None:
        """Calls with ``token`` answer ``token_expired`` from now on."""
        self.state.tokens.pop(token, None)
        self.state.dead_tokens[token] = "token_expired"

    def workspace(self, team_id: str = "T0001") -> Workspace:
        """The workspace record, with its current ``bot_token``."""
        return self.state.workspaces[team_id]

    def dm_channel_id(self, user_id: str) -> str:
        """The DM channel the fake uses for ``user_id``: stable, ``D`` + the id's tail."""
        return dm_channel_id(user_id)

    def response_url(self, *, team_id: str = "T0001", kind: str = "actions") -> str:
        """A fresh ``response_url`` (kind ``actions`` or ``commands``) that posts back here."""
        return f"http://127.0.0.1:{self.port}/{kind}/{team_id}/{secrets.token_hex(12)}"

    # -- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        count: int = 1,
        status: int = 429,
        retry_after: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with a failure.

        With ``error`` the answer is HTTP 200 ``{"ok": false, "error": error}``; otherwise
        HTTP 429 with ``Retry-After: retry_after`` and error ``ratelimited``, or the given
        5xx status. A failed call changes nothing (no message is recorded as delivered).
        ``files.upload`` names the post of a file's bytes to its upload URL.
        """
        fault = Fault(status=status, retry_after=retry_after, error=error)
        self.faults.queue(method, fault, count=count)

    def fail_for(self, method: str, *, channel: str, error: str) -> None:
        """Always answer ``error`` (HTTP 200) when ``method`` is aimed at ``channel``.

        ``channel`` may be a channel, a user or that user's DM channel: a user id matches
        calls naming the user in ``channel``, ``user``, ``users`` or ``user_id``, or
        naming their DM channel, and the DM channel id matches the same calls.
        """
        self.faults.per_recipient.append(RecipientFault(method, channel, error))

    def rate_limit(
        self,
        method: str,
        *,
        every: int,
        burst: int = 1,
        retry_after: int = 1,
        bursts: int | None = None,
    ) -> None:
        """Throttle ``method``: after each ``every`` calls, answer the next ``burst`` with 429.

        Every attempt counts, retries included; ``bursts`` caps how many bursts happen
        (``None``: no cap). ``every=100, burst=5`` over a 500-message fan-out answers
        attempts 101-105, 206-210, 311-315 ... with 429 and ``Retry-After: retry_after``.
        """
        self.faults.rate_limits[method] = RateLimit(every, burst, retry_after, bursts)

    def limit_per_minute(self, method: str, calls: int) -> None:
        """Answer 429 to ``method`` past ``calls`` in any minute, as Slack enforces its tiers;
        Retry-After says when the oldest call of the minute leaves it."""
        self.faults.per_minute[method] = calls

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- Socket Mode -----------------------------------------------------------------------

    async def socket_send(
        self, payload_type: str, payload: dict[str, Any], *, accepts_response_payload: bool = False
    ) -> str:
        """Push an envelope (``events_api``, ``slash_commands`` or ``interactive``) to the app.

        It goes out on the newest open Socket Mode connection, waiting for one to open if
        none is yet; returns the envelope id to pass to ``socket_ack``.
        """
        return await self.sockets.send(
            payload_type, payload, accepts_response_payload=accepts_response_payload
        )

    async def socket_send_raw(self, text: str) -> None:
        """Push a text frame exactly as given, as a broken or hostile Slack server could."""
        await self.sockets.send_raw(text)

    async def socket_ack(
        self,
        envelope_id: str,
        *,
        timeout: float = WAIT_SECONDS,  # noqa: ASYNC109 - a missing ack fails, never hangs
    ) -> dict[str, Any]:
        """The app's first ack of an envelope, ``{"envelope_id", "payload"?}``, once it arrives."""
        return await self.sockets.ack(envelope_id, wait_seconds=timeout)

    @property
    def socket_connections(self) -> int:
        """How many Socket Mode websockets are open now; ``sockets.connections`` has them all."""
        return self.sockets.open_count

    # -- what happened ---------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Every Web API request received, failed ones too, oldest first."""
        return [c for c in self._calls if method is None or c.method == method]

    def messages(self, channel_or_user: str | None = None) -> list[Message]:
        """One entry per successful chat.postMessage, as it stands after any chat.update.

        Filter by channel id, or by user id for the DMs with that user.
        """
        return _select(self.state.messages, channel_or_user)

    def trigger_id(self, *, age: float = 0.0) -> str:
        """A trigger id as Slack puts in a command or tap, issued ``age`` seconds ago: good
        for opening one modal within ``TRIGGER_SECONDS``, then ``expired_trigger_id``."""
        trigger = f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**13)}.{secrets.token_hex(16)}"
        self._triggers[trigger] = self.now() - age
        return trigger

    def delete_message(self, message: Message) -> None:
        """The person deleted a message Ripple sent (Slack lets people delete bot DMs)."""
        self.state.messages.remove(message)

    def files(self, channel_or_user: str | None = None) -> list[SharedFile]:
        """Files completed with files.completeUploadExternal, oldest first.

        Filter by channel id, or by user id for the files shared in the DM with that user.
        """
        wanted = channel_or_user
        return [f for f in self.state.files if wanted in (None, f.channel, f.im_user)]

    def ephemeral_messages(self, channel_or_user: str | None = None) -> list[Message]:
        """Ephemeral messages, filtered by channel id or by the user who saw them."""
        return _select(self.state.ephemerals, channel_or_user)

    def modals(self) -> list[View]:
        """Views opened with views.open, each as last updated."""
        return [v for v in self.state.views.values() if v.user_id is None]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The Home tab view last published for ``user_id``, if any."""
        homes = [v for v in self.state.views.values() if v.user_id == user_id]
        return homes[0].payload if homes else None

    def responses(self, url: str | None = None) -> list[dict[str, Any]]:
        """JSON bodies posted to this fake's ``response_url``s, oldest first."""
        return [body for posted, body in self._responses if url in (None, posted)]

    # -- serving ---------------------------------------------------------------------------

    def _answer(self, method: str, params: Params, token: str | None) -> Answer:
        if method not in METHODS and method != CONNECTIONS_OPEN:
            return error_answer("unknown_method")
        fault = self.faults.next_fault(method, now=self.now())
        if fault is not None:
            return fault.answer()
        try:
            if method == CONNECTIONS_OPEN:  # the one method that takes an app-level token
                socket_url = f"ws://127.0.0.1:{self.port}{SOCKET_PATH}"
                return 200, self.sockets.connections_open(token, socket_url=socket_url), {}
            team = None if method in TOKENLESS_METHODS else self.state.authenticate(token)
            if team is not None and (error := scope_error(team, method)):
                return error_answer(error)
            if method in TRIGGERED_METHODS and (error := self._trigger_error(params)):
                return error_answer(error)
            if team is not None and (error := self.faults.recipient_error(method, params)):
                return error_answer(error)
            return 200, METHODS[method](self.state, team, params), {}
        except SlackError as failure:
            return error_answer(failure.error)

    def _trigger_error(self, params: Params) -> str | None:
        """Trigger ids the fake issued expire; any other is taken as Slack's own."""
        trigger = str(params.get("trigger_id"))
        issued = self._triggers.get(trigger)
        if issued is None:
            return None
        if trigger in self._used_triggers:
            return "exchanged_trigger_id"
        if self.now() - issued > TRIGGER_SECONDS:
            return "expired_trigger_id"
        self._used_triggers.add(trigger)  # one modal per trigger
        return None

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = self.now()
        method = request.match_info["method"]
        params, token = await _read_request(request)
        status, body, headers = self._answer(method, params, token)
        self._calls.append(Call(method, params, token, arrived, status, body.get("error")))
        return web.json_response(body, status=status, headers=headers)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """A file's bytes, posted to the upload URL files.getUploadURLExternal gave out."""
        arrived = self.now()
        file_id = request.match_info["file_id"]
        data = await _upload_body(request)
        fault = self.faults.next_fault(UPLOAD, now=arrived)
        if fault is not None:
            status, body, headers = fault.answer()
            error = str(body.get("error"))
            self._calls.append(Call(UPLOAD, {"file_id": file_id}, None, arrived, status, error))
            return web.Response(status=status, text=error, headers=headers)
        found = receive_upload(self.state, file_id, data)
        status = 200 if found else 404
        self._calls.append(Call(UPLOAD, {"file_id": file_id}, None, arrived, status))
        if not found:
            return web.Response(status=404, text="Not Found")
        return web.Response(text=f"OK - {len(data)}")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        self._responses.append((str(request.url), await request.json()))
        return web.Response(text="ok")


def _select(messages: list[Message], channel_or_user: str | None) -> list[Message]:
    wanted = channel_or_user
    return [m for m in messages if wanted in (None, m.channel, m.im_user, m.ephemeral_user)]


async def _read_request(request: web.Request) -> tuple[Params, str | None]:
    """Merge query, form and JSON parameters the way Slack accepts them; find the token."""
    params: Params = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        params.update((await request.post()).items())
    token = params.pop("token", None)
    kind, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if kind == "Bearer":
        token = credentials
    elif kind == "Basic":
        params.update(_basic_credentials(credentials))
    return params, token


async def _upload_body(request: web.Request) -> bytes:
    """The bytes of an upload: the raw body, or the ``file`` part of a multipart form."""
    if request.content_type != "multipart/form-data":
        return await request.read()
    form = await request.post()
    part = form.get("file") or form.get("filename")
    if isinstance(part, web.FileField):
        return part.file.read()
    return str(part or "").encode()


def _basic_credentials(encoded: str) -> dict[str, str]:
    """oauth.v2.access clients send client_id and client_secret by HTTP basic auth."""
    try:
        client_id, _, client_secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return {}
    return {"client_id": client_id, "client_secret": client_secret}
