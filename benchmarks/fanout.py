"""A big round's check-ins, delivered to a local Slack fake that rate-limits: the pace Ripple
reaches against the one configured, and whether anyone was missed or asked twice.

    .venv/bin/python -m benchmarks.fanout [--people 10000] [--pace 3000] [--database sqlite]

Ripple runs in this process as `ripple serve` runs it: the real store (a fresh SQLite file,
or a fresh PostgreSQL database), the Slack sender and pacer, and the scheduler's courier
draining the outbox. The fake enforces a per-minute limit on chat.postMessage and answers
429 past it (and then until each Retry-After has passed), as Slack does. With the limit
above Ripple's pace there should be no 429 and the pace is reached; with it below, Ripple
slows down and settles near Slack's limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from adapters.scheduler import RippleClock
from adapters.slack.pacing import SlackPacer
from adapters.slack.platform import SlackConfig, SlackPlatform
from bot.app.catalog import YamlPromptCatalog
from bot.clock import SystemClock
from bot.model import Cadence, ChannelConfig, Person
from bot.ripple import Ripple
from storage.migrate import upgrade_to_head
from storage.store import SqlStore
from tests.conftest import throwaway_postgres
from tests.slack.fake_slack import FakeSlack, make_bot_token

TEAM = "T0001"
CHANNEL = f"slack:{TEAM}:C0ALL"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    """A fresh, migrated database of ``kind``, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ripple-fanout-") as scratch:
            url = f"sqlite+aiosqlite:///{Path(scratch) / 'ripple.db'}"
            await upgrade_to_head(url)
            yield url
        return
    os.environ.setdefault("RIPPLE_TEST_POSTGRES_URL", POSTGRES)
    async with throwaway_postgres(migrated=True) as url:
        yield url


async def run(people: int, pace: int, kind: str, slack_limit: int) -> dict[str, float]:
    token = make_bot_token()
    async with FakeSlack() as slack, database(kind) as url:
        slack.add_workspace(TEAM, bot_token=token)
        users = [f"U{i:05d}" for i in range(people)]
        for user in users:
            slack.add_user(TEAM, user, locale="en-US", tz="UTC")
        slack.limit_per_minute("chat.postMessage", slack_limit)
        config = SlackConfig(signing_secret="x" * 32, bot_token=token, api_url=slack.api_url)
        platform = SlackPlatform(
            config=config,
            catalog=YamlPromptCatalog.load(),
            pacer=SlackPacer(messages_per_minute=pace),
        )
        store = SqlStore.from_url(url)
        ripple = Ripple(
            store=store,
            catalog=platform.catalog,
            clock=SystemClock(),
            senders={"slack": platform.sender},
        )
        now = datetime.now(UTC)
        await ripple.register_channel(
            channel_id=CHANNEL,
            name="#everyone",
            config=ChannelConfig(
                cadence=Cadence(weekday=now.weekday(), local_time=now.time().replace(second=0)),
                timezone="UTC",
            ),
        )
        await ripple.sync_members(
            channel_id=CHANNEL,
            people=[Person(person_id=f"slack:{TEAM}:{u}", display_name=u) for u in users],
        )
        opened = time.monotonic()
        report = await ripple.tick()
        queued = time.monotonic() - opened
        courier = RippleClock(ripple=ripple, interval=3600, members_interval=3600, idle=0.2)
        courier.start()
        started = time.monotonic()
        try:
            while len(slack.messages()) < people:
                await asyncio.sleep(0.5)
                if time.monotonic() - started > 4 * 60 * people / pace + 120:
                    break
            await asyncio.sleep(2.0)  # anything sent twice would arrive now
        finally:
            await courier.stop()
            await platform.stop()
            await store.close()
        sent = [c.at for c in slack.calls("chat.postMessage") if c.status == 200]
        limited = sum(1 for c in slack.calls("chat.postMessage") if c.status == 429)
        delivered = Counter(m.im_user for m in slack.messages())
        elapsed = max(sent) - min(sent)
        # Every whole minute inside the run, sampled at sends: what went out in it.
        starts = [t for t in sent[:: max(1, people // 200)] if t + 60 <= max(sent)]
        minutes = [sum(1 for t in sent if s <= t < s + 60) for s in starts]
        return {
            "asked": report.asked,
            "queue_seconds": queued,
            "delivered": len(delivered),
            "lost": people - len(delivered),
            "doubled": sum(1 for n in delivered.values() if n > 1),
            "429s": limited,
            "elapsed_s": elapsed,
            "rate_per_min": len(sent) / elapsed * 60 if elapsed else float("nan"),
            "busiest_minute": max(minutes) if minutes else float("nan"),
            "median_minute": statistics.median(minutes) if minutes else float("nan"),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000, help="default 10000")
    parser.add_argument("--pace", type=int, default=3000, help="messages a minute (3000)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--slack-limit", type=int, default=3600, help="the fake's limit a minute (3600)"
    )
    args = parser.parse_args()
    result = asyncio.run(run(args.people, args.pace, args.database, args.slack_limit))
    print(
        f"fan-out of {args.people} on {args.database}, pace {args.pace}/min, {os.cpu_count()} cores"
    )
    print(
        f"python -m benchmarks.fanout --people {args.people} --pace {args.pace} "
        f"--database {args.database} --slack-limit {args.slack_limit}"
    )
    print(f"{'measure':<16} {'value':>12}")
    for name, value in result.items():
        print(f"{name:<16} {value:>12.1f}")
    steady = result["median_minute"]
    print(f"{'minute / pace':<16} {steady / args.pace:>12.3f}")
    print(f"{'minute / limit':<16} {steady / args.slack_limit:>12.3f}")


if __name__ == "__main__":
    main()
