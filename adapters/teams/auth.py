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
    try:
        a, b = urlsplit(claimed.strip()), urlsplit(actual.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket: no endpoint at all
        return False
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
        self._validator = (
            None if configuration is None else _validator(configuration, openid_metadata_url)
        )

    @property
    def anonymous(self) -> bool:
        return self._validator is None

    async def validate(self, authorization: str | None) -> ClaimsIdentity:
        """The claims of the request's bearer token, read from its header alone.

        Raises UnauthorizedError for a missing, malformed, forged, expired or misaddressed
        token. Runs before the body is read, so an unauthenticated caller's body is never
        parsed. In anonymous mode there is no token and every request passes.
        """
        if self._validator is None:
            return ClaimsIdentity()
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError("no bearer token")
        try:
            return await self._validator.validate_token(token.strip())
        # A token is attacker-controlled JSON: besides PyJWT's own errors, claims of the
        # wrong type or a header without a key id surface as these.
        except (PyJWTError, ValueError, TypeError, LookupError, AttributeError) as exc:
            raise UnauthorizedError(
                f"token rejected ({type(exc).__name__}: {str(exc)[:80]!r})"
            ) from None

    def check_service_url(self, claims: ClaimsIdentity, *, service_url: str | None) -> None:
        """Raises UnauthorizedError unless the activity names the service URL the token signs.

        The channel signs the service URL it will take replies at; an activity naming
        another one did not come from that channel.
        """
        if self._validator is None:
            return
        claimed = claims.get_claim_value(SERVICE_URL_CLAIM)
        if not isinstance(claimed, str) or not service_url:
            raise UnauthorizedError("the token or the activity names no service URL")
        if not same_service_url(claimed, service_url):
            raise UnauthorizedError("the activity's service URL is not the one in the token")
