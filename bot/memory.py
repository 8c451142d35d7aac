"""In-memory twins of the storage ports, for tests and the console."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self

from bot.insights.published import Published, View
from bot.memory_outbox import MemoryEvents, MemoryOutbox
from bot.memory_summaries import MemorySummaries, MemoryTombstones
from bot.model import Channel, CheckIn, CheckInState, Person, Round, RoundStatus, TeamAction
from bot.ports import Address, OutboxMessage


@dataclass
class _State:
    channels: dict[str, Channel] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    rounds: dict[str, Round] = field(default_factory=dict)
    checkins: dict[tuple[str, str], CheckIn] = field(default_factory=dict)
    outbox: dict[int, OutboxMessage] = field(default_factory=dict)
    outbox_keys: dict[str, int] = field(default_factory=dict)
    next_outbox_id: int = 1
    events: dict[str, datetime] = field(default_factory=dict)
    addresses: dict[str, Address] = field(default_factory=dict)
    summaries: dict[str, Published] = field(default_factory=dict)
    views: dict[tuple[str, str], View] = field(default_factory=dict)
    tombstones: dict[str, datetime] = field(default_factory=dict)
    actions: dict[str, TeamAction] = field(default_factory=dict)

    def clone(self) -> _State:
        """Copy the containers; the values in them are frozen, so they can be shared."""
        return _State(
            channels=dict(self.channels),
            members={channel: set(people) for channel, people in self.members.items()},
            people=dict(self.people),
            rounds=dict(self.rounds),
            checkins=dict(self.checkins),
            outbox=dict(self.outbox),
            outbox_keys=dict(self.outbox_keys),
            next_outbox_id=self.next_outbox_id,
            events=dict(self.events),
            addresses=dict(self.addresses),
            summaries=dict(self.summaries),
            views=dict(self.views),
            tombstones=dict(self.tombstones),
            actions=dict(self.actions),
        )


class MemoryChannels:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def get(self, channel_id: str) -> Channel | None:
        return self._s.channels.get(channel_id)

    async def save(self, channel: Channel) -> None:
        self._s.channels[channel.channel_id] = channel

    async def list_active(self) -> list[Channel]:
        return sorted(
            (c for c in self._s.channels.values() if c.active), key=lambda c: c.channel_id
        )

    async def list_all(self) -> list[Channel]:
        return sorted(self._s.channels.values(), key=lambda c: c.channel_id)

    async def members(self, channel_id: str) -> frozenset[str]:
        return frozenset(self._s.members.get(channel_id, set()))

    async def add_member(self, channel_id: str, person_id: str) -> bool:
        members = self._s.members.setdefault(channel_id, set())
        if person_id in members:
            return False
        members.add(person_id)
        return True

    async def remove_member(self, channel_id: str, person_id: str) -> bool:
        members = self._s.members.get(channel_id, set())
        if person_id not in members:
            return False
        members.discard(person_id)
        return True

    async def channels_of(self, person_id: str) -> list[str]:
        return sorted(c for c, m in self._s.members.items() if person_id in m)


class MemoryPeople:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def get(self, person_id: str) -> Person | None:
        return self._s.people.get(person_id)

    async def save(self, person: Person) -> None:
        self._s.people[person.person_id] = person

    async def delete(self, person_id: str) -> bool:
        return self._s.people.pop(person_id, None) is not None


class MemoryRounds:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def get(self, round_id: str) -> Round | None:
        return self._s.rounds.get(round_id)

    async def create(self, round_: Round) -> bool:
        if any(
            r.channel_id == round_.channel_id and r.period == round_.period
            for r in self._s.rounds.values()
        ):
            return False
        self._s.rounds[round_.round_id] = round_
        return True

    async def save(self, round_: Round) -> None:
        self._s.rounds[round_.round_id] = round_

    async def list_open(self) -> list[Round]:
        return sorted(
            (r for r in self._s.rounds.values() if r.status is RoundStatus.OPEN),
            key=lambda r: (r.opens_at, r.round_id),
        )

    async def list_closed_without_digest(self) -> list[Round]:
        return sorted(
            (
                r
                for r in self._s.rounds.values()
                if r.status is RoundStatus.CLOSED and not r.digest_sent
            ),
            key=lambda r: (r.closes_at, r.round_id),
        )

    async def recent_closed(self, channel_id: str, *, limit: int) -> list[Round]:
        closed = [
            r
            for r in self._s.rounds.values()
            if r.channel_id == channel_id and r.status is RoundStatus.CLOSED
        ]
        closed.sort(key=lambda r: (r.scheduled_date, r.round_id), reverse=True)
        return closed[:limit]


class MemoryCheckIns:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def get(
        self, round_id: str, person_id: str, *, for_update: bool = False
    ) -> CheckIn | None:
        return self._s.checkins.get((round_id, person_id))

    async def count_for_round(self, round_id: str) -> int:
        return sum(1 for key in self._s.checkins if key[0] == round_id)

    async def create(self, checkin: CheckIn) -> bool:
        key = (checkin.round_id, checkin.person_id)
        if key in self._s.checkins:
            return False
        self._s.checkins[key] = checkin
        return True

    async def save(self, checkin: CheckIn) -> None:
        self._s.checkins[(checkin.round_id, checkin.person_id)] = checkin

    async def list_for_round(self, round_id: str) -> list[CheckIn]:
        return sorted(
            (c for c in self._s.checkins.values() if c.round_id == round_id),
            key=lambda c: c.person_id,
        )

    async def list_for_person(self, person_id: str) -> list[CheckIn]:
        mine = [c for c in self._s.checkins.values() if c.person_id == person_id]
        mine.sort(key=lambda c: (c.due_at, c.round_id), reverse=True)
        return mine

    async def list_needing_attention(self, now: datetime) -> list[CheckIn]:
        found = []
        for c in self._s.checkins.values():
            if (
                (c.state is CheckInState.ASKED and not c.delivered and c.due_at <= now)
                or (
                    c.state is CheckInState.SNOOZED
                    and c.snooze_until is not None
                    and c.snooze_until <= now
                )
                or (c.state in (CheckInState.ASKED, CheckInState.ANSWERING) and c.delivered)
            ):
                found.append(c)
        return sorted(found, key=lambda c: (c.due_at, c.round_id, c.person_id))

    async def delete_for_person(self, person_id: str) -> int:
        keys = [k for k in self._s.checkins if k[1] == person_id]
        for key in keys:
            del self._s.checkins[key]
        return len(keys)

    async def purge_closed_before(
        self, cutoff: datetime, *, person_prefix: str | None = None
    ) -> int:
        closed = {r.round_id for r in self._s.rounds.values() if r.closes_at < cutoff}
        keys = [
            k
            for k in self._s.checkins
            if k[0] in closed and (person_prefix is None or k[1].startswith(person_prefix))
        ]
        for key in keys:
            del self._s.checkins[key]
        return len(keys)


class MemoryAddresses:
    def __init__(self, state: _State) -> None:
        self._state = state

    async def get(self, owner_id: str) -> Address | None:
        return self._state.addresses.get(owner_id)

    async def save(self, address: Address) -> None:
        self._state.addresses[address.owner_id] = address

    async def mark_unreachable(self, owner_id: str, *, now: datetime) -> bool:
        known = self._state.addresses.get(owner_id)
        if known is None:
            return False
        self._state.addresses[owner_id] = replace(known, reachable=False, updated_at=now)
        return True

    async def list_with_prefix(self, prefix: str) -> list[Address]:
        return [
            address
            for owner_id, address in sorted(self._state.addresses.items())
            if owner_id.startswith(prefix)
        ]

    async def delete(self, owner_id: str) -> bool:
        return self._state.addresses.pop(owner_id, None) is not None

    async def purge_unreachable_before(self, cutoff: datetime) -> int:
        old = [
            owner_id
            for owner_id, address in self._state.addresses.items()
            if not address.reachable and address.updated_at < cutoff
        ]
        for owner_id in old:
            del self._state.addresses[owner_id]
        return len(old)


class MemoryActions:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def save(self, action: TeamAction) -> None:
        self._s.actions[action.round_id] = action

    async def for_round(self, round_id: str) -> TeamAction | None:
        return self._s.actions.get(round_id)

    async def recent(self, channel_id: str, *, limit: int) -> list[TeamAction]:
        mine = [a for a in self._s.actions.values() if a.channel_id == channel_id]
        mine.sort(key=lambda a: (a.period, a.round_id), reverse=True)
        return mine[:limit]


class MemoryUnitOfWork:
    """Works on a private copy of the state and publishes it on commit."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._bind(store.state.clone())

    def _bind(self, state: _State) -> None:
        self._state = state
        self.channels = MemoryChannels(state)
        self.people = MemoryPeople(state)
        self.rounds = MemoryRounds(state)
        self.checkins = MemoryCheckIns(state)
        self.outbox = MemoryOutbox(state)
        self.events = MemoryEvents(state)
        self.addresses = MemoryAddresses(state)
        self.summaries = MemorySummaries(state)
        self.tombstones = MemoryTombstones(state)
        self.actions = MemoryActions(state)

    async def __aenter__(self) -> Self:
        self._bind(self._store.state.clone())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Uncommitted changes live only in the private copy, so leaving drops them."""

    async def commit(self) -> None:
        self._store.state = self._state
        self._bind(self._state.clone())


class MemoryStore:
    """The memory twin of a database-backed store."""

    def __init__(self) -> None:
        self.state = _State()

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

    async def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        return None
