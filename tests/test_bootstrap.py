"""The composition root wires settings into the core."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from bot.app.bootstrap import StartupError, build_ripple, ripple_clock
from bot.app.settings import Settings, load_settings
from bot.clock import FastClock, ManualClock, SystemClock
from bot.memory import MemoryStore


async def test_new_channels_start_in_the_configured_default_zone():
    ripple = build_ripple(Settings(default_timezone="Europe/Berlin"), store=MemoryStore())
    channel = await ripple.register_channel(channel_id="console:team", name="#team")
    assert channel.config.timezone == "Europe/Berlin"


def test_an_unusable_database_url_stops_start_up_with_the_setting_named():
    with pytest.raises(StartupError, match="RIPPLE_DATABASE_URL"):
        build_ripple(Settings(database_url="mysql://db/ripple"))


def test_production_on_sqlite_is_refused_unless_allowed_then_warned_about(
    caplog: pytest.LogCaptureFixture, tmp_path
):
    from bot.app.bootstrap import StartupError, refuse_sqlite_in_production

    caplog.set_level(logging.WARNING)
    url = f"sqlite:///{tmp_path}/r.db"
    with pytest.raises(StartupError, match="RIPPLE_ALLOW_SQLITE=true"):
        refuse_sqlite_in_production(Settings(database_url=url))  # production by default
    refuse_sqlite_in_production(Settings(database_url=url, allow_sqlite=True))
    assert "production on SQLite" in caplog.text


def routes_of(settings: Settings) -> set[str]:
    from bot.app.bootstrap import build_app

    app = build_app(settings, tick=False)
    return {getattr(route, "path", "") for route in app.routes}


def test_settings_decide_which_platforms_are_on(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path}/r.db"
    nothing = routes_of(Settings(database_url=db))  # production is the default
    assert "/slack/events" not in nothing
    assert "/api/messages" not in nothing  # no anonymous Teams endpoint
    assert "/api/messages" not in routes_of(Settings(env="development", database_url=db))
    assert "/api/messages" not in routes_of(
        Settings(database_url=db, teams_allow_anonymous=True)  # asked for, but in production
    )
    local = routes_of(Settings(env="development", database_url=db, teams_allow_anonymous=True))
    assert "/api/messages" in local  # asked for by name on a development server

    slack = routes_of(
        Settings(database_url=db, slack_bot_token="xoxb-1-2-abc", slack_signing_secret="s3cr3t")
    )
    assert "/slack/events" in slack
    assert "/slack/install" not in slack
    oauth = routes_of(
        Settings(
            database_url=db,
            slack_client_id="1.2",
            slack_client_secret="c3cr3t",
            slack_signing_secret="s3cr3t",
            secret_key=Fernet.generate_key().decode(),  # required for OAuth in production
        )
    )
    assert {"/slack/events", "/slack/install", "/slack/oauth_redirect"} <= oauth
    teams = routes_of(
        Settings(
            env="production",
            database_url=db,
            teams_app_id="8f3e8a61-2b1c-4a8e-9d3f-6a1b2c3d4e5f",
            teams_app_password="not-a-real-secret",
            teams_tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
        )
    )
    assert "/api/messages" in teams


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"slack_bot_token": "xoxb-1-2-abc"}, "RIPPLE_SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": "s3cr3t"}, "RIPPLE_SLACK_BOT_TOKEN"),
        (
            {"slack_client_id": "1.2", "slack_signing_secret": "s3cr3t"},
            "RIPPLE_SLACK_CLIENT_SECRET",
        ),
        ({"teams_app_id": "8f3e8a61-2b1c-4a8e-9d3f-6a1b2c3d4e5f"}, "Teams"),
    ],
)
def test_half_configured_platforms_stop_start_up_with_a_clear_message(
    tmp_path, monkeypatch: pytest.MonkeyPatch, overrides: dict[str, str], named: str
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StartupError, match=named):
        routes_of(Settings(database_url=f"sqlite:///{tmp_path}/r.db", **overrides))


def test_api_docs_are_served_only_in_development(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path}/r.db"
    production = routes_of(Settings(database_url=db))
    assert not production & {"/docs", "/redoc", "/openapi.json"}
    assert {"/docs", "/openapi.json"} <= routes_of(Settings(env="development", database_url=db))


def test_start_up_says_in_one_line_why_teams_is_off(
    tmp_path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.INFO, logger="bot.app.bootstrap")
    routes_of(Settings(database_url=f"sqlite:///{tmp_path}/r.db", teams_allow_anonymous=True))
    (line,) = [r.getMessage() for r in caplog.records if "Teams is off" in r.getMessage()]
    assert line == (
        "Teams is off: anonymous mode runs only with RIPPLE_ENV=development, "
        "so there is no /api/messages"
    )


def test_a_fast_clock_runs_only_in_development_and_replicas_agree() -> None:
    assert isinstance(ripple_clock(load_settings()), SystemClock)
    with pytest.raises(StartupError, match="only with RIPPLE_ENV=development"):
        ripple_clock(load_settings(clock_speed=600))
    origin = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    fast = ripple_clock(load_settings(env="development", clock_speed=600, clock_origin=origin))
    assert isinstance(fast, FastClock)

    real = ManualClock(origin)
    one, other = (FastClock(origin=origin, speed=600, real=real) for _ in range(2))
    real.advance(timedelta(seconds=1))
    assert one.now() == other.now() == origin + timedelta(minutes=10)
