"""A digest's trend chart follows it into the manager's DM as an uploaded PNG, or not at all."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import blocks_text
from adapters.slack.platform import BOT_SCOPES
from bot.events import EventKind
from bot.model import Actor, Role
from bot.ports import OutboxMessage, OutboxStatus
from tests.scripted import Conversation
from tests.slack.fake_slack import FakeSlack, make_bot_token
from tests.slack.fake_slack_files import UPLOAD
from tests.slack.fake_slack_state import Message
from tests.slack.test_checkin import open_round
from tests.slack.test_delivery import manual_pacer
from tests.slack.world import MONDAY_0930, SlackWorld, slack_world

MANAGER = "U0006"
MANAGER_ID = f"slack:T0001:{MANAGER}"
HEAVY = ("5", "2", "many", "yes", "no")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ADMIN = Actor(
    person_id="slack:T0001:U0001", place="slack:T0001", roles=frozenset({Role.WORKSPACE_ADMIN})
)
SENDER_LOG = "adapters.slack.sender"


async def answer_and_close(world: SlackWorld, users: list[str]) -> None:
    """Five of the team check in; the round closes and its digests go out."""
    for user in users[:5]:
        chat = Conversation(world.ripple, person_id=f"slack:T0001:{user}")
        await chat.send(EventKind.CHECKIN)
        await chat.press("now")
        for value in HEAVY:
            await chat.press(value)
        await chat.note("")
    world.clock.advance(timedelta(days=3, minutes=1))
    await world.ripple.tick()
    await world.ripple.drain()


async def two_weeks_of_digests(world: SlackWorld) -> None:
    """Two published weeks: the second digest has a trend to draw."""
    users = await open_round(world, members=6)
    await world.ripple.configure_channel(
        actor=ADMIN,
        channel_id="slack:T0001:C0DESIGN",
        config={"managers": frozenset({MANAGER_ID})},
    )
    await answer_and_close(world, users)
    world.clock.set(MONDAY_0930 + timedelta(weeks=1))
    assert (await world.ripple.tick()).opened == 1
    await world.ripple.drain()
    await answer_and_close(world, users)


def digests(world: SlackWorld) -> list[Message]:
    return [
        m
        for m in world.slack.messages(MANAGER)
        if "Check-in summary for #design" in blocks_text(m.blocks)
    ]


async def digest_rows(world: SlackWorld) -> list[OutboxMessage]:
    async with world.store.unit_of_work() as uow:
        rows = await uow.outbox.list_for_recipient(MANAGER_ID)
    return [row for row in rows if row.idempotency_key.startswith("digest:")]


async def test_the_digest_is_followed_by_its_chart_in_the_managers_dm(tmp_path: Path):
    async with slack_world(tmp_path, pacer=manual_pacer) as world:
        await two_weeks_of_digests(world)

        _, second = digests(world)
        (chart,) = world.slack.files()  # one week is no trend: only the second has a chart
        dm = world.slack.dm_channel_id(MANAGER)
        assert chart.channel == second.channel == dm
        assert chart.im_user == MANAGER
        assert chart.title == "Recent check-ins"
        assert chart.alt_txt is not None
        assert chart.alt_txt.startswith("Recent check-ins, oldest first. Average workload")
        assert "2026-W45" in chart.alt_txt and "2026-W46" in chart.alt_txt
        assert chart.data.startswith(PNG_SIGNATURE) and len(chart.data) < 100_000
        assert chart.filename.endswith(".png")
        # The text keeps its sparkline: the picture adds to the digest, never replaces it.
        assert "Recent check-ins, oldest first" in blocks_text(second.blocks)
        assert [row.status for row in await digest_rows(world)] == [OutboxStatus.SENT] * 2

        # `/ripple summary` shows the digest again, and its chart, to the manager alone.
        await world.command("summary", user=MANAGER)
        await world.eventually(lambda: len(world.slack.files()) == 2, what="the chart again")
        assert {f.channel for f in world.slack.files()} == {dm}
        assert len(digests(world)) == 3


@pytest.mark.parametrize(
    "refusal",
    ["ratelimited", "missing_scope", "upload_outage", "complete_ratelimited"],
)
async def test_a_chart_that_cannot_be_uploaded_leaves_the_digest_delivered_once(
    tmp_path: Path, refusal: str, caplog: pytest.LogCaptureFixture
):
    async with slack_world(tmp_path, pacer=manual_pacer) as world:
        if refusal == "missing_scope":  # installed before Ripple asked for files:write
            world.slack.grant_scopes("T0001", set(BOT_SCOPES) - {"files:write"})
        elif refusal == "ratelimited":
            world.slack.fail_next("files.getUploadURLExternal", status=429, retry_after=30)
        elif refusal == "upload_outage":
            world.slack.fail_next("files.upload", status=503)
        else:
            world.slack.fail_next("files.completeUploadExternal", status=429, retry_after=30)
        caplog.set_level(logging.WARNING, logger=SENDER_LOG)

        await two_weeks_of_digests(world)
        # Later drains find nothing left to send: the digest is settled, not retried.
        world.clock.advance(timedelta(minutes=30))
        await world.ripple.drain()

        assert len(digests(world)) == 2
        assert world.slack.files() == []
        rows = await digest_rows(world)
        assert [(row.status, row.attempts) for row in rows] == [(OutboxStatus.SENT, 1)] * 2
        assert all(row.platform_message_id for row in rows)
        warnings = [r for r in caplog.records if r.name == SENDER_LOG]
        assert len(warnings) == 1
        (warning,) = warnings
        assert warning.levelno == logging.WARNING
        assert "chart" in warning.getMessage()
        assert "Recent check-ins" not in warning.getMessage()  # no content in the log
        assert "W4" not in warning.getMessage()


async def test_the_fake_takes_an_upload_in_three_steps_as_slack_does():
    async with FakeSlack() as slack:
        slack.add_workspace("T0001", bot_token=(token := make_bot_token()))
        slack.add_user("T0001", "U0001")
        client = AsyncWebClient(token=token, base_url=slack.api_url)
        posted = await client.chat_postMessage(channel="U0001", text="hello")

        done = await client.files_upload_v2(
            channel=posted["channel"], file=PNG_SIGNATURE, filename="a.png", title="A", alt_txt="B"
        )

        (shared,) = slack.files("U0001")
        assert done["file"]["id"] == shared.id
        assert (shared.title, shared.alt_txt, shared.data) == ("A", "B", PNG_SIGNATURE)
        assert [c.method for c in slack.calls()][-3:] == [
            "files.getUploadURLExternal",
            UPLOAD,
            "files.completeUploadExternal",
        ]
        # A user id is not a conversation: Slack wants the channel the message went to.
        with pytest.raises(SlackApiError, match="channel_not_found"):
            await client.files_upload_v2(channel="U0001", file=b"x", filename="b.png")
        slack.grant_scopes("T0001", {"chat:write"})
        with pytest.raises(SlackApiError, match="missing_scope"):
            await client.files_upload_v2(channel=posted["channel"], file=b"x", filename="c.png")
        assert len(slack.files()) == 1
