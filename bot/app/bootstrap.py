"""The composition root: builds Ripple from settings, wiring storage, prompts and adapters."""

from __future__ import annotations

import logging
import secrets
import tempfile
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from adapters.http.app import Platform, RippleApp, create_app
from adapters.http.metrics import PrometheusMetrics
from adapters.scheduler import RippleClock
from adapters.slack.pacing import SlackPacer
from adapters.slack.platform import SlackConfig, SlackConfigError, SlackMode, SlackPlatform
from adapters.teams.platform import build_teams_platform
from adapters.web.routes import WebView
from adapters.web.signing import WebSigning
from bot.app import logs
from bot.app.catalog import PromptError, YamlPromptCatalog
from bot.app.settings import (
    MAKE_SECRET_KEY,
    MAKE_WEB_SECRET,
    Environment,
    Settings,
    secret_value,
)
from bot.clock import FastClock, SystemClock
from bot.model import ChannelConfig
from bot.ports import Clock, Metrics, PromptCatalog, Roster, Sender, Store
from bot.ripple import Ripple
from prompts import PROMPTS_DIR
from storage.migrate import upgrade_to_head
from storage.secrets import TokenCipher
from storage.slack_installations import BotOnlyInstallationStore, oauth_state_store
from storage.store import SqlStore
from storage.url import DatabaseUrlError, mask_password, normalize_database_url

logger = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """Ripple cannot start; the message says what to fix."""


def configure_logging(settings: Settings) -> None:
    """Ripple's log format for every logger, uvicorn's too (see ``bot.app.logs``)."""
    logs.configure_logging(level=settings.log_level, log_format=settings.log_format)


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


def ripple_clock(settings: Settings) -> Clock:
    """The real clock, or in development a fast one (RIPPLE_CLOCK_SPEED) to watch weeks pass."""
    if settings.clock_speed == 1.0:
        return SystemClock()
    if settings.env is not Environment.DEVELOPMENT:
        raise StartupError("RIPPLE_CLOCK_SPEED runs only with RIPPLE_ENV=development")
    origin = settings.clock_origin or datetime.now(UTC)
    if origin.tzinfo is None:
        raise StartupError("RIPPLE_CLOCK_ORIGIN needs a time zone, e.g. 2026-11-02T09:00:00Z")
    logger.warning(
        "Ripple's clock runs %g times faster than real time from %s (development only)",
        settings.clock_speed,
        origin.isoformat(),
    )
    return FastClock(origin=origin, speed=settings.clock_speed)


def refuse_sqlite_in_production(settings: Settings) -> None:
    """A production server on SQLite only when the operator says so (RIPPLE_ALLOW_SQLITE)."""
    url = database_url(settings)
    if settings.env is not Environment.PRODUCTION or not url.startswith("sqlite"):
        return
    if settings.allow_sqlite:
        logger.warning(
            "running in production on SQLite (%s), as RIPPLE_ALLOW_SQLITE allows: one server, "
            "one writer at a time",
            mask_password(url),
        )
        return
    raise StartupError(
        f"RIPPLE_DATABASE_URL is SQLite ({mask_password(url)}), and this is production. "
        "SQLite keeps one writer at a time on one machine: replicas, a large workspace's "
        "bursts and backups while running need PostgreSQL. Set RIPPLE_DATABASE_URL to a "
        "postgresql:// address, or RIPPLE_ALLOW_SQLITE=true for a small team on one server."
    )


def build_ripple(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Clock | None = None,
    senders: Mapping[str, Sender] | None = None,
    rosters: Mapping[str, Roster] | None = None,
    catalog: PromptCatalog | None = None,
    metrics: Metrics | None = None,
) -> Ripple:
    """Wire the core; tests pass fakes for the store, clock, senders or rosters."""
    url = database_url(settings)
    return Ripple(
        store=store or SqlStore.from_url(url),
        catalog=catalog or load_catalog(settings),
        clock=clock or ripple_clock(settings),
        senders=senders,
        rosters=rosters,
        channel_defaults=ChannelConfig(timezone=settings.default_timezone),
        retention=timedelta(days=settings.retention_days),
        send_lease=timedelta(seconds=settings.send_lease_seconds),
        links=web_signing(settings),
        metrics=metrics,
    )


