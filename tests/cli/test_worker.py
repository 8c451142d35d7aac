"""Operators who split roles: `ripple worker` ticks and delivers, `ripple serve --no-scheduler`
answers requests only."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bot.app.catalog import YamlPromptCatalog
from bot.clock import SystemClock
from bot.model import Cadence, ChannelConfig, Person
from bot.ripple import Ripple
from storage.store import SqlStore
from tests.cli import COMMAND_TIMEOUT, ripple_command, ripple_env, run_ripple, sqlite_url
from tests.http.test_app import ripple_serving
from tests.slack.fake_slack import FakeSlack
from tests.slack.world import SIGNING_SECRET

TEAM = "T0001"
CHANNEL = f"slack:{TEAM}:C0DESIGN"
PEOPLE = ("U0001", "U0002", "U0003")
WAIT_SECONDS = 30.0


async def a_channel_due_now(
    url: str, *, users: tuple[str, ...] | list[str] = PEOPLE, channel: str = CHANNEL
) -> None:
    """A Slack channel (three people unless told) whose check-in opened a minute ago (UTC)."""
    now = datetime.now(UTC) - timedelta(minutes=1)
    store = SqlStore.from_url(url)
    ripple = Ripple(store=store, catalog=YamlPromptCatalog.load(), clock=SystemClock(), senders={})
    try:
        config = ChannelConfig(
            cadence=Cadence(weekday=now.weekday(), local_time=now.time().replace(microsecond=0)),
            timezone="UTC",
        )
        await ripple.register_channel(channel_id=channel, name="#design", config=config)
        people = [Person(person_id=f"slack:{TEAM}:{user}", display_name=user) for user in users]
        await ripple.sync_members(channel_id=channel, people=people)
    finally:
        await store.close()


def slack_worker_env(slack: FakeSlack, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a `ripple` process that talks to ``slack`` and ticks every second."""
    values = {"tick_seconds": "1", "log_level": "WARNING", **settings}
    return ripple_env(
        database_url=database_url,
        slack_bot_token=slack.workspace(TEAM).bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        **values,
    )


async def rounds_in(url: str) -> int:
    store = SqlStore.from_url(url)
    try:
        async with store.unit_of_work() as uow:
            return len(await uow.rounds.list_open())
    finally:
        await store.close()


async def test_the_worker_opens_the_round_and_delivers_then_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace(TEAM)
        for user in PEOPLE:
            slack.add_user(TEAM, user, locale="en-US")
        url = sqlite_url(tmp_path / "r.db")
        env = slack_worker_env(slack, url, log_level="INFO")
        assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
        await a_channel_due_now(url)

        worker = await asyncio.create_subprocess_exec(
            *ripple_command("worker"),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
            while {m.im_user for m in slack.messages()} != set(PEOPLE):
                assert worker.returncode is None, "ripple worker exited early"
                assert asyncio.get_running_loop().time() < deadline, "no check-ins were sent"
                await asyncio.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(worker.communicate(), COMMAND_TIMEOUT)

    stderr = err.decode()
    assert worker.returncode == 0, stderr
    assert all("check-in time for #design" in m.text for m in slack.messages())
    assert len(slack.messages()) == len(PEOPLE)  # once each
    assert "worker started" in stderr and "worker stopped" in stderr
    assert "Uvicorn" not in stderr and "Traceback" not in stderr


async def test_serve_without_the_scheduler_answers_but_opens_no_round(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "r.db")
    env = ripple_env(database_url=url, tick_seconds="1", log_level="INFO")
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
    await a_channel_due_now(url)

    with ripple_serving(tmp_path, env, "--no-scheduler") as served:
        await asyncio.sleep(3)  # three ticks' worth
        async with httpx.AsyncClient() as client:
            ready = await client.get(f"{served.base}/readyz", timeout=5.0)
        opened = await rounds_in(url)

    assert ready.status_code == 200
    assert opened == 0
    assert "the scheduler is off here" in served.stderr
    assert "scheduler ticking" not in served.stderr


def test_the_worker_refuses_to_start_on_an_unmigrated_database(tmp_path: Path) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"))
    result = subprocess.run(
        ripple_command("worker"),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert result.returncode == 1
    assert "ripple migrate" in result.stderr
    assert "Traceback" not in result.stderr
