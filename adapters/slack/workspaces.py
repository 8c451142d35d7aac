"""Where the bot token of each Slack workspace comes from, and what happens when it stops working."""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

# Renew a rotating token this long before it expires.
ROTATE_BEFORE_MINUTES = 120


class Workspaces(Protocol):
    """Bot tokens by team id; a workspace whose token stopped working answers None."""

    async def bot_token(self, team_id: str) -> str | None: ...
    async def deactivate(self, team_id: str, *, reason: str) -> None:
        """The workspace's token is revoked or the app uninstalled: stop using it."""
        ...


@runtime_checkable
class WorkspaceInstallations(Protocol):
    """The part of slack_sdk's installation store Ripple uses, and a way to forget a workspace."""

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None: ...
    async def async_save_bot(self, bot: Bot) -> None: ...
    async def async_delete_workspace(self, *, team_id: str) -> None:
        """Deletes every token row of the workspace, whichever enterprise or app client."""
        ...


class SingleWorkspace:
    """One workspace and one bot token, from settings.

    A revoked token is kept off for the life of the process: a new token needs a new
    setting and a restart, and a log line says so.
    """

    def __init__(self, *, token: str, client: AsyncWebClient) -> None:
        self._token = token
        self._client = client
        self._team_id: str | None = None
        self._inactive_reason: str | None = None

    async def team_id(self) -> str:
        if self._team_id is None:
            identity = await self._client.auth_test(token=self._token)
            self._team_id = str(identity["team_id"])
        return self._team_id

    async def bot_token(self, team_id: str) -> str | None:
        if self._inactive_reason is not None:
            return None
        return self._token if team_id == await self.team_id() else None

    async def deactivate(self, team_id: str, *, reason: str) -> None:
        if self._inactive_reason is None:
            logger.error(
                "the Slack bot token stopped working (%s); set a new RIPPLE_SLACK_BOT_TOKEN "
                "and restart",
                reason,
            )
        self._inactive_reason = reason


class InstalledWorkspaces:
    """Workspaces that installed Ripple through OAuth, from slack_sdk's installation store."""

    def __init__(
        self,
        *,
        store: WorkspaceInstallations,
        client: AsyncWebClient,
        client_id: str,
        client_secret: str,
    ) -> None:
        self._store = store
        self._rotator = AsyncTokenRotator(
            client=client, client_id=client_id, client_secret=client_secret
        )

    async def bot_token(self, team_id: str) -> str | None:
        """The workspace's token; TokenKeyError when RIPPLE_SECRET_KEY can't decrypt it."""
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            return None
        if bot.bot_refresh_token is not None:
            refreshed = await self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_BEFORE_MINUTES
            )
            if refreshed is not None:
                await self._store.async_save_bot(refreshed)
                bot = refreshed
        return bot.bot_token

    async def deactivate(self, team_id: str, *, reason: str) -> None:
        logger.warning("Slack workspace %s is no longer reachable (%s)", team_id, reason)
        await self._store.async_delete_workspace(team_id=team_id)
