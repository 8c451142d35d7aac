"""The import-linter contract for the core names every part of the core."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHELL = "app"


def core_contract() -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"].startswith("The core imports no")]
    return contract


def test_every_subpackage_of_the_core_is_checked_and_the_shell_is_not() -> None:
    contract = core_contract()
    subpackages = sorted(
        path.parent.name for path in (ROOT / "bot").glob("*/__init__.py") if path.parent.name
    )
    assert SHELL in subpackages
    expected = ["bot.*", *(f"bot.{name}.**" for name in subpackages if name != SHELL)]
    assert contract["source_modules"] == expected
    assert contract["as_packages"] is False  # "bot.*" must not take in the shell's modules


def test_the_shells_package_module_imports_nothing() -> None:
    """With ``as_packages = false``, ``bot.*`` takes in ``bot/app/__init__.py`` itself."""
    tree = ast.parse((ROOT / "bot" / SHELL / "__init__.py").read_text(encoding="utf-8"))
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
