"""Running the real `ripple` command in a subprocess, with a clean RIPPLE_ environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Generous: the test machine may be busy, and a hung command should fail, not stall the run.
COMMAND_TIMEOUT = 120.0


def ripple_env(**settings: str) -> dict[str, str]:
    """This process's environment without any RIPPLE_ setting, plus ``settings``.

    Keys are setting names without the prefix, e.g. ``database_url="sqlite:///r.db"``.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("RIPPLE_")}
    # Tests serve from throwaway SQLite files; the refusal itself is tested by unsetting this.
    env["RIPPLE_ALLOW_SQLITE"] = "true"
    env.update({f"RIPPLE_{name.upper()}": value for name, value in settings.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def ripple_command(*args: str) -> list[str]:
    """The installed `ripple` script, as a user runs it (``python -m bot.app.cli`` if missing).

    The script matters: with an editable install, ``python -m`` puts the working directory
    first on the import path, where a folder such as ``prompts/`` would shadow Ripple's own.
    """
    script = Path(sys.executable).with_name("ripple")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "bot.app.cli", *args]


def run_ripple(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `ripple ARGS` in ``cwd`` and wait for it to finish."""
    return subprocess.run(
        ripple_command(*args),
        cwd=cwd,
        env=ripple_env() if env is None else env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


def sqlite_url(path: Path) -> str:
    """The plain (sync-style) SQLite URL a user would write; Ripple maps it to aiosqlite."""
    return f"sqlite:///{path}"
