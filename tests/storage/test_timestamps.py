"""Timestamps: aware UTC in and out on every database; naive values are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from bot.model import Channel, CheckIn, Round
from storage.columns import NaiveDatetimeError, UtcDateTime
from storage.store import SqlStore

BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")


def round_at(period: str, opens_at: datetime) -> Round:
    return Round(
        round_id=f"slack:T1:C1/{period}",
        channel_id="slack:T1:C1",
        period=period,
        scheduled_date=opens_at.date(),
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=3),
    )


def test_bind_refuses_naive_datetimes() -> None:
    with pytest.raises(NaiveDatetimeError, match="naive datetime 2026-03-02T09:30:00"):
        UtcDateTime().process_bind_param(datetime(2026, 3, 2, 9, 30), sqlite.dialect())


def test_bind_converts_to_utc() -> None:
    berlin = datetime(2026, 7, 1, 12, 0, tzinfo=BERLIN)
    lite = UtcDateTime().process_bind_param(berlin, sqlite.dialect())
    assert lite == datetime(2026, 7, 1, 10, 0)
    pg = UtcDateTime().process_bind_param(berlin, postgresql.dialect())
    assert pg == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert pg is not None
    assert pg.tzinfo is UTC
    assert UtcDateTime().process_bind_param(None, sqlite.dialect()) is None


def test_results_are_aware_utc() -> None:
    column = UtcDateTime()
    naive = column.process_result_value(datetime(2026, 1, 1, 8, 0), sqlite.dialect())
    assert naive == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    assert naive is not None
    assert naive.tzinfo is UTC
    offset = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    shifted = column.process_result_value(offset, postgresql.dialect())
    assert shifted is not None
    assert (shifted.tzinfo, shifted.hour) == (UTC, 8)
    assert column.process_result_value(None, sqlite.dialect()) is None


async def test_storing_a_naive_datetime_fails_clearly_and_writes_nothing(
    sql_store: SqlStore,
) -> None:
    async with sql_store.unit_of_work() as uow:
        await uow.channels.save(Channel(channel_id="slack:T1:C1", name="c"))
        with pytest.raises(StatementError, match="refusing to store naive datetime") as caught:
            await uow.rounds.create(round_at("2026-W10", datetime(2026, 3, 2, 9, 30)))
        assert isinstance(caught.value.orig, NaiveDatetimeError)
        with pytest.raises(StatementError, match="naive"):
            await uow.events.record("ev", now=datetime(2026, 3, 2, 9, 30))


async def test_zones_dst_and_microseconds_survive_a_round_trip(sql_store: SqlStore) -> None:
    moments = {
        "2026-W13": datetime(2026, 3, 29, 3, 30, 0, 999999, tzinfo=BERLIN),  # just after DST
        "2026-W44": datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),  # the second 02:30
        "2026-W01": datetime(2026, 1, 1, 5, 29, 59, 1, tzinfo=KOLKATA),
        "2026-W02": datetime(2026, 1, 5, 23, 59, 59, tzinfo=UTC),
    }
    async with sql_store.unit_of_work() as uow:
        await uow.channels.save(Channel(channel_id="slack:T1:C1", name="c"))
        for period, moment in moments.items():
            assert await uow.rounds.create(round_at(period, moment))
        await uow.commit()
    async with sql_store.unit_of_work() as uow:
        for period, moment in moments.items():
            got = await uow.rounds.get(f"slack:T1:C1/{period}")
            assert got is not None
            # Compare in UTC: Python never calls a fold=1 time equal to one in another zone.
            assert got.opens_at == moment.astimezone(UTC)
            assert got.opens_at.tzinfo is UTC
            assert got.opens_at.microsecond == moment.microsecond
            assert got.scheduled_date == moment.date()
            assert type(got.scheduled_date) is date
        autumn = await uow.rounds.get("slack:T1:C1/2026-W44")
        assert autumn is not None
        assert autumn.opens_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


async def test_ordering_and_comparison_use_the_instant_not_the_wall_clock(
    sql_store: SqlStore,
) -> None:
    # 10:00 in Berlin (08:00 UTC) is earlier than 09:00 UTC, though its wall clock is later.
    berlin_ten = datetime(2026, 7, 1, 10, 0, tzinfo=BERLIN)
    utc_nine = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    async with sql_store.unit_of_work() as uow:
        await uow.channels.save(Channel(channel_id="slack:T1:C1", name="c"))
        await uow.rounds.create(round_at("2026-W27", utc_nine))
        await uow.rounds.create(round_at("2026-W28", berlin_ten))
        for person, due_at in (("slack:T1:U1", berlin_ten), ("slack:T1:U2", utc_nine)):
            await uow.checkins.create(
                CheckIn(
                    round_id="slack:T1:C1/2026-W27",
                    person_id=person,
                    channel_id="slack:T1:C1",
                    due_at=due_at,
                    updated_at=due_at,
                )
            )
        opened = await uow.rounds.list_open()
        assert [r.period for r in opened] == ["2026-W28", "2026-W27"]
        now = datetime(2026, 7, 1, 10, 30, tzinfo=BERLIN)  # 08:30 UTC
        due = await uow.checkins.list_needing_attention(now)
        assert [c.person_id for c in due] == ["slack:T1:U1"]