def web_signing(settings: Settings) -> WebSigning | None:
    """The web view's signer when RIPPLE_PUBLIC_URL turns it on; None when it is off.

    Production refuses to start without RIPPLE_WEB_SECRET. Development makes a random secret
    for this process: links that another process (`ripple chat`, another replica) makes
    are refused here, and everyone is signed out on a restart.
    """
    if not settings.public_url or not settings.public_url.strip():
        return None
    keys = secret_value(settings.web_secret)
    if keys is None:
        if settings.env is Environment.PRODUCTION:
            raise StartupError(
                "RIPPLE_WEB_SECRET is required in production when RIPPLE_PUBLIC_URL is set: it "
                "signs the web view's sign-in links and sessions, and every replica needs the "
                f"same one. Make one with: {MAKE_WEB_SECRET}"
            )
        keys = _development_web_secret()
    public_url = settings.public_url.strip()
    if settings.env is Environment.PRODUCTION and not public_url.startswith("https://"):
        logger.warning(
            "RIPPLE_PUBLIC_URL is not https://: the web view's session cookie is sent "
            "unencrypted; serve Ripple behind HTTPS"
        )
    return WebSigning(keys=[k.strip() for k in keys.split(",")], public_url=public_url)


@cache
def _development_web_secret() -> str:
    logger.warning(
        "RIPPLE_WEB_SECRET is not set: the web view signs with a random secret of this "
        "process (allowed only with RIPPLE_ENV=development)"
    )
    return secrets.token_urlsafe(32)


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


def slack_config(settings: Settings, *, socket_mode: bool = False) -> SlackConfig | None:
    """The Slack settings, or None when none are set (Ripple runs without Slack)."""
    given = (
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_client_id,
        settings.slack_client_secret,
        settings.slack_app_token,
    )
    if not any(given):
        if socket_mode:
            raise StartupError("--socket-mode needs the Slack settings (see the README)")
        return None
    config = SlackConfig(
        signing_secret=secret_value(settings.slack_signing_secret) or "",
        bot_token=secret_value(settings.slack_bot_token),
        client_id=settings.slack_client_id,
        client_secret=secret_value(settings.slack_client_secret),
        app_token=secret_value(settings.slack_app_token),
        api_url=settings.slack_api_url,
        socket_mode=socket_mode,
    )
    try:
        config.check()
    except SlackConfigError as exc:
        raise StartupError(f"Slack: {exc}") from exc
    if config.mode is SlackMode.OAUTH and token_cipher(settings) is None:
        if settings.env is Environment.PRODUCTION:
            raise StartupError(
                "Slack: RIPPLE_SECRET_KEY is required in production to encrypt the tokens of "
                f"the workspaces that install Ripple; make one with: {MAKE_SECRET_KEY}"
            )
        logger.warning(
            "RIPPLE_SECRET_KEY is not set: the Slack tokens of installed workspaces are "
            "stored unencrypted (allowed only with RIPPLE_ENV=development)"
        )
    return config


def token_cipher(settings: Settings) -> TokenCipher | None:
    """The cipher for stored Slack tokens, from RIPPLE_SECRET_KEY; None when it is unset."""
    keys = secret_value(settings.secret_key)
    return None if keys is None else TokenCipher.from_setting(keys)


def slack_platform(
    config: SlackConfig,
    *,
    store: Store,
    catalog: PromptCatalog,
    cipher: TokenCipher | None,
    pacer: SlackPacer | None = None,
) -> SlackPlatform:
    """Slack; with OAuth, installations and install states are kept in Ripple's database."""
    pacer = SlackPacer() if pacer is None else pacer
    if config.mode is not SlackMode.OAUTH:
        return SlackPlatform(config=config, catalog=catalog, pacer=pacer)
    if not isinstance(store, SqlStore):
        raise SlackConfigError("installing in many workspaces needs Ripple's database")
    assert config.client_id is not None
    return SlackPlatform(
        config=config,
        catalog=catalog,
        installations=BotOnlyInstallationStore(
            client_id=config.client_id, engine=store.engine, cipher=cipher
        ),
        oauth_state=oauth_state_store(store.engine),
        pacer=pacer,
    )


