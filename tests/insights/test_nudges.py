"""Nudge rules at their boundaries, nudges switched off, and the private personal nudge."""

from __future__ import annotations

from bot.insights.nudges import fired_rules, personal_nudge, team_nudges
from bot.model import CheckInState

from .support import (
    CATALOG,
    make_channel,
    make_checkin,
    make_round,
    person,
    summarise,
    team,
    workloads,
)

MANAGERS = ("slack:T1:UMANAGER", "slack:T1:UDEPUTY")


def nudges(channel, current, checkins, history=(), recipients=MANAGERS):
    """The team nudges each manager gets, from what each was shown of these rounds."""
    messages = []
    for recipient in dict.fromkeys(recipients):
        trail = summarise(channel, current, checkins, history=history, viewer=recipient).history
        rules = fired_rules(trail[::-1][:3]) if channel.config.nudges else ()
        messages.extend(
            team_nudges(
                rules=rules,
                round_id=current.round_id,
                channel=channel.name,
                catalog=CATALOG,
                locale=channel.config.locale,
                recipient=recipient,
            )
        )
    return messages


def rules(*args, **kwargs):
    return {message.rule for message in nudges(*args, **kwargs)}


def answering(round_, signal, *values):
    return team(round_, [{signal: value} for value in values])


def test_high_load_fires_when_most_are_heavy_two_rounds_running():
    channel = make_channel(k=5)
    previous, current = make_round(1), make_round(2)
    history = [(previous, workloads(previous, "4", "5", "4", "1", "2"))]
    assert "high_load" in rules(
        channel, current, workloads(current, "5", "4", "4", "3", "3"), history
    )


def test_high_load_needs_more_than_half():
    channel = make_channel(k=5)
    previous, current = make_round(1), make_round(2)
    history = [(previous, workloads(previous, "4", "5", "4", "1", "2"))]
    half = workloads(current, "5", "4", "4", "3", "3", "1")
    assert "high_load" not in rules(channel, current, half, history)


def test_high_load_needs_the_previous_round_too():
    channel = make_channel(k=5)
    previous, current = make_round(1), make_round(2)
    heavy = workloads(current, "5", "5", "5", "5", "5")
    assert "high_load" not in rules(channel, current, heavy)
    light_before = [(previous, workloads(previous, "4", "4", "1", "1", "1"))]
    assert "high_load" not in rules(channel, current, heavy, light_before)


def test_high_load_does_not_bridge_a_suppressed_round():
    channel = make_channel(k=5)
    older, suppressed, current = make_round(1), make_round(2), make_round(3)
    history = [
        (suppressed, workloads(suppressed, "5", "5", "5", "5")),
        (older, workloads(older, "5", "5", "5", "5", "5")),
    ]
    heavy = workloads(current, "5", "5", "5", "5", "5")
    assert "high_load" not in rules(channel, current, heavy, history)


def test_rest_deficit_fires_at_forty_percent():
    channel = make_channel(k=5)
    current = make_round(1)
    checkins = answering(current, "real_rest", "no", "no", "yes", "partly", "yes")
    assert rules(channel, current, checkins) == {"rest_deficit"}


def test_rest_deficit_stays_quiet_just_below_forty_percent():
    channel = make_channel(k=5)
    current = make_round(1)
    checkins = answering(current, "real_rest", "no", "no", "no", "yes", "yes", "yes", "yes", "yes")
    assert "rest_deficit" not in rules(channel, current, checkins)


def test_rest_deficit_needs_k_answers_to_real_rest():
    channel = make_channel(k=5)
    current = make_round(1)
    checkins = [
        *answering(current, "real_rest", "no", "no", "no", "no"),
        make_checkin(current, person(20), workload="3"),
    ]
    assert "rest_deficit" not in rules(channel, current, checkins)


def test_covering_concentrated_fires_at_thirty_percent_two_rounds_running():
    channel = make_channel(k=5)
    previous, current = make_round(1), make_round(2)
    few = ("yes", "no", "no", "no", "no")
    history = [(previous, answering(previous, "covering", *few))]
    thirty = ("yes", "yes", "yes", *("no",) * 7)
    assert rules(channel, current, answering(current, "covering", *thirty), history) == {
        "covering_concentrated"
    }


