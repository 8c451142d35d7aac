"""Ripple's settings, read once from the environment (RIPPLE_ prefix) and a .env file."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.model import ConfigError, check_timezone


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    TEXT = "text"  # one line per record, for people reading a terminal or a journal
    JSON = "json"  # one JSON object per line, for a log collector


class SettingsError(ValueError):
    """A setting is missing or unusable; the message names it and says why."""


def _env(name: str) -> AliasChoices:
    """Accept ``RIPPLE_<NAME>`` and, as the platforms' own docs spell it, plain ``<NAME>``."""
    return AliasChoices(f"RIPPLE_{name}", name)


# Values copied from a tutorial or an example file, never real secrets.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "xoxb-your-token", "xapp-your-token", "your-secret"}
)


# A Fernet key is 32 bytes in URL-safe base64: 43 characters and one "=" of padding.
FERNET_KEY = re.compile(r"[A-Za-z0-9_-]{43}=")
MAKE_SECRET_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
# The web view's signing secret: any text this long; random is best.
MIN_WEB_SECRET = 32
MAKE_WEB_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RIPPLE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///ripple.db"
    # A production server refuses SQLite unless this says a small, one-server install is meant.
    allow_sqlite: bool = False
    # Production unless said otherwise: nothing runs unauthenticated by accident.
    env: Environment = Environment.PRODUCTION
    log_level: str = "INFO"
    log_format: LogFormat = LogFormat.TEXT
    # Serve /metrics (Prometheus) on the app; keep it off the public side of the proxy.
    metrics: bool = True
    tick_seconds: float = Field(default=60.0, ge=1.0, le=3600.0)
    # How long raw answers, notes, delivered messages and event ids are kept, in days. At
    # least three weeks: groups published in the same week are compared on their answers.
    retention_days: int = Field(default=180, ge=21, le=3650)
    default_timezone: str = "UTC"
    prompts_dir: Path | None = None
    # The address people and platforms reach this server at, e.g. https://ripple.example.com.
    # Setting it turns on the web view for managers and admins (links from chat, /web/).
    public_url: str | None = None
    # Signs the web view's sign-in links and session cookies; every replica needs the same
    # one. Comma-separated, newest first, to rotate: the first signs, every one is accepted.
    web_secret: SecretStr | None = None

    # Slack. Single workspace: bot token + signing secret. Many workspaces: client id,
    # client secret + signing secret (OAuth). Socket Mode adds an app-level token.
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_client_id: str | None = Field(default=None, validation_alias=_env("SLACK_CLIENT_ID"))
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_CLIENT_SECRET")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_APP_TOKEN")
    )
    slack_api_url: str = "https://slack.com/api/"
    # Development only: Ripple's clock runs this many times faster than real time, from
    # clock_origin (default: start-up). Replicas given the same origin tell the same time.
    clock_speed: float = Field(default=1.0, ge=1.0, le=100_000.0)
    clock_origin: datetime | None = None
    # How long a message being sent is reserved for the process sending it, in seconds; if
    # that process dies mid-send, another sends it after this long.
    send_lease_seconds: float = Field(default=120.0, ge=5.0, le=3600.0)
    # How many messages a minute Ripple posts to one Slack workspace at most.
    slack_messages_per_minute: int = Field(default=300, ge=1, le=100_000)
    # Encrypts the Slack tokens stored for OAuth installs: Fernet keys, comma-separated,
    # newest first. The first encrypts; every one decrypts, so keys can be rotated.
    secret_key: SecretStr | None = None

    # Microsoft Teams (an Azure Bot registration). Without an app id there is no Teams
    # endpoint, unless anonymous mode is asked for in development (see below).
    teams_app_id: str | None = None
    teams_app_password: SecretStr | None = None
    teams_tenant_id: str | None = None
    # Only with RIPPLE_ENV=development: /api/messages without an app id accepts requests
    # without checking who sent them, for the Agents Playground on your own machine.
    teams_allow_anonymous: bool = False
    # Teams app package (`ripple teams-package`). Raise the version for every new upload;
    # the website, privacy and terms links shown in Teams default to public_url.
    teams_package_version: str = "1.0.0"
    teams_developer_name: str = "Ripple"
    teams_website_url: str | None = None
    teams_privacy_url: str | None = None
    teams_terms_url: str | None = None

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("use one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            return check_timezone(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("secret_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return value
        for position, key in enumerate(value.get_secret_value().split(","), start=1):
            if not FERNET_KEY.fullmatch(key.strip()):
                raise ValueError(
                    f"key {position} is not a Fernet key (URL-safe base64 of 32 bytes); "
                    f"make one with: {MAKE_SECRET_KEY}"
                )
        return value

    @field_validator("web_secret")
    @classmethod
    def _long_web_secrets(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return value
        for position, key in enumerate(value.get_secret_value().split(","), start=1):
            if len(key.strip()) < MIN_WEB_SECRET:
                raise ValueError(
                    f"key {position} is shorter than {MIN_WEB_SECRET} characters; "
                    f"make one with: {MAKE_WEB_SECRET}"
                )
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and value.strip() and not re.match(r"https?://[^/?#]+", value):
            raise ValueError("use the address as people type it, e.g. https://ripple.example.com")
        return value

    @field_validator("prompts_dir")
    @classmethod
    def _existing_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value

    @model_validator(mode="after")
    def _real_secrets_in_production(self) -> Settings:
        if self.env is not Environment.PRODUCTION:
            return self
        secrets = {
            "RIPPLE_SLACK_BOT_TOKEN": self.slack_bot_token,
            "RIPPLE_SLACK_SIGNING_SECRET": self.slack_signing_secret,
            "RIPPLE_SLACK_CLIENT_SECRET": self.slack_client_secret,
            "RIPPLE_SLACK_APP_TOKEN": self.slack_app_token,
            "RIPPLE_TEAMS_APP_PASSWORD": self.teams_app_password,
            "RIPPLE_WEB_SECRET": self.web_secret,
        }
        for name, secret in secrets.items():
            if (
                secret is not None
                and secret.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS
            ):
                raise ValueError(f"{name} is a placeholder; set the real secret in production")
        return self


def secret_value(secret: SecretStr | None) -> str | None:
    """The secret's text, or None when it is unset or blank."""
    if secret is None:
        return None
    return secret.get_secret_value().strip() or None


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings, turning pydantic's report into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if not error["loc"]:  # a rule about several settings names them itself
                problems.append(message)
                continue
            name = "RIPPLE_" + "_".join(str(part) for part in error["loc"]).upper()
            if any(word in name for word in ("TOKEN", "SECRET", "PASSWORD")):
                problems.append(f"{name}: {message}")  # never echo a secret
            else:
                problems.append(f"{name}: {message} (got {error.get('input')!r})")
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(problems)) from None


# RIPPLE_ variables Ripple's own tests and CI read; not settings, but not mistakes either.
NOT_SETTINGS = frozenset({"RIPPLE_TEST_POSTGRES_URL", "RIPPLE_FUZZ_EXAMPLES"})


def known_variables() -> frozenset[str]:
    """Every ``RIPPLE_`` environment variable that names a setting."""
    return frozenset(f"RIPPLE_{name.upper()}" for name in Settings.model_fields) | NOT_SETTINGS


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """A warning for each ``RIPPLE_`` variable that names no setting, with the closest one.

    A misspelled setting would otherwise be ignored without a word.
    """
    known = known_variables()
    warnings = []
    for name in sorted(n for n in environ if n.startswith("RIPPLE_") and n not in known):
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]}?" if close else ""
        warnings.append(f"{name} is not a setting Ripple knows, so it is ignored{hint}")
    return warnings
