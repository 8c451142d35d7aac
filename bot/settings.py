"""Ripple's settings, read once from the environment (RIPPLE_ prefix) and a .env file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.model import ConfigError, check_timezone


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class SettingsError(ValueError):
    """A setting is missing or unusable; the message names it and says why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RIPPLE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///ripple.db"
    env: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    tick_seconds: float = Field(default=60.0, ge=1.0, le=3600.0)
    default_timezone: str = "UTC"
    prompts_dir: Path | None = None

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

    @field_validator("prompts_dir")
    @classmethod
    def _existing_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings, turning pydantic's report into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "RIPPLE_" + "_".join(str(part) for part in error["loc"]).upper()
            problems.append(f"{name}: {error['msg']} (got {error.get('input')!r})")
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(problems)) from None
