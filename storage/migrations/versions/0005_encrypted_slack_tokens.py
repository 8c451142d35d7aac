"""Room for encrypted Slack tokens: the token columns of the slack_* tables become Text.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Ripple stores Slack tokens encrypted (Fernet, ``fernet:`` in front). Encrypted, a token
grows by roughly a third plus 80 characters: a rotating token of some 190 characters
becomes some 340, past slack_sdk's String(200). A downgrade narrows the columns again
after deleting the encrypted tokens, which the Ripple of 0004 cannot read: those
workspaces install Ripple again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKEN_COLUMNS = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}
SLACK_SDK_TOKEN_LENGTH = 200


def upgrade() -> None:
    for table, columns in TOKEN_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column,
                    existing_type=sa.String(SLACK_SDK_TOKEN_LENGTH),
                    type_=sa.Text(),
                    existing_nullable=True,
                )


def downgrade() -> None:
    bind = op.get_bind()
    for table, columns in TOKEN_COLUMNS.items():
        rows = sa.table(table, *(sa.column(column) for column in columns))
        encrypted = sa.or_(*(rows.c[column].like("fernet:%") for column in columns))
        bind.execute(rows.delete().where(encrypted))
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column,
                    existing_type=sa.Text(),
                    type_=sa.String(SLACK_SDK_TOKEN_LENGTH),
                    existing_nullable=True,
                )
