"""The address contract: the same behaviour on memory, SQLite and PostgreSQL stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.ports import Address, Store
from storage.store import SqlStore

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def address(owner_id: str, data: str = "{}", **changes: object) -> Address:
    values: dict[str, object] = {"owner_id": owner_id, "data": data, "updated_at": T0}
    values.update(changes)
    return Address(**values)  # type: ignore[arg-type]


async def save(store: Store, *addresses: Address) -> None:
    async with store.unit_of_work() as uow:
        for value in addresses:
            await uow.addresses.save(value)
        await uow.commit()


async def owners_with_prefix(store: Store, prefix: str) -> list[str]:
    async with store.unit_of_work() as uow:
        return [a.owner_id for a in await uow.addresses.list_with_prefix(prefix)]


async def test_save_and_get_round_trip(store: Store) -> None:
    reference = '{"conversation": {"id": "a:1"}, "serviceUrl": "https://smba.example/"}'
    await save(store, address("teams:t1:u1", reference))
    async with store.unit_of_work() as uow:
        found = await uow.addresses.get("teams:t1:u1")
        assert found == address("teams:t1:u1", reference)
        assert await uow.addresses.get("teams:t1:u2") is None
    assert found is not None
    assert found.updated_at.utcoffset() == timedelta(0)
    if isinstance(store, SqlStore):
        assert found.updated_at.tzinfo is UTC


async def test_save_replaces_the_data_and_makes_it_reachable_again(store: Store) -> None:
    await save(store, address("teams:t1:u1", '{"v": 1}'))
    async with store.unit_of_work() as uow:
        assert await uow.addresses.mark_unreachable("teams:t1:u1", now=T0 + timedelta(hours=1))
        await uow.commit()
    later = T0 + timedelta(days=1)
    await save(store, address("teams:t1:u1", '{"v": 2}', updated_at=later))
    async with store.unit_of_work() as uow:
        found = await uow.addresses.get("teams:t1:u1")
    assert found == Address(owner_id="teams:t1:u1", data='{"v": 2}', updated_at=later)
    assert found.reachable


async def test_mark_unreachable_changes_only_a_known_address(store: Store) -> None:
    await save(store, address("teams:t1:u1", '{"v": 1}'), address("teams:t1:u2"))
    gone = T0 + timedelta(hours=2)
    async with store.unit_of_work() as uow:
        assert await uow.addresses.mark_unreachable("teams:t1:u1", now=gone)
        assert not await uow.addresses.mark_unreachable("teams:t1:nobody", now=gone)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.addresses.get("teams:t1:u1") == address(
            "teams:t1:u1", '{"v": 1}', reachable=False, updated_at=gone
        )
        assert await uow.addresses.get("teams:t1:u2") == address("teams:t1:u2")
        assert await uow.addresses.get("teams:t1:nobody") is None


async def test_list_with_prefix_is_ordered_by_owner_id(store: Store) -> None:
    owners = ["teams:t2:b", "teams:t1:z", "slack:T1:U1", "teams:t1:a", "teams:t1", "teams:t10:a"]
    await save(store, *(address(owner) for owner in owners))
    assert await owners_with_prefix(store, "teams:t1:") == ["teams:t1:a", "teams:t1:z"]
    # By code point, as Python sorts: "0" comes before ":".
    assert await owners_with_prefix(store, "teams:t1") == [
        "teams:t1",
        "teams:t10:a",
        "teams:t1:a",
        "teams:t1:z",
    ]
    assert await owners_with_prefix(store, "") == sorted(owners)
    assert await owners_with_prefix(store, "teams:t3") == []
    assert await owners_with_prefix(store, "TEAMS:") == []


async def test_list_with_prefix_takes_wildcards_literally(store: Store) -> None:
    owners = ["a_b:1", "axb:1", "a%b:1", "aqqb:1", "a\\b:1", "ab:1"]
    await save(store, *(address(owner) for owner in owners))
    assert await owners_with_prefix(store, "a_b") == ["a_b:1"]
    assert await owners_with_prefix(store, "a%b") == ["a%b:1"]
    assert await owners_with_prefix(store, "a\\b") == ["a\\b:1"]
    assert await owners_with_prefix(store, "a%") == ["a%b:1"]


async def test_list_with_prefix_handles_characters_beyond_ascii(store: Store) -> None:
    owners = ["x:é1", "x:é2", "x:ê", "x:\ud7ff", "x:\ue000", "x:\U0010ffff", "y"]
    await save(store, *(address(owner) for owner in owners))
    assert await owners_with_prefix(store, "x:é") == ["x:é1", "x:é2"]
    assert await owners_with_prefix(store, "x:\ud7ff") == ["x:\ud7ff"]
    assert await owners_with_prefix(store, "x:\U0010ffff") == ["x:\U0010ffff"]
    assert await owners_with_prefix(store, "x:") == sorted(owners[:-1])


async def test_uncommitted_changes_are_dropped(store: Store) -> None:
    await save(store, address("teams:t1:u1", '{"v": 1}'))
    async with store.unit_of_work() as uow:
        await uow.addresses.save(address("teams:t1:u2"))
        await uow.addresses.save(address("teams:t1:u1", '{"v": 2}'))
        assert await uow.addresses.mark_unreachable("teams:t1:u1", now=T0)
        assert len(await uow.addresses.list_with_prefix("teams:")) == 2
    async with store.unit_of_work() as uow:
        assert await uow.addresses.get("teams:t1:u2") is None
        assert await uow.addresses.get("teams:t1:u1") == address("teams:t1:u1", '{"v": 1}')
