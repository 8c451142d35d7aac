"""Logs never say what someone answered, whether they rested, or what they wrote.

The check-ins run over real HTTP with every logger at DEBUG, so the platform SDKs
write out the requests and responses that carry those words.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.teams.cards import NOTE_INPUT
from bot import rhythm
from bot.app.bootstrap import configure_logging
from bot.app.logs import JsonLines
from bot.app.settings import load_settings
from bot.clock import ManualClock
from bot.redaction import REDACTED, PayloadRedactor, install_redaction
from tests.console import migrated_sqlite_store
from tests.slack.world import MONDAY_0930 as SLACK_MONDAY_0930
from tests.slack.world import SlackWorld, slack_world
from tests.teams import ALEX, CHANNEL_ID, SAM, Harness, catalog, teams_harness, user

NOTE = "zebra-quartz-note"
PREVIEW = catalog().message("preview.buckets", locale="en", buckets="").split(":")[0]
REST_REPLIES = (
    catalog().message("rest.ack", locale="en"),
    catalog().message("done.rested", locale="en"),
)
TEAMS_MONDAY_0930 = datetime(2026, 10, 5, 7, 30, tzinfo=UTC)  # 09:30 in Berlin


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("RIPPLE_", "SLACK_"))]:
        monkeypatch.delenv(name)


@contextmanager
def redacted_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every logger at DEBUG, with the redactor on the root handlers, as a deployment has it."""
    caplog.set_level(logging.DEBUG)
    redactor = install_redaction()
    try:
        yield
    finally:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(redactor)


def leaks(caplog: pytest.LogCaptureFixture, *secrets: str) -> list[str]:
    """Records whose message, or the line a handler writes (with any traceback) as text or as
    JSON (RIPPLE_LOG_FORMAT=json, with its non-ASCII escaped and read back), has a secret."""
    as_json = JsonLines()
    written = [
        (
            record.getMessage(),
            caplog.handler.format(record),
            str(json.loads(as_json.format(record))),
        )
        for record in caplog.records
    ]
    return [
        text + line
        for message, text, line in written
        if any(s in message + text + line for s in secrets)
    ]


def debug_records_from(caplog: pytest.LogCaptureFixture, *namespaces: str) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.DEBUG and record.name.startswith(namespaces)
    ]


# Slack


async def open_slack_round(world: SlackWorld) -> None:
    await world.add_team(members=6)
    world.clock.set(SLACK_MONDAY_0930)
    assert (await world.ripple.tick()).opened == 1
    await world.ripple.drain()


async def slack_tap(world: SlackWorld, user: str, label: str) -> None:
    before = len(world.slack.messages(user)), world.latest_message(user).updated
    assert (await world.press(user, label)).status_code == 200
    await world.eventually(
        lambda: (len(world.slack.messages(user)), world.latest_message(user).updated) != before,
        what=f"{user}'s message to change after {label!r}",
    )


async def slack_shared_note(world: SlackWorld, user: str, text: str) -> None:
    opened = len(world.slack.modals())
    await world.press(user, "Add a note to share anonymously")
    await world.eventually(lambda: len(world.slack.modals()) > opened, what="the note modal")
    modal = world.slack.modals()[-1].payload
    block = next(b for b in modal["blocks"] if b["type"] == "input")
    action_id = block["element"]["action_id"]
    state = {
        "values": {block["block_id"]: {action_id: {"type": "plain_text_input", "value": text}}}
    }
    assert (await world.submit_view(user, view=modal, state=state)).status_code == 200
    await world.eventually(
        lambda: PREVIEW in str(world.latest_message(user).blocks), what="the completion preview"
    )


async def test_a_slack_check_in_at_debug_logs_no_answer_rest_or_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with redacted_logs(caplog):
        async with slack_world(tmp_path) as world:
            await open_slack_round(world)
            await slack_tap(world, "U0001", "I'd rather rest this week")
            assert "Rest well" in str(world.latest_message("U0001").blocks)

            await slack_tap(world, "U0002", "Yes, let's go")
            for label in ("4 — heavy", "2 — low", "Some extra hours", "No", "Partly"):
                await slack_tap(world, "U0002", label)
            await slack_shared_note(world, "U0002", NOTE)

    assert leaks(caplog, NOTE, PREVIEW, *REST_REPLIES) == []
    sdk_debug = debug_records_from(caplog, "slack_sdk", "slack_bolt")
    assert sdk_debug, "the SDKs logged nothing at DEBUG, so this test checks nothing"
    assert any(REDACTED in message for message in sdk_debug)


# Teams


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Harness]:
    store = await migrated_sqlite_store(tmp_path / "ripple.db")
    try:
        async with teams_harness(store=store, clock=ManualClock(TEAMS_MONDAY_0930)) as harness:
            yield harness
    finally:
        await store.close()


