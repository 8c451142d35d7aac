"""kill -9 in the middle of a fan-out: nothing is lost, and at most what was in flight is
sent twice."""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from pathlib import Path

from tests.cli import ripple_command, run_ripple, sqlite_url
from tests.cli.test_worker import TEAM, a_channel_due_now, slack_worker_env
from tests.slack.fake_slack import FakeSlack

PEOPLE = 1000
KILLS = 3
LEASE_SECONDS = 5
WAIT_SECONDS = 90.0


async def test_killing_the_worker_mid_fan_out_loses_no_one(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace(TEAM)
        users = [f"U{n:04d}" for n in range(1, PEOPLE + 1)]
        for user in users:
            slack.add_user(TEAM, user, locale="en-US")
        url = sqlite_url(tmp_path / "r.db")
        env = slack_worker_env(
            slack,
            url,
            slack_messages_per_minute="12000",
            send_lease_seconds=str(LEASE_SECONDS),
        )
        assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
        await a_channel_due_now(url, users=users)
        chance = random.Random(PEOPLE)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS

        for kill in range(KILLS + 1):
            worker = await asyncio.create_subprocess_exec(
                *ripple_command("worker"),
                cwd=tmp_path,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            if kill < KILLS:  # somewhere in the middle of the fan-out, without warning
                target = len(slack.messages()) + chance.randint(10, PEOPLE // (KILLS + 1))
                await sent(slack, at_least=target, until=deadline)
                worker.send_signal(signal.SIGKILL)
                await worker.wait()
                continue
            try:
                await sent(slack, to=set(users), until=deadline)
            finally:
                worker.send_signal(signal.SIGTERM)
                stopped = await worker.wait()
            assert stopped == 0

    delivered = Counter(m.im_user for m in slack.messages())
    assert set(delivered) == set(users)  # nobody lost
    twice = [user for user, n in delivered.items() if n > 1]
    # A kill can catch one send under way per drain (the tick's and the courier's).
    assert len(twice) <= 2 * KILLS


async def sent(
    slack: FakeSlack, *, until: float, at_least: int = 0, to: set[str] | None = None
) -> None:
    """Wait until Slack has ``at_least`` messages (and one to each of ``to``), or the loop's
    clock reaches ``until``."""
    loop = asyncio.get_running_loop()
    while True:
        messages = slack.messages()
        reached = to is None or to <= {m.im_user for m in messages}
        if (len(messages) >= at_least and reached) or loop.time() >= until:
            return
        await asyncio.sleep(0.01)
