"""Ripple's Slack wiring: a Bolt AsyncApp on the FastAPI app, in one of three modes."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.directory import Directory
from adapters.slack.edge import SlackGate
from adapters.slack.events import SlackEvents
from adapters.slack.ids import team_prefix
from adapters.slack.listeners import SlackListeners
from adapters.slack.pacing import SlackPacer
from adapters.slack.roster import SlackRoster
from adapters.slack.sender import SlackSender
from adapters.slack.socket import CheckedSocketModeHandler
from adapters.slack.uninstalled import InstalledWorkspacesOnly
from adapters.slack.workspaces import (
    ROTATE_BEFORE_MINUTES,
    InstalledWorkspaces,
    SingleWorkspace,
    WorkspaceInstallations,
    Workspaces,
)
from bot.ports import PromptCatalog
from bot.ripple import Ripple

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
# Exactly the bot scopes the listeners and the sender use; manifest.yml lists the same.
BOT_SCOPES = (
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:read",
    "im:history",
    "users:read",
)
# Calls made while handling a request (users.info, conversations.members) wait out a 429 a
# few times; the outbox's own sends never do: they go back to the outbox instead.
LOOKUP_RETRIES = 3


class SlackMode(enum.StrEnum):
    SINGLE_WORKSPACE = "single-workspace"
    OAUTH = "oauth"


class SlackConfigError(ValueError):
    """The Slack settings don't describe a way to run; the message says what is missing."""


@dataclass(frozen=True, kw_only=True)
class SlackConfig:
    signing_secret: str
    bot_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    app_token: str | None = None
    api_url: str = DEFAULT_API_URL
    socket_mode: bool = False

    @property
    def mode(self) -> SlackMode:
        return SlackMode.OAUTH if self.client_id else SlackMode.SINGLE_WORKSPACE

    def check(self) -> None:
        if not self.signing_secret:
            raise SlackConfigError("RIPPLE_SLACK_SIGNING_SECRET is required")
        if self.client_id and not self.client_secret:
            raise SlackConfigError("RIPPLE_SLACK_CLIENT_ID needs RIPPLE_SLACK_CLIENT_SECRET too")
        if not self.client_id and not self.bot_token:
            raise SlackConfigError(
                "set RIPPLE_SLACK_BOT_TOKEN (one workspace) or RIPPLE_SLACK_CLIENT_ID and "
                "RIPPLE_SLACK_CLIENT_SECRET (installable in many workspaces)"
            )
        if self.socket_mode and not self.app_token:
            raise SlackConfigError("Socket Mode needs RIPPLE_SLACK_APP_TOKEN (xapp-…)")
        if self.socket_mode and not str(self.app_token).startswith("xapp-"):
            raise SlackConfigError(
                "RIPPLE_SLACK_APP_TOKEN must be an app-level token (xapp-…), not a bot token"
            )
        if self.socket_mode and self.client_id:
            raise SlackConfigError("Socket Mode runs with one workspace's RIPPLE_SLACK_BOT_TOKEN")
        if not self.api_url.endswith("/"):
            raise SlackConfigError("RIPPLE_SLACK_API_URL must end with a slash")


