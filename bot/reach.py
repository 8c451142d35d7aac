"""Who Ripple can reach, and along which route: the core's address book.

An adapter stores its own routing document for each person or channel (for Teams, a
conversation reference). The core never reads the document; it judges routes by two
facts the adapter states about each one: whether a conversation with the owner already
exists (``direct``) or the route only lets Ripple open one (a person known from a roster),
and which ``endpoint`` the platform takes messages at. The rules:

- nothing is stored for someone who erased their data;
- a direct route is never replaced by a roster route to the same endpoint;
- someone Ripple can no longer reach (they blocked or removed it) stays so until they
  write to Ripple themselves: being in a roster is no sign they want it back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.oneway import tombstone_mark
from bot.ports import Address, Store


@dataclass(frozen=True, kw_only=True)
class Route:
    """A route as the core judges it: the adapter's document and two facts about it."""

    data: str
    direct: bool
    endpoint: str


RouteReader = Callable[[str], Route]
"""How an adapter reads one of its stored documents back into a ``Route``."""


@dataclass(frozen=True, kw_only=True)
class Known:
    route: Route
    reachable: bool


async def route_of(store: Store, owner_id: str, *, read: RouteReader) -> Known | None:
    """The stored route of ``owner_id`` and whether it still reaches them, if any."""
    async with store.unit_of_work() as uow:
        address = await uow.addresses.get(owner_id)
    if address is None:
        return None
    return Known(route=read(address.data), reachable=address.reachable)


async def remember(
    store: Store, owner_id: str, route: Route, *, read: RouteReader, now: datetime
) -> bool:
    """Store ``route`` for someone who reached Ripple (or whom Ripple reached) just now.

    It makes them reachable again. Returns whether anything was stored.
    """
    async with store.unit_of_work() as uow:
        if await uow.tombstones.contains(tombstone_mark(owner_id)):
            return False
        known = await uow.addresses.get(owner_id)
        if (
            known is not None
            and known.reachable
            and (known.data == route.data or _keeps(read(known.data), over=route))
        ):
            return False
        await uow.addresses.save(Address(owner_id=owner_id, data=route.data, updated_at=now))
        await uow.commit()
    return True


async def remember_roster(
    store: Store, routes: Mapping[str, Route], *, read: RouteReader, now: datetime
) -> int:
    """Store the routes a roster gives for many people at once; how many were stored."""
    stored = 0
    async with store.unit_of_work() as uow:
        for owner_id, route in routes.items():
            if await uow.tombstones.contains(tombstone_mark(owner_id)):
                continue
            known = await uow.addresses.get(owner_id)
            if known is not None and (not known.reachable or _keeps(read(known.data), over=route)):
                continue
            await uow.addresses.save(Address(owner_id=owner_id, data=route.data, updated_at=now))
            stored += 1
        await uow.commit()
    return stored


async def addresses_under(store: Store, prefix: str) -> list[Address]:
    """Every stored address whose owner id starts with ``prefix``."""
    async with store.unit_of_work() as uow:
        return await uow.addresses.list_with_prefix(prefix)


async def mark_unreachable(store: Store, owner_id: str, *, now: datetime) -> bool:
    """The platform says Ripple can no longer write to ``owner_id``; False if unknown."""
    async with store.unit_of_work() as uow:
        changed = await uow.addresses.mark_unreachable(owner_id, now=now)
        await uow.commit()
    return changed


def _keeps(known: Route, *, over: Route) -> bool:
    """Whether a stored direct route stays instead of a roster route to the same place."""
    return known.direct and not over.direct and known.endpoint == over.endpoint
