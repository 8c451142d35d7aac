"""How fast Slack's requests are acknowledged: Ripple against a bare Bolt app.

Each variant is a fresh server process on 127.0.0.1, loaded open-loop at a fixed rate
with one of the three kinds of signed request Slack waits on (``--path``), twice: "cold"
right after start, then "warm":

- command: `/ripple help` slash commands;
- tap: block_actions taps on a check-in's "Yes, let's go" (capacity ``now``) button, encoded
  as Ripple encodes it, for a round that isn't open;
- setup: view_submissions of the channel setup modal, from one person who isn't an admin.

Latency is the response time minus the request's scheduled send time, so queueing counts.
The Slack Web API is a local fake (tests/slack/fake_slack.py) on its own thread.

Run: .venv/bin/python -m benchmarks.ack_latency [--path command|tap|setup] [--rate 200]
     [--seconds 10] [--people 50] [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.slack.actions import CHOICE, SETUP_VIEW, Tap, encode_tap
from storage.url import normalize_database_url
from tests.cli import ripple_command, ripple_env, sqlite_url
from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import FORM, command_body, form_body, signed_headers

ROOT = Path(__file__).resolve().parents[1]
TEAM = "T0001"
SIGNING_SECRET = "d8b5a1c0e2f34c6a9b7e1f0a2c3d4e5f"  # a dummy, in Slack's format
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
START_SECONDS = 60.0
SETTLE_SECONDS = 30.0
ACK_DEADLINE = 3.0  # past this, Slack shows the person an error instead of the answer
CHANNEL = f"slack:{TEAM}:C0DESIGN"
ROUND = f"{CHANNEL}/2026-W45"
PATHS = {
    "command": ("signed `/ripple help`", "help texts Ripple posted to response_url"),
    "tap": (
        'signed taps on "Yes, let\'s go" (round not open)',
        "direct messages Ripple posted (paced, so many wait in its outbox)",
    ),
    "setup": (
        "signed setup modal submissions by one non-admin",
        "direct messages Ripple posted (paced, so many wait in its outbox)",
    ),
}

Request = tuple[bytes, dict[str, str]]


@dataclass(frozen=True)
class Run:
    variant: str
    phase: str
    latencies: list[float]
    statuses: list[int]
    send_lag: float
    answered: int | None

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@contextmanager
def fake_slack(people: int) -> Iterator[FakeSlack]:
    """FakeSlack on an event loop of its own, so serving it does not delay the load."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-slack", daemon=True)
    thread.start()
    slack = FakeSlack()
    try:
        asyncio.run_coroutine_threadsafe(slack.__aenter__(), loop).result()
        slack.add_workspace(TEAM)
        for user_id in user_ids(people):
            slack.add_user(
                TEAM,
                user_id,
                real_name=f"Person {user_id}",
                display_name=user_id.lower(),
                tz="Europe/Berlin",
                locale="en-US",
            )
        yield slack
    finally:
        asyncio.run_coroutine_threadsafe(slack.__aexit__(None, None, None), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def user_ids(people: int) -> list[str]:
    return [f"U{n:04d}" for n in range(1, people + 1)]


async def administer(statement: str) -> None:
    """Run one statement on the PostgreSQL server, outside any transaction."""
    engine = create_async_engine(
        normalize_database_url(POSTGRES_SERVER), isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def database(kind: str, scratch: Path) -> Iterator[str]:
    """The URL of an empty database for Ripple: a SQLite file, or a fresh PostgreSQL one."""
    if kind == "sqlite":
        yield sqlite_url(scratch / "ripple.db")
        return
    name = f"ripple_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(administer(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> Iterator[str]:
    """``command`` in a subprocess once it answers /healthz; its base URL; then SIGTERM."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if server.poll() is not None:
                raise SystemExit(f"{command} exited early:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{command} did not answer /healthz:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def slash_command(slack: FakeSlack, user_id: str) -> str:
    """A `/ripple help` body from ``user_id``."""
    fields = payloads.load(
        "slash_command",
        user_id=user_id,
        user_name=user_id.lower(),
        text="help",
        response_url=slack.response_url(team_id=TEAM, kind="commands"),
    )
    return command_body(**fields)


def capacity_tap(slack: FakeSlack, user_id: str, action_ts: str) -> str:
    """A block_actions body: ``user_id`` taps "Yes, let's go" on a gate for ``ROUND``."""
    payload = payloads.load(
        "block_actions",
        user_id=user_id,
        user_name=user_id.lower(),
        action_id=f"{CHOICE}:0",
        action_value=encode_tap(
            Tap(action="capacity", round_id=ROUND, question_id=None, value="now")
        ),
        action_text="Yes, let's go",
        action_ts=action_ts,
        response_url=slack.response_url(team_id=TEAM),
        trigger_id=slack.trigger_id(),
    )
    return form_body(payload)


def setup_submission(slack: FakeSlack, user_id: str) -> str:
    """A view_submission body: ``user_id`` saves ``CHANNEL``'s setup modal, valid as filled."""
    state: dict[str, Any] = {
        "values": {
            "weekday": {
                "weekday": {
                    "type": "static_select",
                    "selected_option": {
                        "text": {"type": "plain_text", "text": "Monday"},
                        "value": "0",
                    },
                }
            },
            "time": {"time": {"type": "timepicker", "selected_time": "09:30"}},
            "k": {"k": {"type": "number_input", "value": "5"}},
        }
    }
    payload = payloads.load(
        "view_submission",
        user_id=user_id,
        user_name=user_id.lower(),
        callback_id=SETUP_VIEW,
        private_metadata=json.dumps({"channel_id": CHANNEL, "locale": "en"}),
        state=state,
        trigger_id=slack.trigger_id(),
    )
    payload["view"]["blocks"] = []
    return form_body(payload)


def signed_requests(path: str, slack: FakeSlack, people: int, count: int) -> list[Request]:
    """``count`` signed bodies for ``path``: round robin over the people, setup from the first."""
    users = user_ids(people)
    second = int(time.time())
    requests = []
    for index in range(count):
        user_id = users[index % people]
        if path == "command":
            body = slash_command(slack, user_id)
        elif path == "tap":
            body = capacity_tap(slack, user_id, f"{second}.{index:06d}")
        else:
            body = setup_submission(slack, users[0])
        requests.append(
            (body.encode(), signed_headers(body, secret=SIGNING_SECRET, content_type=FORM))
        )
    return requests


async def open_loop(
    base: str, requests: list[Request], rate: float
) -> tuple[list[float], list[int], float]:
    """Send each request at its scheduled time; latencies from that time, statuses, max lag."""
    latencies = [0.0] * len(requests)
    statuses = [0] * len(requests)
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        loop = asyncio.get_running_loop()

        async def send(index: int, scheduled: float) -> None:
            body, headers = requests[index]
            try:
                response = await client.post("/slack/events", content=body, headers=headers)
                statuses[index] = response.status_code
            except httpx.HTTPError:
                statuses[index] = 0
            latencies[index] = loop.time() - scheduled

        start = loop.time() + 0.05
        lag = 0.0
        tasks = []
        for index in range(len(requests)):
            scheduled = start + index / rate
            await asyncio.sleep(max(0.0, scheduled - loop.time()))
            lag = max(lag, loop.time() - scheduled)
            tasks.append(asyncio.create_task(send(index, scheduled)))
        await asyncio.gather(*tasks)
    return latencies, statuses, lag


def answers(slack: FakeSlack, path: str) -> int:
    """How many answers Ripple has sent for ``path``: to response_urls, or as messages."""
    return len(slack.responses() if path == "command" else slack.messages())


def settle(slack: FakeSlack, path: str, before: int, expected: int) -> int:
    """Wait for the ``expected`` answers Ripple sends after the acks; how many came."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while answers(slack, path) - before < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    return answers(slack, path) - before


def measure(variant: str, base: str, slack: FakeSlack, options: argparse.Namespace) -> list[Run]:
    count = round(options.rate * options.seconds)
    runs = []
    for phase in ("cold", "warm"):
        requests = signed_requests(options.path, slack, options.people, count)
        before = answers(slack, options.path)
        latencies, statuses, lag = asyncio.run(open_loop(base, requests, options.rate))
        ripple = variant == "ripple"
        answered = settle(slack, options.path, before, statuses.count(200) if ripple else 0)
        runs.append(Run(variant, phase, latencies, statuses, lag, answered if ripple else None))
    return runs


def benchmark(options: argparse.Namespace, scratch: Path) -> list[Run]:
    with fake_slack(options.people) as slack:
        token = slack.workspace(TEAM).bot_token
        with database(options.database, scratch) as url:
            env = ripple_env(
                database_url=url,
                slack_bot_token=token,
                slack_signing_secret=SIGNING_SECRET,
                slack_api_url=slack.api_url,
                log_level="WARNING",
                tick_seconds="3600",
            )
            migrated = subprocess.run(
                ripple_command("migrate"), cwd=scratch, env=env, capture_output=True, text=True
            )
            if migrated.returncode != 0:
                raise SystemExit(f"ripple migrate failed:\n{migrated.stderr}")
            with serving(ripple_command("serve"), env, scratch, scratch / "ripple.log") as base:
                runs = measure("ripple", base, slack, options)
        bare_env = ripple_env()
        bare_env.update(
            SLACK_BOT_TOKEN=token, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.api_url
        )
        bare = [sys.executable, "-m", "uvicorn", "benchmarks.bare_bolt_app:app"]
        bare += ["--log-level", "warning"]
        with serving(bare, bare_env, ROOT, scratch / "bare.log") as base:
            runs += measure("bare bolt", base, slack, options)
        for log in ("ripple.log", "bare.log"):
            if "Traceback" in (scratch / log).read_text():
                print(f"warning: {log} has a traceback:\n{(scratch / log).read_text()}")
    return runs


def report(options: argparse.Namespace, runs: list[Run], load_before: float) -> None:
    floor = {run.phase: run for run in runs if run.variant == "bare bolt"}
    load, answered_means = PATHS[options.path]
    command = (
        f".venv/bin/python -m benchmarks.ack_latency --path {options.path} --rate {options.rate:g} "
        f"--seconds {options.seconds:g} --people {options.people} --database {options.database}"
    )
    where = (
        "a file in a temp dir" if options.database == "sqlite" else f"fresh, on {POSTGRES_SERVER}"
    )
    print(f"command:  {command}")
    print(f"cores:    {os.cpu_count()} (1-min load average before: {load_before:.2f})")
    print(f"database: {options.database} ({where})")
    print(f"path:     {options.path}")
    print(
        f"load:     open-loop, {options.rate:g}/s for {options.seconds:g} s, "
        f"{options.people} people, {load}; latency from scheduled send time"
    )
    print()
    header = (
        f"{'variant':<10} {'phase':<5} {'requests':>8} {'non-200':>7} {'>3 s':>5} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'p50 ×bare':>9} {'p99 ×bare':>9} "
        f"{'answered':>8} {'lag ms':>6}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        p50, p99 = run.percentile(0.50), run.percentile(0.99)
        bare = floor[run.phase]
        failed = sum(status != 200 for status in run.statuses)
        late = sum(latency > ACK_DEADLINE for latency in run.latencies)
        answered = "-" if run.answered is None else str(run.answered)
        print(
            f"{run.variant:<10} {run.phase:<5} {len(run.statuses):>8} {failed:>7} {late:>5} "
            f"{p50 * 1000:>7.1f} {p99 * 1000:>7.1f} {max(run.latencies) * 1000:>7.1f} "
            f"{p50 / bare.percentile(0.50):>8.2f}× {p99 / bare.percentile(0.99):>8.2f}× "
            f"{answered:>8} {run.send_lag * 1000:>6.1f}"
        )
    print()
    print(f">3 s: acks slower than Slack's {ACK_DEADLINE:g} s deadline (the person sees an error).")
    print(f"answered: {answered_means} after acking.")
    print("lag ms: the most the load generator itself fell behind its schedule; where it is")
    print("large, the machine (not only the server) was too busy and the run is suspect.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--path", choices=tuple(PATHS), default="command")
    parser.add_argument("--rate", type=float, default=200, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument("--people", type=int, default=50, help="Slack users sending commands")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    options = parser.parse_args()
    if min(options.rate, options.seconds, options.people) <= 0:
        parser.error("--rate, --seconds and --people must be positive")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        runs = benchmark(options, Path(scratch))
    report(options, runs, load_before)


if __name__ == "__main__":
    main()
