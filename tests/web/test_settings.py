"""Turning the web view on: RIPPLE_PUBLIC_URL, and RIPPLE_WEB_SECRET where production needs it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.web.signing import WebSigning
from bot.app.bootstrap import StartupError, build_app, build_ripple, web_signing
from bot.app.settings import SettingsError, load_settings
from tests.cli import ripple_env, run_ripple, sqlite_url
from tests.http.test_app import free_port
from tests.web.world import PUBLIC_URL, SECRET

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_without_a_public_address_there_is_no_web_view() -> None:
    assert web_signing(load_settings(web_secret=SECRET)) is None


def test_production_refuses_to_start_the_web_view_without_its_secret(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=sqlite_url(tmp_path / "r.db"), env="production", public_url=PUBLIC_URL
    )

    with pytest.raises(StartupError, match="RIPPLE_WEB_SECRET is required in production"):
        build_app(settings, tick=False)


def test_ripple_serve_says_why_it_will_not_start(tmp_path: Path) -> None:
    env = ripple_env(
        database_url=sqlite_url(tmp_path / "r.db"), env="production", public_url=PUBLIC_URL
    )
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0

    served = run_ripple("serve", "--port", str(free_port()), cwd=tmp_path, env=env)

    assert served.returncode == 2
    assert "RIPPLE_WEB_SECRET is required in production when RIPPLE_PUBLIC_URL is set" in (
        served.stderr
    )
    assert "secrets.token_urlsafe(32)" in served.stderr  # and how to make one


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("too-short", "shorter than 32 characters"),
        (f"{SECRET},short", "key 2 is shorter than 32 characters"),
    ],
)
def test_a_web_secret_must_be_long(value: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=problem) as caught:
        load_settings(public_url=PUBLIC_URL, web_secret=value)
    assert value not in str(caught.value)  # a secret is never echoed


def test_a_public_address_must_be_one_people_can_open() -> None:
    with pytest.raises(SettingsError, match="RIPPLE_PUBLIC_URL"):
        load_settings(public_url="ripple.example.com")


def test_development_signs_with_a_random_secret_of_the_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(
        database_url=sqlite_url(tmp_path / "r.db"), env="development", public_url=PUBLIC_URL
    )
    with caplog.at_level(logging.WARNING):
        first, second = web_signing(settings), web_signing(settings)
    assert isinstance(first, WebSigning) and isinstance(second, WebSigning)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    link = first.link("console:maya", now=NOW)
    claim = second.read_link(link.split("?t=", 1)[1], now=NOW)

    assert getattr(claim, "person_id", None) == "console:maya"  # one secret per process


def test_the_secret_can_be_rotated_without_signing_anyone_out() -> None:
    old = WebSigning(keys=[SECRET], public_url=PUBLIC_URL)
    new = WebSigning(keys=["a-brand-new-secret-for-the-web-view-01", SECRET], public_url=PUBLIC_URL)
    session = old.session("console:maya", now=NOW)

    assert new.read_session(session, now=NOW) is not None
    assert old.read_session(new.session("console:maya", now=NOW), now=NOW) is None


async def test_the_core_is_given_the_signer_that_the_routes_check_with(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=sqlite_url(tmp_path / "r.db"), public_url=PUBLIC_URL, web_secret=SECRET
    )
    ripple = build_ripple(settings)
    await ripple.store.close()
    links = ripple.context.links

    assert isinstance(links, WebSigning)
    assert links.link("console:maya", now=NOW).startswith(f"{PUBLIC_URL}/web/sign-in?t=")
