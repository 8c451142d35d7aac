"""Slack's OAuth records in Ripple's database: bot tokens, encrypted, and install states."""

from __future__ import annotations

import copy
import logging

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, Text, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.secrets import NO_KEY, TokenCipher, TokenKeyError, is_encrypted

logger = logging.getLogger(__name__)

# Every column of slack_sdk's tables that holds a token. Encrypted, a token is about twice
# as long as Slack's own, so these are Text, not slack_sdk's String(200) (migration 0005).
TOKEN_COLUMNS = frozenset({"bot_token", "bot_refresh_token", "user_token", "user_refresh_token"})
# An install must come back from Slack within this many seconds of starting.
OAUTH_STATE_SECONDS = 600


def _with_room_for_ciphertext(table: Table) -> Table:
    for column in table.columns:
        if column.name in TOKEN_COLUMNS:
            column.type = Text()
    return table


class BotOnlyInstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy store, keeping only the bot's record, its tokens encrypted.

    Ripple acts only as its bot, so it has no use for the installation record, which names
    the person who installed it; not keeping it means there is nothing to erase. Without a
    cipher (development only) tokens are stored as they come.
    """

    def __init__(self, *, client_id: str, engine: AsyncEngine, cipher: TokenCipher | None) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self._cipher = cipher

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _with_room_for_ciphertext(super().build_installations_table(metadata, table_name))

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _with_room_for_ciphertext(super().build_bots_table(metadata, table_name))

    async def async_save(self, installation: Installation) -> None:
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        stored = copy.copy(bot)  # the caller goes on using its tokens in the clear
        stored.bot_token = self._seal(bot.bot_token)
        stored.bot_refresh_token = self._seal_optional(bot.bot_refresh_token)
        await super().async_save_bot(stored)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        bot = await super().async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is None:
            return None
        stored = bot.bot_token
        bot.bot_token = self._open(stored)
        bot.bot_refresh_token = self._open_optional(bot.bot_refresh_token)
        if self._cipher is not None and not is_encrypted(stored):
            await self._seal_legacy(bot)
        return bot

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        installation = await super().async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        if installation is None:
            return None
        installation.bot_token = self._open_optional(installation.bot_token)
        installation.bot_refresh_token = self._open_optional(installation.bot_refresh_token)
        installation.user_token = self._open_optional(installation.user_token)
        installation.user_refresh_token = self._open_optional(installation.user_refresh_token)
        return installation

    async def async_delete_workspace(self, *, team_id: str) -> None:
        """Every token row of the workspace, in one transaction.

        Bot and installation records alike, whichever enterprise or app client they were
        stored under: a workspace that uninstalled Ripple leaves none of its tokens behind.
        """
        async with self.engine.begin() as conn:
            await conn.execute(delete(self.bots).where(self.bots.c.team_id == team_id))
            await conn.execute(
                delete(self.installations).where(self.installations.c.team_id == team_id)
            )

    async def _seal_legacy(self, bot: Bot) -> None:
        """A record stored before encryption was turned on is encrypted when first read."""
        plain = bot.bot_token
        columns = self.bots.c
        async with self.engine.begin() as conn:
            await conn.execute(
                self.bots.update()
                .where(columns.client_id == self.client_id, columns.bot_token == plain)
                .values(
                    bot_token=self._seal(plain),
                    bot_refresh_token=self._seal_optional(bot.bot_refresh_token),
                )
            )
        logger.info("encrypted the stored Slack token of workspace %s", bot.team_id)

    def _seal(self, token: str) -> str:
        return token if self._cipher is None else self._cipher.encrypt(token)

    def _seal_optional(self, token: str | None) -> str | None:
        return None if token is None else self._seal(token)

    def _open(self, stored: str) -> str:
        if self._cipher is not None:
            try:
                return self._cipher.decrypt(stored)
            except TokenKeyError as exc:
                logger.error("%s", exc)
                raise
        if is_encrypted(stored):
            logger.error("%s", NO_KEY)
            raise TokenKeyError(NO_KEY)
        return stored

    def _open_optional(self, stored: str | None) -> str | None:
        return None if stored is None else self._open(stored)


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


def oauth_state_store(engine: AsyncEngine) -> AsyncSQLAlchemyOAuthStateStore:
    """slack_sdk's store for the state of each install under way, in slack_oauth_states."""
    return AsyncSQLAlchemyOAuthStateStore(expiration_seconds=OAUTH_STATE_SECONDS, engine=engine)
