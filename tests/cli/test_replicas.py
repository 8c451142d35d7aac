"""Several `ripple worker` processes on one PostgreSQL database, all ticking and delivering
at once: each round is opened once and each person asked once."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from storage.engine import create_engine
from tests.cli import ripple_command
from tests.cli.test_crash import sent
from tests.cli.test_worker import TEAM, a_channel_due_now, slack_worker_env
from tests.slack.fake_slack import FakeSlack

REPLICAS = 3
CHANNELS = 4
PEOPLE = 25  # in each channel
WAIT_SECONDS = 90.0


async def test_replicas_open_each_round_once_and_ask_each_person_once(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace(TEAM)
        env = slack_worker_env(slack, empty_postgres_url, slack_messages_per_minute="6000")
        migrate = await asyncio.create_subprocess_exec(*ripple_command("migrate"), env=env)
        assert await migrate.wait() == 0
        everyone: set[str] = set()
        for n in range(CHANNELS):
            users = [f"U{n}{m:03d}" for m in range(PEOPLE)]
            for user in users:
                slack.add_user(TEAM, user, locale="en-US")
            await a_channel_due_now(empty_postgres_url, users=users, channel=f"slack:{TEAM}:C{n}")
            everyone |= set(users)

        workers = [
            await asyncio.create_subprocess_exec(
                *ripple_command("worker"),
                cwd=tmp_path,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(REPLICAS)
        ]
        try:
            deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
            await sent(slack, to=everyone, until=deadline)
            await asyncio.sleep(3)  # several more ticks each: anything doubled shows now
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            codes = [await worker.wait() for worker in workers]
        errors = [(await worker.stderr.read()).decode() for worker in workers if worker.stderr]

    assert codes == [0] * REPLICAS, errors
    asked = Counter(m.im_user for m in slack.messages())
    assert set(asked) == everyone
    assert [user for user, n in asked.items() if n > 1] == []
    engine = create_engine(empty_postgres_url)
    try:
        async with engine.connect() as conn:
            rounds = (await conn.execute(text("SELECT count(*) FROM rounds"))).scalar()
            checkins = (await conn.execute(text("SELECT count(*) FROM checkins"))).scalar()
    finally:
        await engine.dispose()
    assert (rounds, checkins) == (CHANNELS, CHANNELS * PEOPLE)
