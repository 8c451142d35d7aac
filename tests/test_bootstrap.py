"""The composition root wires settings into the core."""

from __future__ import annotations

import logging

import pytest

from bot.bootstrap import StartupError, build_ripple
from bot.memory import MemoryStore
from bot.settings import Settings


async def test_new_channels_start_in_the_configured_default_zone():
    ripple = build_ripple(Settings(default_timezone="Europe/Berlin"), store=MemoryStore())
    channel = await ripple.register_channel(channel_id="console:team", name="#team")
    assert channel.config.timezone == "Europe/Berlin"


def test_an_unusable_database_url_stops_start_up_with_the_setting_named():
    with pytest.raises(StartupError, match="RIPPLE_DATABASE_URL"):
        build_ripple(Settings(database_url="mysql://db/ripple"))


async def test_production_on_sqlite_is_warned_about(caplog: pytest.LogCaptureFixture, tmp_path):
    caplog.set_level(logging.WARNING)
    settings = Settings(env="production", database_url=f"sqlite:///{tmp_path}/r.db")
    ripple = build_ripple(settings)
    await ripple.store.close()
    assert "production on SQLite" in caplog.text
