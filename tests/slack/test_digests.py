"""Managers' digests and nudges reach them in Slack, as Block Kit, and only as aggregates."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from adapters.slack.blocks import blocks_text
from bot.events import EventKind
from bot.model import Actor, Role
from tests.scripted import Conversation
from tests.slack.test_checkin import open_round
from tests.slack.world import slack_world

MANAGER = "U0006"
HEAVY = ("5", "2", "many", "yes", "no")

ADMIN_ROLES = frozenset({Role.WORKSPACE_ADMIN})


async def test_the_manager_gets_the_weekly_digest_and_a_collective_nudge(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        users = await open_round(world, members=6)
        await world.ripple.configure_channel(
            actor=Actor(person_id="slack:T0001:U0001", place="slack:T0001", roles=ADMIN_ROLES),
            channel_id="slack:T0001:C0DESIGN",
            config={"managers": frozenset({f"slack:T0001:{MANAGER}"})},
        )
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

        received = [blocks_text(m.blocks) for m in world.slack.messages(MANAGER)]
        digest = next(text for text in received if "Check-in summary for #design" in text)
        assert "Workload — low: few or none; moderate: few or none; heavy: most or all" in digest
        assert all(f"U{i:04d}" not in digest for i in range(1, 7))  # nobody is named
        header = next(
            m.blocks[0] for m in world.slack.messages(MANAGER) if "summary" in m.text.lower()
        )
        assert header["type"] == "header"
        assert any("Rest is part of the work" in text for text in received)

        # `/ripple summary` sends the latest one again, on request.
        before = len(world.slack.messages(MANAGER))
        await world.command("summary", user=MANAGER)
        await world.eventually(
            lambda: len(world.slack.messages(MANAGER)) > before, what="the summary on request"
        )
        assert "Check-in summary for #design" in blocks_text(world.latest_message(MANAGER).blocks)
