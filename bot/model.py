"""Domain values: channels and their configuration, people, rounds and check-ins."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_K = 3
DEFAULT_K = 5
DEFAULT_COMMENT_THRESHOLD = 10
MIN_COMMENT_THRESHOLD = 5
QUARTER_WEEKS = 13
MAX_NOISE_BUDGET = 100.0
MAX_REMINDERS = 2
DEFAULT_ANCHOR = date(2024, 1, 1)  # a Monday; "every N weeks" counts from here


class ConfigError(ValueError):
    """A channel configuration value is out of range; the message says which and why.

    ``field`` names the setting at fault, so a settings form can point at it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def platform_of(ref: str) -> str:
    """The platform prefix of a person or channel id, e.g. ``slack`` in ``slack:T1:U1``."""
    return ref.split(":", 1)[0]


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin",
            field="timezone",
        ) from exc
    return name


@dataclass(frozen=True, kw_only=True)
class Cadence:
    """When a channel's check-in is asked: a weekday and local time, every N weeks."""

    weekday: int = 0  # Monday = 0
    local_time: time = time(9, 30)
    every_weeks: int = 1
    anchor: date = DEFAULT_ANCHOR

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ConfigError("weekday must be 0 (Monday) to 6 (Sunday)", field="weekday")
        if not 1 <= self.every_weeks <= 8:
            raise ConfigError("the cadence must be every 1 to 8 weeks", field="every_weeks")


@dataclass(frozen=True, kw_only=True)
class ChannelConfig:
    """Per-channel configuration, stored as data and validated on construction."""

    cadence: Cadence = field(default_factory=Cadence)
    timezone: str = "UTC"
    question_set: str = "default"
    locale: str = "en"
    k: int = DEFAULT_K
    comment_threshold: int = DEFAULT_COMMENT_THRESHOLD
    managers: frozenset[str] = frozenset()
    admins: frozenset[str] = frozenset()
    reminders: int = 1
    nudges: bool = True
    quiet_dates: frozenset[date] = frozenset()
    signpost: str | None = None
    response_window_hours: int = 72
    # Optional differential privacy: the ε a channel's summaries may spend in one quarter.
    noise_budget: float | None = None

    def __post_init__(self) -> None:
        check_timezone(self.timezone)
        if self.k < MIN_K:
            raise ConfigError(
                f"the anonymity threshold k must be at least {MIN_K} (got {self.k}); "
                "smaller groups cannot be summarised without exposing people",
                field="k",
            )
        if self.comment_threshold < max(self.k, MIN_COMMENT_THRESHOLD):
            raise ConfigError(
                f"the comment threshold ({self.comment_threshold}) cannot be below k "
                f"({self.k}) or {MIN_COMMENT_THRESHOLD}",
                field="comment_threshold",
            )
        if self.noise_budget is not None and not 0 < self.noise_budget <= MAX_NOISE_BUDGET:
            raise ConfigError(
                f"the noise budget ε must be above 0 and at most {MAX_NOISE_BUDGET:g}",
                field="noise_budget",
            )
        if not 0 <= self.reminders <= MAX_REMINDERS:
            raise ConfigError(f"reminders must be between 0 and {MAX_REMINDERS}", field="reminders")
        if not 12 <= self.response_window_hours <= 24 * 6:
            raise ConfigError(
                "the response window must be between 12 hours and 6 days",
                field="response_window_hours",
            )
        if self.signpost is not None and len(self.signpost) > 500:
            raise ConfigError("the signpost text must be at most 500 characters", field="signpost")


@dataclass(frozen=True, kw_only=True)
class Channel:
    """A channel Ripple checks in with.

    ``scope`` is the place it belongs to, as its platform names it (a Slack workspace, a
    Teams team): settings of a channel can only be changed from there.
    """

    channel_id: str
    name: str
    config: ChannelConfig = field(default_factory=ChannelConfig)
    active: bool = True
    scope: str | None = None
    # When its member list is next read from the platform (None: as soon as possible), and
    # how many reads in a row have failed since the last that worked.
    members_due_at: datetime | None = None
    members_failures: int = 0

    @property
    def platform(self) -> str:
        return platform_of(self.channel_id)


