"""A local token issuer: an RSA key, its OpenID metadata and JWKS, and Bot Framework-style JWTs.

It stands in for login.botframework.com (inbound tokens Teams would sign) and for the Entra
token endpoint (the bot's own outbound tokens), over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import jwt
from aiohttp import web
from azure.core.credentials_async import AsyncTokenCredential
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from microsoft_agents.hosting.core import AccessTokenProviderBase, AgentAuthConfiguration

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
KEY_ID = "ripple-test-key"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def issuer_key() -> rsa.RSAPrivateKey:
    """One signing key for the whole run: generating RSA keys is slow."""
    return new_key()


class LocalIssuer:
    """Serves ``/.well-known/openidconfiguration``, ``/keys`` and a client-credentials endpoint."""

    def __init__(self) -> None:
        self.key = issuer_key()
        self.base_url = ""
        self.outbound_requests: list[dict[str, str]] = []  # form posts to the token endpoint
        self.issued: set[str] = set()  # outbound access tokens handed out

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/.well-known/openidconfiguration"

    def token_url(self, tenant: str) -> str:
        return f"{self.base_url}/{tenant}/oauth2/v2.0/token"

    def token(
        self,
        *,
        audience: str,
        service_url: str | None,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        expires_in: float = 3600,
        key: rsa.RSAPrivateKey | None = None,
        **claims: Any,
    ) -> str:
        """A channel token as Teams' Bot Connector would sign it."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": int(now + expires_in),
            **claims,
        }
        if service_url is not None:
            payload["serviceurl"] = service_url
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/keys", self._keys)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._client_credentials)
        return app

    async def _metadata(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "jwks_uri": f"{self.base_url}/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        return web.json_response({"keys": [jwk]})

    async def _client_credentials(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.outbound_requests.append(
            {"tenant": request.match_info["tenant"], **{k: str(v) for k, v in form.items()}}
        )
        token = f"outbound-{uuid.uuid4().hex}"
        self.issued.add(token)
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        )

    def provider_factory(self, configuration: AgentAuthConfiguration) -> AccessTokenProviderBase:
        """The bot's outbound token source: client credentials against this issuer."""
        return LocalTokenProvider(configuration, issuer=self)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[LocalIssuer]:
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        (socket,) = site._server.sockets  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{socket.getsockname()[1]}"
        try:
            yield self
        finally:
            await runner.cleanup()


class LocalTokenProvider(AccessTokenProviderBase):
    """Gets the bot's access tokens from the local issuer over HTTP, like MSAL from Entra."""

    def __init__(self, configuration: AgentAuthConfiguration, *, issuer: LocalIssuer) -> None:
        self._configuration = configuration
        self._issuer = issuer
        self._cache: dict[tuple[str, ...], str] = {}

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        key = (resource_url, *scopes)
        if key in self._cache and not force_refresh:
            return self._cache[key]
        form = {
            "grant_type": "client_credentials",
            "client_id": self._configuration.CLIENT_ID or "",
            "client_secret": self._configuration.CLIENT_SECRET or "",
            "scope": " ".join(scopes),
        }
        url = self._issuer.token_url(self._configuration.TENANT_ID or "common")
        async with aiohttp.ClientSession() as session, session.post(url, data=form) as reply:
            reply.raise_for_status()
            token = str((await reply.json())["access_token"])
        self._cache[key] = token
        return token

    def get_token_credential(self) -> AsyncTokenCredential:
        raise NotImplementedError("Ripple's tests need no token credential")

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        raise NotImplementedError("Ripple acts only as itself")

    async def get_agentic_application_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> str | None:
        raise NotImplementedError("Ripple is no agentic app")

    async def get_agentic_instance_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> tuple[str, str]:
        raise NotImplementedError("Ripple is no agentic app")

    async def get_agentic_user_token(
        self, tenant_id: str, agent_app_instance_id: str, agentic_user_id: str, scopes: list[str]
    ) -> str | None:
        raise NotImplementedError("Ripple is no agentic app")
