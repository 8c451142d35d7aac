"""Delivers Ripple's outbox to Slack: paced, updated in place, and honest about failures."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.charts import render_chart_async
from adapters.slack.blocks import message_payload
from adapters.slack.ids import PLATFORM, parse_ref
from adapters.slack.pacing import SlackPacer
from adapters.slack.workspaces import Workspaces
from bot.outgoing import Outgoing, SummaryMessage, TrendChart
from bot.ports import PromptCatalog, SendOutcome, SendResult

logger = logging.getLogger(__name__)

# This person or conversation can't be written to; the rest of a fan-out goes on.
RECIPIENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "cannot_dm_bot",
        "is_archived",
        "not_in_channel",
        "user_disabled",
        "restricted_action",
    }
)
# The workspace's token no longer works: stop writing to the workspace at all.
WORKSPACE_ERRORS = frozenset(
    {"token_revoked", "invalid_auth", "account_inactive", "not_authed", "team_access_not_granted"}
)
# The message to update is gone (deleted, or too old to edit): post a new one instead.
UPDATE_GONE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})
DEFAULT_RETRY_AFTER = 1.0
# A digest's chart follows it as an image. Its upload is bounded well inside the outbox's
# lease, so a slow upload can never make the digest look lost and be sent again.
CHART_UPLOAD_SECONDS = 20.0
CHART_FILENAME = "ripple-trend.png"


def platform_message_id(channel: str, ts: str) -> str:
    """Slack needs both the conversation and the timestamp to edit a message."""
    return f"{channel}/{ts}"


def split_message_id(message_id: str) -> tuple[str, str] | None:
    channel, _, ts = message_id.partition("/")
    return (channel, ts) if channel and ts else None


@dataclass
class SlackSender:
    """The Slack ``Sender``: one message per call, through the workspace's own bot token."""

    workspaces: Workspaces
    catalog: PromptCatalog
    api_url: str
    pacer: SlackPacer = field(default_factory=SlackPacer)
    timeout: float = 30.0
    platform: str = PLATFORM
    _session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self, token: str) -> AsyncWebClient:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return AsyncWebClient(
            token=token, base_url=self.api_url, session=self._session, timeout=int(self.timeout)
        )

    async def send(self, message: Outgoing, *, replaces: str | None) -> SendResult:
        try:
            ref = parse_ref(message.recipient)
        except ValueError as exc:
            return SendResult(outcome=SendOutcome.UNREACHABLE, error=str(exc))
        token = await self.workspaces.bot_token(ref.team_id)
        if token is None:
            return SendResult(
                outcome=SendOutcome.INACTIVE,
                error=f"workspace {ref.team_id} has no working bot token (revoked or uninstalled)",
            )
        payload = message_payload(message, catalog=self.catalog)
        chart = message.chart if isinstance(message, SummaryMessage) else None
        try:
            return await self._deliver(
                self._client(token),
                channel=ref.local_id,
                team_id=ref.team_id,
                payload=payload,
                replaces=replaces,
                chart=chart,
            )
        except SlackApiError as exc:
            return await self._failed(exc, team_id=ref.team_id)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return SendResult(outcome=SendOutcome.RETRY, error=f"{type(exc).__name__}: {exc}")

    async def _deliver(
        self,
        client: AsyncWebClient,
        *,
        channel: str,
        team_id: str,
        payload: dict[str, Any],
        replaces: str | None,
        chart: TrendChart | None = None,
    ) -> SendResult:
        target = split_message_id(replaces) if replaces else None
        if target is not None:
            try:
                response = await client.chat_update(channel=target[0], ts=target[1], **payload)
                return _sent(response)
            except SlackApiError as exc:
                if exc.response.get("error") not in UPDATE_GONE:
                    raise
                logger.info("message %s can no longer be edited; posting anew", replaces)
        wait = self.pacer.wait(team_id=team_id, channel=channel)
        if 0 < wait <= self.pacer.max_inline_wait:
            await self.pacer.sleep(wait)
        elif wait > 0:
            return SendResult(
                outcome=SendOutcome.DEFERRED,
                retry_after=wait,
                error="pacing within Slack's limits",
            )
        self.pacer.record(team_id=team_id, channel=channel)
        response = await client.chat_postMessage(channel=channel, **payload)
        sent = _sent(response)
        if chart is not None:  # only with a new post: an edited digest keeps its first chart
            await self._attach_chart(
                client, chart, channel=str(response["channel"]), team_id=team_id
            )
        return sent

    async def _attach_chart(
        self, client: AsyncWebClient, chart: TrendChart, *, channel: str, team_id: str
    ) -> None:
        """Upload the digest's chart beside it, in the conversation it was posted to.

        The digest is delivered already, so nothing here may fail the send: without the
        picture (no ``files:write`` scope, a 429, an outage) the text's sparkline stands in.
        """
        try:
            async with asyncio.timeout(CHART_UPLOAD_SECONDS):
                await client.files_upload_v2(
                    channel=channel,
                    file=await render_chart_async(chart),
                    filename=CHART_FILENAME,
                    title=chart.title,
                    alt_txt=chart.alt_text,
                )
        except SlackApiError as exc:
            reason = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            logger.warning("a digest's chart was not uploaded in %s: %s", team_id, reason)
        except Exception as exc:  # the digest is out; a chart must never send it twice
            logger.warning(
                "a digest's chart was not uploaded in %s: %s", team_id, type(exc).__name__
            )

    async def _failed(self, exc: SlackApiError, *, team_id: str) -> SendResult:
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"HTTP {status}")
        if status == 429 or error == "ratelimited":
            header = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                "retry-after"
            )
            retry_after = _seconds(header)
            self.pacer.hold(team_id=team_id, seconds=retry_after)
            return SendResult(
                outcome=SendOutcome.DEFERRED,
                retry_after=retry_after,
                error=error,
                rate_limited=True,
            )
        if status >= 500:
            return SendResult(outcome=SendOutcome.RETRY, error=error)
        if error in RECIPIENT_ERRORS:
            return SendResult(outcome=SendOutcome.UNREACHABLE, error=error)
        if error in WORKSPACE_ERRORS:
            await self.workspaces.deactivate(team_id, reason=error)
            return SendResult(outcome=SendOutcome.INACTIVE, error=error)
        logger.warning("Slack refused a message: %s", error)
        return SendResult(outcome=SendOutcome.RETRY, error=error)


def _sent(response: Any) -> SendResult:
    return SendResult(
        outcome=SendOutcome.SENT,
        platform_message_id=platform_message_id(str(response["channel"]), str(response["ts"])),
    )


def _seconds(header: object) -> float:
    if isinstance(header, list):
        header = header[0] if header else None
    try:
        return max(float(str(header)), 0.0)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
