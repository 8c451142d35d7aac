"""What teams decided to do about their published weeks, one per round; it names nobody.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "team_actions",
        sa.Column("round_id", _key(), nullable=False),
        sa.Column("channel_id", _key(), nullable=False),
        sa.Column("period", _key(), nullable=False),
        sa.Column("choice", sa.String(32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(64), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.round_id"],
            name="fk_team_actions_round_id_rounds",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name="pk_team_actions"),
    )
    op.create_index("ix_team_actions_channel_id_period", "team_actions", ["channel_id", "period"])


def downgrade() -> None:
    op.drop_index("ix_team_actions_channel_id_period", table_name="team_actions")
    op.drop_table("team_actions")
