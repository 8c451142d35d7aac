"""Who may post to /api/messages: the Agents SDK's JWT validation, plus the serviceurl claim."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from jwt import PyJWK, PyJWKClient, PyJWTError
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.authorization import JwtTokenValidator

logger = logging.getLogger(__name__)

SERVICE_URL_CLAIM = "serviceurl"
BOT_FRAMEWORK_TENANT = "botframework.com"  # the token authority of a multi-tenant bot
METADATA_TIMEOUT = 10.0


class UnauthorizedError(Exception):
    """The request carries no valid Bot Framework token; the message says why, for the log."""


def auth_configuration(
    *, app_id: str, app_password: str | None, tenant_id: str | None
) -> AgentAuthConfiguration:
    """The SDK's connection settings for the bot's Entra app, single- or multi-tenant."""
    return AgentAuthConfiguration(
        client_id=app_id,
        tenant_id=tenant_id or BOT_FRAMEWORK_TENANT,
        client_secret=app_password,
        # The SDK leaves issuer checks off unless asked; Ripple asks.
        validate_issuer=True,
    )


class _MetadataKeys:
    """Signing keys found through an OpenID metadata document (its ``jwks_uri``).

    This is the one place Ripple reaches past the SDK's public surface: the SDK's
    validator always looks its keys up at the Bot Framework's own address, with no
    setting to change it, so a validator given an explicit metadata address (a local
    test issuer) swaps in this key source. Every check the SDK makes stays its own.
    """

    def __init__(self, metadata_url: str) -> None:
        self._metadata_url = metadata_url
        self._client: PyJWKClient | None = None
        self._lock = threading.Lock()

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> PyJWK:
        del jwks_uri  # the SDK's choice of address; this source has its own
        return await asyncio.to_thread(self._key, header["kid"])

    def _key(self, kid: str) -> PyJWK:
        with self._lock:
            if self._client is None:
                with urllib.request.urlopen(self._metadata_url, timeout=METADATA_TIMEOUT) as reply:
                    metadata = json.load(reply)
                self._client = PyJWKClient(metadata["jwks_uri"], timeout=int(METADATA_TIMEOUT))
            return self._client.get_signing_key(kid)


def _validator(
    configuration: AgentAuthConfiguration, metadata_url: str | None
) -> JwtTokenValidator:
    validator = JwtTokenValidator(configuration)
    if metadata_url is not None:
        if not hasattr(validator, "_jwk_client_manager"):
            raise RuntimeError("this Agents SDK version finds signing keys differently")
        validator._jwk_client_manager = _MetadataKeys(metadata_url)  # type: ignore[assignment]
    return validator


def same_service_url(claimed: str, actual: str) -> bool:
    """Whether two service URLs name the same endpoint (scheme, host, port and path)."""
    a, b = urlsplit(claimed.strip()), urlsplit(actual.strip())
    return (
        a.scheme.lower() == b.scheme.lower()
        and a.netloc.lower() == b.netloc.lower()
        and a.path.rstrip("/") == b.path.rstrip("/")
    )


class InboundAuth:
    """Validates each request's bearer token, or lets everything in when no app id is set."""

    def __init__(
        self,
        *,
        configuration: AgentAuthConfiguration | None,
        openid_metadata_url: str | None = None,
    ) -> None:
        self.configuration = configuration
        self._validator = (
            None if configuration is None else _validator(configuration, openid_metadata_url)
        )

    @property
    def anonymous(self) -> bool:
        return self._validator is None

    async def authenticate(
        self, authorization: str | None, *, service_url: str | None
    ) -> ClaimsIdentity:
        """The caller's claims; raises UnauthorizedError for a missing, bad or misdirected token."""
        if self._validator is None:
            return ClaimsIdentity()
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError("no bearer token")
        try:
            claims = await self._validator.validate_token(token.strip())
        except (PyJWTError, ValueError) as exc:
            raise UnauthorizedError(f"token rejected ({type(exc).__name__}: {exc})") from None
        claimed = claims.get_claim_value(SERVICE_URL_CLAIM)
        # The channel signs the service URL it will take replies at; an activity naming
        # another one did not come from that channel.
        if not isinstance(claimed, str) or not service_url:
            raise UnauthorizedError("the token or the activity names no service URL")
        if not same_service_url(claimed, service_url):
            raise UnauthorizedError("the activity's service URL is not the one in the token")
        return claims
