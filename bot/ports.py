"""Ports: the small interfaces the core needs from storage, platforms, time and prompts."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from bot.model import Channel, CheckIn, Person, Round, TeamAction
from bot.outgoing import Outgoing
from bot.questions import QuestionSet

if TYPE_CHECKING:
    from bot.insights.published import Published, View
    from bot.rhythm import TickReport


class ChannelRepository(Protocol):
    async def get(self, channel_id: str) -> Channel | None: ...
    async def save(self, channel: Channel) -> None: ...
    async def list_active(self) -> list[Channel]: ...
    async def list_all(self) -> list[Channel]: ...
    async def members(self, channel_id: str) -> frozenset[str]: ...
    async def add_member(self, channel_id: str, person_id: str) -> bool:
        """Add a member; False when they already were one."""
        ...

    async def remove_member(self, channel_id: str, person_id: str) -> bool: ...
    async def channels_of(self, person_id: str) -> list[str]: ...


class PersonRepository(Protocol):
    async def get(self, person_id: str) -> Person | None: ...
    async def save(self, person: Person) -> None: ...
    async def delete(self, person_id: str) -> bool: ...


class RoundRepository(Protocol):
    async def get(self, round_id: str) -> Round | None: ...
    async def create(self, round_: Round) -> bool:
        """Insert a round; False (and nothing written) when its (channel, period) exists."""
        ...

    async def save(self, round_: Round) -> None: ...
    async def list_open(self) -> list[Round]: ...
    async def list_closed_without_digest(self) -> list[Round]: ...
    async def recent_closed(self, channel_id: str, *, limit: int) -> list[Round]:
        """Closed rounds of a channel, newest first."""
        ...


class CheckInRepository(Protocol):
    async def get(
        self, round_id: str, person_id: str, *, for_update: bool = False
    ) -> CheckIn | None:
        """One check-in; ``for_update`` holds it against concurrent changes until commit."""
        ...

    async def count_for_round(self, round_id: str) -> int: ...
    async def create(self, checkin: CheckIn) -> bool:
        """Insert a check-in; False (and nothing written) when it already exists."""
        ...

    async def save(self, checkin: CheckIn) -> None: ...
    async def list_for_round(self, round_id: str) -> list[CheckIn]: ...
    async def list_for_person(self, person_id: str) -> list[CheckIn]:
        """All of a person's check-ins, newest due first."""
        ...

    async def list_needing_attention(self, now: datetime) -> list[CheckIn]:
        """Open check-ins that are due to be asked, un-snoozed or reminded at ``now``.

        That is: ``asked`` and not yet delivered with ``due_at <= now``; ``snoozed``
        with ``snooze_until <= now``; and ``asked`` or ``answering`` ones that have been
        delivered (the caller decides whether a reminder is due).
        """
        ...

    async def delete_for_person(self, person_id: str) -> int: ...
    async def purge_closed_before(
        self, cutoff: datetime, *, person_prefix: str | None = None
    ) -> int:
        """Delete the check-ins (answers and notes) of rounds that closed before ``cutoff``;
        with ``person_prefix``, only those whose person id starts with it."""
        ...


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class OutboxMessage:
    """A durable, uniquely keyed message waiting to be (or already) delivered."""

    message_id: int | None  # assigned by the outbox
    idempotency_key: str
    platform: str
    recipient: str
    thread_key: str | None
    payload: Outgoing
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    platform_message_id: str | None = None
    last_error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class OutboxBacklog:
    """What the outbox holds that is not yet settled (pending, or being sent)."""

    waiting: int
    oldest_created_at: datetime | None  # None when nothing waits


