"""Teams' wiring for the web app: POST /api/messages, the sender, and their start and stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ConnectionManager,
    RestChannelServiceClientFactory,
    TurnContext,
)
from microsoft_agents.hosting.fastapi import CloudAdapter

from adapters.refusal import Refusal
from adapters.teams.agent import RippleAgent
from adapters.teams.auth import InboundAuth, auth_configuration
from adapters.teams.background import Background, Replies
from adapters.teams.channel import ChannelCommands
from adapters.teams.connector import ConnectorClients
from adapters.teams.inbound import TeamsGate
from adapters.teams.install import Installs
from adapters.teams.limits import SendLimiter
from adapters.teams.owners import GRAPH_RESOURCE, GRAPH_SCOPE, GRAPH_URL, TeamOwners
from adapters.teams.references import Addresses
from adapters.teams.roster import TeamsRoster
from adapters.teams.sdk_logs import quiet_connection_dump
from adapters.teams.sender import TeamsSender
from bot.ripple import Ripple

logger = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
SERVICE_CONNECTION = "SERVICE_CONNECTION"

TokenProviderFactory = Callable[[AgentAuthConfiguration], AccessTokenProviderBase]
Sleep = Callable[[float], Awaitable[None]]


class TeamsPlatform:
    """The Teams endpoint, its sender, and the work that runs after each turn."""

    def __init__(
        self,
        *,
        auth: InboundAuth,
        clients: ConnectorClients,
        owners: TeamOwners,
        limiter: SendLimiter,
        sleep: Sleep,
    ) -> None:
        self._auth = auth
        self._clients = clients
        self._owners = owners
        self._limiter = limiter
        self._sleep = sleep
        self._sender = TeamsSender(clients=clients, limiter=limiter, sleep=sleep)
        self._roster = TeamsRoster(clients=clients, limiter=limiter, sleep=sleep)
        self._background = Background()

    @property
    def sender(self) -> TeamsSender:
        return self._sender

    @property
    def roster(self) -> TeamsRoster:
        return self._roster

    @property
    def anonymous(self) -> bool:
        return self._auth.anonymous

    def mount(self, app: FastAPI, *, ripple: Ripple) -> None:
        self._sender.bind(store=ripple.store, catalog=ripple.context.catalog, clock=ripple.clock)
        self._roster.bind(store=ripple.store, clock=ripple.clock)
        adapter = CloudAdapter(channel_service_client_factory=self._clients.factory)
        adapter.on_turn_error = _raise  # a failed turn is a 500, and Teams delivers it again
        addresses = Addresses(ripple.store)
        installs = Installs(
            ripple=ripple,
            addresses=addresses,
            clients=self._clients,
            background=self._background,
        )
        agent = RippleAgent(
            ripple=ripple,
            addresses=addresses,
            installs=installs,
            channel=ChannelCommands(
                ripple=ripple, installs=installs, clients=self._clients, owners=self._owners
            ),
            replies=Replies(ripple=ripple, background=self._background),
        )

        gate = TeamsGate(auth=self._auth)

        async def messages(request: Request) -> Response:
            """Bot Framework activities from Teams (answered within its 15 seconds)."""
            admitted = await gate.admit(request)
            if isinstance(admitted, Refusal):
                logger.warning("refused a request to %s: %s", MESSAGES_PATH, admitted.reason)
                return admitted.response()
            if not self._auth.anonymous:
                request.state.claims_identity = admitted.claims
            response = await adapter.process(request, agent)
            return response if response is not None else Response(status_code=202)

        app.add_api_route(MESSAGES_PATH, messages, methods=["POST"], include_in_schema=False)

    async def start(self) -> None:
        if self._auth.anonymous:
            logger.warning(
                "Teams: RIPPLE_TEAMS_APP_ID is not set, so %s runs in local anonymous mode and "
                "accepts requests without checking who sent them; set it for a real Teams bot",
                MESSAGES_PATH,
            )

    async def settle(self) -> None:
        """Wait for the replies and roster syncs started by earlier requests."""
        await self._background.settle()

    async def stop(self) -> None:
        await self._background.close()


async def _raise(context: TurnContext, error: Exception) -> None:
    raise error


def build_teams_platform(
    *,
    app_id: str | None,
    app_password: str | None,
    tenant_id: str | None,
    openid_metadata_url: str | None = None,
    token_provider_factory: TokenProviderFactory | None = None,
    graph_url: str = GRAPH_URL,
    limiter: SendLimiter | None = None,
    sleep: Sleep = asyncio.sleep,
) -> TeamsPlatform:
    """Teams from Ripple's settings; without an app id it runs in local anonymous mode.

    ``openid_metadata_url`` points token validation at another issuer's keys (a local test
    issuer); ``token_provider_factory`` replaces MSAL for the bot's own outbound tokens.
    """
    quiet_connection_dump()
    factory: TokenProviderFactory = token_provider_factory or MsalAuth
    configuration: AgentAuthConfiguration | None = None
    if app_id and not app_password:
        raise ValueError("RIPPLE_TEAMS_APP_PASSWORD must be set with RIPPLE_TEAMS_APP_ID")
    if app_id:
        configuration = auth_configuration(
            app_id=app_id, app_password=app_password, tenant_id=tenant_id
        )
        connections = ConnectionManager(
            provider_factory=factory,
            connections_configurations={SERVICE_CONNECTION: configuration},
        )
    else:
        connections = ConnectionManager(
            provider_factory=lambda _: AnonymousTokenProvider(),
            connections_configurations={
                SERVICE_CONNECTION: AgentAuthConfiguration(anonymous_allowed=True)
            },
        )
    graph_tokens: dict[str, AccessTokenProviderBase] = {}

    async def graph_token(tenant: str) -> str:
        if not app_id:
            return ""
        if tenant not in graph_tokens:
            graph_tokens[tenant] = factory(
                auth_configuration(app_id=app_id, app_password=app_password, tenant_id=tenant)
            )
        return await graph_tokens[tenant].get_access_token(GRAPH_RESOURCE, [GRAPH_SCOPE])

    return TeamsPlatform(
        auth=InboundAuth(configuration=configuration, openid_metadata_url=openid_metadata_url),
        clients=ConnectorClients(
            factory=RestChannelServiceClientFactory(connections), app_id=app_id or None
        ),
        owners=TeamOwners(token=graph_token, graph_url=graph_url),
        limiter=limiter or SendLimiter(),
        sleep=sleep,
    )
