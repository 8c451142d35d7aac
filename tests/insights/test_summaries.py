"""Concrete round summaries: buckets, rounding, suppression, trends, notes and the preview."""

from __future__ import annotations

import re

import pytest

from bot.insights import (
    BUCKETS,
    bucket_of,
    overlapping_groups_at_risk,
    preview_buckets,
    render_digest,
    sparkline,
    summarise_round,
)
from bot.insights.aggregate import tenths
from bot.model import CheckInState, RoundStatus
from bot.questions import SIGNAL_VALUES, Signal

from .support import (
    CATALOG,
    LOCALES,
    load_insight_messages,
    make_channel,
    make_checkin,
    make_round,
    person,
    team,
    workloads,
)

SUPPRESSED_EN = "Not enough responses to share this week."


def summarise(channel, round_, checkins, *, members=None, history=()):
    return summarise_round(
        channel=channel,
        round_=round_,
        checkins=checkins,
        members=len(checkins) if members is None else members,
        history=history,
    )


def digest(channel, summary):
    return render_digest(
        summary=summary,
        channel=channel,
        catalog=CATALOG,
        recipient="slack:T1:UMANAGER",
        idempotency_key=f"digest:{summary.round_id}:slack:T1:UMANAGER",
    )


def shares(summary, signal):
    return dict(next(s for s in summary.signals if s.signal is signal).buckets)


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


def test_bucket_shares_are_rounded_to_ten_percent():
    round_ = make_round()
    summary = summarise(
        make_channel(), round_, workloads(round_, "1", "2", "3", "3", "4", "5", "5")
    )
    assert shares(summary, Signal.WORKLOAD) == {"low": 0.3, "moderate": 0.3, "heavy": 0.4}


def test_each_signal_is_bucketed():
    round_ = make_round()
    answers = [
        {"energy": "1", "extra_hours": "none", "covering": "no", "real_rest": "yes"},
        {"energy": "3", "extra_hours": "some", "covering": "no", "real_rest": "partly"},
        {"energy": "4", "extra_hours": "many", "covering": "no", "real_rest": "no"},
        {"energy": "5", "extra_hours": "many", "covering": "yes", "real_rest": "no"},
        {"energy": "2", "extra_hours": "none", "covering": "no", "real_rest": "no"},
    ]
    summary = summarise(make_channel(), round_, team(round_, answers))
    assert shares(summary, Signal.ENERGY) == {"low": 0.4, "ok": 0.2, "high": 0.4}
    assert shares(summary, Signal.EXTRA_HOURS) == {"none": 0.4, "some": 0.2, "many": 0.4}
    assert shares(summary, Signal.COVERING) == {"no": 0.8, "yes": 0.2}
    assert shares(summary, Signal.REAL_REST) == {"yes": 0.2, "partly": 0.2, "no": 0.6}


def test_fewer_than_k_respondents_reveals_nothing():
    channel = make_channel(k=5)
    round_ = make_round()
    checkins = [
        *workloads(round_, "5", "5", "4", "4"),
        make_checkin(round_, person(50), state=CheckInState.EXPIRED, workload="5"),
        make_checkin(round_, person(51), state=CheckInState.ANSWERING, workload="5"),
    ]
    summary = summarise(channel, round_, checkins, members=12)
    assert not summary.revealed
    assert summary.participation is None
    assert summary.rest_share is None
    assert summary.signals == ()
    assert summary.trend == {}
    message = digest(channel, summary)
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
    assert summary.revealed
    assert summary.participation == 1.0
    assert summary.rest_share == 0.4
    workload = next(s for s in summary.signals if s.signal is Signal.WORKLOAD)
    assert workload.suppressed, "only three people answered workload, fewer than k"


def test_participation_and_rest_share_are_rounded_percentages():
    channel = make_channel(k=5)
    round_ = make_round()
    checkins = [
        *workloads(round_, "3", "3", "4", "4", "2"),
        make_checkin(round_, person(10), state=CheckInState.RESTED),
    ]
    summary = summarise(channel, round_, checkins, members=8)
    assert summary.participation == 0.8  # 6 of 8 = 75%, halves round up
    assert summary.rest_share == 0.2  # 1 of 6 = 17%
    text = digest(channel, summary).text
    assert "Checked in: 80% of the channel." in text
    assert "Chose rest: 20% of those who checked in — rest counts as a response." in text
    assert "6" not in text.replace("2026-W12", "")


def test_participation_never_exceeds_everyone_when_members_is_stale():
    channel = make_channel(k=3)
    round_ = make_round()
    summary = summarise(channel, round_, workloads(round_, "3", "3", "3"), members=2)
    assert summary.participation == 1.0


