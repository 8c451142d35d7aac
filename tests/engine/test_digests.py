"""Manager digests and nudges after a round closes, through the scheduler tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.console.sender import ConsoleSender
from bot.clock import ManualClock
from bot.events import EventKind
from bot.outgoing import NudgeMessage, SummaryMessage
from bot.ripple import Ripple
from tests.engine.conftest import MANAGER, TEAM, set_up_team
from tests.scripted import Conversation

SUPPRESSED = "Not enough responses to share this week."


async def run_week(
    ripple: Ripple, clock: ManualClock, start: datetime, answers: dict[str, tuple[str, ...] | str]
) -> None:
    clock.set(start)
    await ripple.tick()
    for pid, given in answers.items():
        chat = Conversation(ripple, person_id=pid)
        await chat.send(EventKind.CHECKIN)
        if given == "rest":
            await chat.press("rest")
            continue
        await chat.press("now")
        for value in given:
            await chat.press(value)
        await chat.note("private words", shared=False)
    clock.set(start + timedelta(days=3, minutes=1))
    await ripple.tick()
    await ripple.drain()


WEEK1 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
WEEK2 = WEEK1 + timedelta(weeks=1)
HEAVY = ("5", "2", "many", "no", "no")


async def test_a_small_team_gets_only_the_suppression_sentence(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    await set_up_team(ripple, people=TEAM[:3])
    await run_week(ripple, clock, WEEK1, {pid: HEAVY for pid in TEAM[:3]})
    digests = [m for m in sender.to(MANAGER) if isinstance(m, SummaryMessage)]
    assert len(digests) == 1
    assert digests[0].suppressed
    assert digests[0].text == SUPPRESSED
    assert digests[0].sections == ()
    assert not [m for m in sender.to(MANAGER) if isinstance(m, NudgeMessage)]


async def test_four_answers_and_a_rest_make_five_responses(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    await set_up_team(ripple)
    answers: dict[str, tuple[str, ...] | str] = {pid: HEAVY for pid in TEAM[:4]}
    answers[TEAM[4]] = "rest"
    await run_week(ripple, clock, WEEK1, answers)
    digest = next(m for m in sender.to(MANAGER) if isinstance(m, SummaryMessage))
    assert not digest.suppressed
    assert "private words" not in digest.text
    for pid in TEAM:
        assert pid not in digest.text


async def test_sustained_heavy_load_nudges_the_manager_collectively(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    await set_up_team(ripple)
    heavy_week: dict[str, tuple[str, ...] | str] = {pid: HEAVY for pid in TEAM}
    await run_week(ripple, clock, WEEK1, heavy_week)
    assert not [
        m for m in sender.to(MANAGER) if isinstance(m, NudgeMessage) and m.rule == "high_load"
    ]
    await run_week(ripple, clock, WEEK2, heavy_week)
    nudges = [m for m in sender.to(MANAGER) if isinstance(m, NudgeMessage)]
    rules = {n.rule for n in nudges}
    assert "high_load" in rules
    assert "rest_deficit" in rules
    for nudge in nudges:
        assert (
            "Rest is part of the work" in nudge.action or "Rest is part of the work" in nudge.text
        )
        assert not nudge.personal
        for pid in TEAM:
            assert pid not in nudge.text + nudge.action


async def test_nudges_can_be_turned_off(ripple: Ripple, clock: ManualClock, sender: ConsoleSender):
    await set_up_team(ripple, nudges=False)
    heavy_week: dict[str, tuple[str, ...] | str] = {pid: HEAVY for pid in TEAM}
    await run_week(ripple, clock, WEEK1, heavy_week)
    await run_week(ripple, clock, WEEK2, heavy_week)
    assert not [m for m in sender.to(MANAGER) if isinstance(m, NudgeMessage)]
    assert [m for m in sender.to(MANAGER) if isinstance(m, SummaryMessage)]


async def test_a_person_with_sustained_heavy_load_gets_a_private_nudge_only(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    await set_up_team(ripple)
    for week in range(3):
        await run_week(ripple, clock, WEEK1 + timedelta(weeks=week), {TEAM[0]: HEAVY})
    personal = [
        m for m in sender.delivered if isinstance(m.message, NudgeMessage) and m.message.personal
    ]
    assert len(personal) == 1
    assert personal[0].message.recipient == TEAM[0]
    assert all(not (isinstance(m, NudgeMessage) and m.personal) for m in sender.to(MANAGER))
