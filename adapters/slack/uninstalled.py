"""Signed requests for a workspace Ripple is not installed in: acknowledged, and nothing more."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

logger = logging.getLogger(__name__)

# Requests Bolt lets through without an installation: Slack's URL check, and the events
# that say the installation is gone.
WITHOUT_INSTALLATION = frozenset({"url_verification", "ssl_check"})
UNINSTALL_EVENTS = frozenset({"app_uninstalled", "tokens_revoked", "team_access_revoked"})


class InstalledWorkspacesOnly(AsyncMiddleware):
    """Runs just before Bolt looks up the installation, in OAuth mode.

    Slack keeps delivering for a while after an uninstall, and Bolt reports each such
    request as an error in Ripple's installation store. It is expected, so Ripple says
    so once per request as a warning and answers 200, which stops Slack retrying.
    """

    def __init__(self, store: AsyncInstallationStore) -> None:
        self._store = store

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        if not _needs_installation(req.body):
            return await next()
        context = req.context
        bot = await self._store.async_find_bot(
            enterprise_id=context.enterprise_id,
            team_id=context.team_id,
            is_enterprise_install=context.is_enterprise_install,
        )
        if bot is None:
            logger.warning(
                "ignored a Slack request for workspace %s, where Ripple is not installed",
                context.team_id or context.enterprise_id or "(none named)",
            )
            return BoltResponse(status=200, body="")
        return await next()


def _needs_installation(body: dict[str, object]) -> bool:
    if body.get("type") in WITHOUT_INSTALLATION:
        return False
    event = body.get("event")
    is_uninstall = isinstance(event, dict) and event.get("type") in UNINSTALL_EVENTS
    return not (body.get("type") == "event_callback" and is_uninstall)
