"""/metrics on a real `ripple serve`: a check-in over signed Slack requests moves the counters."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.cli import ripple_env, run_ripple, sqlite_url
from tests.cli.test_worker import PEOPLE, TEAM, a_channel_due_now, slack_worker_env
from tests.observability.serving import (
    eventually,
    parse_metrics,
    ripple_serve,
    sample,
    tap_and_wait,
)
from tests.slack.fake_slack import FakeSlack

ASKED, RATE_LIMITED, UNREACHABLE = "U0001", "U0002", "U0003"


async def test_a_check_in_over_slack_moves_the_counters_an_operator_watches(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace(TEAM)
        for user in PEOPLE:
            slack.add_user(TEAM, user, locale="en-US")
        # The first post is answered 429 (Retry-After: 1 s); U0003 can't be reached.
        slack.fail_next("chat.postMessage", count=1)
        slack.fail_for("chat.postMessage", channel=UNREACHABLE, error="user_not_found")
        url = sqlite_url(tmp_path / "r.db")
        env = slack_worker_env(slack, url, log_level="INFO")
        assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
        await a_channel_due_now(url)

        async with (
            ripple_serve(tmp_path, env) as server,
            httpx.AsyncClient(base_url=server.base, timeout=5.0) as client,
        ):
            await eventually(
                lambda: {m.im_user for m in slack.messages()} >= {ASKED, RATE_LIMITED},
                what="the gates to reach both reachable people",
            )
            await tap_and_wait(client, slack, team=TEAM, user=ASKED, label="Yes, let's go")

            async def settled() -> dict | None:
                page = await client.get("/metrics")
                assert page.status_code == 200
                assert page.headers["content-type"].startswith("text/plain")
                samples = parse_metrics(page.text)
                # A send is counted just after it is recorded: wait for both to be seen.
                empty = sample(samples, "ripple_outbox_depth") == 0
                sent = sample(samples, "ripple_sends_total", platform="slack", result="sent")
                return samples if empty and sent is not None and sent >= 3 else None

            samples = await eventually(settled, what="the outbox to empty and sends counted")

    slack_sends = {
        result: sample(samples, "ripple_sends_total", platform="slack", result=result)
        for result in ("sent", "deferred", "retry", "gave_up", "unreachable", "inactive")
    }
    assert slack_sends["sent"] == 3  # two gates, and the question after the tap
    assert slack_sends["deferred"] == 1
    assert slack_sends["unreachable"] == 1
    assert (slack_sends["retry"], slack_sends["gave_up"], slack_sends["inactive"]) == (0, 0, 0)
    assert sample(samples, "ripple_rate_limited_total", platform="slack") == 1
    assert sample(samples, "ripple_send_retries_total", platform="slack") == 1
    assert sample(samples, "ripple_rounds_opened_total") == 1
    assert sample(samples, "ripple_checkins_asked_total") == len(PEOPLE)
    assert sample(samples, "ripple_reminders_total") == 0
    assert sample(samples, "ripple_digests_sent_total") == 0
    assert sample(samples, "ripple_outbox_oldest_age_seconds") == 0
    lag = sample(samples, "ripple_scheduler_lag_seconds")
    assert lag is not None and lag >= 0

    taps = sample(
        samples,
        "ripple_http_request_duration_seconds_count",
        route="/slack/events",
        method="POST",
        status="200",
    )
    assert taps == 1
    routes = {
        dict(labels)["route"]
        for name, labels in samples
        if name.startswith("ripple_http_request_duration_seconds")
    }
    assert routes == {"/slack/events"}, "probes and scrapes are not timed"
    for name, labels in samples:
        for key, value in labels:
            assert not value.startswith(("U0", "T0", "D0", "C0", "slack:")), (name, key, value)


async def test_metrics_turned_off_is_not_found(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "r.db")
    env = ripple_env(database_url=url, log_level="INFO", metrics="false")
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0

    async with (
        ripple_serve(tmp_path, env) as server,
        httpx.AsyncClient(base_url=server.base, timeout=5.0) as client,
    ):
        metrics = await client.get("/metrics")
        ready = await client.get("/readyz")

    assert metrics.status_code == 404
    assert ready.status_code == 200
    assert ready.headers["x-request-id"], "request ids don't depend on metrics"
