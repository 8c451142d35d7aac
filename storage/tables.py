"""Declarative table models; the migrations in ``storage/migrations`` create the same schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.columns import UtcDateTime, key_type

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for statements that bypass the ORM's identity map."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a single table")
    return table


class ChannelRow(Base):
    __tablename__ = "channels"

    channel_id: Mapped[str] = mapped_column(key_type(), primary_key=True)
    name: Mapped[str] = mapped_column(String)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean)
    scope: Mapped[str | None] = mapped_column(key_type())  # its workspace or team
    members_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    members_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class MembershipRow(Base):
    """A person belongs to a channel; kept apart from ``people`` so either may come first."""

    __tablename__ = "channel_members"
    __table_args__ = (Index(None, "person_id"),)

    channel_id: Mapped[str] = mapped_column(key_type(), primary_key=True)
    person_id: Mapped[str] = mapped_column(key_type(), primary_key=True)


class PersonRow(Base):
    __tablename__ = "people"

    person_id: Mapped[str] = mapped_column(key_type(), primary_key=True)
    display_name: Mapped[str] = mapped_column(String)
    timezone: Mapped[str | None] = mapped_column(String)
    locale: Mapped[str | None] = mapped_column(String)
    paused: Mapped[bool] = mapped_column(Boolean)


class RoundRow(Base):
    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("channel_id", "period"),
        Index(None, "status", "digest_sent"),
    )

    round_id: Mapped[str] = mapped_column(key_type(), primary_key=True)
    channel_id: Mapped[str] = mapped_column(key_type(), ForeignKey("channels.channel_id"))
    period: Mapped[str] = mapped_column(key_type())
    scheduled_date: Mapped[date] = mapped_column(Date)
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))
    digest_sent: Mapped[bool] = mapped_column(Boolean)
    # The privacy terms the round was opened under (see bot.model.RoundTerms).
    k: Mapped[int] = mapped_column(Integer)
    comment_threshold: Mapped[int] = mapped_column(Integer)
    epsilon: Mapped[float | None] = mapped_column(Float)
    noise_budget: Mapped[float | None] = mapped_column(Float)


class CheckInRow(Base):
    __tablename__ = "checkins"
    __table_args__ = (
        Index(None, "person_id"),
        Index(None, "state", "due_at"),
    )

    round_id: Mapped[str] = mapped_column(
        key_type(), ForeignKey("rounds.round_id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(key_type(), primary_key=True)
    channel_id: Mapped[str] = mapped_column(key_type())
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    delivered: Mapped[bool] = mapped_column(Boolean)
    step: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    note_shared: Mapped[bool] = mapped_column(Boolean)
    snooze_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    snoozes: Mapped[int] = mapped_column(Integer)
    reminders_sent: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index(None, "status", "next_attempt_at"),
        Index(None, "recipient"),
        Index(None, "thread_key"),
        Index(None, "created_at"),
        Index(None, "sent_at"),
        {"sqlite_autoincrement": True},
    )

    message_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    idempotency_key: Mapped[str] = mapped_column(key_type(), unique=True)
    platform: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(key_type())
    thread_key: Mapped[str | None] = mapped_column(key_type())
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    platform_message_id: Mapped[str | None] = mapped_column(String)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ProcessedEventRow(Base):
    """Platform event ids already handled, kept as one-way digests that name nobody."""

    __tablename__ = "processed_events"
    __table_args__ = (Index(None, "recorded_at"),)

    event_id: Mapped[str] = mapped_column(key_type(), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AddressRow(Base):
    """An adapter's routing document for a person or channel, opaque to everything else."""

    __tablename__ = "addresses"

    owner_id: Mapped[str] = mapped_column(key_type(), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    reachable: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SummaryRow(Base):
    """A round's summary as published when it closed; never recomputed."""

    __tablename__ = "summaries"
    __table_args__ = (
        Index(None, "channel_id", "scheduled_date"),
        Index(None, "period"),
        Index(None, "published_at"),
    )

    round_id: Mapped[str] = mapped_column(
        key_type(), ForeignKey("rounds.round_id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(key_type())
    period: Mapped[str] = mapped_column(key_type())
    scheduled_date: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())
    k: Mapped[int] = mapped_column(Integer)
    comment_threshold: Mapped[int] = mapped_column(Integer)
    epsilon: Mapped[float | None] = mapped_column(Float)
    noise_budget: Mapped[float | None] = mapped_column(Float)
    members: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    has_notes: Mapped[bool] = mapped_column(Boolean)  # so retention finds notes to drop
    spent: Mapped[float] = mapped_column(Float)


class SummaryViewRow(Base):
    """What one viewer was shown of a published summary, decided at publication."""

    __tablename__ = "summary_views"
    __table_args__ = (Index(None, "viewer_id"),)

    round_id: Mapped[str] = mapped_column(
        key_type(), ForeignKey("summaries.round_id", ondelete="CASCADE"), primary_key=True
    )
    viewer_id: Mapped[str] = mapped_column(key_type(), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    hidden: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[bool] = mapped_column(Boolean)
    nudges: Mapped[list[str]] = mapped_column(JSON)
    withheld_k: Mapped[int | None] = mapped_column(Integer)


class TombstoneRow(Base):
    """A one-way mark of someone who erased their data; it names nobody."""

    __tablename__ = "tombstones"

    mark: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TeamActionRow(Base):
    """What a team decided to do about one published week; it names nobody."""

    __tablename__ = "team_actions"
    __table_args__ = (Index(None, "channel_id", "period"),)

    round_id: Mapped[str] = mapped_column(
        key_type(), ForeignKey("rounds.round_id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(key_type())
    period: Mapped[str] = mapped_column(key_type())
    choice: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