@dataclass
class SlackPlatform:
    """The Slack ``Platform``: Bolt app, routes, sender, and Socket Mode when asked for."""

    config: SlackConfig
    catalog: PromptCatalog
    # With OAuth: where installed workspaces' bot tokens, and installs under way, are kept.
    installations: AsyncInstallationStore | None = None
    oauth_state: AsyncOAuthStateStore | None = None
    pacer: SlackPacer = field(default_factory=SlackPacer)
    directory: Directory = field(default_factory=Directory)

    def __post_init__(self) -> None:
        self.config.check()
        retries: list[AsyncRetryHandler] = [
            AsyncRateLimitErrorRetryHandler(max_retry_count=LOOKUP_RETRIES)
        ]
        client = AsyncWebClient(
            base_url=self.config.api_url, token=self.config.bot_token, retry_handlers=retries
        )
        self.workspaces: Workspaces
        if self.config.mode is SlackMode.OAUTH:
            self.app = self._oauth_app(client)
        else:
            assert self.config.bot_token is not None
            self.workspaces = SingleWorkspace(token=self.config.bot_token, client=client)
            self.app = AsyncApp(
                name="Ripple",
                client=client,
                signing_secret=self.config.signing_secret,
                process_before_response=False,
                raise_error_for_unhandled_request=False,
            )
        self._roster = SlackRoster(
            workspaces=self.workspaces, api_url=self.config.api_url, directory=self.directory
        )
        self._sender = SlackSender(
            workspaces=self.workspaces,
            catalog=self.catalog,
            api_url=self.config.api_url,
            pacer=self.pacer,
        )
        self._ripple: Ripple | None = None
        self._socket: CheckedSocketModeHandler | None = None

    def _oauth_app(self, client: AsyncWebClient) -> AsyncApp:
        installations, states = self.installations, self.oauth_state
        if not isinstance(installations, WorkspaceInstallations) or states is None:
            raise SlackConfigError(
                "installing in many workspaces needs an installation store that can delete a "
                "workspace, and an OAuth state store"
            )
        assert self.config.client_id is not None and self.config.client_secret is not None
        self.workspaces = InstalledWorkspaces(
            store=installations,
            client=client,
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
        )
        settings = AsyncOAuthSettings(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            scopes=list(BOT_SCOPES),
            installation_store=installations,
            installation_store_bot_only=True,
            token_rotation_expiration_minutes=ROTATE_BEFORE_MINUTES,
            state_store=states,
            callback_options=AsyncCallbackOptions(success=self._installed, failure=_failed),
        )
        return AsyncApp(
            name="Ripple",
            client=client,
            signing_secret=self.config.signing_secret,
            oauth_settings=settings,
            installation_store_bot_only=True,
            before_authorize=InstalledWorkspacesOnly(installations),
            process_before_response=False,
            raise_error_for_unhandled_request=False,
        )

    async def _installed(self, args: AsyncSuccessArgs) -> BoltResponse:
        team_id = args.installation.team_id
        logger.info("Ripple was installed in Slack workspace %s", team_id)
        if self._ripple is not None and team_id:
            await self._ripple.set_channels_active(prefix=team_prefix(team_id), active=True)
        return await args.default.success(args)

    @property
    def sender(self) -> SlackSender:
        return self._sender

    @property
    def roster(self) -> SlackRoster:
        return self._roster

    def mount(self, app: FastAPI, *, ripple: Ripple) -> None:
        self._ripple = ripple
        for listeners in (SlackListeners, SlackEvents):
            listeners(
                ripple=ripple,
                catalog=self.catalog,
                directory=self.directory,
                workspaces=self.workspaces,
            ).register(self.app)
        handler = AsyncSlackRequestHandler(self.app)
        gate = SlackGate(signing_secret=self.config.signing_secret)

        async def slack_events(request: Request) -> Response:
            """Events, interactivity and the /ripple command, each signed by Slack."""
            refusal = await gate.refusal(request)
            if refusal is not None:
                logger.warning("refused a Slack request: %s", refusal.reason)
                return refusal.response()
            return await handler.handle(request)

        async def slack_oauth(request: Request) -> Response:
            """The install page and Slack's redirect back; Bolt checks the OAuth state."""
            return await handler.handle(request)

        app.add_api_route("/slack/events", slack_events, methods=["POST"], include_in_schema=False)
        if self.config.mode is SlackMode.OAUTH:
            app.add_api_route(
                "/slack/install", slack_oauth, methods=["GET"], include_in_schema=False
            )
            app.add_api_route(
                "/slack/oauth_redirect", slack_oauth, methods=["GET"], include_in_schema=False
            )

    async def start(self) -> None:
        if self.config.mode is SlackMode.SINGLE_WORKSPACE and self._ripple is not None:
            await self._resume_single_workspace()
        if self.config.socket_mode:
            assert self.config.app_token is not None
            await self._check_app_token(self.config.app_token)
            self._socket = CheckedSocketModeHandler(self.app, self.config.app_token)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            logger.info("Slack Socket Mode connected")

    async def _check_app_token(self, token: str) -> None:
        """Slack's socket client retries a refused token forever; refuse to start instead."""
        try:
            await self.app.client.apps_connections_open(app_token=token)
        except SlackApiError as exc:
            error = exc.response.get("error") or f"HTTP {exc.response.status_code}"
            raise SlackConfigError(
                f"Slack refused RIPPLE_SLACK_APP_TOKEN for Socket Mode ({error})"
            ) from None

    async def _resume_single_workspace(self) -> None:
        """A working token means the workspace's channels check in (again)."""
        assert isinstance(self.workspaces, SingleWorkspace) and self._ripple is not None
        try:
            team_id = await self.workspaces.team_id()
        except Exception as exc:  # start anyway: /healthz and the other platforms still work
            logger.error("the Slack bot token doesn't work: %s", exc)
            return
        await self._ripple.set_channels_active(prefix=team_prefix(team_id), active=True)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        await self._sender.close()


async def _failed(args: AsyncFailureArgs) -> BoltResponse:
    # The reason can come from the redirect's query string, so it is quoted and cut short.
    logger.warning("a Slack installation failed: %.80r", args.reason)
    return await args.default.failure(args)
