"""Web view tests take their settings from the test alone: no RIPPLE_ variables, no .env."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("RIPPLE_")]:
        monkeypatch.delenv(name)
