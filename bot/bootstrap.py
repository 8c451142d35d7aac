"""The composition root: builds Ripple from settings, wiring storage, prompts and adapters."""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from adapters.http.app import RippleApp, create_app
from bot.catalog import PromptError, YamlPromptCatalog
from bot.clock import SystemClock
from bot.model import ChannelConfig
from bot.ports import Clock, PromptCatalog, Sender, Store
from bot.ripple import Ripple
from bot.settings import Environment, Settings
from prompts import PROMPTS_DIR
from storage.migrate import upgrade_to_head
from storage.store import SqlStore
from storage.url import DatabaseUrlError, mask_password, normalize_database_url

logger = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """Ripple cannot start; the message says what to fix."""


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.captureWarnings(True)
    warnings.simplefilter("default")


def database_url(settings: Settings) -> str:
    try:
        return normalize_database_url(settings.database_url)
    except DatabaseUrlError as exc:
        raise StartupError(f"RIPPLE_DATABASE_URL: {exc}") from exc


def load_catalog(settings: Settings) -> PromptCatalog:
    try:
        return YamlPromptCatalog.load(settings.prompts_dir or PROMPTS_DIR)
    except PromptError as exc:
        raise StartupError(f"The prompts could not be loaded: {exc}") from exc


def build_ripple(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Clock | None = None,
    senders: Mapping[str, Sender] | None = None,
) -> Ripple:
    """Wire the core; tests pass fakes for the store, clock or senders."""
    url = database_url(settings)
    if settings.env is Environment.PRODUCTION and url.startswith("sqlite") and store is None:
        logger.warning(
            "running in production on SQLite (%s); use PostgreSQL for anything past one small team",
            mask_password(url),
        )
    return Ripple(
        store=store or SqlStore.from_url(url),
        catalog=load_catalog(settings),
        clock=clock or SystemClock(),
        senders=senders,
        channel_defaults=ChannelConfig(timezone=settings.default_timezone),
    )


@asynccontextmanager
async def scratch_ripple(
    settings: Settings,
    clock: Clock,
    senders: Mapping[str, Sender],
    *,
    directory: Path | None = None,
) -> AsyncIterator[Ripple]:
    """Ripple on a fresh, migrated SQLite database in a temporary folder (for the demo)."""
    with tempfile.TemporaryDirectory(prefix="ripple-demo-", dir=directory) as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'ripple-demo.db'}"
        await upgrade_to_head(url)
        store = SqlStore.from_url(url)
        try:
            yield Ripple(store=store, catalog=load_catalog(settings), clock=clock, senders=senders)
        finally:
            await store.close()


def build_app(settings: Settings, *, ripple: Ripple | None = None, tick: bool = True) -> RippleApp:
    ripple = ripple or build_ripple(settings)
    return create_app(ripple=ripple, tick_seconds=settings.tick_seconds if tick else None)
