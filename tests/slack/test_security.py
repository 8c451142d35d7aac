"""Signatures, replays and double taps: Slack requests change state once, or not at all."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.model import CheckInState
from tests.slack import payloads
from tests.slack.signing import FORM, JSON, command_body, event_body, sign
from tests.slack.test_checkin import SAM, SAM_ID, answer, open_round
from tests.slack.world import SlackWorld, slack_world


async def stored_events(world: SlackWorld) -> int:
    async with world.store.unit_of_work() as uow:
        people = await uow.people.get(SAM_ID)
        checkins = await uow.checkins.list_for_person(SAM_ID)
    return (people is not None) + len(checkins)


def history_command() -> str:
    fields = payloads.load("slash_command", user_id=SAM, text="history")
    return command_body(**fields)


@pytest.mark.parametrize(
    ("case", "secret", "age"),
    [
        ("wrong secret", "0123456789abcdef0123456789abcdef", 0),
        ("stale by six minutes", None, 360),
        ("from the future", None, -360),
    ],
)
async def test_a_badly_signed_request_is_refused_and_nothing_is_recorded(
    tmp_path: Path, case: str, secret: str | None, age: int
):
    async with slack_world(tmp_path) as world:
        world.slack.add_user("T0001", SAM)
        response = await world.post(
            history_command(),
            content_type=FORM,
            secret=secret,
            timestamp=int(time.time()) - age,
        )
        assert response.status_code == 401, case
        await asyncio.sleep(0.2)  # anything Ripple did would have happened by now
        assert await stored_events(world) == 0
        assert world.slack.calls("users.info") == []
        assert world.slack.messages() == []


async def test_a_request_without_a_signature_is_refused(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        response = await world.http.post(
            "/slack/events", content=history_command(), headers={"Content-Type": FORM}
        )
        assert response.status_code == 401
        signed = await world.post(history_command(), content_type=FORM)
        assert signed.status_code == 200  # the same body, signed, is fine
        body = history_command()
        headers = {"Content-Type": FORM, **sign(body, secret=world.secret)}
        changed = body.replace("history", "forget")
        response = await world.http.post("/slack/events", content=changed, headers=headers)
        assert response.status_code == 401


async def test_slack_verifies_the_events_url(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        envelope = payloads.load("url_verification", challenge="3eZbrw1aBm2rZgRNFdxV2595E9CY")
        response = await world.post(event_body(envelope), content_type=JSON)
        assert response.status_code == 200
        assert "3eZbrw1aBm2rZgRNFdxV2595E9CY" in response.text


async def test_a_retried_event_changes_state_once_and_posts_once(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        world.slack.add_user("T0001", SAM, locale="en-US")
        envelope = payloads.load(
            "event_message_im", user_id=SAM, text="pause", channel_id=world.slack.dm_channel_id(SAM)
        )
        body = event_body(envelope)
        first = await world.post(body, content_type=JSON)
        assert first.status_code == 200
        await world.eventually(lambda: len(world.slack.messages(SAM)) == 1, what="the reply")
        for retry in (1, 2, 3):
            again = await world.post(
                body,
                content_type=JSON,
                headers={"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"},
            )
            assert again.status_code == 200
        await asyncio.sleep(0.3)
        assert len(world.slack.messages(SAM)) == 1
        assert world.slack.messages(SAM)[0].text.startswith("Paused.")
        async with world.store.unit_of_work() as uow:
            person = await uow.people.get(SAM_ID)
        assert person is not None and person.paused


async def test_a_button_pressed_twice_counts_once_and_posts_once(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await open_round(world)
        await answer(world, SAM, "Yes, let's go")
        payload = world.action_payload(SAM, "4 — heavy")
        double = dict(payload, actions=[dict(payload["actions"][0], action_ts="1700000001.000200")])
        calls_before = len(world.slack.calls("chat.update")) + len(
            world.slack.calls("chat.postMessage")
        )
        first, second = await asyncio.gather(world.interact(payload), world.interact(double))
        assert (first.status_code, second.status_code) == (200, 200)

        async def answered() -> bool:
            async with world.store.unit_of_work() as uow:
                (checkin,) = await uow.checkins.list_for_person(SAM_ID)
            return checkin.answers.get("workload") == "4"

        await world.until_stored(answered, what="the workload answer")
        await asyncio.sleep(0.3)
        async with world.store.unit_of_work() as uow:
            (checkin,) = await uow.checkins.list_for_person(SAM_ID)
        assert checkin.state is CheckInState.ANSWERING
        assert checkin.answers == {"workload": "4"}  # the second tap didn't answer energy
        calls_after = len(world.slack.calls("chat.update")) + len(
            world.slack.calls("chat.postMessage")
        )
        assert calls_after - calls_before == 1


async def test_malformed_signed_payloads_are_refused_or_ignored_and_change_nothing(
    tmp_path: Path,
):
    async with slack_world(tmp_path) as world:
        await open_round(world)
        before = await stored_events(world)

        broken = await world.post("{not json", content_type=JSON)
        assert broken.status_code in (400, 404)  # Bolt refuses it; never a 500

        payload = world.action_payload(SAM, "Yes, let's go")
        payload["actions"][0]["value"] = '["capacity", "someone-elses-round", null, "now"'
        assert (await world.interact(payload)).status_code == 200
        payload["actions"][0]["value"] = '["drop-table", null, null, "x"]'
        assert (await world.interact(payload)).status_code == 200
        await asyncio.sleep(0.3)
        async with world.store.unit_of_work() as uow:
            (checkin,) = await uow.checkins.list_for_person(SAM_ID)
        assert checkin.state is CheckInState.ASKED
        assert await stored_events(world) == before


async def test_someone_slack_does_not_know_gets_the_help_and_nothing_is_stored(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        assert (await world.answer("checkin", user="U0GHOST")).startswith("Ripple asks once a week")
        async with world.store.unit_of_work() as uow:
            assert await uow.people.get("slack:T0001:U0GHOST") is None
