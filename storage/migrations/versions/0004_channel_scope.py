"""Each channel's scope: the Slack workspace or Teams team its settings belong to.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Existing channels get theirs from what Ripple already knows: a Slack channel's id names
its workspace, a Teams channel's stored address names its team, a console channel is the
console's. A channel whose team isn't known keeps none until Teams next tells Ripple,
and until then only its Ripple admins may change its settings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _scope(channel_id: str, address: str | None) -> str | None:
    platform, _, rest = channel_id.partition(":")
    if platform == "slack":
        team, _, _ = rest.partition(":")
        return f"slack:{team}" if team else None
    if platform == "console":
        return "console"
    if platform == "teams" and address:
        try:
            document = json.loads(address)
        except ValueError:
            return None
        tenant, team = document.get("tenantId"), document.get("teamId")
        return f"teams:{tenant}:{team}" if tenant and team else None
    return None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("scope", _key(), nullable=True))
    bind = op.get_bind()
    channels = sa.table("channels", sa.column("channel_id"), sa.column("scope"))
    addresses = sa.table("addresses", sa.column("owner_id"), sa.column("data"))
    known = dict(bind.execute(sa.select(addresses.c.owner_id, addresses.c.data)).all())
    for (channel_id,) in bind.execute(sa.select(channels.c.channel_id)).all():
        scope = _scope(channel_id, known.get(channel_id))
        if scope is not None:
            bind.execute(
                channels.update().where(channels.c.channel_id == channel_id).values(scope=scope)
            )


def downgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("scope")
