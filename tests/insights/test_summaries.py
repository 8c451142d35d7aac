"""Concrete published summaries: buckets, amounts, suppression, trends, notes and the preview."""

from __future__ import annotations

import re

import pytest

from bot.insights.aggregate import BUCKETS, bucket_of, tenths
from bot.insights.privacy import Neighbour, Shape, too_close
from bot.insights.published import Outcome
from bot.insights.render import preview_buckets
from bot.insights.sparkline import sparkline
from bot.model import CheckInState
from bot.questions import SIGNAL_VALUES, Signal

from .support import (
    CATALOG,
    LOCALES,
    MANAGER,
    load_insight_messages,
    make_channel,
    make_checkin,
    make_round,
    person,
    summarise,
    team,
    workloads,
)

SUPPRESSED_EN = "Not enough responses to share this week."


@pytest.mark.parametrize(
    ("signal", "value", "bucket"),
    [
        (Signal.WORKLOAD, "1", "low"),
        (Signal.WORKLOAD, "2", "low"),
        (Signal.WORKLOAD, "3", "moderate"),
        (Signal.WORKLOAD, "4", "heavy"),
        (Signal.WORKLOAD, "5", "heavy"),
        (Signal.ENERGY, "1", "low"),
        (Signal.ENERGY, "2", "low"),
        (Signal.ENERGY, "3", "ok"),
        (Signal.ENERGY, "4", "high"),
        (Signal.ENERGY, "5", "high"),
        (Signal.EXTRA_HOURS, "none", "none"),
        (Signal.EXTRA_HOURS, "some", "some"),
        (Signal.EXTRA_HOURS, "many", "many"),
        (Signal.COVERING, "no", "no"),
        (Signal.COVERING, "yes", "yes"),
        (Signal.REAL_REST, "yes", "yes"),
        (Signal.REAL_REST, "partly", "partly"),
        (Signal.REAL_REST, "no", "no"),
    ],
)
def test_every_answer_falls_in_its_coarse_bucket(signal, value, bucket):
    assert bucket_of(signal, value) == bucket


def test_buckets_cover_every_accepted_value_exactly_once():
    for signal, values in SIGNAL_VALUES.items():
        covered = [value for _, members in BUCKETS[signal] for value in members]
        assert sorted(covered) == sorted(values)


def test_unknown_values_have_no_bucket():
    assert bucket_of(Signal.WORKLOAD, "6") is None
    assert bucket_of(Signal.COVERING, "maybe") is None


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 5, 0), (1, 3, 3), (2, 3, 7), (1, 6, 2), (1, 7, 1), (1, 20, 1), (3, 4, 8), (7, 7, 10)],
)
def test_shares_round_to_the_nearest_tenth_with_halves_up(part, whole, expected):
    assert tenths(part, whole) == expected


def test_a_large_group_sees_tenths_with_both_ends_folded_in():
    round_ = make_round()
    values = ["1"] * 2 + ["3"] * 6 + ["4"] * 12  # 10%, 30%, 60% of 20
    summary = summarise(make_channel(), round_, workloads(round_, *values))
    assert summary.line("Workload") == "Workload — low: 10% or less; moderate: 30%; heavy: 60%"
    everyone = summarise(make_channel(), round_, workloads(round_, *["5"] * 20))
    line = everyone.line("Workload")
    assert line == "Workload — low: 10% or less; moderate: 10% or less; heavy: 90% or more"
    signals = "\n".join(everyone.message.sections[1].lines[:5])
    assert "100%" not in signals and " 0%" not in signals


def test_each_signal_is_shown_in_its_buckets():
    round_ = make_round()
    answers = [
        {"energy": "1", "extra_hours": "none", "covering": "no", "real_rest": "yes"},
        {"energy": "3", "extra_hours": "some", "covering": "no", "real_rest": "partly"},
        {"energy": "4", "extra_hours": "many", "covering": "no", "real_rest": "no"},
        {"energy": "5", "extra_hours": "many", "covering": "yes", "real_rest": "no"},
        {"energy": "2", "extra_hours": "none", "covering": "no", "real_rest": "no"},
    ] * 4
    summary = summarise(make_channel(), round_, team(round_, answers))
    assert summary.line("Energy") == "Energy — low: 40%; okay: 20%; high: 40%"
    assert summary.line("Extra hours") == "Extra hours — none: 40%; some: 20%; many: 40%"
    assert summary.line("Covering") == "Covering for someone — no: 80%; yes: 20%"
    assert summary.line("Real rest") == "Real rest — yes: 20%; partly: 20%; no: 60%"