async def test_a_teams_check_in_at_debug_logs_no_answer_rest_or_note(
    teams: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = teams
    with redacted_logs(caplog):
        roster = [SAM, ALEX, *(user(n) for n in range(3, 7))]  # enough people for a preview
        await h.install_in_team(by=ALEX, roster=roster, owners=(ALEX,))
        await rhythm.open_round_now(h.ripple.context, channel_id=CHANNEL_ID, now=h.clock.now())
        await h.say(ALEX, "checkin")
        await h.tap(ALEX, value="rest")
        await h.say(SAM, "checkin")
        for value in ("now", "4", "2", "some", "no", "partly"):
            await h.tap(SAM, value=value)
        await h.tap(SAM, value="shared", inputs={NOTE_INPUT: NOTE})
        # An inbound body that is no activity, quoting the note, is refused without it.
        refused = await h.post({"serviceUrl": h.connector.service_url, "text": NOTE})
        assert refused.status_code == 400

    done_card = str(h.connector.last_card(SAM.conversation_id))
    assert PREVIEW in done_card, "the check-in didn't reach its preview"
    assert debug_records_from(caplog, "microsoft_agents", "aiohttp", "httpx", "httpcore")
    assert leaks(caplog, NOTE, PREVIEW, *REST_REPLIES) == []


# The filter itself, and where it is installed


def sdk_record(name: str, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.DEBUG, __file__, 1, msg, args, None)


def test_a_request_body_is_cut_and_the_url_kept() -> None:
    record = sdk_record(
        "slack_sdk.web.async_base_client",
        "Sending a request - url: %s, json_body: %s",
        "https://slack.com/api/chat.postMessage",
        {"channel": "D0001", "text": "secret answer"},
    )

    assert PayloadRedactor().filter(record) is True

    message = record.getMessage()
    assert "secret answer" not in message
    assert "https://slack.com/api/chat.postMessage" in message
    assert message.endswith(REDACTED)
    assert record.args is None


@pytest.mark.parametrize(
    "msg",
    [
        'Responding with status: 200 body: "I\'ve sent you a direct message."',
        "No route found for activity type: message with text: secret answer",
        "Unhandled request ({'type': 'view_submission', 'value': 'secret answer'})",
        "[generated in 0.0001s] ('secret answer', 'slack:T0001:U0001')",
        "returning [('secret answer',)]",
        "executing functools.partial(<built-in method execute>, 'INSERT ...', ('secret answer',))",
    ],
)
def test_bodies_in_other_shapes_are_cut_too(msg: str) -> None:
    record = sdk_record("Ripple", msg)
    PayloadRedactor().filter(record)
    assert "secret answer" not in record.getMessage()


def test_a_libraries_traceback_keeps_its_frames_but_not_the_exceptions_message() -> None:
    payload = {"text": "secret answer"}
    try:
        raise ValueError(f"1 validation error: input_value={payload}")
    except ValueError as exc:
        record = logging.LogRecord(
            "microsoft_agents.activity.activity",
            logging.ERROR,
            __file__,
            1,
            "Validation error for Activity: %s",
            (exc,),
            (ValueError, exc, exc.__traceback__),
        )

    PayloadRedactor().filter(record)

    written = logging.Formatter().format(record)
    assert "secret answer" not in written
    assert "test_a_libraries_traceback_keeps_its_frames" in written
    assert f"ValueError: {REDACTED}" in written


def test_a_libraries_traceback_as_json_keeps_its_frames_but_not_the_exceptions_message() -> None:
    payload = {"text": "secret answer"}
    try:
        raise ValueError(f"1 validation error: input_value={payload}")
    except ValueError as exc:
        record = logging.LogRecord(
            "microsoft_agents.activity.activity",
            logging.ERROR,
            __file__,
            1,
            "Validation error for Activity: %s",
            (exc,),
            (ValueError, exc, exc.__traceback__),
        )

    PayloadRedactor().filter(record)
    line = json.loads(JsonLines().format(record))

    assert "secret answer" not in json.dumps(line)
    assert line["logger"] == "microsoft_agents.activity.activity"
    assert line["level"] == "ERROR"
    assert "test_a_libraries_traceback_as_json_keeps_its_frames" in line["exc_info"]
    assert line["exc_info"].endswith(f"ValueError: {REDACTED}")


def test_a_libraries_extra_fields_never_reach_a_json_line() -> None:
    record = sdk_record("slack_bolt.App", "handled a request")
    record.body = {"text": "secret answer"}  # as logger.debug(..., extra={"body": ...}) sets it

    PayloadRedactor().filter(record)
    line = json.loads(JsonLines().format(record))

    assert set(line) == {"time", "level", "logger", "message"}
    assert "secret answer" not in json.dumps(line)


def test_ripples_own_records_are_left_as_they_are() -> None:
    record = sdk_record("bot.engine", "handled %s for %s", {"kind": "tap"}, "round 7")
    PayloadRedactor().filter(record)
    assert record.msg == "handled %s for %s"
    assert record.getMessage() == "handled {'kind': 'tap'} for round 7"


def test_a_record_that_cannot_be_rendered_is_redacted_not_raised() -> None:
    record = sdk_record("slack_sdk", "two %s %s", "one")
    assert PayloadRedactor().filter(record) is True
    assert record.getMessage() == REDACTED


def test_configure_logging_puts_the_redactor_on_the_root_handlers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        configure_logging(load_settings())
        assert any(isinstance(f, PayloadRedactor) for f in caplog.handler.filters)
        caplog.set_level(logging.DEBUG)
        logging.getLogger("slack_sdk.web.async_base_client").debug(
            "Sending a request - url: %s, json: %s", "https://x/api/chat.update", {"text": NOTE}
        )
        assert leaks(caplog, NOTE) == []
    finally:
        logging.captureWarnings(False)
        for handler in logging.getLogger().handlers:
            for redactor in [f for f in handler.filters if isinstance(f, PayloadRedactor)]:
                handler.removeFilter(redactor)
