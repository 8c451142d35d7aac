"""The per-person check-in conversation: capacity gate, questions, note, done.

Each function takes the check-in as it is and returns what it becomes plus what to
say. A step that has already happened returns the check-in unchanged and says
nothing, so the same press or event delivered twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import assert_never
from zoneinfo import ZoneInfo

from bot.compose import SNOOZE_OPTIONS, Speaker
from bot.events import (
    Answered,
    Capacity,
    CapacityChosen,
    NoteChoice,
    NoteChosen,
    Requested,
    Skipped,
    SnoozeChosen,
    TurnEvent,
)
from bot.insights.render import preview_buckets
from bot.model import CheckIn, CheckInState, Round, freeze
from bot.outgoing import Outgoing
from bot.questions import QuestionSet
from bot.timefmt import local_label

NOTE_LIMIT = 1000
AFTERNOON_HOUR = 14
MORNING_HOUR = 9
SOONEST = timedelta(hours=1)  # "in an hour", and the least a preset may mean


@dataclass(frozen=True, kw_only=True)
class Turn:
    """Everything one step of the conversation needs to know."""

    checkin: CheckIn
    round_: Round
    questions: QuestionSet
    speaker: Speaker
    event: TurnEvent
    participants: int  # people asked in this round, for the preview's threshold line
    zone: str

    @property
    def now(self) -> datetime:
        return self.event.origin.occurred_at

    @property
    def comment_threshold(self) -> int:
        """How many people must share notes before any is shown, for this round."""
        return self.round_.terms.strictest(self.speaker.channel.config).comment_threshold

    def unique(self, label: str) -> str:
        """A key for a reply to this very event (a legitimate repeat gets its own)."""
        origin = self.event.origin
        return f"{label}:{origin.event_id or origin.occurred_at.isoformat()}"


@dataclass(frozen=True, kw_only=True)
class Step:
    checkin: CheckIn
    messages: tuple[Outgoing, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.messages)


def _same(turn: Turn) -> Step:
    return Step(checkin=turn.checkin)


def take_turn(turn: Turn) -> Step:
    match turn.event:
        case Requested():
            return resume_conversation(turn)
        case CapacityChosen():
            return choose_capacity(turn, turn.event.capacity)
        case SnoozeChosen():
            return choose_snooze(turn, turn.event)
        case Answered() | Skipped():
            return answer(turn, turn.event)
        case NoteChosen():
            return leave_note(turn, turn.event)
        case _:
            assert_never(turn.event)


def resume_conversation(turn: Turn) -> Step:
    """The person asked to check in: show where they are."""
    c, say = turn.checkin, turn.speaker
    if c.state is CheckInState.DONE:
        return Step(
            checkin=c, messages=(say.text(say.say("done.already"), key=turn.unique("already")),)
        )
    if c.state is CheckInState.RESTED:
        return Step(
            checkin=c, messages=(say.text(say.say("done.rested"), key=turn.unique("rested")),)
        )
    if c.state is CheckInState.EXPIRED:
        return Step(
            checkin=c, messages=(say.text(say.say("checkin.expired"), key=turn.unique("expired")),)
        )
    if c.state is CheckInState.ANSWERING:
        return Step(checkin=c, messages=(_current(turn, key=turn.unique("resume")),))
    asked = replace(c, state=CheckInState.ASKED, delivered=True, updated_at=turn.now)
    return Step(checkin=asked, messages=(say.gate(key=turn.unique("gate")),))


def _current(turn: Turn, *, key: str, lead: str | None = None) -> Outgoing:
    step = turn.checkin.step
    if step < len(turn.questions.questions):
        return turn.speaker.question(turn.questions, step, key=key, lead=lead)
    return turn.speaker.note_prompt(key=key, lead=lead, comment_threshold=turn.comment_threshold)


def choose_capacity(turn: Turn, capacity: Capacity) -> Step:
    c, say = turn.checkin, turn.speaker
    if capacity is Capacity.NOW and c.state in (CheckInState.ASKED, CheckInState.SNOOZED):
        started = replace(
            c, state=CheckInState.ANSWERING, step=0, delivered=True, updated_at=turn.now
        )
        return Step(
            checkin=started,
            messages=(say.question(turn.questions, 0, key=f"q:0:{c.snoozes}"),),
        )
    if capacity is Capacity.LATER and c.state in (CheckInState.ASKED, CheckInState.ANSWERING):
        offered = snooze_presets(now=turn.now, zone=turn.zone)
        return Step(
            checkin=c,
            messages=(say.snooze_options(key=f"later:{c.snoozes}", offered=offered),),
        )
    if capacity is Capacity.REST and c.is_open:
        rested = replace(
            c,
            state=CheckInState.RESTED,
            answers=freeze({}),
            step=0,
            completed_at=turn.now,
            updated_at=turn.now,
        )
        return _finished(turn, rested, opening="rest.ack", key="rest")
    return _same(turn)


def snooze_presets(*, now: datetime, zone: str) -> tuple[str, ...]:
    """The snooze presets that make sense at ``now`` in the person's zone: "this afternoon"
    only while the afternoon is at least an hour away."""
    afternoon_ahead = _afternoon(now, zone) - now >= SOONEST
    return tuple(o for o in SNOOZE_OPTIONS if o != "this_afternoon" or afternoon_ahead)


def _afternoon(now: datetime, zone: str) -> datetime:
    local_now = now.astimezone(ZoneInfo(zone))
    afternoon = local_now.replace(hour=AFTERNOON_HOUR, minute=0, second=0, microsecond=0)
    return afternoon.astimezone(now.tzinfo)


def snooze_until(option: str, *, now: datetime, zone: str) -> datetime | None:
    """When a snooze option ends, in the person's own day; None if it can't be read, or
    (for "this afternoon") if their afternoon has begun."""
    local_now = now.astimezone(ZoneInfo(zone))
    if option == "in_1h":
        return now + SOONEST
    if option == "this_afternoon":
        afternoon = _afternoon(now, zone)
        return afternoon if afternoon > now else None
    if option == "tomorrow_morning":
        tomorrow = (local_now + timedelta(days=1)).replace(
            hour=MORNING_HOUR, minute=0, second=0, microsecond=0
        )
        return tomorrow.astimezone(now.tzinfo)
    return None


def picked_until(chosen: datetime, *, now: datetime, zone: str) -> datetime | None:
    """When a snooze to a picked time ends (a naive time is the person's local time), or
    None if that time has passed."""
    if chosen.tzinfo is None:
        chosen = chosen.replace(tzinfo=ZoneInfo(zone))
    return chosen.astimezone(now.tzinfo) if chosen > now else None


def choose_snooze(turn: Turn, chosen: SnoozeChosen) -> Step:
    c, say = turn.checkin, turn.speaker
    if c.state not in (CheckInState.ASKED, CheckInState.ANSWERING):
        return _same(turn)
    until = None
    if chosen.until is not None:
        until = picked_until(chosen.until, now=turn.now, zone=turn.zone)
    elif chosen.preset is not None:
        until = snooze_until(chosen.preset, now=turn.now, zone=turn.zone)
    if until is None:
        lead = say.say("snooze.invalid")
        return Step(
            checkin=c,
            messages=(
                say.snooze_options(
                    key=turn.unique("snooze-invalid"),
                    lead=lead,
                    offered=snooze_presets(now=turn.now, zone=turn.zone),
                ),
            ),
        )
    if until >= turn.round_.closes_at:
        closes = local_label(turn.round_.closes_at, turn.zone)
        lead = say.say("snooze.too_late", closes=closes)
        return Step(
            checkin=c,
            messages=(
                say.snooze_options(
                    key=turn.unique("snooze-late"),
                    lead=lead,
                    offered=snooze_presets(now=turn.now, zone=turn.zone),
                ),
            ),
        )
    snoozed = replace(
        c,
        state=CheckInState.SNOOZED,
        snooze_until=until,
        snoozes=c.snoozes + 1,
        updated_at=turn.now,
    )
    ack = say.say("snooze.ack", when=local_label(until, turn.zone))
    return Step(checkin=snoozed, messages=(say.text(ack, key=f"snoozed:{snoozed.snoozes}"),))


def answer(turn: Turn, event: Answered | Skipped) -> Step:
    c, say = turn.checkin, turn.speaker
    questions = turn.questions.questions
    if c.state is not CheckInState.ANSWERING or c.step >= len(questions):
        return _same(turn)
    current = questions[c.step]
    if event.question_id != current.question_id:
        return _same(turn)  # a press on an earlier, already answered question
    answers: Mapping[str, str] = c.answers
    if isinstance(event, Answered):
        value = event.value.strip()
        if not current.accepts(value):
            lead = say.say("answer.invalid")
            message = say.question(turn.questions, c.step, key=turn.unique("invalid"), lead=lead)
            return Step(checkin=c, messages=(message,))
        answers = freeze({**c.answers, current.signal.value: value})
    advanced = replace(c, answers=answers, step=c.step + 1, updated_at=turn.now)
    key = f"q:{advanced.step}:{c.snoozes}"
    if advanced.step == len(questions):
        # Before they finish, show exactly what will be shared.
        preview = "\n\n".join([say.say("preview.heading"), *_preview_lines(turn, advanced)])
        return Step(
            checkin=advanced,
            messages=(
                say.note_prompt(key=key, lead=preview, comment_threshold=turn.comment_threshold),
            ),
        )
    return Step(checkin=advanced, messages=(_current(replace(turn, checkin=advanced), key=key),))


def leave_note(turn: Turn, event: NoteChosen) -> Step:
    c, say = turn.checkin, turn.speaker
    if c.state is not CheckInState.ANSWERING or c.step < len(turn.questions.questions):
        return _same(turn)
    text = event.text.strip()
    share = event.choice is NoteChoice.SHARED
    if len(text) > NOTE_LIMIT:
        lead = say.say("note.too_long", limit=NOTE_LIMIT)
        return Step(
            checkin=c,
            messages=(
                say.note_prompt(
                    key=turn.unique("note-long"),
                    lead=lead,
                    comment_threshold=turn.comment_threshold,
                ),
            ),
        )
    done = replace(
        c,
        state=CheckInState.DONE,
        note=text or None,
        note_shared=bool(text) and share,
        completed_at=turn.now,
        updated_at=turn.now,
    )
    return _finished(turn, done, opening="done.thanks", key="done")


def _finished(turn: Turn, checkin: CheckIn, *, opening: str, key: str) -> Step:
    """The closing message: thanks (or rest well), what is shared, and the signpost."""
    say = turn.speaker
    body = "\n\n".join(
        [say.say(opening), say.say("preview.heading"), *_preview_lines(turn, checkin)]
    )
    footer = say.channel.config.signpost
    return Step(checkin=checkin, messages=(say.text(body, key=key, footer=footer),))


def _preview_lines(turn: Turn, checkin: CheckIn) -> list[str]:
    """What the manager will see, told before anything is shared."""
    say = turn.speaker
    terms = turn.round_.terms.strictest(say.channel.config)
    if turn.participants < terms.k:
        return [say.say("preview.small_channel", k=terms.k)]
    lines = [say.say("preview.totals")]
    if checkin.state is CheckInState.RESTED:
        lines.append(say.say("preview.rest"))
    elif checkin.answers:
        buckets = preview_buckets(answers=checkin.answers, catalog=say.catalog, locale=say.locale)
        lines.append(say.say("preview.buckets", buckets=buckets))
    lines.append(say.say("preview.threshold", k=terms.k))
    if terms.epsilon is not None:
        lines.append(say.say("preview.noise"))
    if checkin.note and checkin.note_shared:
        lines.append(say.say("preview.note_shared", threshold=terms.comment_threshold))
    elif checkin.note:
        lines.append(say.say("preview.note_private"))
    return lines


__all__ = ["SNOOZE_OPTIONS", "Step", "Turn", "snooze_presets", "snooze_until", "take_turn"]