class OutboxRepository(Protocol):
    async def add(self, message: Outgoing, *, now: datetime) -> bool:
        """Queue a message; False (and nothing written) when its idempotency key exists."""
        ...

    async def get(self, idempotency_key: str) -> OutboxMessage | None: ...
    async def claim_due(
        self,
        *,
        now: datetime,
        platforms: frozenset[str],
        limit: int,
        lease_seconds: float,
        recipients: frozenset[str] | None = None,
    ) -> list[OutboxMessage]:
        """Claim pending messages due at ``now`` (and expired leases), oldest first.

        Claimed rows become ``sending`` until ``now + lease_seconds``; on PostgreSQL the
        claim uses ``FOR UPDATE SKIP LOCKED`` so replicas never claim the same row.
        With ``recipients``, only messages to those recipients are claimed, so a reply
        need not wait behind a large fan-out.
        """
        ...

    async def mark_sent(
        self, message_id: int, *, platform_message_id: str | None, now: datetime
    ) -> None: ...
    async def mark_retry(
        self, message_id: int, *, next_attempt_at: datetime, error: str, count_attempt: bool = True
    ) -> None:
        """Put the message back for later; without ``count_attempt`` the claim is given back."""
        ...

    async def mark_failed(self, message_id: int, *, error: str, now: datetime) -> None: ...
    async def thread_message_id(self, thread_key: str) -> str | None:
        """The platform id of the latest sent message of a thread, to update in place."""
        ...

    async def list_for_recipient(self, recipient: str) -> list[OutboxMessage]: ...
    async def delete_for_recipient(self, recipient: str) -> int: ...
    async def delete(self, message_id: int) -> None:
        """Remove one message (e.g. an ephemeral one once it is settled); KeyError if gone."""
        ...

    async def list_with_key_prefix(self, prefix: str) -> list[OutboxMessage]:
        """Messages whose idempotency key starts with ``prefix``, oldest first."""
        ...

    async def replace_payload(self, message_id: int, message: Outgoing) -> None:
        """Rewrite what a message says, keeping its key, recipient and delivery state."""
        ...

    async def purge_settled_before(self, cutoff: datetime) -> int:
        """Delete sent and failed messages settled before ``cutoff``, and any message, even
        one never delivered, created before it."""
        ...

    async def count_by_status(self) -> dict[OutboxStatus, int]: ...
    async def backlog(self) -> OutboxBacklog:
        """How many messages wait to be delivered, and when the oldest of them was queued."""
        ...


class ProcessedEventRepository(Protocol):
    async def record(self, event_id: str, *, now: datetime) -> bool:
        """Remember a platform event id; False when it was already recorded."""
        ...

    async def purge_before(self, cutoff: datetime) -> int:
        """Forget event ids recorded before ``cutoff``."""
        ...


@dataclass(frozen=True, kw_only=True)
class Address:
    """How to reach a person or channel on its platform, as that platform's adapter wrote it.

    ``data`` is the adapter's own routing document (e.g. a Teams conversation reference as
    JSON); the core stores it and never reads it. ``reachable`` turns False when the
    platform says the bot can no longer write there (uninstalled, blocked).
    """

    owner_id: str  # a person id or channel id
    data: str
    updated_at: datetime
    reachable: bool = True


class AddressRepository(Protocol):
    async def get(self, owner_id: str) -> Address | None: ...
    async def save(self, address: Address) -> None:
        """Insert or replace the address of ``address.owner_id``."""
        ...

    async def mark_unreachable(self, owner_id: str, *, now: datetime) -> bool:
        """False when no address is known for ``owner_id``."""
        ...

    async def list_with_prefix(self, prefix: str) -> list[Address]:
        """Addresses whose owner id starts with ``prefix`` (e.g. one tenant's), by owner id."""
        ...

    async def delete(self, owner_id: str) -> bool:
        """False when no address is known for ``owner_id``."""
        ...

    async def purge_unreachable_before(self, cutoff: datetime) -> int:
        """Delete addresses that have been unreachable since before ``cutoff``."""
        ...


class SummaryRepository(Protocol):
    """Published summaries and each viewer's decision: written once, then only read."""

    async def add(self, published: Published, views: Sequence[View]) -> bool:
        """Store a round's summary and its views (all of that round); False, and nothing
        written, if it was already published."""
        ...

    async def get(self, round_id: str) -> Published | None: ...
    async def view(self, round_id: str, viewer: str) -> View | None: ...
    async def recent(self, channel_id: str, *, until: date, limit: int) -> list[Published]:
        """A channel's summaries scheduled on or before ``until``, newest first."""
        ...

    async def for_period(self, period: str) -> list[Published]:
        """Every channel's summary of one period."""
        ...

    async def spent(self, channel_id: str, *, start: date, end: date) -> float:
        """The noise budget a channel's summaries scheduled in [start, end) have spent."""
        ...

    async def delete_views_of(self, viewer: str) -> int: ...
    async def clear_notes(self, round_id: str) -> bool:
        """Drop every shared note of one summary; False if it had none."""
        ...

    async def clear_notes_before(self, cutoff: datetime) -> int:
        """Drop the shared notes of summaries published before ``cutoff``."""
        ...


class TombstoneRepository(Protocol):
    """One-way marks of people who erased their data, so syncs don't bring them back.

    A mark is a SHA-256 hex digest (``bot.oneway``): 64 characters.
    """

    async def add(self, mark: str, *, now: datetime) -> None: ...
    async def contains(self, mark: str) -> bool: ...
    async def remove(self, mark: str) -> bool: ...


