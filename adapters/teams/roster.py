"""A team channel's people, read page by page from the Teams roster, bots left out, and
given to the core as the channel's members."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import ClientError, ClientResponseError
from microsoft_agents.activity import ChannelAccount, PagedMembersResult
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from adapters.teams.connector import ConnectorClients, Failure
from adapters.teams.ids import PLATFORM, is_bot, person_id
from adapters.teams.limits import SendLimiter
from adapters.teams.references import Addresses, Route, slim
from bot.model import Person
from bot.ports import Clock, RosterReadError, Store

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


class TeamsRoster:
    """The core's ``Roster`` for Teams: a channel's roster, read at the address Ripple keeps
    for the channel; each person's route is kept so Ripple can write to them."""

    platform = PLATFORM

    def __init__(
        self,
        *,
        clients: ConnectorClients,
        limiter: SendLimiter,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clients, self._limiter, self._sleep = clients, limiter, sleep
        self._bound: tuple[Addresses, Clock] | None = None

    def bind(self, *, store: Store, clock: Clock) -> None:
        """Give the roster the address book of the Ripple it reads for."""
        self._bound = (Addresses(store), clock)

    async def members(self, channel_id: str) -> list[Person]:
        if self._bound is None:
            raise RosterReadError("the Teams roster is not bound to a Ripple yet")
        addresses, clock = self._bound
        known = await addresses.get(channel_id)
        channel = known[0] if known is not None else None
        if channel is None or channel.conversation_id is None:
            raise RosterReadError("Ripple has no address for the channel yet")
        try:
            async with self._clients.open(channel.service_url) as client:
                members = await roster(
                    client,
                    channel.conversation_id,
                    tenant_id=channel.tenant_id,
                    limiter=self._limiter,
                    sleep=self._sleep,
                )
        except (ClientError, TimeoutError) as exc:
            raise RosterReadError(f"{type(exc).__name__}: {exc}") from None
        tenant = channel.tenant_id
        routes = {person_id(tenant_id=tenant, account=m): _member(channel, m) for m in members}
        await addresses.remember_many(routes, now=clock.now())
        return [
            Person(person_id=person_id(tenant_id=tenant, account=m), display_name=m.name or "")
            for m in members
        ]


def _member(channel: Route, member: ChannelAccount) -> Route:
    """A route to someone seen in a channel's roster: no personal chat yet."""
    return Route(
        service_url=channel.service_url,
        tenant_id=channel.tenant_id,
        bot=channel.bot,
        user=slim(member),
    )