def test_a_small_group_sees_words_that_never_pin_down_a_count():
    round_ = make_round()
    summary = summarise(
        make_channel(), round_, workloads(round_, "1", "3", "3", "4", "4", "5", "5")
    )
    assert summary.line("Workload") == (
        "Workload — low: few or none; moderate: few or none; heavy: some"
    )
    assert summary.line("In a group this size").startswith("In a group this size, shares are given")
    assert "%" not in "\n".join(summary.message.sections[1].lines)


def test_fewer_than_k_respondents_reveals_nothing_and_keeps_nothing():
    channel = make_channel(k=5)
    round_ = make_round()
    checkins = [
        *workloads(round_, "5", "5", "4", "4"),
        make_checkin(round_, person(50), state=CheckInState.EXPIRED, workload="5"),
        make_checkin(round_, person(51), state=CheckInState.ANSWERING, workload="5"),
    ]
    summary = summarise(channel, round_, checkins, members=12)
    assert summary.published.counts is None, "not even the number of responses is kept"
    assert summary.view.outcome is Outcome.TOO_FEW
    message = summary.message
    assert message.suppressed
    assert message.sections == ()
    assert message.text == SUPPRESSED_EN
    assert message.title == "Check-in summary for #design, 2026-W12"


def test_choosing_rest_counts_as_a_response():
    channel = make_channel(k=5)
    round_ = make_round()
    checkins = [
        *workloads(round_, "3", "3", "4"),
        make_checkin(round_, person(10), state=CheckInState.RESTED),
        make_checkin(round_, person(11), state=CheckInState.RESTED),
    ]
    summary = summarise(channel, round_, checkins, members=5)
    assert summary.view.shown
    assert summary.line("Checked in") == "Checked in: most or all of the channel."
    assert summary.line("Chose rest") == (
        "Chose rest: some of those who checked in — rest counts as a response."
    )
    assert Signal.WORKLOAD in summary.view.hidden, "only three answered workload, fewer than k"
    assert summary.line("Workload") == "Workload: not enough answers to show."


def test_participation_and_rest_share_in_a_large_channel_are_tenths():
    channel = make_channel(k=5)
    round_ = make_round()
    checkins = [
        *workloads(round_, *["3"] * 20),
        *(make_checkin(round_, person(100 + i), state=CheckInState.RESTED) for i in range(4)),
    ]
    summary = summarise(channel, round_, checkins, members=30)
    text = summary.message.text
    assert "Checked in: 80% of the channel." in text  # 24 of 30
    assert "Chose rest: 20% of those who checked in — rest counts as a response." in text
    assert "24" not in text and "30" not in text


def test_participation_never_exceeds_everyone_when_members_is_stale():
    channel = make_channel(k=3)
    round_ = make_round()
    summary = summarise(channel, round_, workloads(round_, "3", "3", "3"), members=2)
    assert summary.line("Checked in") == "Checked in: half or more of the channel."


def test_a_signal_answered_by_fewer_than_k_is_suppressed_on_its_own():
    channel = make_channel(k=5)
    round_ = make_round()
    answers = [{"workload": "4", "energy": "2"}] * 4 + [{"workload": "2"}]
    summary = summarise(channel, round_, team(round_, answers))
    assert summary.view.hidden >= {Signal.ENERGY, Signal.REAL_REST}
    assert Signal.WORKLOAD not in summary.view.hidden
    lines = summary.message.sections[1].lines
    assert "Workload — low: few or none; moderate: few or none; heavy: most or all" in lines
    assert "Energy: not enough answers to show." in lines
    assert "Real rest: not enough answers to show." in lines


def test_a_managers_own_answers_never_count_towards_k():
    channel = make_channel(k=5)
    round_ = make_round()
    checkins = [
        *workloads(round_, "4", "4", "4", "4"),
        make_checkin(round_, MANAGER, workload="2"),
    ]
    own = summarise(channel, round_, checkins)
    assert own.view.outcome is Outcome.TOO_FEW
    assert own.message.text == SUPPRESSED_EN
    other = summarise(channel, round_, checkins, viewer="slack:T1:UDEPUTY")
    assert other.view.shown, "five responded, none of them this viewer"
    answered_alone = [
        *team(round_, [{"workload": "4", "energy": "3"}] * 5),
        make_checkin(round_, MANAGER, workload="4", energy="1"),
    ]
    partly = summarise(channel, round_, answered_alone)
    assert partly.view.shown
    assert Signal.ENERGY not in partly.view.hidden  # five others answered energy too


