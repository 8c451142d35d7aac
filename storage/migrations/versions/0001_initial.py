"""Initial schema: channels, members, people, rounds, check-ins, outbox, processed events.

Revision ID: 0001
Revises:
Create Date: 2025-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("channel_id", _key(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name="pk_channels"),
    )
    op.create_table(
        "channel_members",
        sa.Column("channel_id", _key(), nullable=False),
        sa.Column("person_id", _key(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "person_id", name="pk_channel_members"),
    )
    op.create_index("ix_channel_members_person_id", "channel_members", ["person_id"])
    op.create_table(
        "people",
        sa.Column("person_id", _key(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=True),
        sa.Column("locale", sa.String(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_people"),
    )
    op.create_table(
        "rounds",
        sa.Column("round_id", _key(), nullable=False),
        sa.Column("channel_id", _key(), nullable=False),
        sa.Column("period", _key(), nullable=False),
        sa.Column("scheduled_date", sa.Date(), nullable=False),
        sa.Column("opens_at", _utc(), nullable=False),
        sa.Column("closes_at", _utc(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("digest_sent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("round_id", name="pk_rounds"),
        sa.UniqueConstraint("channel_id", "period", name="uq_rounds_channel_id_period"),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.channel_id"], name="fk_rounds_channel_id_channels"
        ),
    )
    op.create_index("ix_rounds_status_digest_sent", "rounds", ["status", "digest_sent"])
    op.create_table(
        "checkins",
        sa.Column("round_id", _key(), nullable=False),
        sa.Column("person_id", _key(), nullable=False),
        sa.Column("channel_id", _key(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("due_at", _utc(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("note_shared", sa.Boolean(), nullable=False),
        sa.Column("snooze_until", _utc(), nullable=True),
        sa.Column("snoozes", sa.Integer(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("completed_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("round_id", "person_id", name="pk_checkins"),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.round_id"],
            name="fk_checkins_round_id_rounds",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_checkins_person_id", "checkins", ["person_id"])
    op.create_index("ix_checkins_state_due_at", "checkins", ["state", "due_at"])
    op.create_table(
        "outbox",
        sa.Column(
            "message_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("idempotency_key", _key(), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("recipient", _key(), nullable=False),
        sa.Column("thread_key", _key(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("next_attempt_at", _utc(), nullable=False),
        sa.Column("platform_message_id", sa.String(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("message_id", name="pk_outbox"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_recipient", "outbox", ["recipient"])
    op.create_index("ix_outbox_thread_key", "outbox", ["thread_key"])
    op.create_table(
        "processed_events",
        sa.Column("event_id", _key(), nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_events"),
    )
    op.create_index("ix_processed_events_recorded_at", "processed_events", ["recorded_at"])


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_table("outbox")
    op.drop_table("checkins")
    op.drop_table("rounds")
    op.drop_table("people")
    op.drop_table("channel_members")
    op.drop_table("channels")
