"""The web app: health probes, the scheduler's lifespan, and `ripple serve` for real."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from fastapi import FastAPI

from adapters.console.sender import ConsoleSender
from bot.app.bootstrap import build_app, build_ripple, database_url
from bot.app.settings import Settings, load_settings
from bot.clock import ManualClock
from bot.model import Cadence, ChannelConfig, CheckInState, Person, RoundStatus
from bot.outgoing import Outgoing, QuestionMessage
from bot.ports import OutboxStatus, SendResult
from storage.migrate import upgrade_to_head
from storage.store import SqlStore
from tests.cli import COMMAND_TIMEOUT, ripple_command, ripple_env, run_ripple, sqlite_url
from tests.http import running

T = TypeVar("T")

WAIT_SECONDS = 20.0  # an upper bound for the machine being busy; passing tests never wait it out
MONDAY_0930 = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)
CHANNEL = "console:design"
MEMBERS = ("console:ana", "console:bo")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings come only from each test: no RIPPLE_ variables, no .env file in the cwd."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("RIPPLE_")]:
        monkeypatch.delenv(name)


def settings_for(db: Path, **overrides: object) -> Settings:
    return load_settings(database_url=sqlite_url(db), **overrides)


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ripple")


async def get(app: FastAPI, path: str) -> httpx.Response:
    """One request without the lifespan; the test closes the app's store itself."""
    try:
        async with client_for(app) as client:
            return await client.get(path)
    finally:
        await app.state.ripple.store.close()