def test_revealed_digest_reads_as_expected():
    channel = make_channel(k=5)
    round_ = make_round()
    answers = [
        {
            "workload": "4",
            "energy": "2",
            "extra_hours": "some",
            "covering": "no",
            "real_rest": "no",
        },
        {
            "workload": "5",
            "energy": "3",
            "extra_hours": "none",
            "covering": "no",
            "real_rest": "yes",
        },
        {"workload": "3", "energy": "4", "extra_hours": "none", "covering": "yes"},
        {
            "workload": "4",
            "energy": "2",
            "extra_hours": "many",
            "covering": "no",
            "real_rest": "no",
        },
        {"workload": "2", "energy": "3", "extra_hours": "none", "covering": "no"},
    ]
    message = summarise(channel, round_, team(round_, answers), members=5).message
    assert not message.suppressed
    assert message.text == "\n".join(
        [
            "Check-in summary for #design, 2026-W12",
            "",
            "This week",
            "Checked in: most or all of the channel.",
            "Chose rest: few or none of those who checked in — rest counts as a response.",
            "",
            "How the week felt",
            "Workload — low: few or none; moderate: few or none; heavy: some",
            "Energy — low: some; okay: some; high: few or none",
            "Extra hours — none: some; some: few or none; many: few or none",
            "Covering for someone — no: most or all; yes: few or none",
            "Real rest: not enough answers to show.",
            "In a group this size, shares are given in words (few or none, some, most or all), "
            "so that no figure gives away how anyone answered.",
        ]
    )


def test_digest_follows_the_channel_locale():
    round_ = make_round()
    for locale, sentence, everyone in [
        ("es", "No hay suficientes respuestas para compartir esta semana.", "90 % o más"),
        ("de", "Nicht genug Antworten, um diese Woche etwas zu teilen.", "90 % oder mehr"),
    ]:
        channel = make_channel(locale=locale)
        assert summarise(channel, round_, []).message.text == sentence
        text = summarise(channel, round_, workloads(round_, *["4"] * 20)).message.text
        assert everyone in text
        assert SUPPRESSED_EN not in text


def test_sparkline_scales_to_a_fixed_range_and_marks_gaps():
    assert sparkline([1.0, 3.0, 5.0], low=1, high=5) == "▁▅█"
    assert sparkline([0.0, None, 0.5, 1.0], low=0, high=1) == "▁·▅█"
    assert sparkline([None, None], low=0, high=1) == "··"
    assert sparkline([-1.0, 9.0], low=1, high=5) == "▁█"
    assert sparkline([], low=0, high=1) == ""
    with pytest.raises(ValueError, match="high"):
        sparkline([1.0], low=1, high=1)


def test_trend_is_built_only_from_what_the_viewer_was_shown():
    channel = make_channel(k=5)
    oldest, suppressed, previous, current = (make_round(week) for week in (1, 2, 3, 4))
    history = [
        (previous, workloads(previous, "3", "3", "3", "3", "4")),
        (suppressed, workloads(suppressed, "1", "1", "1", "1")),
        (oldest, workloads(oldest, "5", "5", "5", "5", "5")),
    ]
    summary = summarise(
        channel, current, workloads(current, "1", "1", "2", "1", "1"), history=history
    )
    trend = summary.message.sections[2]
    assert trend.heading == "Recent check-ins, oldest first"
    assert trend.lines == (
        "Average workload (higher is heavier): █·▅▁",
        "A dot marks a check-in that had too few answers to share.",
    )


def test_trend_points_per_signal():
    from bot.insights.render import trend_point

    channel = make_channel(k=5)
    current = make_round(2)
    answers = [
        {"extra_hours": "some", "covering": "yes", "real_rest": "no", "energy": "5"},
        {"extra_hours": "many", "covering": "no", "real_rest": "partly", "energy": "4"},
        {"extra_hours": "none", "covering": "no", "real_rest": "yes", "energy": "4"},
        {"extra_hours": "none", "covering": "no", "real_rest": "no", "energy": "3"},
        {"extra_hours": "none", "covering": "no", "real_rest": "no", "energy": "3"},
    ]
    seen = summarise(channel, current, team(current, answers)).seen
    assert trend_point(seen, Signal.EXTRA_HOURS) == 0.4
    assert trend_point(seen, Signal.COVERING) == 0.2
    assert trend_point(seen, Signal.REAL_REST) == 0.6
    assert trend_point(seen, Signal.ENERGY) == 3.8
    assert trend_point(seen, Signal.WORKLOAD) is None
    assert trend_point(None, Signal.ENERGY) is None


