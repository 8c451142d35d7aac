"""Delivering a round to Slack: paced, through 429s and per-person errors, and stopping cleanly."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.scheduler import RippleClock
from adapters.slack.pacing import SlackPacer
from bot.clock import ManualClock
from bot.ports import OutboxStatus
from tests.slack.fake_slack import make_bot_token
from tests.slack.world import CHANNEL, MONDAY_0930, SlackWorld, slack_world


def manual_pacer(clock: ManualClock) -> SlackPacer:
    """Slack's pace, kept on the test's clock: waiting moves the clock instead of sleeping."""

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    return SlackPacer(now=lambda: clock.now().timestamp(), sleep=sleep)


async def outbox_rows(world: SlackWorld) -> dict[OutboxStatus, int]:
    async with world.store.unit_of_work() as uow:
        counts = await uow.outbox.count_by_status()
    return {status: n for status, n in counts.items() if n}


async def deliver_everything(world: SlackWorld, *, rounds: int = 400) -> None:
    """Drain as the scheduler would, minute by minute of the test's clock, until done."""
    for _ in range(rounds):
        await world.ripple.drain(limit=200)
        counts = await outbox_rows(world)
        if not counts.get(OutboxStatus.PENDING) and not counts.get(OutboxStatus.SENDING):
            return
        world.clock.advance(timedelta(seconds=2))
    raise AssertionError(f"the outbox never emptied: {await outbox_rows(world)}")


async def open_round(world: SlackWorld, *, members: int) -> list[str]:
    users = await world.add_team(members=members)
    world.clock.set(MONDAY_0930)
    assert (await world.ripple.tick()).opened == 1
    return users


async def test_a_500_person_round_goes_out_through_429_bursts_once_each(tmp_path: Path):
    async with slack_world(tmp_path, pacer=manual_pacer) as world:
        users = await open_round(world, members=500)
        world.slack.rate_limit("chat.postMessage", every=60, burst=4, retry_after=3)
        await deliver_everything(world, rounds=5000)  # each burst slows the pace for a while

        delivered = Counter(m.im_user for m in world.slack.messages())
        assert set(delivered) == set(users)
        assert set(delivered.values()) == {1}  # nothing lost, nothing doubled
        calls = world.slack.calls("chat.postMessage")
        limited = [c for c in calls if c.status == 429]
        assert len(limited) >= 20
        # Slack answers 429 until Retry-After has passed; Ripple waited each one out, so no
        # call came inside a hold (each 429 is a burst's, none the hold's own).
        for refused in limited:
            assert not [c for c in calls if refused.at < c.at < refused.at + 3]
        assert len(limited) == 4 * (500 // 60)  # a burst after every 60 sent
        assert await outbox_rows(world) == {OutboxStatus.SENT: 500}


async def test_people_slack_refuses_are_skipped_and_the_rest_go_on(tmp_path: Path):
    async with slack_world(tmp_path, pacer=manual_pacer) as world:
        users = await open_round(world, members=20)
        world.slack.fail_for("chat.postMessage", channel=users[2], error="cannot_dm_bot")
        world.slack.fail_for("chat.postMessage", channel=users[7], error="user_not_found")
        world.slack.fail_for("chat.postMessage", channel=users[9], error="is_archived")
        await deliver_everything(world)
        delivered = {m.im_user for m in world.slack.messages()}
        assert delivered == set(users) - {users[2], users[7], users[9]}
        assert await outbox_rows(world) == {OutboxStatus.SENT: 17, OutboxStatus.FAILED: 3}
        async with world.store.unit_of_work() as uow:
            failed = await uow.outbox.list_for_recipient(f"slack:T0001:{users[7]}")
        assert failed[0].last_error == "user_not_found"


async def test_a_token_revoked_mid_round_stops_the_workspace_cleanly(tmp_path: Path):
    token = make_bot_token()
    async with slack_world(tmp_path, bot_token=token, pacer=manual_pacer) as world:
        await open_round(world, members=60)
        first = await world.ripple.dispatcher.drain(limit=25)
        assert first.sent == 25
        world.slack.revoke(token)
        posts_before = len(world.slack.calls("chat.postMessage"))
        await deliver_everything(world)
        # One refused call tells Ripple the token is gone; it doesn't try the other 34.
        assert len(world.slack.calls("chat.postMessage")) - posts_before == 1
        assert len(world.slack.messages()) == 25
        assert await outbox_rows(world) == {OutboxStatus.SENT: 25, OutboxStatus.FAILED: 35}


@pytest.mark.parametrize(
    "order",
    [
        ("event_app_uninstalled", "event_tokens_revoked"),
        ("event_tokens_revoked", "event_app_uninstalled"),
    ],
)
async def test_uninstalling_in_either_order_stops_the_workspace(
    tmp_path: Path, order: tuple[str, str]
):
    async with slack_world(tmp_path) as world:
        await world.add_team(members=6)
        for fixture in order:
            response, _ = await world.event(fixture)
            assert response.status_code == 200

        async def paused() -> bool:
            async with world.store.unit_of_work() as uow:
                channel = await uow.channels.get(f"slack:T0001:{CHANNEL}")
            return channel is not None and not channel.active

        await world.until_stored(paused, what="the channel to stop")
        world.clock.set(MONDAY_0930)
        assert (await world.ripple.tick()).opened == 0
        assert await world.platform.workspaces.bot_token("T0001") is None


async def test_messages_go_out_between_ticks_at_the_configured_pace(tmp_path: Path):
    """The courier sends as messages fall due: a round opened mid-hour doesn't wait for
    the next tick, and no second carries more than the workspace's burst."""
    pace = 600
    pacer = RecordingPacer(messages_per_minute=pace)
    async with slack_world(tmp_path, pacer=lambda _: pacer) as world:
        world.slack.now = time.monotonic  # this pacer waits in real time, and so does Slack
        users = await world.add_team(members=40)
        world.clock.set(MONDAY_0930 - timedelta(hours=2))  # nothing is due yet
        scheduler = RippleClock(ripple=world.ripple, interval=3600, idle=0.05)
        scheduler.start()  # ticks now, then not for an hour
        try:
            await world.eventually(lambda: first_tick_done(scheduler), what="the first tick")
            await asyncio.sleep(0.2)  # the tick APScheduler handed to the loop has run
            await world.eventually(lambda: first_tick_done(scheduler), what="the first tick")
            world.clock.set(MONDAY_0930)  # another replica's tick opens the round
            assert (await world.ripple.tick()).opened == 1
            await world.eventually(
                lambda: {m.im_user for m in world.slack.messages()} == set(users),
                what="every check-in, sent between ticks",
            )
        finally:
            await scheduler.stop()

        assert len(pacer.posted) == 40
        per_second = max(sum(1 for u in pacer.posted if t <= u < t + 1) for t in pacer.posted)
        assert per_second <= pace // 30  # bursts of at most two seconds' worth


def first_tick_done(scheduler: RippleClock) -> bool:
    """The tick at start has run (so the next is an hour away) and finished."""
    job = scheduler._scheduler.get_job("ripple-tick")
    ticked = job is not None and job.next_run_time > datetime.now(UTC)
    return ticked and not scheduler._beating.locked()


class RecordingPacer(SlackPacer):
    """Slack's pacer, noting the moment (its own clock) each post was let through."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.posted: list[float] = []

    def record(self, *, team_id: str, channel: str) -> None:
        super().record(team_id=team_id, channel=channel)
        self.posted.append(self.now())
