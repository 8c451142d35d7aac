"""Published summaries and views, round privacy terms, tombstones, one-way event ids.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Existing rounds take the k and comment threshold their channel has now. Processed event
ids already stored are replaced by their one-way digests, computed here as
``bot.oneway.event_mark`` computes them (kept inline: a migration must never change).
Slack installation records, which name whoever installed Ripple, are deleted: only the
bot records are used. A downgrade cannot bring either back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_K = 5
DEFAULT_COMMENT_THRESHOLD = 10


def _key() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _event_mark(event_id: str) -> str:
    return hashlib.sha256(f"ripple:event:{event_id}".encode()).hexdigest()


def _terms(config: Any) -> tuple[int, int]:
    if not isinstance(config, dict):
        return DEFAULT_K, DEFAULT_COMMENT_THRESHOLD
    k = int(config.get("k", DEFAULT_K))
    threshold = int(config.get("comment_threshold", DEFAULT_COMMENT_THRESHOLD))
    return k, max(threshold, k, 5)


def upgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("k", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("comment_threshold", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("epsilon", sa.Float(), nullable=True))
        batch.add_column(sa.Column("noise_budget", sa.Float(), nullable=True))
    bind = op.get_bind()
    channels = sa.table("channels", sa.column("channel_id"), sa.column("config", sa.JSON()))
    rounds = sa.table(
        "rounds",
        sa.column("channel_id"),
        sa.column("k", sa.Integer()),
        sa.column("comment_threshold", sa.Integer()),
    )
    for channel_id, config in bind.execute(sa.select(channels.c.channel_id, channels.c.config)):
        k, threshold = _terms(config)
        bind.execute(
            rounds.update()
            .where(rounds.c.channel_id == channel_id)
            .values(k=k, comment_threshold=threshold)
        )
    bind.execute(
        rounds.update()
        .where(rounds.c.k.is_(None))
        .values(k=DEFAULT_K, comment_threshold=DEFAULT_COMMENT_THRESHOLD)
    )
    with op.batch_alter_table("rounds") as batch:
        batch.alter_column("k", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("comment_threshold", existing_type=sa.Integer(), nullable=False)

    events = sa.table("processed_events", sa.column("event_id"), sa.column("recorded_at"))
    stored = list(bind.execute(sa.select(events.c.event_id, events.c.recorded_at)))
    if stored:
        bind.execute(events.delete())
        marked = {_event_mark(event_id): recorded for event_id, recorded in stored}
        bind.execute(
            events.insert(),
            [{"event_id": m, "recorded_at": recorded} for m, recorded in marked.items()],
        )

    # Ripple keeps only the bot's record of a Slack installation; the installation record
    # names the person who installed it, and nothing reads it.
    bind.execute(sa.text("DELETE FROM slack_installations"))

    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])

    op.create_table(
        "summaries",
        sa.Column("round_id", _key(), nullable=False),
        sa.Column("channel_id", _key(), nullable=False),
        sa.Column("period", _key(), nullable=False),
        sa.Column("scheduled_date", sa.Date(), nullable=False),
        sa.Column("published_at", _utc(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("comment_threshold", sa.Integer(), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=True),
        sa.Column("noise_budget", sa.Float(), nullable=True),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("has_notes", sa.Boolean(), nullable=False),
        sa.Column("spent", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.round_id"],
            name="fk_summaries_round_id_rounds",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name="pk_summaries"),
    )
    op.create_index(
        "ix_summaries_channel_id_scheduled_date", "summaries", ["channel_id", "scheduled_date"]
    )
    op.create_index("ix_summaries_period", "summaries", ["period"])
    op.create_index("ix_summaries_published_at", "summaries", ["published_at"])
    op.create_table(
        "summary_views",
        sa.Column("round_id", _key(), nullable=False),
        sa.Column("viewer_id", _key(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("hidden", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Boolean(), nullable=False),
        sa.Column("nudges", sa.JSON(), nullable=False),
        sa.Column("withheld_k", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["summaries.round_id"],
            name="fk_summary_views_round_id_summaries",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "viewer_id", name="pk_summary_views"),
    )
    op.create_index("ix_summary_views_viewer_id", "summary_views", ["viewer_id"])
    op.create_table(
        "tombstones",
        sa.Column("mark", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("mark", name="pk_tombstones"),
    )


def downgrade() -> None:
    op.drop_table("tombstones")
    op.drop_index("ix_summary_views_viewer_id", table_name="summary_views")
    op.drop_table("summary_views")
    op.drop_index("ix_summaries_published_at", table_name="summaries")
    op.drop_index("ix_summaries_period", table_name="summaries")
    op.drop_index("ix_summaries_channel_id_scheduled_date", table_name="summaries")
    op.drop_table("summaries")
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("noise_budget")
        batch.drop_column("epsilon")
        batch.drop_column("comment_threshold")
        batch.drop_column("k")