def test_trend_covers_at_most_eight_periods():
    channel = make_channel(k=3)
    rounds = [make_round(week) for week in range(12)]
    history = [(r, workloads(r, "3", "3", "3")) for r in reversed(rounds[:-1])]
    summary = summarise(channel, rounds[-1], workloads(rounds[-1], "3", "3", "3"), history=history)
    assert summary.line("Average workload") == "Average workload (higher is heavier): ▅▅▅▅▅▅▅▅"


def test_shared_notes_appear_sorted_once_the_threshold_is_met():
    channel = make_channel(k=3, comment_threshold=5)
    round_ = make_round()
    shared = ["  too many meetings ", "Deadline moved, thanks", "a quiet week", "b", "c"]
    checkins = [
        *(make_checkin(round_, person(i), note=n, note_shared=True) for i, n in enumerate(shared)),
        make_checkin(round_, person(9), note="my private worry", note_shared=False),
    ]
    summary = summarise(channel, round_, checkins)
    assert summary.published.counts is not None
    assert summary.published.counts.shared_notes == (
        "a quiet week",
        "b",
        "c",
        "Deadline moved, thanks",
        "too many meetings",
    )
    notes = summary.message.sections[-1]
    assert notes.heading == "Notes shared anonymously"
    assert notes.lines[0] == "“a quiet week”"
    assert "my private worry" not in summary.message.text


def test_shared_notes_stay_hidden_and_unkept_below_the_comment_threshold():
    channel = make_channel(k=3, comment_threshold=5)
    round_ = make_round()
    checkins = [
        make_checkin(round_, person(i), note=f"note {i}", note_shared=True) for i in range(4)
    ] + [make_checkin(round_, person(9), note="kept private", note_shared=False)]
    summary = summarise(channel, round_, checkins)
    assert summary.view.shown
    assert summary.published.counts is not None
    assert summary.published.counts.shared_notes == ()
    assert "note" not in summary.message.text.lower()


def test_a_viewers_own_note_does_not_count_towards_the_threshold():
    channel = make_channel(k=3, comment_threshold=5)
    round_ = make_round()
    checkins = [
        make_checkin(round_, person(i), note=f"note {i}", note_shared=True) for i in range(4)
    ] + [make_checkin(round_, MANAGER, note="mine", note_shared=True)]
    assert not summarise(channel, round_, checkins).view.notes
    assert summarise(channel, round_, checkins, viewer="slack:T1:UDEPUTY").view.notes


def test_notes_from_unfinished_check_ins_are_not_shared():
    channel = make_channel(k=3, comment_threshold=5)
    round_ = make_round()
    checkins = [
        make_checkin(round_, person(i), note=f"done note {i}", note_shared=True) for i in range(5)
    ] + [
        make_checkin(
            round_, person(9), state=CheckInState.EXPIRED, note="half-way note", note_shared=True
        )
    ]
    summary = summarise(channel, round_, checkins)
    assert summary.published.counts is not None
    assert "half-way note" not in summary.published.counts.shared_notes
    assert len(summary.published.counts.shared_notes) == 5


def test_preview_shows_own_answers_as_buckets():
    answers = {"workload": "4", "energy": "2", "extra_hours": "some"}
    text = preview_buckets(answers=answers, catalog=CATALOG, locale="en")
    assert text == "workload: heavy, energy: low, extra hours: some"


def test_preview_skips_unanswered_and_unknown_values():
    text = preview_buckets(
        answers={"covering": "yes", "real_rest": "partly", "workload": "9", "mood": "ok"},
        catalog=CATALOG,
        locale="en",
    )
    assert text == "covering for someone: yes, real rest: partly"
    assert preview_buckets(answers={}, catalog=CATALOG, locale="en") == (
        "no answers — you skipped every question"
    )


