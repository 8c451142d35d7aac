"""Delivers the core's outbox to Teams: paced, retried as Teams asks, updated in place."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import ClientError, ClientResponseError
from microsoft_agents.activity import ConversationParameters
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from adapters.charts import render_chart_async
from adapters.teams.cards import to_activity
from adapters.teams.connector import ConnectorClients, Failure
from adapters.teams.ids import PLATFORM
from adapters.teams.limits import SendLimiter
from adapters.teams.references import Addresses, Route
from bot.outgoing import Outgoing, SummaryMessage
from bot.ports import Clock, PromptCatalog, SendOutcome, SendResult, Store

logger = logging.getLogger(__name__)

MAX_PAUSE_SECONDS = 1.0  # wait this long for a free slot; longer waits go back to the outbox


@dataclass(frozen=True, kw_only=True)
class _Bound:
    addresses: Addresses
    catalog: PromptCatalog
    clock: Clock


class TeamsSender:
    """The Sender for ``teams:`` recipients.

    It keeps to Teams' limits before sending, retries 429, 412, 502 and 504 (after the
    service's Retry-After when it gives one, else the outbox's backoff with jitter), and
    never retries a 403: the person blocked Ripple or it is no longer in their chat, so
    their address is marked unreachable and everyone else's delivery goes on.
    """

    platform = PLATFORM

    def __init__(
        self,
        *,
        clients: ConnectorClients,
        limiter: SendLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_pause: float = MAX_PAUSE_SECONDS,
    ) -> None:
        self._clients = clients
        self._limiter = limiter or SendLimiter()
        self._sleep = sleep
        self._max_pause = max_pause
        self._bound: _Bound | None = None

    def bind(self, *, store: Store, catalog: PromptCatalog, clock: Clock) -> None:
        """Give the sender the address book and prompts of the Ripple it delivers for."""
        self._bound = _Bound(addresses=Addresses(store), catalog=catalog, clock=clock)

    @property
    def _wired(self) -> _Bound:
        if self._bound is None:
            raise RuntimeError("the Teams sender is not bound to a Ripple yet")
        return self._bound

    async def send(self, message: Outgoing, *, replaces: str | None) -> SendResult:
        found = await self._wired.addresses.get(message.recipient)
        if found is None:
            return _unreachable(f"no Teams conversation is known for {message.recipient}")
        route, reachable = found
        if not reachable:
            return _unreachable("Teams said this person can't be reached")
        try:
            async with self._clients.open(route.service_url) as client:
                return await self._deliver(client, message, route, replaces=replaces)
        except ClientResponseError as error:
            return await self._failed(message.recipient, Failure.of(error, now=self._now()))
        except (ClientError, TimeoutError) as error:
            return SendResult(outcome=SendOutcome.RETRY, error=f"{type(error).__name__}: {error}")

    def _now(self) -> datetime:
        return self._wired.clock.now()

    async def _deliver(
        self,
        client: TeamsConnectorClient,
        message: Outgoing,
        route: Route,
        *,
        replaces: str | None,
    ) -> SendResult:
        if route.conversation_id is None:
            if (wait := await self._pace(f"new:{message.recipient}", route.tenant_id)) is not None:
                return _later(wait)
            route = await self._open_personal_chat(client, message.recipient, route)
        assert route.conversation_id is not None and route.reference is not None
        if (wait := await self._pace(route.conversation_id, route.tenant_id)) is not None:
            return _later(wait)
        if isinstance(message, SummaryMessage) and message.chart is not None:
            await render_chart_async(message.chart)  # drawn off the loop; the card reuses it
        activity = to_activity(message, catalog=self._wired.catalog)
        activity.apply_conversation_reference(route.reference)
        if replaces is not None:
            try:
                await client.conversations.update_activity(
                    route.conversation_id, replaces, activity
                )
                return SendResult(outcome=SendOutcome.SENT, platform_message_id=replaces)
            except ClientResponseError as error:
                if error.status != 404:
                    raise
                logger.info(
                    "the message to update is gone; posting %s afresh", message.idempotency_key
                )
        response = await client.conversations.send_to_conversation(route.conversation_id, activity)
        return SendResult(outcome=SendOutcome.SENT, platform_message_id=response.id)

    async def _open_personal_chat(
        self, client: TeamsConnectorClient, owner_id: str, route: Route
    ) -> Route:
        """Start Ripple's personal chat with someone known only from a team roster."""
        assert route.user is not None
        parameters = ConversationParameters(
            bot=route.bot,
            members=[route.user],
            is_group=False,
            tenant_id=route.tenant_id,
            channel_data={"tenant": {"id": route.tenant_id}},
        )
        created = await client.conversations.create_conversation(parameters)
        opened = route.with_conversation(created.id)
        await self._wired.addresses.remember(owner_id, opened, now=self._now())
        return opened

    async def _pace(self, conversation: str, tenant: str) -> float | None:
        """Wait briefly for a free slot; None when one is taken, else the longer wait left."""
        waited = 0.0
        while (wait := self._limiter.acquire(conversation=conversation, tenant=tenant)) > 0:
            if waited + wait > self._max_pause:
                return wait
            await self._sleep(wait)
            waited += wait
        return None

    async def _failed(self, recipient: str, failure: Failure) -> SendResult:
        if failure.retryable:
            # A 429 that says how long to wait is Teams' pace, not a failed attempt.
            paced = failure.status == 429 and failure.retry_after is not None
            return SendResult(
                outcome=SendOutcome.DEFERRED if paced else SendOutcome.RETRY,
                retry_after=failure.retry_after,
                error=failure.describe,
                rate_limited=failure.status == 429,
            )
        if failure.status in (403, 404):
            # Blocked, removed from the chat, or the chat is gone: never worth retrying.
            await self._wired.addresses.mark_unreachable(recipient, now=self._now())
            logger.info("Teams refused delivery to %s: %s", recipient, failure.describe)
        elif failure.status == 401:
            logger.error("Teams refused Ripple's credentials; check RIPPLE_TEAMS_APP_ID/PASSWORD")
            return SendResult(outcome=SendOutcome.RETRY, error=failure.describe)
        return _unreachable(failure.describe)


def _later(wait: float) -> SendResult:
    return SendResult(
        outcome=SendOutcome.DEFERRED, retry_after=wait, error="keeping to Teams' limits"
    )


def _unreachable(why: str) -> SendResult:
    return SendResult(outcome=SendOutcome.UNREACHABLE, error=why)
