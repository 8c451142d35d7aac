"""`ripple demo`: a seeded month of check-ins in two teams, through the real engine and storage."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

from adapters.console.personas import DESIGN, RESEARCH, Persona, Week
from adapters.console.render import render
from adapters.console.sender import ConsoleSender
from bot.clock import ManualClock
from bot.events import Origin, tapped
from bot.model import ActionChoice, Actor, Cadence, ChannelConfig, Person
from bot.outgoing import NudgeMessage, Outgoing, QuestionMessage, SummaryMessage, TextMessage
from bot.ports import Sender
from bot.ripple import Ripple

START = datetime(2026, 10, 5, 0, 0, tzinfo=UTC)  # a Monday
TICK = timedelta(hours=12)
PERIOD = re.compile(r"/(?P<year>\d{4})-W(?P<week>\d{2})")
SIGNAL_ORDER = ("workload", "energy", "extra_hours", "covering", "real_rest")
SAMPLES = {("sam", 0), ("lee", 0), ("kim", 1)}
# How the demo names each kind of nudge, for people reading its report.
NUDGE_LABELS = {
    "high_load": "Sustained heavy workload",
    "rest_deficit": "Too little real rest",
    "covering_concentrated": "Cover falling on a few people",
    "falling_energy": "Falling energy",
    "personal": "Your own heavy weeks",
}
# What a manager records in answer to a nudge, by the nudge's pattern.
RECORDED_ACTIONS = {
    "high_load": (ActionChoice.MOVE_DEADLINE, "The Friday release moves a week"),
    "rest_deficit": (ActionChoice.NO_MEETING_AFTERNOON, "Wednesdays from 13:00"),
    "covering_concentrated": (ActionChoice.REDISTRIBUTE_COVER, "A shared rota for support"),
    "falling_energy": (ActionChoice.PROTECTED_REST, "Nobody works late this week"),
}
SIGNPOST = "Ripple isn't a crisis service. If things feel like too much, the Employee Assistance Programme is free and confidential: 0800 123 456."


@dataclass(frozen=True, kw_only=True)
class Team:
    channel_id: str
    name: str
    config: ChannelConfig
    personas: tuple[Persona, ...]


TEAMS = (
    Team(
        channel_id="console:design",
        name="#design",
        config=ChannelConfig(
            cadence=Cadence(weekday=0, local_time=time(9, 30)),
            timezone="Europe/London",
            managers=frozenset({"console:maya"}),
            admins=frozenset({"console:maya"}),
            reminders=1,
            signpost=SIGNPOST,
        ),
        personas=DESIGN,
    ),
    Team(
        channel_id="console:research",
        name="#research",
        config=ChannelConfig(
            cadence=Cadence(weekday=2, local_time=time(10, 0)),
            timezone="Europe/Berlin",
            managers=frozenset({"console:noor"}),
            admins=frozenset({"console:noor"}),
        ),
        personas=RESEARCH,
    ),
)


@dataclass
class DemoReport:
    rounds: int = 0
    asked: int = 0
    reminders: int = 0
    digests: list[SummaryMessage] = field(default_factory=list)
    nudges: list[NudgeMessage] = field(default_factory=list)
    samples: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    delivered: int = 0
    recorded: list[str] = field(default_factory=list)  # what managers said the team will do
    heard: list[str] = field(default_factory=list)  # how the next check-in opened with it


class Simulation:
    """Drives the clock, lets each persona react to what they receive, and keeps notes."""

    def __init__(
        self, *, ripple: Ripple, sender: ConsoleSender, clock: ManualClock, seed: int
    ) -> None:
        self.ripple, self.sender, self.clock = ripple, sender, clock
        self.rng = random.Random(seed)
        self.personas = {f"console:{p.handle}": p for team in TEAMS for p in team.personas}
        self.snoozed: set[tuple[str, str]] = set()
        self.report = DemoReport()
        self._seen = 0
        self._thread_text: dict[str, str] = {}

    async def set_up(self) -> None:
        for team in TEAMS:
            await self.ripple.register_channel(
                channel_id=team.channel_id, name=team.name, config=team.config
            )
            people = [
                Person(
                    person_id=f"console:{p.handle}",
                    display_name=p.name,
                    timezone=p.timezone,
                    locale=p.locale,
                )
                for p in team.personas
            ]
            await self.ripple.sync_members(channel_id=team.channel_id, people=people)

    async def run(self, *, weeks: int) -> DemoReport:
        await self.set_up()
        end = START + timedelta(weeks=weeks) - timedelta(days=1)
        while self.clock.now() < end:
            report = await self.ripple.tick()
            self.report.rounds += report.opened
            self.report.asked += report.asked
            self.report.reminders += report.reminded
            await self.settle()
            self.clock.advance(TICK)
        return self.report

    async def settle(self) -> None:
        """Deliver, let people react, and repeat until nobody has anything new."""
        while True:
            await self.ripple.drain()
            fresh = self.sender.delivered[self._seen :]
            self._seen = len(self.sender.delivered)
            if not fresh:
                return
            for delivered in fresh:
                await self.receive(delivered.message)

    async def receive(self, message: Outgoing) -> None:
        self.report.delivered += 1
        if isinstance(message, SummaryMessage):
            self.report.digests.append(message)
            return
        if isinstance(message, NudgeMessage):
            self.report.nudges.append(message)
            await self.record(message)
            return
        persona = self.personas.get(message.recipient)
        week = self.week_of(message)
        if persona is None or week is None:
            return
        sample = self.report.samples.get((persona.handle, week))
        if (persona.handle, week) in SAMPLES:
            sample = self.report.samples.setdefault((persona.handle, week), [])
        if sample is not None:
            sample.append(_indent("Ripple", render(self.unrepeated(message))))
        opened_with_action = message.text.startswith(("At the last check-in", "After the last"))
        if isinstance(message, QuestionMessage) and opened_with_action and not self.report.heard:
            self.report.heard.append(f"{persona.name}, week {week + 1}: {message.text}")
        if isinstance(message, QuestionMessage) and week < len(persona.weeks):
            await self.react(persona, persona.weeks[week], message, sample)

    def unrepeated(self, message: Outgoing) -> Outgoing:
        """A message without the paragraphs the one before it in its thread already showed.

        Chat platforms edit a check-in's message in place; a terminal prints each anew, so
        the closing message would repeat the preview the person has just read.
        """
        thread = message.thread_key
        shown = self._thread_text.get(thread) if thread is not None else None
        if thread is not None:
            self._thread_text[thread] = message.text
        if shown is None or not isinstance(message, TextMessage):
            return message
        seen = set(shown.split("\n\n"))
        fresh = [part for part in message.text.split("\n\n") if part not in seen]
        return replace(message, text="\n\n".join(fresh)) if fresh else message

    async def record(self, nudge: NudgeMessage) -> None:
        """In week 2 the manager answers the first team nudge with its suggested action."""
        if nudge.personal or nudge.round_id is None or self.week_of(nudge) != 1:
            return
        if any(nudge.round_id in line for line in self.report.recorded):
            return
        choice, text = RECORDED_ACTIONS.get(nudge.rule, (ActionChoice.PROTECTED_REST, ""))
        result = await self.ripple.record_action(
            actor=Actor(person_id=nudge.recipient),
            round_id=nudge.round_id,
            choice=choice.value,
            text=text,
            rule=nudge.rule,
        )
        who = nudge.recipient.split(":")[-1].title()
        self.report.recorded.append(f"{who}, after {nudge.round_id}: {result.message}")

    def week_of(self, message: Outgoing) -> int | None:
        """Which week of the demo a message belongs to, from its round or thread."""
        return _week_in(getattr(message, "round_id", None) or message.thread_key or "")

    async def react(
        self, persona: Persona, week: Week, question: QuestionMessage, sample: list[str] | None
    ) -> None:
        pid = f"console:{persona.handle}"
        event: dict[str, str | None] = {}
        if question.action == "capacity":
            if week.answers is None and not week.rest:
                return  # too busy to answer at all this week
            key = (pid, question.round_id or "")
            if week.rest:
                event = {"kind": "capacity", "value": "rest"}
            elif week.snooze_first and key not in self.snoozed:
                self.snoozed.add(key)
                event = {"kind": "capacity", "value": "later"}
            else:
                event = {"kind": "capacity", "value": "now"}
        elif question.action == "snooze":
            event = {"kind": "snooze", "value": self.rng.choice(("in_1h", "this_afternoon"))}
        elif question.action == "answer" and week.answers is not None:
            value = week.answers[SIGNAL_ORDER.index(question.question_id or "")]
            event = {"kind": "answer", "value": value}
        elif question.action == "note":
            share = "shared" if week.share_note else "private"
            event = {"kind": "note", "value": share if week.note else "none", "text": week.note}
        if not event:
            return
        if sample is not None:
            label = next(
                (c.label for c in question.choices if c.value == event["value"]), event["value"]
            )
            said = f"[{label}]" + (f' "{event["text"]}"' if event.get("text") else "")
            sample.append(_indent(persona.name, said))
        origin = Origin(person_id=pid, occurred_at=self.clock.now())
        chosen = tapped(
            origin,
            action=str(event["kind"]),
            value=event["value"],
            round_id=question.round_id,
            question_id=question.question_id,
            text=event.get("text") or "",
        )
        if chosen is not None:
            await self.ripple.handle(chosen)


def _indent(who: str, text: str) -> str:
    lines = text.splitlines() or [""]
    pad = " " * (len(who) + 2)
    return "\n".join([f"{who}: {lines[0]}", *(pad + line for line in lines[1:])])


OpenRipple = Callable[[ManualClock, Mapping[str, Sender]], AbstractAsyncContextManager[Ripple]]


async def run_demo(
    *, write: Callable[[str], None], open_ripple: OpenRipple, seed: int = 7, weeks: int = 4
) -> DemoReport:
    """Run the simulation on the Ripple ``open_ripple`` gives (a fresh database) and report."""
    clock = ManualClock(START)
    sender = ConsoleSender()
    async with open_ripple(clock, {sender.platform: sender}) as ripple:
        simulation = Simulation(ripple=ripple, sender=sender, clock=clock, seed=seed)
        report = await simulation.run(weeks=weeks)
    _write_report(report, write=write, seed=seed, weeks=weeks)
    return report


def _write_report(
    report: DemoReport, *, write: Callable[[str], None], seed: int, weeks: int
) -> None:
    write(
        f"Ripple demo: {weeks} weekly check-ins in #design (8 people) and #research (3 people), seed {seed}."
    )
    write(
        "Everything below went through the real engine, outbox and a temporary SQLite database.\n"
    )
    write("== What people saw (a sample) ==")
    for (handle, week), lines in sorted(report.samples.items(), key=lambda item: item[0][1]):
        write(f"\n-- {handle.title()}, week {week + 1} --")
        write("\n".join(lines))
    write("\n== What managers received ==")
    for digest in report.digests:
        write(f"\n-- to {digest.recipient.split(':')[-1].title()} --")
        write(render(digest))
    write("\n== Nudges raised ==")
    told: set[tuple[str, str]] = set()
    for week, nudges in _by_week(report.nudges):
        write(f"\n-- week {week + 1} --")
        for nudge in nudges:
            name = nudge.recipient.split(":")[-1].title()
            who = f"privately, to {name}" if nudge.personal else f"to {name}"
            label = NUDGE_LABELS.get(nudge.rule, nudge.rule.replace("_", " "))
            if (nudge.rule, nudge.recipient) in told:
                write(f"{label}, {who}: raised again.")
                continue
            told.add((nudge.rule, nudge.recipient))
            write(f"\n{label}, {who}:")
            write(render(nudge))
    write("\n== Closing the loop ==")
    for line in report.recorded:
        write(f"\n-- recorded by {line}")
    for line in report.heard:
        write(f"\n-- the next check-in opened, for {line}")
    write(
        f"\n== Totals ==\nrounds opened: {report.rounds}, check-ins asked: {report.asked}, "
        f"reminders: {report.reminders}, messages delivered: {report.delivered}"
    )


def _by_week(nudges: list[NudgeMessage]) -> list[tuple[int, list[NudgeMessage]]]:
    """Nudges grouped by the demo week they came from, in order."""
    weeks: dict[int, list[NudgeMessage]] = {}
    for nudge in nudges:
        week = _week_in(nudge.idempotency_key)
        weeks.setdefault(-1 if week is None else week, []).append(nudge)
    return sorted(weeks.items())


def _week_in(text: str) -> int | None:
    """The demo week (0 for the first) of the round named in ``text``, if one is."""
    found = PERIOD.search(text)
    if found is None:
        return None
    start_year, start_week, _ = START.isocalendar()
    return (int(found["year"]) - start_year) * 52 + int(found["week"]) - start_week
