"""A CLI that helps: versions, validated options, misspelled settings, clear database states,
languages, a clean Ctrl-C, and the Slack app manifest for a given address."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.app.slack_manifest import SHIPPED
from tests.cli import COMMAND_TIMEOUT, ripple_command, ripple_env, run_ripple, sqlite_url


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = run_ripple("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"ripple {version('ripple')}"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["serve", "--port", "99999"], "99999 is not a port: use 1 to 65535"),
        (["serve", "--port", "0"], "0 is not a port"),
        (["serve", "--port", "http"], "'http' is not a port number"),
        (["demo", "--weeks", "0"], "0 weeks: the demo runs 1 to 12"),
        (["chat", "--channel", "d", "--as", "sam", "--locale", "fr"], "invalid choice: 'fr'"),
    ],
)
def test_bad_option_values_are_refused_before_anything_starts(
    tmp_path: Path, args: list[str], said: str
) -> None:
    result = run_ripple(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert said in result.stderr
    assert "Traceback" not in result.stderr


def test_every_option_has_help_and_shows_its_default(tmp_path: Path) -> None:
    serve = " ".join(run_ripple("serve", "--help", cwd=tmp_path).stdout.split())
    assert "(default 127.0.0.1)" in serve and "(default 8000)" in serve
    demo = " ".join(run_ripple("demo", "--help", cwd=tmp_path).stdout.split())
    assert "(default 4)" in demo and "(default 7)" in demo
    top = run_ripple("--help", cwd=tmp_path).stdout
    assert "slack-manifest" in top and "--version" in top


def test_a_misspelled_setting_is_named_with_the_closest_one(tmp_path: Path) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"))
    env["RIPPLE_DATABSE_URL"] = "sqlite:///elsewhere.db"
    env["RIPPLE_NOTHING_LIKE_IT"] = "1"
    result = run_ripple("migrate", cwd=tmp_path, env=env)
    assert result.returncode == 0
    assert (
        "ripple: warning: RIPPLE_DATABSE_URL is not a setting Ripple knows, so it is ignored; "
        "did you mean RIPPLE_DATABASE_URL?"
    ) in result.stderr
    assert "RIPPLE_NOTHING_LIKE_IT is not a setting Ripple knows, so it is ignored\n" in (
        result.stderr
    )


def test_an_unreachable_database_is_not_called_unmigrated(tmp_path: Path) -> None:
    env = ripple_env(database_url="postgresql://nobody@127.0.0.1:1/none")
    result = run_ripple("purge", "--dry-run", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "the database is unreachable" in result.stderr
    assert "Is it running, and is RIPPLE_DATABASE_URL right?" in result.stderr
    assert "ripple migrate" not in result.stderr


def test_an_empty_database_is_called_unmigrated(tmp_path: Path) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"))
    result = run_ripple("purge", "--dry-run", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "the database has no schema yet; run `ripple migrate`" in result.stderr


def test_chat_speaks_the_language_asked_for(tmp_path: Path) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"))
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
    result = run_ripple(
        "chat", "--channel", "design", "--as", "jonas", "--locale", "de",
        cwd=tmp_path, env=env, stdin="quit\n",
    )  # fmt: skip
    assert result.returncode == 0
    assert "Check-in" in result.stdout and "Hallo Jonas" in result.stdout


def test_ctrl_c_in_chat_leaves_at_once_without_a_traceback(tmp_path: Path) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"))
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
    process = subprocess.Popen(
        ripple_command("chat", "--channel", "design", "--as", "sam"),
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:  # wait until it is at its prompt
            if "quit." in line:
                break
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode in (0, 130)
    assert "Traceback" not in stderr


def test_the_slack_manifest_is_the_shipped_one_at_the_given_address(tmp_path: Path) -> None:
    result = run_ripple("slack-manifest", "--url", "https://ripple.acme.test/base/", cwd=tmp_path)
    assert result.returncode == 0
    written = yaml.safe_load(result.stdout)
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    events = "https://ripple.acme.test/base/slack/events"
    assert written["settings"]["event_subscriptions"]["request_url"] == events
    assert written["settings"]["interactivity"]["request_url"] == events
    assert [c["url"] for c in written["features"]["slash_commands"]] == [events]
    assert written["oauth_config"]["redirect_urls"] == [
        "https://ripple.acme.test/base/slack/oauth_redirect"
    ]
    # Everything but the addresses is exactly what Ripple ships.
    for manifest in (written, shipped):
        manifest["settings"]["event_subscriptions"].pop("request_url")
        manifest["settings"]["interactivity"].pop("request_url")
        manifest["oauth_config"].pop("redirect_urls")
        for command in manifest["features"]["slash_commands"]:
            command.pop("url")
    assert written == shipped
    assert "ripple.example.com" not in result.stdout

    out = tmp_path / "manifest.yml"
    saved = run_ripple(
        "slack-manifest", "--url", "https://r.acme.test", "--out", str(out), cwd=tmp_path
    )
    assert saved.returncode == 0 and yaml.safe_load(out.read_text())["display_information"]


@pytest.mark.parametrize(
    "url", ["http://ripple.acme.test", "ripple.acme.test", "https://", "https://r.test/?x=1"]
)
def test_the_slack_manifest_refuses_an_address_slack_cannot_call(tmp_path: Path, url: str) -> None:
    result = run_ripple("slack-manifest", "--url", url, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("ripple: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_production_refuses_sqlite_and_says_why(tmp_path: Path, command: str) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"))
    del env["RIPPLE_ALLOW_SQLITE"]
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
    result = (
        run_ripple(command, "--port", "8123", cwd=tmp_path, env=env)
        if command == "serve"
        else (run_ripple(command, cwd=tmp_path, env=env))
    )
    assert result.returncode == 2
    assert "this is production" in result.stderr
    assert "RIPPLE_ALLOW_SQLITE=true" in result.stderr
    assert "postgresql://" in result.stderr
    assert "Traceback" not in result.stderr


def test_development_serves_from_sqlite_without_asking(tmp_path: Path) -> None:
    from bot.app.bootstrap import refuse_sqlite_in_production
    from bot.app.settings import load_settings

    refuse_sqlite_in_production(load_settings(env="development", database_url="sqlite:///r.db"))
    refuse_sqlite_in_production(load_settings(database_url="sqlite:///r.db", allow_sqlite=True))
    refuse_sqlite_in_production(load_settings(database_url="postgresql://u@h/db"))
