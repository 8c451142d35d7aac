"""The adversaries of docs/privacy.md, played against the real core over SQLite.

A curious manager manages every channel, sometimes answers check-ins themselves, and
collects everything they can get: digests, nudges, ``summary`` at any time, their home
page and their own export. Around them, people answer, rest, skip questions, join and
leave channels between weeks, erase their data, and an admin moves k up and down.

Checked over random worlds (0 counterexamples allowed):

1. Published once: every view of a week shows the figures it showed when it was published.
2. k others: a shown week had at least k respondents other than the viewer (k as the round
   was opened, or stricter), and a shown question at least k other answerers.
3. Differencing: two shown groups of one week differ by none or at least k people on
   each side, for respondents and for each shown question's answerers.
4. One other person's answers: changing them alters only the published weeks they took
   part in that the viewer was shown (and the trend points and nudges built on those).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.events import EventKind
from bot.insights.privacy import too_close
from bot.model import Actor, Cadence, ChannelConfig, Person
from bot.outgoing import NudgeMessage, SummaryMessage, TextMessage
from bot.questions import SIGNAL_VALUES, Signal
from bot.ripple import Ripple
from storage.migrate import upgrade_to_head
from storage.store import SqlStore
from tests.scripted import Conversation

CATALOG = YamlPromptCatalog.load()
START = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # a Monday
BOSS = "console:boss"  # manages every channel: the adversary
DEPUTY = "console:deputy"  # manages the first channel only
ADMIN = "console:admin"
PEOPLE = tuple(f"console:p{i}" for i in range(10))
CHANNELS = ("console:alpha", "console:beta", "console:gamma")
NAMES = {channel: "#" + channel.split(":")[1] for channel in CHANNELS}
SIGNAL_NAMES = {signal: CATALOG.message(f"signal.{signal.value}", locale="en") for signal in Signal}
FIGURE_STARTS = ("Checked in", "Chose rest", *SIGNAL_NAMES.values())
VALUES = {  # fewer values than the scale offers keep the worlds small and collisions likely
    Signal.WORKLOAD: ("2", "3", "5"),
    Signal.ENERGY: ("1", "3", "4"),
    Signal.EXTRA_HOURS: SIGNAL_VALUES[Signal.EXTRA_HOURS],
    Signal.COVERING: SIGNAL_VALUES[Signal.COVERING],
    Signal.REAL_REST: SIGNAL_VALUES[Signal.REAL_REST],
}

# One week's response of one person, the same in every channel they are asked in:
# "rest", or an answer (None for a skipped question) per signal in question order.
Answer = str | tuple[str | None, ...]


Change = tuple[str, str, object]  # ("leave" | "join", channel, person) or ("k", channel, k)


@dataclass(frozen=True)
class Week:
    answers: Mapping[str, Answer]
    before: tuple[Change, ...] = ()  # before the week's round opens
    during: tuple[Change, ...] = ()  # after people answered, before the round closes
    forget: str | None = None  # someone who erases their data after the week is published


@dataclass(frozen=True)
class World:
    members: Mapping[str, frozenset[str]]
    k: Mapping[str, int]
    weeks: tuple[Week, ...]


@dataclass(frozen=True)
class Seen:
    """One thing a viewer obtained, reduced to what can be compared."""

    phase: int
    viewer: str
    source: str  # digest, summary, home, nudge, export
    channel: str
    period: str
    figures: tuple[str, ...]
    trend: tuple[str, ...] = ()
    text: str = ""


@dataclass
class Truth:
    """What really happened, kept by the test itself."""

    respondents: dict[tuple[str, int], set[str]] = field(default_factory=lambda: defaultdict(set))
    answered: dict[tuple[str, int, Signal], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    k: dict[tuple[str, int], int] = field(default_factory=dict)


def period_of(week: int) -> str:
    day = (START + timedelta(weeks=week)).date().isocalendar()
    return f"{day.year}-W{day.week:02d}"


def week_of(period: str) -> int:
    return next(w for w in range(12) if period_of(w) == period)


answers = st.one_of(
    st.just("rest"),
    st.tuples(*(st.one_of(st.none(), st.sampled_from(VALUES[s])) for s in Signal)),
)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    people = draw(st.lists(st.sampled_from(PEOPLE), min_size=6, max_size=9, unique=True))
    pool = [*people, BOSS]
    first = frozenset(draw(st.lists(st.sampled_from(pool), min_size=4, unique=True)))
    members = {CHANNELS[0]: first}
    for channel in CHANNELS[1 : draw(st.integers(2, 3))]:
        dropped = draw(st.sets(st.sampled_from(sorted(first)), max_size=3))
        added = draw(st.sets(st.sampled_from(pool), max_size=3))
        members[channel] = frozenset((first - dropped) | added)
    k = {channel: draw(st.integers(3, 5)) for channel in members}
    everyone = sorted(set().union(*members.values()))

    def changes(most: int) -> tuple[Change, ...]:
        found: list[Change] = []
        for _ in range(draw(st.integers(0, most))):
            channel = draw(st.sampled_from(sorted(members)))
            kind = draw(st.sampled_from(["leave", "join", "k"]))
            target = draw(st.integers(3, 5) if kind == "k" else st.sampled_from(everyone))
            found.append((kind, channel, target))
        return tuple(found)

    weeks = []
    for week in range(draw(st.integers(2, 3))):
        responding = draw(st.sets(st.sampled_from(everyone), min_size=len(everyone) // 2))
        weeks.append(
            Week(
                answers={p: draw(answers) for p in sorted(responding)},
                before=changes(2) if week else (),
                during=changes(1),
                forget=draw(
                    st.one_of(
                        st.none(), st.sampled_from(sorted(responding & set(people)) or people)
                    )
                ),
            )
        )
    return World(members=members, k=k, weeks=tuple(weeks))


@contextmanager
def scratch_database(template: Path) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="ripple-adversary-") as folder:
        path = Path(folder) / "ripple.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("adversary") / "template.db"
    asyncio.run(upgrade_to_head(f"sqlite+aiosqlite:///{path}"))
    return path


class Play:
    """Runs a world through the real core and records what the viewers obtain."""

    def __init__(self, ripple: Ripple, clock: ManualClock, sender: ConsoleSender) -> None:
        self.ripple, self.clock, self.sender = ripple, clock, sender
        self.truth = Truth()
        self.seen: list[Seen] = []
        self.members: dict[str, set[str]] = {}
        self.k: dict[str, int] = {}
        self.erased: set[str] = set()
        self.phase = 0
        self._delivered = 0

    async def run(self, world: World) -> None:
        for channel, members in world.members.items():
            managers = {BOSS, DEPUTY} if channel == CHANNELS[0] else {BOSS}
            config = ChannelConfig(
                cadence=Cadence(weekday=0, local_time=time(9, 30)),
                k=world.k[channel],
                managers=frozenset(managers),
                admins=frozenset({ADMIN}),
                reminders=0,
            )
            await self.ripple.register_channel(
                channel_id=channel, name=NAMES[channel], config=config
            )
            self.members[channel] = set(members)
            self.k[channel] = world.k[channel]
            await self.sync(channel)
        for index, week in enumerate(world.weeks):
            await self.play_week(index, week)

    async def sync(self, channel: str) -> None:
        people = [Person(person_id=p, display_name=p) for p in sorted(self.members[channel])]
        await self.ripple.sync_members(channel_id=channel, people=people)

    async def change(self, changes: tuple[Change, ...]) -> None:
        for kind, channel, target in changes:
            if kind == "k":
                assert isinstance(target, int)
                self.k[channel] = target
                await self.ripple.configure_channel(
                    actor=Actor(person_id=ADMIN, place=None),
                    channel_id=channel,
                    config={"k": target},
                )
            elif isinstance(target, str) and target not in self.erased:
                (self.members[channel].discard if kind == "leave" else self.members[channel].add)(
                    target
                )
                await self.sync(channel)

    async def play_week(self, index: int, week: Week) -> None:
        await self.change(week.before)
        start = START + timedelta(weeks=index)
        self.clock.set(start)
        await self.ripple.tick()
        opened = dict(self.k)
        for person, answer in week.answers.items():
            if person in self.erased:
                continue
            for channel in sorted(c for c, m in self.members.items() if person in m):
                await self.answer(person, channel, answer, week=index)
        await self.change(week.during)
        for channel in self.members:
            # People answered under the k of the round's opening; a raise since protects too.
            self.truth.k[(channel, index)] = max(opened[channel], self.k[channel])
        self.clock.set(start + timedelta(days=3, minutes=1))
        await self.ripple.tick()
        await self.ripple.drain()
        await self.observe()
        if week.forget is not None and week.forget not in self.erased:
            await self.forget(week.forget)
            await self.observe()

    async def answer(self, person: str, channel: str, answer: Answer, *, week: int) -> None:
        chat = Conversation(self.ripple, person_id=person, channel_id=channel)
        await chat.send(EventKind.CHECKIN)
        if chat.last_question.action != "capacity":
            return
        self.clock.advance(timedelta(seconds=1))
        self.truth.respondents[(channel, week)].add(person)
        if answer == "rest":
            await chat.press("rest")
            return
        await chat.press("now")
        for signal, value in zip(Signal, answer, strict=True):
            if value is None:
                await chat.skip()
            else:
                await chat.press(value)
                self.truth.answered[(channel, week, signal)].add(person)
        await chat.press("none")

    async def forget(self, person: str) -> None:
        chat = Conversation(self.ripple, person_id=person)
        await chat.send(EventKind.FORGET)
        await chat.press("yes")
        await self.ripple.drain()
        self.erased.add(person)
        for members in self.members.values():
            members.discard(person)

    async def observe(self) -> None:
        self.phase += 1
        delivered = self.sender.delivered[self._delivered :]
        self._delivered = len(self.sender.delivered)
        for item in delivered:
            message = item.message
            if message.recipient not in (BOSS, DEPUTY):
                continue
            if isinstance(message, SummaryMessage):
                source = "digest" if message.idempotency_key.startswith("digest:") else "summary"
                self.seen.append(reading(self.phase, message.recipient, source, message))
            elif isinstance(message, NudgeMessage):
                round_id = message.idempotency_key.split(":")[1:-3]
                channel, _, period = ":".join(round_id).partition("/")
                self.seen.append(
                    Seen(
                        self.phase,
                        message.recipient,
                        "nudge",
                        channel,
                        period,
                        (),
                        (),
                        message.rule,
                    )
                )
        for viewer in (BOSS, DEPUTY):
            chat = Conversation(self.ripple, person_id=viewer)
            for message in await chat.send(EventKind.SUMMARY):
                if isinstance(message, SummaryMessage):
                    self.seen.append(reading(self.phase, viewer, "summary", message))
            home = await self.ripple.home(actor=Actor(person_id=viewer, place="console"))
            for section in home.sections[1:]:
                if section.heading.startswith("Check-in summary for"):
                    self.seen.append(
                        home_reading(self.phase, viewer, section.heading, section.lines)
                    )
            export = await chat.send(EventKind.EXPORT)
            data = next((m.data for m in export if isinstance(m, TextMessage)), None)
            self.seen.append(
                Seen(self.phase, viewer, "export", "", "", (), (), re.sub(r"\s+", " ", data or ""))
            )
        admin_home = await self.ripple.home(actor=Actor(person_id=ADMIN, place="console"))
        lines = tuple(line for section in admin_home.sections for line in section.lines)
        self.seen.append(Seen(self.phase, ADMIN, "admin", "", "", (), (), "\n".join(lines)))
        self.sender.delivered.clear()
        self._delivered = 0


def _title(title: str) -> tuple[str, str]:
    name, _, period = title.removeprefix("Check-in summary for ").rpartition(", ")
    channel = next(c for c, n in NAMES.items() if n == name)
    return channel, period


def _split(lines: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    figures = tuple(line for line in lines if line.startswith(FIGURE_STARTS))
    trend = tuple(
        line
        for line in lines
        if "): " in line and line.startswith(("Average", "Worked", "Covered", "Got no"))
    )
    return figures, trend


def reading(phase: int, viewer: str, source: str, message: SummaryMessage) -> Seen:
    channel, period = _title(message.title)
    lines = tuple(line for section in message.sections for line in section.lines)
    figures, trend = _split(lines)
    text = message.text if message.suppressed else ""
    return Seen(phase, viewer, source, channel, period, figures, trend, text)


def home_reading(phase: int, viewer: str, heading: str, lines: tuple[str, ...]) -> Seen:
    channel, period = _title(heading)
    figures, trend = _split(lines)
    text = lines[0] if not figures and lines else ""
    return Seen(phase, viewer, "home", channel, period, figures, trend, text)


async def play(world: World, database: str) -> Play:
    clock, sender = ManualClock(START), ConsoleSender()
    store = SqlStore.from_url(database)
    ripple = Ripple(store=store, catalog=CATALOG, clock=clock, senders={"console": sender})
    game = Play(ripple, clock, sender)
    try:
        await game.run(world)
    finally:
        await store.close()
    return game


def shown_signals(seen: Seen) -> set[Signal]:
    return {
        signal
        for signal, name in SIGNAL_NAMES.items()
        for line in seen.figures
        if line.startswith(name) and "not enough answers" not in line
    }


def check_published_once(game: Play) -> None:
    by_week: dict[tuple[str, str, str], set[tuple[tuple[str, ...], str]]] = defaultdict(set)
    for seen in game.seen:
        if seen.source in ("digest", "summary", "home"):
            by_week[(seen.viewer, seen.channel, seen.period)].add((seen.figures, seen.text))
    for key, readings in by_week.items():
        assert len(readings) == 1, f"{key} was shown differently over time: {readings}"


def check_k_others(game: Play) -> None:
    for seen in game.seen:
        if not seen.figures:
            continue
        week = week_of(seen.period)
        k = game.truth.k[(seen.channel, week)]
        others = game.truth.respondents[(seen.channel, week)] - {seen.viewer}
        assert len(others) >= k, f"{seen} shown with {len(others)} other respondents, k={k}"
        for signal in shown_signals(seen):
            answered = game.truth.answered[(seen.channel, week, signal)] - {seen.viewer}
            assert len(answered) >= k, f"{signal} shown to {seen.viewer} from {len(answered)}"


def check_differencing(game: Play) -> None:
    shown: dict[tuple[str, str], dict[str, Seen]] = defaultdict(dict)
    for seen in game.seen:
        if seen.figures and seen.source == "digest":
            shown[(seen.viewer, seen.period)][seen.channel] = seen
    for (viewer, period), channels in shown.items():
        week = week_of(period)
        names = sorted(channels)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                k = max(game.truth.k[(first, week)], game.truth.k[(second, week)])
                a = frozenset(game.truth.respondents[(first, week)])
                b = frozenset(game.truth.respondents[(second, week)])
                assert not too_close(a, b, k=k), (viewer, period, first, second, a, b, k)
                both = shown_signals(channels[first]) & shown_signals(channels[second])
                for signal in both:
                    a_s = frozenset(game.truth.answered[(first, week, signal)])
                    b_s = frozenset(game.truth.answered[(second, week, signal)])
                    assert not too_close(a_s, b_s, k=k), (viewer, period, signal, a_s, b_s, k)


PROPERTY = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@PROPERTY
@given(world=worlds())
def test_a_curious_manager_learns_nothing_the_rules_do_not_allow(
    world: World, template: Path
) -> None:
    with scratch_database(template) as database:
        game = asyncio.run(play(world, database))
    assert any(seen.source == "digest" for seen in game.seen)
    check_published_once(game)
    check_k_others(game)
    check_differencing(game)


def allowed(game: Play, target: str, week: int) -> set[tuple[str, str, str]]:
    """The (viewer, channel, period) of published weeks the target's answers may move."""
    period = period_of(week)
    return {
        (seen.viewer, seen.channel, seen.period)
        for seen in game.seen
        if seen.figures
        and seen.period == period
        and target in game.truth.respondents[(seen.channel, week)]
    }