def test_preview_in_other_locales():
    answers = {"workload": "1", "covering": "no"}
    assert preview_buckets(answers=answers, catalog=CATALOG, locale="es") == (
        "carga de trabajo: baja, cubrir a alguien: no"
    )
    assert preview_buckets(answers=answers, catalog=CATALOG, locale="de") == (
        "Arbeitslast: gering, für jemanden einspringen: nein"
    )


PLACEHOLDER = re.compile(r"{(\w*)}")
ALLOWED_TOP_LEVEL = {"digest", "amount", "signal", "bucket", "nudge", "preview_bucket"}


def test_locales_share_keys_and_placeholders():
    english = load_insight_messages("en")
    assert {key.split(".")[0] for key in english} == ALLOWED_TOP_LEVEL
    assert english["digest.suppressed"] == SUPPRESSED_EN
    for locale in LOCALES:
        messages = load_insight_messages(locale)
        assert messages.keys() == english.keys(), locale
        for key, text in messages.items():
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), key


def test_every_bucket_and_signal_has_words_in_every_locale():
    for locale in LOCALES:
        messages = load_insight_messages(locale)
        for signal in Signal:
            assert f"signal.{signal.value}" in messages
            assert f"preview_bucket.name.{signal.value}" in messages
            assert f"digest.trend_metric.{signal.value}" in messages
            for bucket, _ in BUCKETS[signal]:
                assert f"bucket.{signal.value}.{bucket}" in messages
                assert f"preview_bucket.{signal.value}.{bucket}" in messages


def test_the_real_catalog_renders_the_same_words():
    from bot.app.catalog import YamlPromptCatalog
    from bot.insights.render import render_digest

    real = YamlPromptCatalog.load()
    round_ = make_round()
    answers = [{"workload": "4", "energy": "2", "covering": "yes", "real_rest": "no"}] * 5
    preview = {"workload": "5", "extra_hours": "many"}
    for locale in LOCALES:
        channel = make_channel(locale=locale)
        summary = summarise(channel, round_, team(round_, answers))

        def rendered(catalog, summary=summary, locale=locale):
            return render_digest(
                published=summary.published,
                view=summary.view,
                history=summary.history,
                channel="#design",
                catalog=catalog,
                locale=locale,
                recipient=MANAGER,
                idempotency_key="digest:key",
            )

        assert rendered(real) == rendered(CATALOG)
        assert preview_buckets(answers=preview, catalog=real, locale=locale) == (
            preview_buckets(answers=preview, catalog=CATALOG, locale=locale)
        )


def test_groups_that_differ_by_fewer_than_k_are_too_close():
    people = [person(i) for i in range(20)]
    five, six = frozenset(people[:5]), frozenset(people[:6])
    ten, other = frozenset(people[:10]), frozenset(people[10:20])
    assert too_close(five, six, k=5)  # subtracting isolates one person
    assert too_close(six, ten, k=5)  # four more
    assert not too_close(five, ten, k=5)  # five more: an aggregate of five
    assert not too_close(five, other, k=5)  # disjoint
    assert not too_close(other, frozenset(other), k=5)  # identical
    assert not too_close(six, ten, k=3)


def test_a_second_group_too_close_to_one_already_shown_is_withheld():
    channel = make_channel(k=5)
    round_ = make_round()
    shown = workloads(round_, *["4"] * 6)
    neighbour = Neighbour(shape=Shape.of(shown), k=5, hidden=frozenset())
    minus_one = summarise(channel, round_, shown[:5], neighbours=[neighbour])
    assert minus_one.view.outcome is Outcome.OVERLAP
    assert minus_one.view.withheld_k == 5
    assert "held back" in minus_one.message.text
    far_enough = summarise(channel, round_, shown[:5] + workloads(round_, "3"), neighbours=[])
    assert far_enough.view.shown


def test_a_signal_whose_answerers_are_too_close_is_hidden_alone():
    channel = make_channel(k=3)
    round_ = make_round()
    base = team(round_, [{"workload": "4", "energy": "3"}] * 6)
    neighbour = Neighbour(shape=Shape.of(base), k=3, hidden=frozenset())
    # The same six responded, but one of them skipped energy here.
    here = [*base[:5], make_checkin(round_, base[5].person_id, workload="4")]
    summary = summarise(channel, round_, here, neighbours=[neighbour])
    assert summary.view.shown
    assert summary.view.hidden == {
        Signal.ENERGY,
        Signal.EXTRA_HOURS,
        Signal.COVERING,
        Signal.REAL_REST,
    }