def test_covering_concentrated_boundaries():
    channel = make_channel(k=5)
    previous, current = make_round(1), make_round(2)
    history = [(previous, answering(previous, "covering", "yes", "no", "no", "no", "no"))]
    forty = ("yes",) * 4 + ("no",) * 6
    nobody = ("no",) * 6
    assert not rules(channel, current, answering(current, "covering", *forty), history)
    assert not rules(channel, current, answering(current, "covering", *nobody), history)
    few = ("yes",) + ("no",) * 5
    assert not rules(channel, current, answering(current, "covering", *few))


def test_falling_energy_fires_on_half_a_point_drop():
    channel = make_channel(k=5)
    oldest, previous, current = make_round(1), make_round(2), make_round(3)
    history = [
        (previous, answering(previous, "energy", "4", "4", "4", "3", "3")),  # 3.6
        (oldest, answering(oldest, "energy", "4", "4", "4", "4", "4")),  # 4.0
    ]
    now = answering(current, "energy", "4", "4", "3", "3", "3", "4")  # 3.5
    assert rules(channel, current, now, history) == {"falling_energy"}


def test_falling_energy_needs_the_full_drop_and_a_strict_fall():
    channel = make_channel(k=5)
    oldest, previous, current = make_round(1), make_round(2), make_round(3)
    history = [
        (previous, answering(previous, "energy", "4", "4", "4", "4", "3")),  # 3.8
        (oldest, answering(oldest, "energy", "4", "4", "4", "4", "4")),  # 4.0
    ]
    small_drop = answering(current, "energy", "4", "4", "4", "3", "3")  # 3.6
    assert "falling_energy" not in rules(channel, current, small_drop, history)
    flat_then_drop = [
        (previous, answering(previous, "energy", "4", "4", "4", "4", "4")),
        (oldest, answering(oldest, "energy", "4", "4", "4", "4", "4")),
    ]
    big_drop = answering(current, "energy", "3", "3", "3", "3", "3")
    assert "falling_energy" not in rules(channel, current, big_drop, flat_then_drop)


def test_falling_energy_needs_three_revealed_rounds():
    channel = make_channel(k=5)
    oldest, previous, current = make_round(1), make_round(2), make_round(3)
    history = [
        (previous, answering(previous, "energy", "4", "4", "4", "3")),
        (oldest, answering(oldest, "energy", "5", "5", "5", "5", "5")),
    ]
    now = answering(current, "energy", "2", "2", "2", "2", "2")
    assert "falling_energy" not in rules(channel, current, now, history)
    assert "falling_energy" not in rules(channel, current, now, history[:1])


def test_every_manager_gets_each_nudge_with_its_own_key():
    channel = make_channel(k=5)
    current = make_round(1)
    checkins = answering(current, "real_rest", "no", "no", "no", "no", "no")
    messages = nudges(channel, current, checkins, recipients=(*MANAGERS, MANAGERS[0]))
    assert [(m.recipient, m.idempotency_key) for m in messages] == [
        (manager, f"nudge:{current.round_id}:rest_deficit:{manager}") for manager in MANAGERS
    ]
    message = messages[0]
    assert not message.personal
    assert message.text == "Many people in #design say they haven't had real rest lately."
    assert message.action.endswith("Rest is part of the work.")
    assert "no-meeting day" in message.action


def test_nudge_texts_follow_the_channel_locale():
    current = make_round(1)
    for locale, closing in [
        ("es", "El descanso es parte del trabajo."),
        ("de", "Erholung gehört zur Arbeit."),
    ]:
        channel = make_channel(k=5, locale=locale)
        checkins = answering(current, "real_rest", "no", "no", "no", "no", "no")
        (message, *_) = nudges(channel, current, checkins)
        assert message.action.endswith(closing)
        assert "#design" in message.text


def test_no_nudges_when_switched_off():
    channel = make_channel(k=5, nudges=False)
    current = make_round(1)
    checkins = answering(current, "real_rest", "no", "no", "no", "no", "no")
    assert nudges(channel, current, checkins) == []


