"""The script in Slack: signed requests to Ripple's /slack/events, the fake Slack Web API behind.

Sam (U0001) and Alex (U0002, a workspace admin) are in #design when Ripple is invited.
Sam types `/ripple <command>` in the channel, taps the buttons on Ripple's direct
messages, writes the note in its modal; Alex opens `/ripple setup` and saves the modal.
Ripple acknowledges first and works after, so every action waits until what Ripple
shows has changed (never a sleep).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from adapters.slack.kit import blocks_text
from bot import rhythm
from bot.clock import ManualClock
from bot.ports import Store
from bot.ripple import Ripple
from tests.conversation_contract.script import T0, Ids
from tests.slack.test_people import label_for_value, write_note
from tests.slack.test_setup import open_setup, state_of
from tests.slack.world import CHANNEL, TEAM, SlackWorld, slack_world

SAM, ADMIN = "U0001", "U0002"
Seen = dict[str, int]  # a person's messages from Ripple: ts -> how often it was updated


class SlackPlayer:
    def __init__(self, world: SlackWorld) -> None:
        self.world = world
        self.ids = Ids(
            sam=f"slack:{TEAM}:{SAM}",
            admin=f"slack:{TEAM}:{ADMIN}",
            channel=f"slack:{TEAM}:{CHANNEL}",
        )
        self.clock: ManualClock = world.clock
        self.store: Store = world.store
        self.ripple: Ripple = world.ripple

    async def join(self) -> None:
        """Ripple is invited to #design, where Sam and the admin are."""
        slack = self.world.slack
        slack.add_user(TEAM, SAM, real_name="Sam", tz="Europe/Berlin", locale="en-US")
        slack.add_user(
            TEAM, ADMIN, real_name="Alex", tz="Europe/Berlin", locale="en-US", is_admin=True
        )
        slack.add_channel(TEAM, CHANNEL, name="design", members=[SAM, ADMIN, "U0BOT"])
        response, _ = await self.world.event(
            "event_member_joined_channel", user_id="U0BOT", channel_id=CHANNEL
        )
        assert response.status_code == 200

        async def joined() -> bool:
            async with self.store.unit_of_work() as uow:
                members = await uow.channels.members(self.ids.channel)
            return members == {self.ids.sam, self.ids.admin}

        await self.world.until_stored(joined, what="#design with Sam and Alex")

    # What Ripple shows a person, and waiting for it to change.

    def _seen(self, user: str) -> Seen:
        return {m.ts: m.updated for m in self.world.slack.messages(user)}

    def _changed(self, user: str, before: Seen) -> str:
        return "\n".join(
            blocks_text(m.blocks) or m.text
            for m in self.world.slack.messages(user)
            if before.get(m.ts) != m.updated
        )

    async def _until_changed(self, user: str, before: Seen, what: str) -> str:
        await self.world.eventually(lambda: self._seen(user) != before, what=what)
        return self._changed(user, before)

    # The script's actions.

    async def open_round(self) -> str:
        await rhythm.open_round_now(
            self.ripple.context, channel_id=self.ids.channel, now=self.clock.now()
        )
        return await self.tick()

    async def tick(self) -> str:
        before = self._seen(SAM)
        await self.ripple.tick()
        await self.ripple.drain()
        return self._changed(SAM, before)

    async def choose(self, value: str) -> str:
        label = label_for_value(self.world, SAM, value)
        before = self._seen(SAM)
        response = await self.world.press(SAM, label)
        assert response.status_code == 200
        return await self._until_changed(SAM, before, f"Ripple's answer to {label!r}")

    async def note(self, text: str) -> str:
        before = self._seen(SAM)
        await write_note(self.world, SAM, text)
        return await self._until_changed(SAM, before, "Ripple's answer to the note")

    async def command(self, word: str) -> str:
        before = self._seen(SAM)
        answer = await self.world.answer(word, user=SAM)
        shown = await self._until_changed(SAM, before, f"Ripple's answer to /ripple {word}")
        return f"{answer}\n{shown}"

    async def setup(self, *, as_admin: bool, k: int) -> str:
        if not as_admin:
            opened = len(self.world.slack.modals())
            answer = await self.world.answer("setup", user=SAM)
            assert len(self.world.slack.modals()) == opened, "Sam was shown the settings"
            return answer
        view = await open_setup(self.world, ADMIN)
        before = self._seen(ADMIN)
        response = await self.world.submit_view(ADMIN, view=view, state=state_of(view, k=str(k)))
        assert response.status_code == 200
        return await self._until_changed(ADMIN, before, "the admin's confirmation")


@asynccontextmanager
async def slack_player(tmp_path: Path) -> AsyncIterator[SlackPlayer]:
    async with slack_world(tmp_path) as world:
        world.clock.set(T0)
        player = SlackPlayer(world)
        await player.join()
        yield player
