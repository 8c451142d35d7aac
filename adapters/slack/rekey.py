"""Re-encrypting every stored Slack token under the newest key (`ripple rotate-key`)."""

from __future__ import annotations

from sqlalchemy import MetaData, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.installations import TOKEN_COLUMNS, BotOnlyInstallationStore
from adapters.slack.token_cipher import TokenCipher, TokenKeyError


def _token_tables() -> list[Table]:
    metadata = MetaData()
    store = BotOnlyInstallationStore
    return [
        store.build_bots_table(metadata, store.default_bots_table_name),
        store.build_installations_table(metadata, store.default_installations_table_name),
    ]


async def reencrypt_stored_tokens(*, engine: AsyncEngine, cipher: TokenCipher) -> int:
    """Re-encrypts every stored token under the cipher's first key; returns how many.

    Tokens stored before encryption was turned on are encrypted too. All in one
    transaction: if any token can't be decrypted, TokenKeyError, and nothing has changed.
    Every app client's and enterprise's rows are included, as the key covers them all.
    """
    count = 0
    async with engine.begin() as conn:
        for table in _token_tables():
            names = sorted(c.name for c in table.columns if c.name in TOKEN_COLUMNS)
            query = select(table.c.id, *(table.c[name] for name in names)).order_by(table.c.id)
            for row in (await conn.execute(query)).mappings().all():
                try:
                    values = {
                        name: cipher.reencrypt(row[name]) for name in names if row[name] is not None
                    }
                except TokenKeyError as exc:
                    raise TokenKeyError(f"{table.name} row {row['id']}: {exc}") from None
                if values:
                    await conn.execute(
                        update(table).where(table.c.id == row["id"]).values(**values)
                    )
                    count += len(values)
    return count
