"""The address book's rules, whatever platform wrote the routes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import reach
from bot.memory import MemoryStore
from bot.oneway import tombstone_mark
from bot.ripple import Ripple
from tests.engine.conftest import CHANNEL, set_up_team

NOW = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)
SAM = "chat:sam"


def route(*, direct: bool, endpoint: str = "https://a.example/", n: int = 0) -> reach.Route:
    data = json.dumps({"direct": direct, "endpoint": endpoint, "n": n})
    return reach.Route(data=data, direct=direct, endpoint=endpoint)


def read(data: str) -> reach.Route:
    document = json.loads(data)
    return reach.Route(data=data, direct=document["direct"], endpoint=document["endpoint"])


async def known(store: MemoryStore) -> reach.Known | None:
    return await reach.route_of(store, SAM, read=read)


async def test_a_direct_route_is_kept_over_a_roster_route_to_the_same_place() -> None:
    store = MemoryStore()
    chat = route(direct=True)
    await reach.remember(store, SAM, chat, read=read, now=NOW)

    assert not await reach.remember(store, SAM, route(direct=False, n=1), read=read, now=NOW)
    assert (
        await reach.remember_roster(store, {SAM: route(direct=False, n=2)}, read=read, now=NOW) == 0
    )
    assert await known(store) == reach.Known(route=chat, reachable=True)


async def test_a_roster_route_to_another_place_replaces_a_direct_one() -> None:
    store = MemoryStore()
    await reach.remember(store, SAM, route(direct=True), read=read, now=NOW)
    moved = route(direct=False, endpoint="https://b.example/")

    assert await reach.remember_roster(store, {SAM: moved}, read=read, now=NOW) == 1
    assert await known(store) == reach.Known(route=moved, reachable=True)


async def test_a_roster_never_brings_back_someone_ripple_cannot_reach() -> None:
    store = MemoryStore()
    await reach.remember(store, SAM, route(direct=True), read=read, now=NOW)
    assert await reach.mark_unreachable(store, SAM, now=NOW)

    roster = route(direct=False, endpoint="https://b.example/")
    assert await reach.remember_roster(store, {SAM: roster}, read=read, now=NOW) == 0
    assert (await known(store)).reachable is False  # type: ignore[union-attr]

    back = route(direct=True, n=3)  # they wrote to Ripple themselves
    assert await reach.remember(store, SAM, back, read=read, now=NOW + timedelta(days=1))
    assert await known(store) == reach.Known(route=back, reachable=True)


async def test_nothing_is_stored_for_someone_who_erased_their_data() -> None:
    store = MemoryStore()
    async with store.unit_of_work() as uow:
        await uow.tombstones.add(tombstone_mark(SAM), now=NOW)
        await uow.commit()

    assert not await reach.remember(store, SAM, route(direct=True), read=read, now=NOW)
    assert await reach.remember_roster(store, {SAM: route(direct=False)}, read=read, now=NOW) == 0
    assert await known(store) is None


async def test_marking_someone_unknown_unreachable_says_so() -> None:
    assert not await reach.mark_unreachable(MemoryStore(), SAM, now=NOW)


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["remember", "roster", "unreachable"]),
        st.booleans(),
        st.sampled_from(["https://a.example/", "https://b.example/"]),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(steps=STEPS)
async def test_after_any_steps_the_stored_route_is_one_that_was_offered(
    steps: list[tuple[str, bool, str]],
) -> None:
    """Whatever happens, what is stored is a route someone offered, and a roster alone never
    turns an unreachable person reachable."""
    store = MemoryStore()
    offered = set()
    for n, (step, direct, endpoint) in enumerate(steps):
        before = await known(store)
        offer = route(direct=direct, endpoint=endpoint, n=n)
        if step == "unreachable":
            await reach.mark_unreachable(store, SAM, now=NOW)
            continue
        offered.add(offer)
        if step == "remember":
            await reach.remember(store, SAM, offer, read=read, now=NOW)
        else:
            await reach.remember_roster(store, {SAM: offer}, read=read, now=NOW)
            after = await known(store)
            if before is not None and not before.reachable:
                assert after == before
    after = await known(store)
    assert after is None or after.route in offered


async def test_an_uninstall_quiets_the_channels_under_it_and_keeps_them(ripple: Ripple) -> None:
    await set_up_team(ripple)
    await ripple.register_channel(channel_id="other:ops", name="#ops")
    for channel_id in (CHANNEL, "other:ops"):
        chat = route(direct=True, n=len(channel_id))
        await reach.remember(ripple.store, channel_id, chat, read=read, now=NOW)

    assert await ripple.uninstalled(prefix="console:") == 1

    async with ripple.store.unit_of_work() as uow:
        design, ops = await uow.channels.get(CHANNEL), await uow.channels.get("other:ops")
        design_address = await uow.addresses.get(CHANNEL)
        ops_address = await uow.addresses.get("other:ops")
    assert design is not None and not design.active  # kept, with its settings, but quiet
    assert design_address is not None and not design_address.reachable
    assert ops is not None and ops.active
    assert ops_address is not None and ops_address.reachable
    async with ripple.store.unit_of_work() as uow:
        active = [c.channel_id for c in await uow.channels.list_active()]
    assert CHANNEL not in active and "other:ops" in active  # no more rounds there
