"""Team actions: one per published week, replaced by a later record, read newest first."""

from __future__ import annotations

from dataclasses import replace

from bot.model import ActionChoice, TeamAction
from bot.ports import Store
from tests.contract.test_repositories import T0, at, channel, round_


def action(rnd_id: str, period: str, **changes: object) -> TeamAction:
    base = TeamAction(
        round_id=rnd_id,
        channel_id="slack:T1:C1",
        period=period,
        choice=ActionChoice.MOVE_DEADLINE,
        text="",
        rule="high_load",
        recorded_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_an_action_is_kept_per_round_and_a_later_one_replaces_it(store: Store) -> None:
    weeks = [round_(period=f"2026-W{w:02d}") for w in (10, 11, 12)]
    async with store.unit_of_work() as uow:
        await uow.channels.save(channel())
        for rnd in weeks:
            await uow.rounds.create(rnd)
        await uow.actions.save(action(weeks[0].round_id, "2026-W10"))
        await uow.actions.save(
            action(weeks[2].round_id, "2026-W12", choice=None, text="Fewer calls")
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        later = action(weeks[0].round_id, "2026-W10", choice=None, text="Sam's idea", rule=None)
        await uow.actions.save(replace(later, recorded_at=at(5)))
        await uow.commit()
    async with store.unit_of_work() as uow:
        first = await uow.actions.for_round(weeks[0].round_id)
        assert first == replace(later, recorded_at=at(5))
        assert await uow.actions.for_round(weeks[1].round_id) is None
        recent = await uow.actions.recent("slack:T1:C1", limit=5)
        assert [a.period for a in recent] == ["2026-W12", "2026-W10"]
        assert recent[0].choice is None and recent[0].text == "Fewer calls"
        assert await uow.actions.recent("slack:T1:C1", limit=1) == recent[:1]
        assert await uow.actions.recent("slack:T1:C2", limit=5) == []


async def test_an_action_not_committed_is_not_kept(store: Store) -> None:
    rnd = round_()
    async with store.unit_of_work() as uow:
        await uow.channels.save(channel())
        await uow.rounds.create(rnd)
        await uow.commit()
    async with store.unit_of_work() as uow:
        await uow.actions.save(action(rnd.round_id, rnd.period))
    async with store.unit_of_work() as uow:
        assert await uow.actions.for_round(rnd.round_id) is None