def build_platforms(
    settings: Settings, *, store: Store, catalog: PromptCatalog, socket_mode: bool = False
) -> list[Platform]:
    """The chat platforms the settings turn on."""
    platforms: list[Platform] = []
    slack = slack_config(settings, socket_mode=socket_mode)
    if slack is not None:
        pacer = SlackPacer(messages_per_minute=settings.slack_messages_per_minute)
        platforms.append(
            slack_platform(
                slack, store=store, catalog=catalog, cipher=token_cipher(settings), pacer=pacer
            )
        )
        logger.info("Slack is on (%s)", slack.mode.value)
    teams = teams_platform(settings)
    if teams is not None:
        platforms.append(teams)
    return platforms


def teams_platform(settings: Settings) -> Platform | None:
    """Teams with the Azure Bot's credentials; without them, off.

    Anonymous mode trusts every request, so it runs only when asked for by name
    (RIPPLE_TEAMS_ALLOW_ANONYMOUS=true) on a development server.
    """
    if not settings.teams_app_id:
        anonymous = settings.teams_allow_anonymous
        if not anonymous or settings.env is not Environment.DEVELOPMENT:
            reason = (
                "anonymous mode runs only with RIPPLE_ENV=development"
                if anonymous
                else "RIPPLE_TEAMS_APP_ID is not set"
            )
            logger.info("Teams is off: %s, so there is no /api/messages", reason)
            return None
    try:
        return build_teams_platform(
            app_id=settings.teams_app_id,
            app_password=secret_value(settings.teams_app_password),
            tenant_id=settings.teams_tenant_id,
        )
    except ValueError as exc:
        raise StartupError(f"Teams: {exc}") from exc


def senders_of(platforms: Sequence[Platform]) -> dict[str, Sender]:
    return {platform.sender.platform: platform.sender for platform in platforms}


def rosters_of(platforms: Sequence[Platform]) -> dict[str, Roster]:
    return {platform.roster.platform: platform.roster for platform in platforms}


def build_app(
    settings: Settings,
    *,
    ripple: Ripple | None = None,
    platforms: Sequence[Platform] | None = None,
    tick: bool = True,
    socket_mode: bool = False,
) -> RippleApp:
    """The web app; tests pass a Ripple built on fakes together with its platforms.

    With RIPPLE_METRICS on, a Ripple passed in counts into /metrics only if it was built with
    ``PrometheusMetrics``; otherwise /metrics has the requests and the outbox.
    """
    if ripple is None:
        store = SqlStore.from_url(database_url(settings))
        catalog = load_catalog(settings)
        if platforms is None:
            platforms = build_platforms(
                settings, store=store, catalog=catalog, socket_mode=socket_mode
            )
        senders = senders_of(platforms)
        ripple = build_ripple(
            settings,
            store=store,
            senders=senders,
            rosters=rosters_of(platforms),
            catalog=catalog,
            metrics=PrometheusMetrics(platforms=senders) if settings.metrics else None,
        )
    clock = RippleClock(ripple=ripple, interval=settings.tick_seconds) if tick else None
    metrics = None
    if settings.metrics:
        counted = ripple.metrics
        metrics = counted if isinstance(counted, PrometheusMetrics) else PrometheusMetrics()
        if clock is not None:
            metrics.watch_scheduler(clock.lag)
    app = create_app(
        ripple=ripple,
        platforms=platforms or (),
        services=[clock] if clock is not None else [],
        api_docs=settings.env is Environment.DEVELOPMENT,
        metrics=metrics,
    )
    signing = web_signing(settings)
    if signing is not None:
        WebView(signing=signing).mount(app, ripple=ripple)
        logger.info("the web view is on at %s/web/", signing.public_url)
    return app
