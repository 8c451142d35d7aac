"""Snoozing to a chosen time, and reminders that only the person ever sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.console.sender import ConsoleSender
from bot.clock import ManualClock
from bot.conversation import picked_until, snooze_presets, snooze_until
from bot.events import EventKind
from bot.model import CheckInState
from bot.outgoing import QuestionMessage
from bot.ripple import Ripple
from tests.engine.conftest import MANAGER, TEAM, set_up_team
from tests.scripted import Conversation


async def checkin_of(ripple: Ripple, person: str):
    async with ripple.store.unit_of_work() as uow:
        return (await uow.checkins.list_for_person(person))[0]


async def test_later_offers_times_and_the_gate_comes_back_when_it_is_up(
    team: Ripple, clock: ManualClock, sender: ConsoleSender
):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.send(EventKind.CHECKIN)
    await chat.press("later")
    options = chat.last_question
    assert options.action == "snooze"
    assert [c.value for c in options.choices] == ["in_1h", "this_afternoon", "tomorrow_morning"]
    await chat.press("in_1h")
    checkin = await checkin_of(team, TEAM[0])
    assert checkin.state is CheckInState.SNOOZED
    assert checkin.snooze_until == clock.now() + timedelta(hours=1)
    assert "ask again" in chat.last_text

    await team.drain()
    before = len(sender.to(TEAM[0]))
    clock.advance(timedelta(minutes=30))
    await team.tick()
    await team.drain()
    assert len(sender.to(TEAM[0])) == before  # not yet
    clock.advance(timedelta(minutes=31))
    report = await team.tick()
    await team.drain()
    assert report.asked == 1
    back = sender.to(TEAM[0])[-1]
    assert isinstance(back, QuestionMessage)
    assert back.action == "capacity"
    assert back.new_message
    assert (await checkin_of(team, TEAM[0])).state is CheckInState.ASKED


async def test_a_snooze_past_the_close_is_refused(team: Ripple):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.send(EventKind.CHECKIN)
    await chat.press("later")
    replies = await chat.press("at:2026-12-24T09:00")
    assert "after this check-in closes" in replies[0].text
    assert (await checkin_of(team, TEAM[0])).state is CheckInState.ASKED


async def test_an_unreadable_snooze_time_is_refused(team: Ripple):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.send(EventKind.CHECKIN)
    await chat.press("later")
    replies = await chat.press("at:tea time")
    assert "couldn't read that time" in replies[0].text


def test_snooze_times_are_read_in_the_persons_zone():
    now = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    afternoon = snooze_until("this_afternoon", now=now, zone="America/New_York")
    assert afternoon is not None
    assert afternoon.astimezone(UTC) == datetime(2026, 11, 2, 19, 0, tzinfo=UTC)
    morning = snooze_until("tomorrow_morning", now=now, zone="Asia/Kolkata")
    assert morning == datetime(2026, 11, 3, 3, 30, tzinfo=UTC)
    # Once their afternoon has begun, "this afternoon" means nothing: it is not an hour later.
    assert snooze_until("this_afternoon", now=now.replace(hour=20), zone="UTC") is None
    explicit = picked_until(datetime(2026, 11, 2, 15, 0), now=now, zone="Europe/Berlin")
    assert explicit == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert picked_until(datetime(2026, 11, 1, 15, 0), now=now, zone="UTC") is None
    aware = picked_until(datetime(2026, 11, 2, 15, 0, tzinfo=UTC), now=now, zone="Asia/Kolkata")
    assert aware == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # an exact moment stays exact
    assert snooze_until("never", now=now, zone="UTC") is None


async def test_reminders_go_only_to_people_who_have_not_answered_and_stop_at_the_limit(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    await set_up_team(ripple, reminders=2)
    clock.set(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    await ripple.tick()
    await Conversation(ripple, person_id=TEAM[0]).play([("command", "checkin"), ("press", "rest")])
    await ripple.drain()
    counts = {pid: len(sender.to(pid)) for pid in TEAM}
    reminders = 0
    for _ in range(3):
        clock.advance(timedelta(hours=24))
        reminders += (await ripple.tick()).reminded
        await ripple.drain()
    assert reminders == 2 * (len(TEAM) - 1)
    assert len(sender.to(TEAM[0])) == counts[TEAM[0]]
    for pid in TEAM[1:]:
        extra = sender.to(pid)[counts[pid] :]
        assert len(extra) == 2
        assert all("still open" in m.text or "is open until" in m.text for m in extra)
    assert sender.to(MANAGER) == [] or all(m.kind == "summary" for m in sender.to(MANAGER))


async def test_no_reminders_when_the_channel_turned_them_off(ripple: Ripple, clock: ManualClock):
    await set_up_team(ripple, reminders=0)
    clock.set(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    await ripple.tick()
    clock.advance(timedelta(hours=49))
    assert (await ripple.tick()).reminded == 0


async def test_a_reminder_mid_check_in_picks_up_where_the_person_left_off(
    team: Ripple, clock: ManualClock
):
    chat = Conversation(team, person_id=TEAM[1])
    await chat.send(EventKind.CHECKIN)
    await chat.press("now")
    await chat.press("3")
    clock.advance(timedelta(hours=25))
    await team.tick()
    await team.drain()
    checkin = await checkin_of(team, TEAM[1])
    assert checkin.reminders_sent == 1
    assert checkin.state is CheckInState.ANSWERING
    assert checkin.step == 1


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(
        ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Pacific/Chatham"]
    ),
)
def test_every_offered_preset_means_what_it_says_in_the_persons_own_day(
    now: datetime, zone: str
) -> None:
    local_now = now.astimezone(ZoneInfo(zone))
    offered = snooze_presets(now=now, zone=zone)
    assert offered[0] == "in_1h" and offered[-1] == "tomorrow_morning"
    for option in offered:
        until = snooze_until(option, now=now, zone=zone)
        assert until is not None and until >= now + timedelta(hours=1) - timedelta(seconds=1)
        local = until.astimezone(ZoneInfo(zone))
        if option == "this_afternoon":
            assert local.date() == local_now.date() and (local.hour, local.minute) == (14, 0)
        if option == "tomorrow_morning":
            assert local.date() > local_now.date() and local.hour >= 9
    one_pm = local_now.replace(hour=13, minute=0, second=0, microsecond=0)
    assert ("this_afternoon" in offered) == (local_now <= one_pm)


async def test_late_in_the_evening_later_offers_no_afternoon_and_names_the_zone(
    ripple: Ripple, clock: ManualClock
) -> None:
    await set_up_team(ripple, zones={TEAM[0]: "Europe/Berlin"})
    clock.set(datetime(2026, 11, 2, 20, 24, tzinfo=UTC))  # 21:24 in Berlin
    await ripple.tick()
    chat = Conversation(ripple, person_id=TEAM[0])
    await chat.send(EventKind.CHECKIN)
    await chat.press("later")
    offered = chat.last_question
    assert offered is not None
    assert [c.value for c in offered.choices] == ["in_1h", "tomorrow_morning"]
    await chat.press("tomorrow_morning")
    assert "I'll ask again 2026-11-03 09:00 (Europe/Berlin)." in chat.last_text