async def test_healthz_answers_even_before_the_database_is_migrated(tmp_path: Path) -> None:
    app = build_app(settings_for(tmp_path / "r.db"), tick=False)

    response = await get(app, "/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_200_after_migrate(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "r.db")
    await upgrade_to_head(database_url(settings))
    app = build_app(settings, tick=False)

    response = await get(app, "/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_is_503_on_an_unmigrated_database(tmp_path: Path) -> None:
    app = build_app(settings_for(tmp_path / "r.db"), tick=False)

    response = await get(app, "/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "not ready"


async def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    # Port 1 on localhost refuses connections at once.
    settings = load_settings(database_url="postgresql://ripple:s3cret-pw@127.0.0.1:1/ripple")
    app = build_app(settings, tick=False)

    response = await get(app, "/readyz")

    assert response.status_code == 503
    assert "s3cret-pw" not in response.text


async def test_the_lifespan_runs_and_the_probes_answer_inside_it(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "r.db", tick_seconds=3600)
    await upgrade_to_head(database_url(settings))
    app = build_app(settings)

    async with running(app), client_for(app) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")

    assert (health.status_code, ready.status_code) == (200, 200)


# The scheduler, ticking inside the app.


def wait_for(check: Callable[[], T | None], *, what: str) -> T:
    """Poll ``check`` until it returns something, for at most WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (found := check()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)
    return found


async def eventually(check: Callable[[], Awaitable[T | None]], *, what: str) -> T:
    """Await ``check`` until it returns something, letting the app's loop run in between."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (found := await check()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)
    return found


@dataclass(frozen=True, kw_only=True)
class RoundState:
    round_id: str
    status: RoundStatus
    checkins: dict[str, tuple[CheckInState, bool]]  # person: (state, delivered)
    sent: int  # outbox messages confirmed by the sender


async def open_round_state(store: SqlStore) -> RoundState | None:
    async with store.unit_of_work() as uow:
        rounds = await uow.rounds.list_open()
        if not rounds:
            return None
        (round_,) = rounds
        checkins = await uow.checkins.list_for_round(round_.round_id)
        outbox = await uow.outbox.count_by_status()
    return RoundState(
        round_id=round_.round_id,
        status=round_.status,
        checkins={c.person_id: (c.state, c.delivered) for c in checkins},
        sent=outbox.get(OutboxStatus.SENT, 0),
    )


async def set_up_channel(settings: Settings, clock: ManualClock) -> None:
    """A channel asked on Mondays at 09:30 UTC, with two members, registered before start-up."""
    await upgrade_to_head(database_url(settings))
    ripple = build_ripple(settings, clock=clock)
    try:
        config = ChannelConfig(cadence=Cadence(weekday=0, local_time=clock_time(9, 30)))
        await ripple.register_channel(channel_id=CHANNEL, name="#design", config=config)
        people = [Person(person_id=pid, display_name=pid, timezone="UTC") for pid in MEMBERS]
        await ripple.sync_members(channel_id=CHANNEL, people=people)
    finally:
        await ripple.store.close()


async def test_the_scheduler_opens_the_due_round_and_delivers_the_gate(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "r.db", tick_seconds=1)
    clock = ManualClock(MONDAY_0930)
    await set_up_channel(settings, clock)
    sender = ConsoleSender()
    ripple = build_ripple(settings, clock=clock, senders={sender.platform: sender})
    app = build_app(settings, ripple=ripple)
    probe = SqlStore.from_url(database_url(settings))

    async def all_sent() -> RoundState | None:
        state = await open_round_state(probe)
        return state if state is not None and state.sent == len(MEMBERS) else None

    async def gates() -> set[str] | None:
        asked = {
            d.message.recipient
            for d in sender.delivered
            if isinstance(d.message, QuestionMessage) and d.message.action == "capacity"
        }
        return asked if asked == set(MEMBERS) else None

    try:
        assert await open_round_state(probe) is None, "nothing is open before the app starts"
        async with running(app), client_for(app) as client:
            assert (await client.get("/readyz")).status_code == 200
            state = await eventually(all_sent, what="the round to open and both gates to be sent")
            asked = await eventually(gates, what="the sender to receive both gates")
    finally:
        await probe.close()

    assert (state.round_id, state.status) == (f"{CHANNEL}/2026-W41", RoundStatus.OPEN)
    assert state.checkins == {pid: (CheckInState.ASKED, True) for pid in MEMBERS}
    assert asked == set(MEMBERS)
    assert len(sender.delivered) == len(MEMBERS), "each person is asked once, however many ticks"


@dataclass
class HeldSender:
    """Delivers like the console, but holds each send until released: a tick caught mid-send."""

    platform: str = "console"
    sending: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    inner: ConsoleSender = field(default_factory=ConsoleSender)

    async def send(self, message: Outgoing, *, replaces: str | None) -> SendResult:
        self.sending.set()
        await self.release.wait()
        return await self.inner.send(message, replaces=replaces)


async def test_stopping_the_app_lets_a_tick_in_progress_finish(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Cancelling a tick mid-delivery would lose the record of what the platform accepted,
    # and the message would be sent again after a restart.
    settings = settings_for(tmp_path / "r.db", tick_seconds=1)
    clock = ManualClock(MONDAY_0930)
    await set_up_channel(settings, clock)
    sender = HeldSender()
    app = build_app(
        settings, ripple=build_ripple(settings, clock=clock, senders={"console": sender})
    )

    async with running(app):
        await asyncio.wait_for(sender.sending.wait(), WAIT_SECONDS)
        asyncio.get_running_loop().call_later(0.5, sender.release.set)
    # Leaving the block shut the app down; the held delivery was let through meanwhile.

    probe = SqlStore.from_url(database_url(settings))
    try:
        state = await open_round_state(probe)
    finally:
        await probe.close()
    assert state is not None
    assert state.sent == len(MEMBERS)
    assert {d.message.recipient for d in sender.inner.delivered} == set(MEMBERS)
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


# `ripple serve` in a subprocess.


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    base: str
    health: httpx.Response | None = None
    stderr: str = ""
    returncode: int | None = None


@contextmanager
def ripple_serving(tmp_path: Path, env: dict[str, str], *args: str) -> Iterator[Served]:
    """`ripple serve ARGS` in a subprocess, once it answers /healthz; stopped with SIGTERM."""
    port = free_port()
    served = Served(base=f"http://127.0.0.1:{port}")
    with subprocess.Popen(
        ripple_command("serve", "--port", str(port), *args),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        try:

            def healthz() -> httpx.Response | None:
                assert server.poll() is None, "ripple serve exited early"
                try:
                    return httpx.get(f"{served.base}/healthz", timeout=2.0)
                except httpx.TransportError:
                    return None

            served.health = wait_for(healthz, what="ripple serve to answer /healthz")
            yield served
        finally:
            server.terminate()
            _, served.stderr = server.communicate(timeout=COMMAND_TIMEOUT)
            served.returncode = server.returncode


def test_ripple_serve_answers_healthz_and_stops_cleanly(tmp_path: Path) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"), log_level="INFO")
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0

    with ripple_serving(tmp_path, env) as served:
        ready = httpx.get(f"{served.base}/readyz", timeout=5.0)
    health, stderr = served.health, served.stderr
    assert health is not None

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert "server" not in health.headers  # uvicorn's name is not announced
    assert health.headers["x-content-type-options"] == "nosniff"
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status reports it.
    assert served.returncode in (0, -signal.SIGTERM), stderr
    assert "Application shutdown complete." in stderr
    assert "Traceback" not in stderr


def row_counts(db: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db)) as conn:
        names = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
        }


def test_a_forged_teams_activity_finds_no_endpoint_on_a_default_server(tmp_path: Path) -> None:
    """Production is the default: asking for Teams' anonymous mode there opens nothing."""
    db = tmp_path / "r.db"
    env = ripple_env(database_url=sqlite_url(db), teams_allow_anonymous="true", log_level="INFO")
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
    before = row_counts(db)
    forged = {
        "type": "message",
        "id": "1",
        "text": "forget",
        "serviceUrl": "https://attacker.example/",
        "channelId": "msteams",
        "from": {"id": "29:victim", "aadObjectId": "00000000-0000-0000-0000-000000000001"},
        "recipient": {"id": "28:ripple"},
        "conversation": {"id": "a:victim", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"},
    }

    with ripple_serving(tmp_path, env) as served:
        activity = httpx.post(f"{served.base}/api/messages", json=forged, timeout=5.0)
        docs = [httpx.get(f"{served.base}{p}", timeout=5.0) for p in ("/docs", "/openapi.json")]
    stderr = served.stderr

    assert activity.status_code == 404
    assert [response.status_code for response in docs] == [404, 404]
    assert row_counts(db) == before
    teams_lines = [line for line in stderr.splitlines() if "Teams is off" in line]
    assert len(teams_lines) == 1, stderr
    assert "RIPPLE_ENV=development" in teams_lines[0]
    assert "Traceback" not in stderr
