"""Property tests: whatever the team, answers and k, a digest reveals only what it may."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.insights.nudges import fired_rules, team_nudges
from bot.model import Channel, CheckIn, CheckInState, Round
from bot.outgoing import SummaryMessage
from bot.questions import SIGNAL_VALUES, Signal

from .support import CATALOG, MANAGER, make_channel, make_checkin, make_round, person, summarise

SUPPRESSED = "Not enough responses to share this week."
PRIVATE_MARK = "privatenote"
SHARED_MARK = "sharednote"
NOTE_WORDS = ("meetings", "deadline", "quiet", "thanks", "cover", "launch", "oncall")
STATES = (
    CheckInState.DONE,
    CheckInState.DONE,
    CheckInState.DONE,
    CheckInState.RESTED,
    CheckInState.ASKED,
    CheckInState.ANSWERING,
    CheckInState.SNOOZED,
    CheckInState.EXPIRED,
)
MANAGERS = (MANAGER, "slack:T1:UDEPUTY")

PROPERTY = settings(max_examples=100, deadline=None)


@dataclass(frozen=True)
class Scenario:
    channel: Channel
    round_: Round
    checkins: list[CheckIn]
    members: int
    history: list[tuple[Round, list[CheckIn]]]


NOTE_KINDS = ("none", "private", "shared", "shared")
CODE_SPACE = (
    len(STATES)
    * math.prod(len(values) + 1 for values in SIGNAL_VALUES.values())
    * len(NOTE_KINDS)
    * 3
    * len(NOTE_WORDS) ** 3
)


def decode(code: int) -> tuple[CheckInState, dict[str, str], str, str]:
    """One check-in's state, answers, note kind and note words, packed into one integer.

    Drawing one integer per check-in keeps generation fast for teams of forty.
    """
    code, state = divmod(code, len(STATES))
    answers = {}
    for signal, values in SIGNAL_VALUES.items():
        code, choice = divmod(code, len(values) + 1)
        if choice:
            answers[signal.value] = values[choice - 1]
    code, kind = divmod(code, len(NOTE_KINDS))
    code, extra_words = divmod(code, 3)
    words = []
    for _ in range(extra_words + 1):
        code, word = divmod(code, len(NOTE_WORDS))
        words.append(NOTE_WORDS[word])
    return STATES[state], answers, NOTE_KINDS[kind], " ".join(words)


def checkin_sets(round_: Round, *, size: int, start: int = 0) -> st.SearchStrategy[list[CheckIn]]:
    def build(codes: list[int]) -> list[CheckIn]:
        checkins = []
        for index, code in enumerate(codes):
            state, answers, kind, words = decode(code)
            note = {
                "none": None,
                "private": f"{PRIVATE_MARK}-{index} {words}",
                "shared": f"{SHARED_MARK} {words}",
            }[kind]
            checkins.append(
                make_checkin(
                    round_,
                    person(start + index),
                    state=state,
                    note=note,
                    note_shared=kind == "shared",
                    answers=answers,
                )
            )
        return checkins

    codes = st.integers(0, CODE_SPACE - 1)
    return st.lists(codes, min_size=size, max_size=size).map(build)


@st.composite
def scenarios(draw) -> Scenario:
    k = draw(st.integers(3, 15))
    channel = make_channel(k=k, comment_threshold=draw(st.integers(max(k, 5), max(k, 5) + 10)))
    round_ = make_round(20)
    checkins = draw(checkin_sets(round_, size=draw(st.integers(0, 45))))
    history = []
    for week in range(draw(st.integers(0, 3))):
        earlier = make_round(19 - week)
        size = draw(st.integers(0, 30))
        history.append((earlier, draw(checkin_sets(earlier, size=size, start=100 * week))))
    members = len(checkins) + draw(st.integers(0, 5))
    return Scenario(channel, round_, checkins, members, history)


def digest_of(scenario: Scenario, checkins: list[CheckIn] | None = None) -> SummaryMessage:
    return summarise(
        scenario.channel,
        scenario.round_,
        scenario.checkins if checkins is None else checkins,
        members=scenario.members,
        history=scenario.history,
    ).message


def everything(message: SummaryMessage) -> str:
    lines = [line for section in message.sections for line in (section.heading, *section.lines)]
    return "\n".join([message.title, message.text, *lines])


def respondents(checkins: list[CheckIn]) -> int:
    return sum(checkin.state in (CheckInState.DONE, CheckInState.RESTED) for checkin in checkins)


def is_tenth(share: float) -> bool:
    return 0 <= share <= 1 and abs(share * 10 - round(share * 10)) < 1e-9


@PROPERTY
@given(scenarios())
def test_too_few_respondents_reveal_nothing_at_all(scenario: Scenario) -> None:
    summary = summarise(scenario.channel, scenario.round_, scenario.checkins)
    message = summary.message
    if respondents(scenario.checkins) >= scenario.channel.config.k:
        assert not message.suppressed
        return
    assert summary.published.counts is None
    assert message.suppressed
    assert message.text == SUPPRESSED
    assert message.sections == ()
    assert not re.search(r"\d", message.text)
    assert message.title == f"Check-in summary for #design, {scenario.round_.period}"


@PROPERTY
@given(scenarios())
def test_shown_shares_never_say_nobody_everyone_or_an_exact_count(scenario: Scenario) -> None:
    message = digest_of(scenario)
    if message.suppressed:
        return
    overview, signals = message.sections[0], message.sections[1]
    for line in (*overview.lines, *signals.lines[: len(Signal)]):
        for number in re.findall(r"(\d+)%", line):
            assert 10 <= int(number) <= 90, line
            assert int(number) % 10 == 0, line


@PROPERTY
@given(scenarios())
def test_no_person_and_no_private_note_ever_appears(scenario: Scenario) -> None:
    text = everything(digest_of(scenario))
    assert "UPERSON" not in text
    assert PRIVATE_MARK not in text
    for checkin in scenario.checkins:
        assert checkin.person_id not in text
        if checkin.note and not checkin.note_shared:
            assert checkin.note not in text


@PROPERTY
@given(scenarios())
def test_shared_notes_appear_only_past_the_comment_threshold(scenario: Scenario) -> None:
    message = digest_of(scenario)
    text = everything(message)
    config = scenario.channel.config
    shared = sorted(
        checkin.note.strip()
        for checkin in scenario.checkins
        if checkin.state is CheckInState.DONE and checkin.note_shared and checkin.note
    )
    shown = respondents(scenario.checkins) >= config.k and len(shared) >= max(
        config.comment_threshold, config.k
    )
    if not shown:
        assert SHARED_MARK not in text
        return
    notes = message.sections[-1].lines
    assert len(notes) == len(shared)
    in_order = sorted(shared, key=lambda note: (note.casefold(), note))
    assert all(note in line for note, line in zip(in_order, notes, strict=True))


@PROPERTY
@given(st.data())
def test_digest_does_not_depend_on_check_in_order(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    shuffled = data.draw(st.permutations(scenario.checkins))
    assert digest_of(scenario, list(shuffled)) == digest_of(scenario)


@PROPERTY
@given(st.data())
def test_suppressed_signals_cannot_be_recovered_by_varying_them(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    before = digest_of(scenario)
    k = scenario.channel.config.k
    done = [checkin for checkin in scenario.checkins if checkin.state is CheckInState.DONE]
    hidden = [
        signal for signal in Signal if sum(signal.value in checkin.answers for checkin in done) < k
    ]
    varied = []
    for checkin in scenario.checkins:
        answers = dict(checkin.answers)
        for signal in hidden:
            if signal.value in answers:
                answers[signal.value] = data.draw(st.sampled_from(SIGNAL_VALUES[signal]))
        varied.append(replace(checkin, answers=answers))
    assert digest_of(scenario, varied) == before


@PROPERTY
@given(st.data())
def test_a_viewers_own_answers_never_count_towards_k(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    if not scenario.checkins:
        return
    mine = data.draw(st.sampled_from(scenario.checkins))
    summary = summarise(scenario.channel, scenario.round_, scenario.checkins, viewer=mine.person_id)
    others = respondents([c for c in scenario.checkins if c.person_id != mine.person_id])
    assert summary.view.shown == (others >= scenario.channel.config.k)
    if summary.view.shown:
        for signal in Signal:
            answered = sum(
                c.state is CheckInState.DONE
                and c.person_id != mine.person_id
                and c.answers.get(signal.value) in SIGNAL_VALUES[signal]
                for c in scenario.checkins
            )
            assert (signal in summary.view.hidden) == (answered < scenario.channel.config.k)


@PROPERTY
@given(scenarios())
def test_team_nudges_name_no_one(scenario: Scenario) -> None:
    messages = []
    for manager in MANAGERS:
        trail = summarise(
            scenario.channel,
            scenario.round_,
            scenario.checkins,
            history=scenario.history,
            viewer=manager,
        ).history
        messages.extend(
            team_nudges(
                rules=fired_rules(trail[::-1][:3]),
                round_id=scenario.round_.round_id,
                channel=scenario.channel.name,
                catalog=CATALOG,
                locale="en",
                recipient=manager,
            )
        )
    if respondents(scenario.checkins) < scenario.channel.config.k:
        assert messages == []
    for message in messages:
        assert message.recipient in MANAGERS
        assert not message.personal
        text = message.text + message.action + message.idempotency_key
        assert "UPERSON" not in text
        assert PRIVATE_MARK not in text
        assert SHARED_MARK not in text