def test_a_signal_answered_by_fewer_than_k_is_suppressed_on_its_own():
    channel = make_channel(k=5)
    round_ = make_round()
    answers = [{"workload": "4", "energy": "2"}] * 4 + [{"workload": "2"}]
    summary = summarise(channel, round_, team(round_, answers))
    by_signal = {s.signal: s for s in summary.signals}
    assert not by_signal[Signal.WORKLOAD].suppressed
    assert by_signal[Signal.ENERGY].suppressed
    assert by_signal[Signal.ENERGY].buckets == ()
    lines = digest(channel, summary).sections[1].lines
    assert "Workload: low 20%, moderate 0%, heavy 80%" in lines
    assert "Energy: not enough answers to show." in lines
    assert "Real rest: not enough answers to show." in lines


def test_an_open_round_is_never_summarised():
    round_ = make_round(status=RoundStatus.OPEN)
    with pytest.raises(ValueError, match="open"):
        summarise(make_channel(), round_, workloads(round_, "3", "3", "3", "3", "3"))


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
    message = digest(channel, summarise(channel, round_, team(round_, answers), members=5))
    assert not message.suppressed
    assert message.text == "\n".join(
        [
            "Check-in summary for #design, 2026-W12",
            "",
            "This week",
            "Checked in: 100% of the channel.",
            "Chose rest: 0% of those who checked in — rest counts as a response.",
            "",
            "How the week felt",
            "Workload: low 20%, moderate 20%, heavy 60%",
            "Energy: low 40%, okay 40%, high 20%",
            "Extra hours: none 60%, some 20%, many 20%",
            "Covering for someone: no 80%, yes 20%",
            "Real rest: not enough answers to show.",
            "Shares are rounded to the nearest 10%, so they may not add up to 100%.",
        ]
    )


def test_digest_follows_the_channel_locale():
    round_ = make_round()
    for locale, sentence in [
        ("es", "No hay suficientes respuestas para compartir esta semana."),
        ("de", "Nicht genug Antworten, um diese Woche etwas zu teilen."),
    ]:
        channel = make_channel(locale=locale)
        assert digest(channel, summarise(channel, round_, [])).text == sentence
        revealed = summarise(channel, round_, workloads(round_, "4", "4", "4", "4", "4"))
        text = digest(channel, revealed).text
        assert "100 %" in text
        assert SUPPRESSED_EN not in text


def test_sparkline_scales_to_a_fixed_range_and_marks_gaps():
    assert sparkline([1.0, 3.0, 5.0], low=1, high=5) == "▁▅█"
    assert sparkline([0.0, None, 0.5, 1.0], low=0, high=1) == "▁·▅█"
    assert sparkline([None, None], low=0, high=1) == "··"
    assert sparkline([-1.0, 9.0], low=1, high=5) == "▁█"
    assert sparkline([], low=0, high=1) == ""
    with pytest.raises(ValueError, match="high"):
        sparkline([1.0], low=1, high=1)


def test_trend_is_built_only_from_revealed_periods():
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
    assert summary.trend[Signal.WORKLOAD] == (5.0, None, 3.2, 1.2)
    assert summary.trend[Signal.ENERGY] == (None, None, None, None)
    trend = digest(channel, summary).sections[2]
    assert trend.heading == "Recent check-ins, oldest first"
    assert trend.lines == (
        "Average workload (higher is heavier): █·▅▁",
        "A dot marks a check-in that had too few answers to share.",
    )


def test_trend_metrics_per_signal():
    channel = make_channel(k=5)
    previous, current = make_round(1), make_round(2)
    answers = [
        {"extra_hours": "some", "covering": "yes", "real_rest": "no", "energy": "5"},
        {"extra_hours": "many", "covering": "no", "real_rest": "partly", "energy": "4"},
        {"extra_hours": "none", "covering": "no", "real_rest": "yes", "energy": "4"},
        {"extra_hours": "none", "covering": "no", "real_rest": "no", "energy": "3"},
        {"extra_hours": "none", "covering": "no", "real_rest": "no", "energy": "3"},
    ]
    summary = summarise(
        channel,
        current,
        team(current, answers),
        history=[(previous, team(previous, answers))],
    )
    assert summary.trend[Signal.EXTRA_HOURS] == (0.4, 0.4)
    assert summary.trend[Signal.COVERING] == (0.2, 0.2)
    assert summary.trend[Signal.REAL_REST] == (0.6, 0.6)
    assert summary.trend[Signal.ENERGY] == (3.8, 3.8)


def test_trend_covers_at_most_eight_periods():
    channel = make_channel(k=3)
    rounds = [make_round(week) for week in range(12)]
    history = [(r, workloads(r, "3", "3", "3")) for r in reversed(rounds[:-1])]
    summary = summarise(channel, rounds[-1], workloads(rounds[-1], "3", "3", "3"), history=history)
    assert summary.trend[Signal.WORKLOAD] == (3.0,) * 8


