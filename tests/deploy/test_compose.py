"""The deployment Ripple ships: a compose file that validates, a proxy that exposes only the
public paths, and an image that installs exactly what the lock file pins."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PUBLIC_PATHS = {"/slack/events", "/slack/install", "/slack/oauth_redirect", "/api/messages"}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    """``docker compose config`` where Docker is, else the Compose Specification's schema."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        command = [docker, "compose", "-f", str(path), "config", "--quiet"]
    else:
        checker = Path(sys.executable).with_name("check-jsonschema")
        command = [str(checker), "--builtin-schema", "vendor.compose-spec", str(path)]
    env = {"POSTGRES_PASSWORD": "x", "RIPPLE_DOMAIN": "ripple.example.com", "PATH": "/usr/bin"}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def test_the_compose_file_is_valid(tmp_path: Path) -> None:
    result = validate(DEPLOY / "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validation_catches_a_broken_file(tmp_path: Path) -> None:
    broken = compose()
    broken["services"]["ripple"]["depends_on"]["migrate"]["condition"] = "whenever"
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    assert validate(path).returncode != 0


def test_migrate_runs_once_before_the_app_on_postgresql() -> None:
    services = compose()["services"]
    assert services["migrate"]["command"] == ["ripple", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("ripple", "worker"):
        after = services[name]["depends_on"]["migrate"]["condition"]
        assert after == "service_completed_successfully"
        env = services[name]["environment"]
        assert env["RIPPLE_ENV"] == "production"
        assert env["RIPPLE_DATABASE_URL"].startswith("postgresql://")
    assert "--no-scheduler" in services["ripple"]["command"]
    assert services["ripple"]["deploy"]["replicas"] == "${RIPPLE_REPLICAS:-2}"
    assert services["worker"]["command"] == ["ripple", "worker"]


def test_only_the_proxy_publishes_ports() -> None:
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"caddy"}


def test_the_proxy_forwards_exactly_the_public_paths() -> None:
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    (matcher,) = re.findall(r"@public path (.+)", caddyfile)
    paths = set(matcher.split())
    assert paths == PUBLIC_PATHS | {"/web", "/web/*"}
    assert "respond 404" in caddyfile
    for internal in ("/metrics", "/healthz", "/readyz", "/docs"):
        assert internal not in matcher


def test_the_image_is_pinned_and_installs_from_the_lock_file() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    assert bases and all(re.search(r"@sha256:[0-9a-f]{64}$", base) for base in bases)
    assert "requirements.lock" in dockerfile
    assert "--require-hashes" in dockerfile
    assert "sqlite" not in dockerfile.lower()  # production is refused SQLite unless asked


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-dev.lock"])
def test_the_lock_files_pin_every_package_with_hashes(name: str) -> None:
    lock = (ROOT / name).read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock, flags=re.MULTILINE)
    assert len(pins) > 30
    assert lock.count("--hash=sha256:") >= len(pins)
    names = {package.lower().replace("_", "-") for package, _ in pins}
    assert {"fastapi", "slack-bolt", "sqlalchemy", "alembic", "apscheduler"} <= names


def test_the_dev_lock_pins_every_dependency_pyproject_names() -> None:
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pinned = {
        package.lower().replace("_", "-"): version
        for package, version in re.findall(
            r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements-dev.lock").read_text(), re.M
        )
    }
    for line in wanted:
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-")
        assert name in pinned, f"{name} is in pyproject.toml but not locked: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{name}=={pinned[name]} is locked, but pyproject.toml asks for {requirement}"
        )
