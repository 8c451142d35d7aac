"""Bot Connector clients from the Agents SDK, and what their HTTP failures mean for delivery."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from aiohttp import ClientResponseError
from microsoft_agents.hosting.core import ClaimsIdentity, RestChannelServiceClientFactory
from microsoft_agents.hosting.core.authorization import AuthenticationConstants
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

logger = logging.getLogger(__name__)

RETRIED_STATUSES = frozenset({412, 429, 500, 502, 503, 504})  # Teams asks for 429/412/502/504
MAX_RETRY_AFTER = 3600.0


class ConnectorClients:
    """Opens a connector client for a service URL, authenticated as the bot (or anonymous)."""

    def __init__(self, *, factory: RestChannelServiceClientFactory, app_id: str | None) -> None:
        self.factory = factory
        self.app_id = app_id

    @asynccontextmanager
    async def open(self, service_url: str) -> AsyncIterator[TeamsConnectorClient]:
        claims = ClaimsIdentity(
            {
                AuthenticationConstants.AUDIENCE_CLAIM: self.app_id,
                AuthenticationConstants.APP_ID_CLAIM: self.app_id,
            }
            if self.app_id
            else {}
        )
        client = await self.factory.create_connector_client(
            None,
            claims,
            service_url,
            AuthenticationConstants.AGENTS_SDK_SCOPE,
            use_anonymous=self.app_id is None,
        )
        assert isinstance(client, TeamsConnectorClient)
        try:
            yield client
        finally:
            await client.close()


@dataclass(frozen=True, kw_only=True)
class Failure:
    """A connector call that failed: its status, Teams' error code and any Retry-After."""

    status: int
    code: str | None
    retry_after: float | None

    @property
    def retryable(self) -> bool:
        return self.status in RETRIED_STATUSES

    @property
    def describe(self) -> str:
        return f"HTTP {self.status}" + (f" {self.code}" if self.code else "")

    @classmethod
    def of(cls, error: ClientResponseError, *, now: datetime | None = None) -> Failure:
        retry_after = error.headers.get("Retry-After") if error.headers else None
        return cls(
            status=error.status,
            code=_error_code(error.message),
            retry_after=_retry_after(retry_after, now=now),
        )


def _error_code(body: str) -> str | None:
    """Teams' error code from a body like ``{"error": {"code": "ConversationBlockedByUser"}}``."""
    try:
        document = json.loads(body)
    except (TypeError, ValueError):
        return None
    error = document.get("error") if isinstance(document, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


def _retry_after(raw: str | None, *, now: datetime | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
