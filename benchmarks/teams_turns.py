"""How fast Ripple answers Teams (which waits 15 seconds for a turn), under a burst from many
people: open-loop, each request a JWT-signed personal message, on a fresh SQLite database.

    .venv/bin/python -m benchmarks.teams_turns [--rate 100] [--seconds 10] [--people 50]

Ripple runs in this process behind a real HTTP server, with the token check, the core and
the database it runs with in production; the Bot Connector is a local fake.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import ManualClock
from tests.console import migrated_sqlite_store
from tests.teams import teams_harness, user

WORDS = ("help", "history", "pause", "resume")


async def run(rate: float, seconds: float, people: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ripple-teams-") as scratch:
        store = await migrated_sqlite_store(Path(scratch) / "ripple.db")
        clock = ManualClock(datetime.now(UTC))
        async with teams_harness(store=store, clock=clock) as h:
            crowd = [user(100 + n) for n in range(people)]
            token = h.token()
            loop = asyncio.get_running_loop()
            start = loop.time() + 0.5
            total = int(rate * seconds)
            latencies: list[float] = []
            statuses: list[int] = []

            async def one(n: int) -> None:
                at = start + n / rate
                who = crowd[n % people]
                activity = h.activity(
                    "personal_message",
                    text=WORDS[n % len(WORDS)],
                    conversation_id=who.conversation_id,
                    **who.fields(),
                )
                await asyncio.sleep(max(0.0, at - loop.time()))
                response = await h.http.post(
                    "/api/messages",
                    json=activity,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60.0,
                )
                latencies.append(loop.time() - at)
                statuses.append(response.status_code)

            await asyncio.gather(*(one(n) for n in range(total)))
            await h.platform.settle()
        await store.close()
    ordered = sorted(latencies)
    return {
        "requests": float(total),
        "non_2xx": float(sum(1 for s in statuses if not 200 <= s < 300)),
        "over_15s": float(sum(1 for t in latencies if t > 15)),
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(0.99 * (len(ordered) - 1))] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="requests a second (100)")
    parser.add_argument("--seconds", type=float, default=10.0, help="default 10")
    parser.add_argument("--people", type=int, default=50, help="default 50")
    args = parser.parse_args()
    result = asyncio.run(run(args.rate, args.seconds, args.people))
    print(
        f"Teams turns: {args.rate:g}/s for {args.seconds:g} s from {args.people} people, "
        f"SQLite, {os.cpu_count()} cores"
    )
    print(
        f"python -m benchmarks.teams_turns --rate {args.rate:g} --seconds {args.seconds:g} "
        f"--people {args.people}"
    )
    for name, value in result.items():
        print(f"{name:<10} {value:>10.1f}")


if __name__ == "__main__":
    main()
