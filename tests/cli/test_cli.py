"""The `ripple` command as a user runs it: migrate, chat, and clear errors for bad settings."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.model import CheckInState
from prompts import PROMPTS_DIR
from storage.migrate import current_revision, head_revision
from storage.store import SqlStore
from tests.cli import ripple_env, run_ripple, sqlite_url
from tests.console import StoredCheckIn, stored_checkin

MIGRATE_HINT = "run `ripple migrate`"
# Yes; workload 4; energy 2; some extra hours; skip covering; partly rested; no note.
CHECKIN_INPUT = "1\n4\n2\nsome\ns\npartly\n1\n"


def stderr_lines(result: object) -> list[str]:
    return [line.strip() for line in str(getattr(result, "stderr", "")).splitlines()]


def stored(url: str, person_id: str) -> StoredCheckIn:
    async def read() -> StoredCheckIn:
        store = SqlStore.from_url(url)
        try:
            return await stored_checkin(store, person_id=person_id)
        finally:
            await store.close()

    return asyncio.run(read())


def test_migrate_brings_a_fresh_sqlite_file_up_to_date_and_can_run_again(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    env = ripple_env(database_url=sqlite_url(db))

    first = run_ripple("migrate", cwd=tmp_path, env=env)
    second = run_ripple("migrate", cwd=tmp_path, env=env)

    for result in (first, second):
        assert result.returncode == 0, result.stderr
        assert f"Database at sqlite+aiosqlite:///{db} is up to date." in result.stdout
    assert asyncio.run(current_revision(f"sqlite+aiosqlite:///{db}")) == head_revision()


def test_migrate_into_a_folder_that_does_not_exist_says_so_without_a_traceback(
    tmp_path: Path,
) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "missing" / "r.db"))
    result = run_ripple("migrate", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "cannot open the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_chat_checks_in_on_a_migrated_database(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    env = ripple_env(database_url=sqlite_url(db))
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0

    result = run_ripple(
        "chat", "--channel", "design", "--as", "sam", cwd=tmp_path, env=env, stdin=CHECKIN_INPUT
    )

    assert result.returncode == 0, result.stderr
    shown = " ".join(result.stdout.split())
    assert "Hi Sam — it's check-in time for #design." in shown
    assert "Do you have the capacity for two minutes of questions right now?" in shown
    assert "Thank you — that's your check-in for this week." in shown
    assert stored(f"sqlite+aiosqlite:///{db}", "console:sam") == StoredCheckIn(
        state=CheckInState.DONE,
        answers={"workload": "4", "energy": "2", "extra_hours": "some", "real_rest": "partly"},
        note=None,
        note_shared=False,
    )


@pytest.mark.parametrize("command", [["chat", "--channel", "design", "--as", "sam"], ["serve"]])
def test_an_unmigrated_database_is_refused_with_the_migrate_hint(
    tmp_path: Path, command: list[str]
) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"))

    result = run_ripple(*command, cwd=tmp_path, env=env, stdin="1\n")

    assert result.returncode == 1
    assert MIGRATE_HINT in result.stderr
    assert "Traceback" not in result.stderr
    assert "check-in time" not in result.stdout


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("database_url", "mysql://x"),
        ("database_url", "not a url"),
        ("tick_seconds", "0"),
        ("default_timezone", "Mars/Base"),
        ("log_level", "loud"),
        ("prompts_dir", "/no/such/folder"),
    ],
)
def test_a_bad_setting_exits_2_and_names_it(tmp_path: Path, setting: str, value: str) -> None:
    db = tmp_path / "r.db"
    env = ripple_env(**{"database_url": sqlite_url(db), setting: value})

    result = run_ripple("migrate", cwd=tmp_path, env=env)

    assert result.returncode == 2
    name = f"RIPPLE_{setting.upper()}"
    assert any(line.startswith(f"{name}:") or f" {name}:" in line for line in stderr_lines(result))
    assert "Traceback" not in result.stderr
    assert not db.exists(), "nothing is touched when the settings are wrong"


def test_a_bad_database_url_is_reported_by_chat_too(tmp_path: Path) -> None:
    env = ripple_env(database_url="mysql://x")

    result = run_ripple("chat", "--channel", "design", "--as", "sam", cwd=tmp_path, env=env)

    assert result.returncode == 2
    assert "RIPPLE_DATABASE_URL" in result.stderr
    assert "'mysql' is not supported" in result.stderr


def test_a_password_in_the_database_url_is_never_printed(tmp_path: Path) -> None:
    # Port 1 on localhost refuses connections, so migrate fails fast.
    env = ripple_env(database_url="postgresql://ripple:s3cret-pw@127.0.0.1:1/ripple")

    result = run_ripple("migrate", cwd=tmp_path, env=env)

    assert result.returncode == 1
    assert "cannot open the database at postgresql+asyncpg://ripple:***@127.0.0.1:1" in (
        result.stderr
    )
    assert "s3cret-pw" not in result.stdout + result.stderr


def test_broken_prompts_exit_2_and_name_the_file(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, prompts, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (prompts / "en" / "messages.yaml").write_text("gate:\n  text: [unclosed\n", encoding="utf-8")
    db = tmp_path / "r.db"
    env = ripple_env(database_url=sqlite_url(db), prompts_dir=str(prompts))
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0

    result = run_ripple("chat", "--channel", "design", "--as", "sam", cwd=tmp_path, env=env)

    assert result.returncode == 2
    assert "The prompts could not be loaded" in result.stderr
    assert "en/messages.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_copied_prompts_load_when_intact(tmp_path: Path) -> None:
    """The broken-prompts test fails for its broken file, not for the copy."""
    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, prompts, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"), prompts_dir=str(prompts))
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0

    result = run_ripple(
        "chat", "--channel", "design", "--as", "sam", cwd=tmp_path, env=env, stdin="quit\n"
    )

    assert result.returncode == 0, result.stderr
    assert "check-in time for #design" in result.stdout


def test_a_dotenv_file_in_the_working_directory_is_honoured(tmp_path: Path) -> None:
    db = tmp_path / "from-dotenv.db"
    (tmp_path / ".env").write_text(f"RIPPLE_DATABASE_URL={sqlite_url(db)}\n", encoding="utf-8")

    result = run_ripple("migrate", cwd=tmp_path, env=ripple_env())

    assert result.returncode == 0, result.stderr
    assert f"Database at sqlite+aiosqlite:///{db} is up to date." in result.stdout
    assert db.exists()
    assert not (tmp_path / "ripple.db").exists()


def test_the_environment_wins_over_the_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("RIPPLE_DATABASE_URL=mysql://from-dotenv\n", encoding="utf-8")
    db = tmp_path / "from-env.db"

    result = run_ripple("migrate", cwd=tmp_path, env=ripple_env(database_url=sqlite_url(db)))

    assert result.returncode == 0, result.stderr
    assert db.exists()


def test_a_bad_setting_in_the_dotenv_file_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("RIPPLE_TICK_SECONDS=0\n", encoding="utf-8")

    result = run_ripple("migrate", cwd=tmp_path, env=ripple_env())

    assert result.returncode == 2
    assert "RIPPLE_TICK_SECONDS" in result.stderr


@pytest.mark.parametrize("args", [[], ["launch"], ["demo", "--weeks", "13"], ["chat"]])
def test_bad_arguments_exit_2_with_usage(tmp_path: Path, args: list[str]) -> None:
    result = run_ripple(*args, cwd=tmp_path)

    assert result.returncode == 2
    assert "usage: ripple" in result.stderr
