"""A team channel's people, read page by page from the Teams roster, bots left out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import ClientResponseError
from microsoft_agents.activity import ChannelAccount, PagedMembersResult
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from adapters.teams.connector import Failure
from adapters.teams.ids import is_bot
from adapters.teams.limits import SendLimiter

logger = logging.getLogger(__name__)

PAGE_SIZE = 100  # Teams serves 50 to 500 members a page
PAGE_ATTEMPTS = 5


async def roster(
    client: TeamsConnectorClient,
    conversation_id: str,
    *,
    tenant_id: str,
    limiter: SendLimiter,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[ChannelAccount]:
    """Every person in the channel's roster; raises ClientResponseError if Teams keeps refusing."""
    people: list[ChannelAccount] = []
    token: str | None = None
    while True:
        page = await _page(
            client, conversation_id, token, tenant_id=tenant_id, limiter=limiter, sleep=sleep
        )
        people += [member for member in page.members or [] if not is_bot(member)]
        token = page.continuation_token
        if not token:
            return people


async def _page(
    client: TeamsConnectorClient,
    conversation_id: str,
    token: str | None,
    *,
    tenant_id: str,
    limiter: SendLimiter,
    sleep: Callable[[float], Awaitable[None]],
) -> PagedMembersResult:
    """One page, paced with Ripple's other calls and retried the way Teams asks."""
    for attempt in range(1, PAGE_ATTEMPTS + 1):
        while (
            wait := limiter.acquire(conversation=f"roster:{conversation_id}", tenant=tenant_id)
        ) > 0:
            await sleep(wait)
        try:
            return await client.conversations.get_conversation_paged_members(
                conversation_id, page_size=PAGE_SIZE, continuation_token=token
            )
        except ClientResponseError as error:
            failure = Failure.of(error)
            if not failure.retryable or attempt == PAGE_ATTEMPTS:
                raise
            delay = failure.retry_after if failure.retry_after is not None else 2.0 ** (attempt - 1)
            logger.info("roster page refused (%s); trying again in %.1fs", failure.describe, delay)
            await sleep(delay)
    raise AssertionError("unreachable")