def test_no_nudges_for_a_suppressed_round():
    channel = make_channel(k=6)
    current = make_round(1)
    checkins = answering(current, "real_rest", "no", "no", "no", "no", "no")
    assert nudges(channel, current, checkins) == []


def test_team_nudges_name_no_one():
    channel = make_channel(k=5)
    rounds = [make_round(week) for week in (1, 2, 3)]
    people = [person(i) for i in range(5)]
    history = [
        (rounds[1], team(rounds[1], [{"workload": "5", "energy": "4", "covering": "no"}] * 5)),
        (rounds[0], team(rounds[0], [{"workload": "5", "energy": "5", "covering": "no"}] * 5)),
    ]
    answers = [{"workload": "5", "energy": "2", "real_rest": "no", "covering": "no"}] * 4
    answers.append({"workload": "5", "energy": "2", "real_rest": "no", "covering": "yes"})
    checkins = team(rounds[2], answers)
    messages = nudges(channel, rounds[2], checkins, history)
    assert {m.rule for m in messages} == {"high_load", "rest_deficit", "falling_energy"}
    for message in messages:
        for someone in people:
            assert someone not in message.text + message.action + message.idempotency_key


def heavy_history(*values, state=CheckInState.DONE, who=None):
    who = who or person(1)
    checkins = []
    for week, value in enumerate(values):
        round_ = make_round(20 - week)
        answers = {"workload": value} if value else {}
        checkins.append(make_checkin(round_, who, state=state, **answers))
    return checkins


def test_personal_nudge_after_three_heavy_check_ins():
    recent = heavy_history("4", "5", "4", "1")
    message = personal_nudge(
        person_id=person(1), recent=recent, catalog=CATALOG, locale="en", round_id="r9"
    )
    assert message is not None
    assert message.recipient == person(1)
    assert message.personal
    assert message.rule == "personal"
    assert message.idempotency_key == f"nudge:r9:personal:{person(1)}"
    assert "manager" not in (message.text + message.action).lower()
    assert message.action.endswith("This message is only for you.")


def test_personal_nudge_needs_three_heavy_in_a_row():
    for values in [("4", "5", "3"), ("4", "5"), ("3", "5", "5", "5")]:
        recent = heavy_history(*values)
        assert (
            personal_nudge(
                person_id=person(1), recent=recent, catalog=CATALOG, locale="en", round_id="r9"
            )
            is None
        ), values


def test_personal_nudge_counts_only_done_check_ins_that_answered_workload():
    rested = make_checkin(make_round(30), person(1), state=CheckInState.RESTED)
    expired = make_checkin(make_round(29), person(1), state=CheckInState.EXPIRED, workload="1")
    skipped = make_checkin(make_round(28), person(1), energy="2")
    recent = [rested, expired, skipped, *heavy_history("5", "5", "4")]
    message = personal_nudge(
        person_id=person(1), recent=recent, catalog=CATALOG, locale="de", round_id="r9"
    )
    assert message is not None
    assert message.action.endswith("Diese Nachricht ist nur für dich.")


def test_personal_nudge_ignores_other_peoples_check_ins():
    recent = [*heavy_history("5", "5", who=person(1)), *heavy_history("5", who=person(2))]
    assert (
        personal_nudge(
            person_id=person(1), recent=recent, catalog=CATALOG, locale="en", round_id="r9"
        )
        is None
    )


def test_a_continuing_run_of_heavy_weeks_is_nudged_every_third_check_in_only():
    from bot.insights.nudges import personal_nudge
    from tests.insights.support import CATALOG, make_checkin, make_round

    def nudged_after(weeks: int) -> bool:
        recent = [
            make_checkin(make_round(40 - i), "console:sam", workload="5") for i in range(weeks)
        ]
        nudge = personal_nudge(
            person_id="console:sam", recent=recent, catalog=CATALOG, locale="en", round_id="r"
        )
        return nudge is not None

    assert [nudged_after(n) for n in range(1, 8)] == [False, False, True, False, False, True, False]
