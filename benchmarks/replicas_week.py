"""Three `ripple serve` processes on one PostgreSQL database live through a week together:
does any round open twice, or anyone get a check-in, reminder or summary twice?

    .venv/bin/python -m benchmarks.replicas_week [--replicas 3] [--speed 2400]

The processes run in development with a fast clock (RIPPLE_CLOCK_SPEED, one shared origin),
so a week passes in minutes; each ticks and delivers to a local Slack fake. Channels in
four time zones check in at their local time; nobody answers, so everyone is reminded once,
and each channel's manager gets one summary when its round closes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text

from benchmarks.fanout import database
from bot.app.catalog import YamlPromptCatalog
from bot.clock import FastClock
from bot.model import Cadence, ChannelConfig, Person
from bot.ripple import Ripple
from storage.engine import create_engine
from storage.store import SqlStore
from tests.cli import ripple_command, ripple_env
from tests.slack.fake_slack import FakeSlack, make_bot_token

TEAM = "T0001"
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney")
PEOPLE = 20  # in each channel, plus its manager
CLEAN = (0, -signal.SIGTERM)  # uvicorn stops gracefully, then re-raises the signal
# The week lived through: its round opens an hour in, reminds a day later and closes three
# days after that; next week's round would open an hour after seven days.
WEEK = timedelta(days=7)


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def set_up(url: str, slack: FakeSlack, clock: FastClock) -> dict[str, list[str]]:
    """The channels, their people and managers, each asked an hour (simulated) from now."""
    store = SqlStore.from_url(url)
    ripple = Ripple(store=store, catalog=YamlPromptCatalog.load(), clock=clock, senders={})
    channels: dict[str, list[str]] = {}
    try:
        for n, zone in enumerate(ZONES):
            users = [f"U{n}{m:03d}" for m in range(PEOPLE)]
            manager = f"U{n}MGR"
            for user in [*users, manager]:
                slack.add_user(TEAM, user, locale="en-US", tz=zone)
            slack.add_channel(TEAM, f"C{n}", name=f"team{n}", members=[*users, "U0BOT"])
            asks = (clock.now() + timedelta(hours=1)).astimezone(ZoneInfo(zone))
            config = ChannelConfig(
                cadence=Cadence(weekday=asks.weekday(), local_time=asks.time().replace(second=0)),
                timezone=zone,
                reminders=1,
                managers=frozenset({f"slack:{TEAM}:{manager}"}),
            )
            channel = f"slack:{TEAM}:C{n}"
            await ripple.register_channel(channel_id=channel, name=f"#team{n}", config=config)
            people = [Person(person_id=f"slack:{TEAM}:{u}", display_name=u) for u in users]
            await ripple.sync_members(channel_id=channel, people=people)
            channels[channel] = users
    finally:
        await store.close()
    return channels


async def run(replicas: int, speed: float) -> None:
    origin = datetime.now(UTC)
    clock = FastClock(origin=origin, speed=speed)
    async with FakeSlack() as slack, database("postgres") as url:
        token = make_bot_token()
        slack.add_workspace(TEAM, bot_token=token)
        channels = await set_up(url, slack, clock)
        env = ripple_env(
            database_url=url,
            env="development",
            clock_speed=str(speed),
            clock_origin=origin.isoformat(),
            slack_bot_token=token,
            slack_signing_secret="x" * 32,
            slack_api_url=slack.api_url,
            slack_messages_per_minute="6000",
            send_lease_seconds="3600",
            tick_seconds="1",
            log_level="WARNING",
        )
        ports = [free_port() for _ in range(replicas)]
        servers = [
            await asyncio.create_subprocess_exec(
                *ripple_command("serve", "--port", str(port)),
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            for port in ports
        ]
        try:
            async with httpx.AsyncClient() as http:
                for port in ports:
                    await ready(http, f"http://127.0.0.1:{port}/readyz")
            left = (origin + WEEK - clock.now()).total_seconds() / speed
            await asyncio.sleep(max(left, 0))
        finally:
            for server in servers:
                server.send_signal(signal.SIGTERM)
            codes = [await server.wait() for server in servers]
        rounds = await count_rounds(url)
    report(slack, channels, rounds, replicas=replicas, speed=speed, codes=codes)


async def ready(http: httpx.AsyncClient, url: str) -> None:
    for _ in range(300):
        try:
            if (await http.get(url, timeout=1.0)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} never became ready")


async def count_rounds(url: str) -> Counter[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT channel_id FROM rounds"))
            return Counter(row[0] for row in rows)
    finally:
        await engine.dispose()


def report(
    slack: FakeSlack,
    channels: dict[str, list[str]],
    rounds: Counter[str],
    *,
    replicas: int,
    speed: float,
    codes: Sequence[int | None],
) -> None:
    kinds: Counter[tuple[str, str]] = Counter()
    for call in slack.calls("chat.postMessage") + slack.calls("chat.update"):
        if call.status != 200 or call.error is not None:
            continue
        said, user = str(call.params.get("text") or ""), str(call.params.get("channel"))
        user = "U" + user[1:] if user.startswith("D") else user  # a DM, by its person
        if "check-in time for" in said:
            kinds[(user, "asked")] += 1
        elif "is open until" in said:
            kinds[(user, "reminded")] += 1
        elif call.method == "chat.postMessage":
            kinds[(user, "other")] += 1
    people = [user for users in channels.values() for user in users]
    managers = [f"U{n}MGR" for n in range(len(channels))]
    asked = [kinds[(u, "asked")] for u in people]
    reminded = [kinds[(u, "reminded")] for u in people]
    summaries = [kinds[(m, "other")] for m in managers]
    print(f"{replicas} `ripple serve` on one PostgreSQL, clock x{speed:g}, {os.cpu_count()} cores")
    print(f"python -m benchmarks.replicas_week --replicas {replicas} --speed {speed:g}")
    print(f"{'measure':<34} {'expected':>9} {'found':>9}")
    rows = [
        (
            "rounds per channel",
            "1",
            f"{min(rounds.values(), default=0)}-{max(rounds.values(), default=0)}",
        ),
        ("people asked", str(len(people)), str(sum(1 for n in asked if n))),
        ("people asked more than once", "0", str(sum(1 for n in asked if n > 1))),
        ("people reminded", str(len(people)), str(sum(1 for n in reminded if n))),
        ("people reminded more than once", "0", str(sum(1 for n in reminded if n > 1))),
        ("managers summarised", str(len(managers)), str(sum(1 for n in summaries if n))),
        ("managers summarised more than once", "0", str(sum(1 for n in summaries if n > 1))),
        ("messages in all", "", str(len(slack.messages()))),
        ("processes that stopped cleanly", str(replicas), str(sum(c in CLEAN for c in codes))),
    ]
    for name, expected, found in rows:
        print(f"{name:<34} {expected:>9} {found:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3, help="default 3")
    parser.add_argument("--speed", type=float, default=2400, help="clock speed (2400)")
    args = parser.parse_args()
    asyncio.run(run(args.replicas, args.speed))


if __name__ == "__main__":
    main()
