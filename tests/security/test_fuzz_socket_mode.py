"""Fuzzing Socket Mode over a real websocket from the fake Slack.

The socket is Ripple's own connection, opened with its app token, so nothing on it is
signed; every frame is still read as untrusted. Each example sends one broken frame or
envelope (a payload with a field dropped or retyped, an unknown payload type, junk JSON,
a frame that is no JSON object at all), then a marker envelope that Ripple refuses and
acknowledges, so the example is over when the marker's ack arrives. Nothing may log an
error or a traceback; an envelope Ripple refuses is acknowledged, writes no row and
reaches no Slack method.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.security import EXAMPLES, FUZZ, Quiet, alarming, row_counts, warnings_from
from tests.security.slack_requests import junk_json, mutate_payload, payload_of
from tests.slack.world import TEAM, SlackWorld, slack_world

ENVELOPE_FUZZ = settings(FUZZ, max_examples=max(EXAMPLES // 2, 1))
# Which envelope Slack puts each kind of payload in; the URL check never comes this way.
ENVELOPES = {
    "block_actions": "interactive",
    "block_actions_datetimepicker": "interactive",
    "view_submission": "interactive",
    "slash_command": "slash_commands",
    "event_app_home_opened": "events_api",
    "event_member_joined_channel": "events_api",
    "event_member_left_channel": "events_api",
    "event_message_im": "events_api",
}
MARKER: list[Any] = ["the example ends here"]
REFUSED = "refused a Slack Socket Mode envelope"


@pytest.fixture
async def socket_world(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, socket_mode=True) as world:
        world.slack.add_user(TEAM, "U0001", real_name="Sam", locale="en-US")
        await world.eventually(lambda: world.slack.socket_connections == 1, what="the socket")
        yield world


@st.composite
def broken_envelopes(draw: st.DrawFn) -> tuple[str, str, Any]:
    """(how it was broken, envelope type, payload)."""
    kind = draw(st.sampled_from(sorted(ENVELOPES)))
    envelope = ENVELOPES[kind]
    case = draw(st.sampled_from(["field", "type", "junk", "envelope"]))
    if case == "junk":
        return f"{kind}: junk payload", envelope, draw(junk_json())
    if case == "envelope":
        other = draw(st.sampled_from(sorted(set(ENVELOPES.values()) - {envelope})))
        return f"{kind}: in a {other} envelope", other, payload_of(kind)
    payload, why = mutate_payload(draw(st.data()), payload_of(kind), case=case)
    return f"{kind}: {why}", envelope, payload


RAW_FRAMES = st.sampled_from(["", "{", '{"type": ', "[1, 2]", "null", "42", '"hello"']) | st.text(
    max_size=40
)


async def example_over(world: SlackWorld, quiet: Quiet) -> None:
    marker = await world.slack.sockets.send("events_api", MARKER)  # type: ignore[arg-type]
    await world.slack.socket_ack(marker)
    await quiet.settle()


@ENVELOPE_FUZZ
@given(broken=broken_envelopes())
async def test_a_broken_envelope_never_logs_an_error_and_a_refused_one_leaves_nothing(
    socket_world: SlackWorld, caplog: pytest.LogCaptureFixture, broken: tuple[str, str, Any]
) -> None:
    why, envelope, payload = broken
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    world = socket_world
    rows, calls = await row_counts(world.store.engine), len(world.slack.calls())
    quiet = Quiet()

    envelope_id = await world.slack.sockets.send(envelope, payload)
    await example_over(world, quiet)

    assert alarming(caplog.records) == [], why
    refusals = warnings_from(caplog.records, "adapters.slack.socket")
    assert all(REFUSED in line and "\n" not in line for line in refusals), refusals
    assert len(refusals) in (1, 2), refusals  # the marker's, and this one's if refused
    if len(refusals) == 2:
        event("refused")
        assert world.slack.sockets.acks(envelope_id) == [{"envelope_id": envelope_id}], why
        assert await row_counts(world.store.engine) == rows, why
        assert len(world.slack.calls()) == calls, why
        assert json.dumps(payload, default=str)[:30] not in "\n".join(refusals)
    else:
        event("read as Slack's")


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 1))
@given(frame=RAW_FRAMES)
async def test_a_frame_that_is_no_envelope_is_dropped_without_an_error(
    socket_world: SlackWorld, caplog: pytest.LogCaptureFixture, frame: str
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    world = socket_world
    rows, calls = await row_counts(world.store.engine), len(world.slack.calls())
    quiet = Quiet()

    await world.slack.socket_send_raw(frame)
    await example_over(world, quiet)

    assert alarming(caplog.records) == [], frame
    assert await row_counts(world.store.engine) == rows
    assert len(world.slack.calls()) == calls
    assert world.slack.socket_connections == 1  # still connected


async def test_a_refused_envelope_is_acknowledged_and_logged_in_one_line(
    socket_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world = socket_world
    command = payload_of("slash_command")
    command["user_id"] = {"id": "U0001"}  # Slack sends the id as a string
    rows = await row_counts(world.store.engine)

    envelope_id = await world.slack.sockets.send("slash_commands", command)

    assert await world.slack.socket_ack(envelope_id) == {"envelope_id": envelope_id}
    (refusal,) = warnings_from(caplog.records, "adapters.slack.socket")
    assert refusal == (
        "refused a Slack Socket Mode envelope: a payload Slack would not send (user_id: string_type)"
    )
    assert await row_counts(world.store.engine) == rows
    assert world.slack.calls("chat.postMessage") == []
