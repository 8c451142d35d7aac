"""When each channel's member list is next read from its platform, and failed reads since.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Existing channels are due at once (the column starts empty), so Ripple reconciles every
channel's members with its platform soon after the upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("members_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("members_failures", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("members_failures")
        batch.drop_column("members_due_at")
