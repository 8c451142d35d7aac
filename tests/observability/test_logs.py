"""`ripple serve` with RIPPLE_LOG_FORMAT=json: one JSON object a line, request ids, and quiet
probes; a check-in through signed Slack requests leaves no answer in the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from bot.app.catalog import YamlPromptCatalog
from tests.cli import run_ripple, sqlite_url
from tests.cli.test_worker import PEOPLE, TEAM, a_channel_due_now, slack_worker_env
from tests.observability.serving import (
    Server,
    eventually,
    ripple_serve,
    tap_and_wait,
)
from tests.slack.fake_slack import FakeSlack

KEYS = {"time", "level", "logger", "message"}
RESTED, ANSWERED = "U0001", "U0002"
OUR_ID = "probe-7f3a.b_c"
PROBES = 20


def records(server: Server) -> list[dict[str, Any]]:
    """Every line of the log as JSON; fails on a line that isn't one JSON object."""
    parsed = []
    for line in server.lines():
        record = json.loads(line)
        assert isinstance(record, dict), line
        parsed.append(record)
    return parsed


def catalog_text(key: str) -> str:
    return YamlPromptCatalog.load().message(key, locale="en")


async def test_json_logs_carry_request_ids_stay_quiet_for_probes_and_hold_no_answers(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace(TEAM)
        for user in PEOPLE:
            slack.add_user(TEAM, user, locale="en-US")
        url = sqlite_url(tmp_path / "r.db")
        env = slack_worker_env(slack, url, log_level="INFO", log_format="json")
        assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
        await a_channel_due_now(url)

        async with (
            ripple_serve(tmp_path, env) as server,
            httpx.AsyncClient(base_url=server.base, timeout=5.0) as client,
        ):
            await eventually(
                lambda: {m.im_user for m in slack.messages()} == set(PEOPLE),
                what="every gate to be delivered",
            )
            await tap_and_wait(
                client, slack, team=TEAM, user=RESTED, label="I'd rather rest this week"
            )
            for label in ("Yes, let's go", "4 — heavy"):
                await tap_and_wait(client, slack, team=TEAM, user=ANSWERED, label=label)

            # Probes at INFO: nothing. The 404 after them is logged, so once its line is
            # written, every probe's line would have been written before it.
            await eventually(
                lambda: any(r["message"].startswith("Uvicorn running") for r in records(server)),
                what="uvicorn's start-up lines",
            )
            quiet_from = len(server.lines())
            for _ in range(PROBES):
                assert (await client.get("/readyz")).status_code == 200
                assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/metrics")).status_code == 200
            echoed = await client.get("/nothing-here", headers={"X-Request-Id": OUR_ID})
            forged = await client.get(
                "/nothing-here", headers={"X-Request-Id": 'a b " level=ERROR'}
            )
            await eventually(
                lambda: sum("GET /nothing-here" in line for line in server.lines()) == 2,
                what="the 404s' access lines",
            )
            after_probes = records(server)[quiet_from:]

    logged = records(server)
    assert logged, "ripple serve logged nothing"
    for record in logged:
        assert record.keys() >= KEYS, record
    assert [r["message"] for r in after_probes if "/nothing-here" not in r["message"]] == []

    assert echoed.headers["x-request-id"] == OUR_ID
    new_id = forged.headers["x-request-id"]
    assert new_id != 'a b " level=ERROR' and new_id.isalnum()
    access = [r for r in logged if r["logger"] == "uvicorn.access"]
    assert access and all(r.get("request_id") for r in access)
    assert {r["request_id"] for r in access if "/nothing-here" in r["message"]} == {OUR_ID, new_id}
    assert sum("POST /slack/events" in r["message"] for r in access) == 3

    text = "\n".join(server.lines())
    for secret in (
        catalog_text("rest.ack"),
        catalog_text("done.rested"),
        "4 — heavy",
        "\\u2014 heavy",
    ):
        assert secret not in text
    assert "Loaded prompts" in text and text.count("Loaded prompts") == 1
    assert "alembic" not in text, "readiness checks don't log Alembic's lines"
    assert "Running job" not in text and "executed successfully" not in text
    assert server.returncode in (0, -15)