class ActionRepository(Protocol):
    """What teams decided to do about their published weeks, one per round."""

    async def save(self, action: TeamAction) -> None:
        """Record an action, replacing any earlier one for the same round."""
        ...

    async def for_round(self, round_id: str) -> TeamAction | None: ...
    async def recent(self, channel_id: str, *, limit: int) -> list[TeamAction]:
        """A channel's actions, newest week first."""
        ...


class UnitOfWork(Protocol):
    """One atomic piece of work: commit keeps everything, leaving without it keeps nothing."""

    @property
    def channels(self) -> ChannelRepository: ...
    @property
    def people(self) -> PersonRepository: ...
    @property
    def rounds(self) -> RoundRepository: ...
    @property
    def checkins(self) -> CheckInRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def events(self) -> ProcessedEventRepository: ...
    @property
    def addresses(self) -> AddressRepository: ...
    @property
    def summaries(self) -> SummaryRepository: ...
    @property
    def tombstones(self) -> TombstoneRepository: ...
    @property
    def actions(self) -> ActionRepository: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...


class Store(Protocol):
    """Where Ripple keeps everything; hands out units of work."""

    def unit_of_work(self) -> UnitOfWork: ...
    async def is_ready(self) -> bool:
        """True when the store is reachable and its schema is current."""
        ...

    async def close(self) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time as an aware UTC datetime."""
        ...


class SignInLinks(Protocol):
    """Makes the signed, expiring, single-use links that sign a person in to the web view."""

    def link(self, person_id: str, *, now: datetime) -> str:
        """A link that signs ``person_id`` in once, for ``bot.webview.LINK_LIFETIME`` from
        ``now``."""
        ...


class PromptCatalog(Protocol):
    def message(self, key: str, *, locale: str, **params: object) -> str:
        """A rendered message in ``locale`` (falling back to English)."""
        ...

    def question_set(self, name: str, *, locale: str) -> QuestionSet: ...
    def locales(self) -> frozenset[str]: ...
    def question_sets(self) -> frozenset[str]: ...


class Noise(Protocol):
    """A source of calibrated noise for differentially private counts."""

    def laplace(self, counts: Sequence[int], *, epsilon: float, sensitivity: int) -> list[int]:
        """``counts`` plus noise making the release ε-DP when one person moves them by at
        most ``sensitivity`` in L1."""
        ...


class SendOutcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"  # an outage or error that may pass: try again later, counting an attempt
    DEFERRED = "deferred"  # the platform's pace says wait: try again later, not an attempt
    UNREACHABLE = "unreachable"  # this recipient cannot be reached; skip, keep going
    INACTIVE = "inactive"  # the installation is gone; stop sending to it


@dataclass(frozen=True, kw_only=True)
class SendResult:
    outcome: SendOutcome
    platform_message_id: str | None = None
    retry_after: float | None = None
    error: str | None = None
    rate_limited: bool = False  # the platform answered 429 (too many requests)


class Sender(Protocol):
    """Delivers Outgoing messages to one platform."""

    platform: str

    async def send(self, message: Outgoing, *, replaces: str | None) -> SendResult:
        """Deliver ``message``; ``replaces`` is the platform id of the message to update."""
        ...


class DeliveryResult(enum.StrEnum):
    """How one delivery attempt ended, as an operator counts it."""

    SENT = "sent"
    DEFERRED = "deferred"  # the pace (Ripple's or a 429's Retry-After) said wait
    RETRY = "retry"  # failed for now; tried again later
    GAVE_UP = "gave_up"  # failed too often; the message is marked failed
    UNREACHABLE = "unreachable"  # this recipient can't be reached
    INACTIVE = "inactive"  # the installation is gone


class Metrics(Protocol):
    """What the core counts for an operator's dashboards. Labels are platforms and outcomes
    only: never a person, channel or workspace."""

    def delivery(self, *, platform: str, result: DeliveryResult) -> None:
        """One attempt to send an outbox message ended with ``result``."""
        ...

    def rate_limited(self, *, platform: str) -> None:
        """The platform answered a send with 429."""
        ...

    def send_retried(self, *, platform: str) -> None:
        """A message went back into the outbox to be tried again later."""
        ...

    def ticked(self, report: TickReport) -> None:
        """The rhythm opened, asked, reminded, closed or published what ``report`` counts."""
        ...


class RosterReadError(Exception):
    """The platform could not say who is in a channel just now; the message says why."""


class Roster(Protocol):
    """Reads who is in a channel from one platform."""

    platform: str

    async def members(self, channel_id: str) -> list[Person]:
        """The channel's people now, bots left out; raises RosterReadError if the
        platform can't be read."""
        ...