def comparable(seen: Seen, moved: set[tuple[str, str, str]]) -> Seen | None:
    """A reading with the parts the target may move blanked out (None: drop it).

    A week the target took part in may differ; so may later weeks' trend lines of the
    same channel, which carry that week's points, and whether a nudge fired on them.
    """
    key = (seen.viewer, seen.channel, seen.period)
    earlier = any(
        v == seen.viewer and c == seen.channel and week_of(p) <= week_of(seen.period or p)
        for v, c, p in moved
    )
    if seen.source == "nudge":
        return None if earlier else seen
    if key in moved:
        return replace(seen, figures=(), trend=(), text="")
    if earlier and seen.source in ("digest", "summary", "home"):
        return replace(seen, trend=())
    return seen


def readings(game: Play, moved: set[tuple[str, str, str]]) -> list[str]:
    kept = (comparable(seen, moved) for seen in game.seen)
    return sorted(repr(seen) for seen in kept if seen is not None)


@PROPERTY
@given(world=worlds(), data=st.data())
def test_one_other_persons_answers_move_only_the_weeks_they_answered_in(
    world: World, data: st.DataObject, template: Path
) -> None:
    candidates = [
        (person, week)
        for week, plan in enumerate(world.weeks)
        for person in plan.answers
        if person not in (BOSS, DEPUTY)
    ]
    if not candidates:
        return
    target, week = data.draw(st.sampled_from(candidates))
    changed = data.draw(answers.filter(lambda a: a != world.weeks[week].answers[target]))
    weeks = list(world.weeks)
    weeks[week] = replace(weeks[week], answers={**weeks[week].answers, target: changed})
    other = replace(world, weeks=tuple(weeks))
    with scratch_database(template) as database:
        first = asyncio.run(play(world, database))
    with scratch_database(template) as database:
        second = asyncio.run(play(other, database))
    moved = allowed(first, target, week) | allowed(second, target, week)
    assert readings(first, moved) == readings(second, moved)
