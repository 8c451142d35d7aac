"""A person's home page: their own check-ins and controls, plus what managers and admins see."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.events import EventKind
from bot.model import Actor, Role
from bot.ripple import Ripple
from tests.engine.conftest import ADMIN, MANAGER, TEAM, set_up_team
from tests.engine.test_digests import HEAVY, SUPPRESSED, WEEK1, run_week
from tests.scripted import Conversation


async def test_a_new_person_sees_their_controls_and_no_history(ripple: Ripple):
    await set_up_team(ripple)
    home = await ripple.home(actor=Actor(person_id=TEAM[0], place="console"))
    assert home.title == "Ripple"
    assert home.sections[0].heading == "Your check-ins"
    assert home.sections[0].lines == (
        "Weekly check-ins are on.",
        "You don't have any check-ins yet.",
    )
    assert [a.value for a in home.actions] == ["checkin", "pause", "history", "export", "forget"]
    assert len(home.sections) == 1  # not a manager, not an admin


async def test_a_paused_person_is_offered_resume(ripple: Ripple):
    await set_up_team(ripple)
    await Conversation(ripple, person_id=TEAM[0]).send(EventKind.PAUSE)
    home = await ripple.home(actor=Actor(person_id=TEAM[0], place="console"))
    assert "paused" in home.sections[0].lines[0]
    assert "resume" in [a.value for a in home.actions]


async def test_history_shows_the_persons_own_answers(ripple: Ripple, clock: ManualClock):
    await set_up_team(ripple)
    await run_week(ripple, clock, WEEK1, {TEAM[0]: HEAVY})
    lines = (await ripple.home(actor=Actor(person_id=TEAM[0], place="console"))).sections[0].lines
    assert any("checked in" in line and "too much" in line for line in lines)
    other = (await ripple.home(actor=Actor(person_id=TEAM[1], place="console"))).sections[0].lines
    assert not any("too much" in line for line in other)


async def test_a_manager_sees_the_latest_summary_under_the_digest_rules(
    ripple: Ripple, clock: ManualClock
):
    await set_up_team(ripple)
    before = await ripple.home(actor=Actor(person_id=MANAGER, place="console"))
    assert before.sections[1].lines == (
        "No summary yet: the first one comes after the first round closes.",
    )
    await run_week(ripple, clock, WEEK1, {pid: HEAVY for pid in TEAM[:2]})
    small = await ripple.home(actor=Actor(person_id=MANAGER, place="console"))
    assert small.sections[1].lines == (SUPPRESSED,)

    await run_week(ripple, clock, WEEK1 + timedelta(weeks=1), {pid: HEAVY for pid in TEAM})
    full = await ripple.home(actor=Actor(person_id=MANAGER, place="console"))
    assert "#design" in full.sections[1].heading
    assert any("heavy: most or all" in line for line in full.sections[1].lines)
    assert all(pid not in line for pid in TEAM for line in full.sections[1].lines)


async def test_admins_see_the_channels_they_configure(ripple: Ripple):
    await set_up_team(ripple)
    admin_home = await ripple.home(actor=Actor(person_id=ADMIN, place="console"))
    assert admin_home.sections[-1].heading == "Channels you configure"
    assert admin_home.sections[-1].lines == (
        "#design: Monday at 09:30 (UTC), summaries from 5 responses, active",
    )
    boss = frozenset({Role.WORKSPACE_ADMIN})
    workspace_admin = await ripple.home(actor=Actor(person_id=TEAM[0], place="console", roles=boss))
    assert workspace_admin.sections[-1].heading == "Channels you configure"
    outsider = await ripple.home(actor=Actor(person_id=TEAM[0], place="slack:T9", roles=boss))
    assert outsider.sections[-1].heading == "Your check-ins"
    member = await ripple.home(actor=Actor(person_id=TEAM[0], place="console"))
    assert member.sections[-1].heading == "Your check-ins"