class Role(enum.StrEnum):
    """What a platform vouches for about someone, in the place a request came from."""

    WORKSPACE_ADMIN = "workspace_admin"  # a Slack workspace admin or owner, a Teams team owner


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who is acting and from where, as the platform authenticated it; never from form data.

    ``place`` is the workspace or team the request came from (the same kind of name as
    ``Channel.scope``); ``roles`` hold in that place only.
    """

    person_id: str
    place: str | None = None
    roles: frozenset[Role] = frozenset()


@dataclass(frozen=True, kw_only=True)
class Person:
    person_id: str
    display_name: str
    timezone: str | None = None
    locale: str | None = None
    paused: bool = False

    @property
    def platform(self) -> str:
        return platform_of(self.person_id)


def rounds_per_quarter(cadence: Cadence) -> int:
    """How many rounds a cadence schedules in a quarter (13 weeks), rounding up."""
    return -(-QUARTER_WEEKS // cadence.every_weeks)


def quarter_bounds(day: date) -> tuple[date, date]:
    """The calendar quarter ``day`` falls in, as [first day, first day of the next)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, end


@dataclass(frozen=True, kw_only=True)
class RoundTerms:
    """The privacy terms a round was opened under; later settings changes never reach it.

    People answer under the terms in force when they are asked, so a lower k or comment
    threshold chosen afterwards applies only to rounds opened after the change.
    ``noise_budget`` is the channel's ε per quarter, and ``epsilon`` the share of it this
    round spends; both None means its figures are exact.
    """

    k: int = DEFAULT_K
    comment_threshold: int = DEFAULT_COMMENT_THRESHOLD
    epsilon: float | None = None
    noise_budget: float | None = None

    @staticmethod
    def of(config: ChannelConfig) -> RoundTerms:
        epsilon = None
        if config.noise_budget is not None:
            epsilon = config.noise_budget / rounds_per_quarter(config.cadence)
        return RoundTerms(
            k=config.k,
            comment_threshold=config.comment_threshold,
            epsilon=epsilon,
            noise_budget=config.noise_budget,
        )

    def strictest(self, config: ChannelConfig) -> RoundTerms:
        """These terms, tightened by any stricter setting chosen since: a raise protects at once."""
        return replace(
            self,
            k=max(self.k, config.k),
            comment_threshold=max(self.comment_threshold, config.comment_threshold),
        )


class RoundStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, kw_only=True)
class Round:
    """One check-in period of one channel; unique per (channel, period)."""

    round_id: str
    channel_id: str
    period: str  # ISO week of the scheduled date, e.g. "2026-W48"
    scheduled_date: date
    opens_at: datetime
    closes_at: datetime
    status: RoundStatus = RoundStatus.OPEN
    digest_sent: bool = False  # its summary has been published (and digests queued)
    terms: RoundTerms = field(default_factory=RoundTerms)

    @staticmethod
    def make_id(channel_id: str, period: str) -> str:
        return f"{channel_id}/{period}"


class CheckInState(enum.StrEnum):
    ASKED = "asked"
    ANSWERING = "answering"
    DONE = "done"
    SNOOZED = "snoozed"
    RESTED = "rested"
    EXPIRED = "expired"


OPEN_STATES = frozenset({CheckInState.ASKED, CheckInState.ANSWERING, CheckInState.SNOOZED})
RESPONDED_STATES = frozenset({CheckInState.DONE, CheckInState.RESTED})


def freeze(answers: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(answers))


@dataclass(frozen=True, kw_only=True)
class CheckIn:
    """One person's check-in in one round: its state, position and answers."""

    round_id: str
    person_id: str
    channel_id: str
    state: CheckInState = CheckInState.ASKED
    due_at: datetime
    delivered: bool = False
    step: int = 0
    answers: Mapping[str, str] = field(default_factory=lambda: freeze({}))
    note: str | None = None
    note_shared: bool = False
    snooze_until: datetime | None = None
    snoozes: int = 0
    reminders_sent: int = 0
    updated_at: datetime
    completed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def responded(self) -> bool:
        return self.state in RESPONDED_STATES

    @property
    def thread_key(self) -> str:
        """The message slot this conversation updates in place."""
        return f"checkin:{self.round_id}:{self.person_id}"


class ActionChoice(enum.StrEnum):
    """The collective actions a digest or nudge suggests; a manager may also write their own."""

    MOVE_DEADLINE = "move_deadline"
    REDISTRIBUTE_COVER = "redistribute_cover"
    NO_MEETING_AFTERNOON = "no_meeting_afternoon"
    PROTECTED_REST = "protected_rest"


ACTION_TEXT_LIMIT = 280


@dataclass(frozen=True, kw_only=True)
class TeamAction:
    """What a team will do about one published week, as its manager recorded it.

    One per round (a later record replaces it). It names nobody: not who recorded it, and
    never who said what. ``rule`` is the nudge pattern it answers, when it came from one.
    """

    round_id: str
    channel_id: str
    period: str
    choice: ActionChoice | None
    text: str
    rule: str | None
    recorded_at: datetime
