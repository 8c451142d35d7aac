"""Closing the loop: a manager records what the team will do; the team hears it next week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.loop import check_action
from bot.model import ACTION_TEXT_LIMIT, Actor, Role
from bot.outgoing import NudgeMessage, QuestionMessage, SummaryMessage, TextMessage
from bot.ripple import Ripple
from tests.engine.conftest import ADMIN, CHANNEL, MANAGER, PLACE, TEAM, set_up_team
from tests.engine.test_digests import HEAVY, WEEK1, run_week

MAYA = Actor(person_id=MANAGER, place=PLACE)


def gates(sender: ConsoleSender, pid: str) -> list[QuestionMessage]:
    return [m for m in sender.to(pid) if isinstance(m, QuestionMessage) and m.action == "capacity"]


def told(sender: ConsoleSender, pid: str) -> list[str]:
    return [m.text for m in sender.to(pid) if isinstance(m, TextMessage)]


async def two_heavy_weeks(ripple: Ripple, clock: ManualClock) -> str:
    """Two published heavy weeks; returns the second week's round id (it has nudges)."""
    await set_up_team(ripple)
    heavy = {pid: HEAVY for pid in TEAM}
    await run_week(ripple, clock, WEEK1, heavy)  # type: ignore[arg-type]
    await run_week(ripple, clock, WEEK1 + timedelta(weeks=1), heavy)  # type: ignore[arg-type]
    async with ripple.store.unit_of_work() as uow:
        closed = await uow.rounds.recent_closed(CHANNEL, limit=1)
    return closed[0].round_id


async def test_the_team_hears_the_action_at_the_start_of_the_next_check_in(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
) -> None:
    week2 = await two_heavy_weeks(ripple, clock)
    nudges = [m for m in sender.to(MANAGER) if isinstance(m, NudgeMessage)]
    assert week2 in {n.round_id for n in nudges}
    result = await ripple.record_action(
        actor=MAYA,
        round_id=week2,
        choice="move_deadline",
        text="Release moves a week.",
        rule="high_load",
    )
    assert result.saved
    await ripple.drain()
    assert any("Move a deadline — Release moves a week" in t for t in told(sender, MANAGER))

    clock.set(WEEK1 + timedelta(weeks=2))
    await ripple.tick()
    await ripple.drain()
    for pid in TEAM:
        first = gates(sender, pid)[-1]
        assert first.text.startswith(
            "At the last check-in, the team said workload was heavy. What's changing: "
            "Move a deadline — Release moves a week."
        )
        assert first.text.endswith("right now?")

    # The week after, the gate no longer carries it: it answered the week before.
    await run_week(ripple, clock, WEEK1 + timedelta(weeks=2), {})
    clock.set(WEEK1 + timedelta(weeks=3))
    await ripple.tick()
    await ripple.drain()
    assert not gates(sender, TEAM[0])[-1].text.startswith("At the last check-in")


async def test_later_digests_show_the_action_beside_the_trend(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
) -> None:
    week2 = await two_heavy_weeks(ripple, clock)
    await ripple.record_action(actor=MAYA, round_id=week2, choice=None, text="No-meeting Friday")
    await run_week(ripple, clock, WEEK1 + timedelta(weeks=2), {pid: HEAVY for pid in TEAM})  # type: ignore[arg-type]
    digest = [m for m in sender.to(MANAGER) if isinstance(m, SummaryMessage)][-1]
    headings = [s.heading for s in digest.sections]
    assert "What the team decided" in headings
    decided = digest.sections[headings.index("What the team decided")]
    assert decided.lines == ("2026-W46: No-meeting Friday",)
    assert headings.index("What the team decided") > headings.index(
        "Recent check-ins, oldest first"
    )
    for pid in TEAM:
        assert pid not in digest.text


async def test_only_a_manager_of_the_channel_from_its_place_may_record(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
) -> None:
    week2 = await two_heavy_weeks(ripple, clock)
    strangers = [
        Actor(person_id=TEAM[0], place=PLACE),
        Actor(person_id=ADMIN, place=PLACE, roles=frozenset({Role.WORKSPACE_ADMIN})),
        Actor(person_id=MANAGER, place="elsewhere"),
    ]
    for actor in strangers:
        result = await ripple.record_action(
            actor=actor, round_id=week2, choice="protected_rest", text=""
        )
        assert not result.saved
    result = await ripple.record_action(
        actor=MAYA, round_id="console:design:2031-W01", choice="protected_rest", text=""
    )
    assert not result.saved
    async with ripple.store.unit_of_work() as uow:
        assert await uow.actions.recent(CHANNEL, limit=5) == []
    await ripple.drain()
    assert told(sender, TEAM[0])[-1].startswith("Only a manager of the channel")


async def test_a_rule_that_was_not_sent_to_the_manager_is_not_kept(
    ripple: Ripple, clock: ManualClock
) -> None:
    week2 = await two_heavy_weeks(ripple, clock)
    await ripple.record_action(
        actor=MAYA, round_id=week2, choice="protected_rest", text="", rule="made_up"
    )
    async with ripple.store.unit_of_work() as uow:
        action = await uow.actions.for_round(week2)
    assert action is not None and action.rule is None


async def test_a_later_record_replaces_the_earlier_one(ripple: Ripple, clock: ManualClock) -> None:
    week2 = await two_heavy_weeks(ripple, clock)
    await ripple.record_action(actor=MAYA, round_id=week2, choice="protected_rest", text="")
    await ripple.record_action(actor=MAYA, round_id=week2, choice=None, text="Cover rota")
    async with ripple.store.unit_of_work() as uow:
        actions = await uow.actions.recent(CHANNEL, limit=5)
    assert [(a.choice, a.text) for a in actions] == [(None, "Cover rota")]


@pytest.mark.parametrize(
    ("choice", "text", "field"),
    [
        (None, "", "choice"),
        (None, "   ", "choice"),
        ("not_a_choice", "", "choice"),
        (None, "x" * (ACTION_TEXT_LIMIT + 1), "text"),
    ],
)
def test_unreadable_forms_are_refused_naming_the_field(
    catalog: YamlPromptCatalog, choice: str | None, text: str, field: str
) -> None:
    result = check_action(catalog, choice=choice, text=text, locale="en")
    assert result is not None and not result.saved and result.field == field


@settings(max_examples=200)
@given(
    choice=st.one_of(st.none(), st.sampled_from(["move_deadline", "protected_rest", "x"])),
    text=st.text(max_size=ACTION_TEXT_LIMIT + 20),
)
def test_check_action_accepts_exactly_what_can_be_recorded(
    catalog: YamlPromptCatalog, choice: str | None, text: str
) -> None:
    result = check_action(catalog, choice=choice, text=text, locale="de")
    written = " ".join(text.split())
    readable = (
        choice != "x"
        and (choice is not None or written != "")
        and len(written) <= ACTION_TEXT_LIMIT
    )
    assert (result is None) == readable
