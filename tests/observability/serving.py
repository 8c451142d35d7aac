"""`ripple serve` in a subprocess for an async test, with its log written to a file.

A file, not a pipe: a pipe nobody drains while the test awaits would stall the server.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.cli import COMMAND_TIMEOUT, ripple_command
from tests.http.test_app import free_port
from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import FORM, form_body, signed_headers
from tests.slack.world import SIGNING_SECRET, element_labelled

WAIT_SECONDS = 30.0  # an upper bound for a busy machine; passing tests never wait it out
POLL_SECONDS = 0.05


@dataclass
class Server:
    base: str
    log: Path
    returncode: int | None = None

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []


async def eventually(check: Callable[[], Any], *, what: str) -> Any:
    """Await ``check()`` (sync or async) until it returns something truthy, and return it."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)


@asynccontextmanager
async def ripple_serve(tmp_path: Path, env: dict[str, str], *args: str) -> AsyncIterator[Server]:
    """`ripple serve`, once it answers /healthz; always stopped with SIGTERM on the way out."""
    port = free_port()
    server = Server(base=f"http://127.0.0.1:{port}", log=tmp_path / "ripple-serve.log")
    with server.log.open("w", encoding="utf-8") as log:
        process = await asyncio.create_subprocess_exec(
            *ripple_command("serve", "--port", str(port), *args),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=5.0) as client:

            async def healthy() -> bool:
                assert process.returncode is None, f"ripple serve exited: {server.lines()}"
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(healthy, what="ripple serve to answer /healthz")
        yield server
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            server.returncode = await asyncio.wait_for(process.wait(), COMMAND_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse_metrics(text: str) -> Samples:
    """Every sample of a Prometheus text page, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def tap(
    client: httpx.AsyncClient, slack: FakeSlack, *, team: str, user: str, label: str
) -> httpx.Response:
    """A signed tap, as Slack sends it, on the button ``label`` of the user's latest message."""
    message = slack.messages(user)[-1]
    element = element_labelled(message.blocks, label)
    payload = payloads.load(
        "block_actions",
        team_id=team,
        user_id=user,
        channel_id=message.channel,
        message_ts=message.ts,
        message_text=message.text,
        trigger_id=slack.trigger_id(),
    )
    action: dict[str, Any] = {
        "action_id": element["action_id"],
        "block_id": element["block_id"],
        "type": element["type"],
        "action_ts": payload["actions"][0]["action_ts"],
    }
    if "selected_option" in element:
        action["selected_option"] = element["selected_option"]
    else:
        action["value"] = element.get("value")
        action["text"] = element["text"]
    payload["actions"] = [action]
    payload["message"]["blocks"] = message.blocks
    body = form_body(payload)
    headers = signed_headers(body, secret=SIGNING_SECRET, content_type=FORM)
    return await client.post("/slack/events", content=body, headers=headers)


def message_state(slack: FakeSlack, user: str) -> tuple[int, int]:
    """How many messages the user has had, and how often the latest was updated."""
    return len(slack.messages(user)), slack.messages(user)[-1].updated


async def tap_and_wait(
    client: httpx.AsyncClient, slack: FakeSlack, *, team: str, user: str, label: str
) -> None:
    """``tap``, acknowledged, then wait for Ripple's answer (a new or updated message)."""
    before = message_state(slack, user)
    assert (await tap(client, slack, team=team, user=user, label=label)).status_code == 200
    await eventually(
        lambda: message_state(slack, user) != before, what=f"{user}'s answer to {label!r}"
    )
