"""A simulated year, through every daylight-saving change, in seven time zones: each week
everyone is asked once at the channel's local time, reminded once, and the manager gets one
summary after the round closes. Never twice, never skipped."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.memory import MemoryStore
from bot.model import Cadence, ChannelConfig, Person
from bot.outgoing import Outgoing, QuestionMessage, SummaryMessage
from bot.ports import SendOutcome, SendResult
from bot.ripple import Ripple

ZONES = (
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",  # +12:45, +13:45 in its summer
    "America/St_Johns",  # -3:30, -2:30 in its summer
)
STEP = timedelta(minutes=30)
# A Friday: last week's rounds have closed everywhere, so the first ask is a Monday's.
START = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
END = START + timedelta(days=365)
ASK_AT = time(9, 30)
PEOPLE = 3


@dataclass
class Recorder:
    """The console's place: what was sent, to whom, and when by the test's clock."""

    clock: ManualClock
    sent: list[tuple[datetime, Outgoing]] = field(default_factory=list)
    platform: str = "sim"

    async def send(self, message: Outgoing, *, replaces: str | None) -> SendResult:
        self.sent.append((self.clock.now(), message))
        return SendResult(outcome=SendOutcome.SENT, platform_message_id=f"m{len(self.sent)}")


def channel_of(zone: str) -> str:
    return f"sim:{zone.replace('/', '-').lower()}"


async def test_a_year_in_seven_time_zones_asks_reminds_and_summarises_on_time() -> None:
    clock = ManualClock(START)
    recorder = Recorder(clock)
    ripple = Ripple(
        store=MemoryStore(),
        catalog=YamlPromptCatalog.load(),
        clock=clock,
        senders={"sim": recorder},
    )
    for zone in ZONES:
        channel = channel_of(zone)
        config = ChannelConfig(
            cadence=Cadence(weekday=0, local_time=ASK_AT),
            timezone=zone,
            reminders=1,
            managers=frozenset({f"{channel}:manager"}),
        )
        await ripple.register_channel(channel_id=channel, name=zone, scope="sim", config=config)
        people = [Person(person_id=f"{channel}:p{n}", display_name=f"P{n}") for n in range(PEOPLE)]
        await ripple.sync_members(channel_id=channel, people=people)

    while clock.now() < END:
        await ripple.tick()
        await ripple.drain(limit=500)
        clock.advance(STEP)

    keys = Counter(message.idempotency_key for _, message in recorder.sent)
    assert [key for key, n in keys.items() if n > 1] == []  # never twice
    for zone in ZONES:
        mondays = _mondays(zone)
        asks: dict[str, list[datetime]] = defaultdict(list)
        reminders: dict[str, list[datetime]] = defaultdict(list)
        digests: list[datetime] = []
        for at, message in recorder.sent:
            if not message.recipient.startswith(channel_of(zone)):
                continue
            if isinstance(message, SummaryMessage):
                digests.append(at)
            elif isinstance(message, QuestionMessage) and message.action == "capacity":
                kind = reminders if ":reminder:" in message.idempotency_key else asks
                kind[message.recipient].append(at)
        local = ZoneInfo(zone)
        for person in range(PEOPLE):
            mine = asks[f"{channel_of(zone)}:p{person}"]
            assert [a.astimezone(local).date() for a in mine] == mondays, zone
            for asked in mine:
                wall = asked.astimezone(local)
                due = datetime.combine(wall.date(), ASK_AT, tzinfo=local)
                assert due <= asked < due + STEP, (zone, asked)
            reminded = reminders[f"{channel_of(zone)}:p{person}"]
            assert len(reminded) == len(mine), zone
            for asked, reminder in zip(mine, reminded, strict=True):
                assert timedelta(hours=24) <= reminder - asked < timedelta(hours=24) + STEP
        # One summary a round, once it has closed (the response window is 72 hours).
        closed = [m for m in mondays if _monday_ask(m, local) + timedelta(hours=72) < END]
        assert len(digests) == len(closed), zone
        for monday, digest in zip(closed, sorted(digests), strict=True):
            closes = _monday_ask(monday, local) + timedelta(hours=72)
            assert closes <= digest < closes + STEP, (zone, monday, digest)


def _mondays(zone: str) -> list[date]:
    """The Mondays whose 09:30 local falls inside the simulated year."""
    local = ZoneInfo(zone)
    day, found = START.astimezone(local).date() - timedelta(days=7), []
    while day <= END.astimezone(local).date():
        if day.weekday() == 0 and START <= _monday_ask(day, local) < END:
            found.append(day)
        day += timedelta(days=1)
    return found


def _monday_ask(day: date, local: ZoneInfo) -> datetime:
    return datetime.combine(day, ASK_AT, tzinfo=local).astimezone(UTC)
