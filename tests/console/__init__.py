"""Console adapter tests, and helpers every adapter's check-in contract test can reuse.

The contract: the same scripted check-in (``tests.scripted.STANDARD_CHECKIN``) played
through any adapter must leave the same :class:`StoredCheckIn` as played through the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.model import CheckInState
from bot.ports import Store
from storage.migrate import upgrade_to_head
from storage.store import SqlStore


@dataclass(frozen=True, kw_only=True)
class StoredCheckIn:
    """What the core kept of one check-in, leaving out ids and times that differ by adapter."""

    state: CheckInState
    answers: dict[str, str]
    note: str | None
    note_shared: bool


async def stored_checkin(store: Store, *, person_id: str) -> StoredCheckIn:
    """The stored result of ``person_id``'s one and only check-in."""
    async with store.unit_of_work() as uow:
        checkins = await uow.checkins.list_for_person(person_id)
    assert len(checkins) == 1, f"expected one check-in for {person_id}, found {checkins}"
    (checkin,) = checkins
    return StoredCheckIn(
        state=checkin.state,
        answers=dict(checkin.answers),
        note=checkin.note,
        note_shared=checkin.note_shared,
    )


async def migrated_sqlite_store(path: Path) -> SqlStore:
    """A store on a fresh SQLite file at ``path``, brought to the newest schema."""
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_to_head(url)
    return SqlStore.from_url(url)
