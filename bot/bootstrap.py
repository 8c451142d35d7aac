"""The composition root: builds Ripple from settings, wiring storage, prompts and adapters."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping

from adapters.http.app import RippleApp, create_app
from bot.catalog import PromptError, YamlPromptCatalog
from bot.clock import SystemClock
from bot.ports import Clock, PromptCatalog, Sender, Store
from bot.ripple import Ripple
from bot.settings import Settings
from prompts import PROMPTS_DIR
from storage.store import SqlStore
from storage.url import DatabaseUrlError, normalize_database_url


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
    return Ripple(
        store=store or SqlStore.from_url(database_url(settings)),
        catalog=load_catalog(settings),
        clock=clock or SystemClock(),
        senders=senders,
    )


def build_app(settings: Settings, *, ripple: Ripple | None = None, tick: bool = True) -> RippleApp:
    ripple = ripple or build_ripple(settings)
    return create_app(ripple=ripple, tick_seconds=settings.tick_seconds if tick else None)