def test_open_or_foreign_history_rounds_are_gaps():
    channel = make_channel(k=3)
    open_round = make_round(1, status=RoundStatus.OPEN)
    foreign = make_round(2)
    foreign = type(foreign)(**{**foreign.__dict__, "channel_id": "slack:T1:COTHER"})
    current = make_round(3)
    summary = summarise(
        channel,
        current,
        workloads(current, "3", "3", "3"),
        history=[
            (foreign, workloads(foreign, "5", "5", "5")),
            (open_round, workloads(open_round, "5", "5", "5")),
        ],
    )
    assert summary.trend[Signal.WORKLOAD] == (None, None, 3.0)


def test_shared_notes_appear_sorted_once_the_threshold_is_met():
    channel = make_channel(k=3, comment_threshold=3)
    round_ = make_round()
    checkins = [
        make_checkin(round_, person(1), note="  too many meetings ", note_shared=True),
        make_checkin(round_, person(2), note="Deadline moved, thanks", note_shared=True),
        make_checkin(round_, person(3), note="a quiet week", note_shared=True),
        make_checkin(round_, person(4), note="my private worry", note_shared=False),
    ]
    summary = summarise(channel, round_, checkins)
    assert summary.shared_notes == ("a quiet week", "Deadline moved, thanks", "too many meetings")
    message = digest(channel, summary)
    notes = message.sections[-1]
    assert notes.heading == "Notes shared anonymously"
    assert notes.lines == ("“a quiet week”", "“Deadline moved, thanks”", "“too many meetings”")
    assert "my private worry" not in message.text


def test_shared_notes_stay_hidden_below_the_comment_threshold():
    channel = make_channel(k=3, comment_threshold=4)
    round_ = make_round()
    checkins = [
        make_checkin(round_, person(i), note=f"note {i}", note_shared=True) for i in range(3)
    ] + [make_checkin(round_, person(9), note="kept private", note_shared=False)]
    summary = summarise(channel, round_, checkins)
    assert summary.revealed
    assert summary.shared_notes == ()
    assert "note" not in digest(channel, summary).text.lower().replace("notes shared", "")


def test_notes_from_unfinished_check_ins_are_not_shared():
    channel = make_channel(k=3, comment_threshold=3)
    round_ = make_round()
    checkins = [
        make_checkin(round_, person(i), note=f"done note {i}", note_shared=True) for i in range(3)
    ] + [
        make_checkin(
            round_, person(9), state=CheckInState.EXPIRED, note="half-way note", note_shared=True
        )
    ]
    summary = summarise(channel, round_, checkins)
    assert summary.shared_notes == ("done note 0", "done note 1", "done note 2")


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
ALLOWED_TOP_LEVEL = {"digest", "signal", "bucket", "nudge", "preview_bucket"}


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
    from bot.catalog import YamlPromptCatalog

    real = YamlPromptCatalog.load()
    round_ = make_round()
    answers = [{"workload": "4", "energy": "2", "covering": "yes", "real_rest": "no"}] * 5
    preview = {"workload": "5", "extra_hours": "many"}
    for locale in LOCALES:
        channel = make_channel(locale=locale)
        summary = summarise(channel, round_, team(round_, answers))

        def rendered(catalog, channel=channel, summary=summary):
            return render_digest(
                summary=summary,
                channel=channel,
                catalog=catalog,
                recipient="slack:T1:UMANAGER",
                idempotency_key="digest:key",
            )

        assert rendered(real) == rendered(CATALOG)
        assert preview_buckets(answers=preview, catalog=real, locale=locale) == (
            preview_buckets(answers=preview, catalog=CATALOG, locale=locale)
        )


def test_overlapping_groups_that_differ_by_fewer_than_k_are_flagged():
    people = [person(i) for i in range(20)]
    groups = {
        "five": frozenset(people[:5]),
        "six": frozenset(people[:6]),  # one more than "five": subtracting isolates one person
        "other": frozenset(people[10:20]),  # disjoint: subtraction isolates nobody
        "ten": frozenset(people[:10]),  # five more than "five" and four more than "six"
        "same": frozenset(people[10:20]),  # identical to "other": nothing to subtract
    }
    assert overlapping_groups_at_risk(groups=groups, k=5) == {"five", "six", "ten"}
    assert overlapping_groups_at_risk(groups=groups, k=3) == {"five", "six"}
    assert overlapping_groups_at_risk(groups={}, k=5) == frozenset()
    small_and_apart = {"a": frozenset(people[:2]), "b": frozenset(people[2:9])}
    assert overlapping_groups_at_risk(groups=small_and_apart, k=5) == frozenset()
