"""The script in Teams: JWT-signed activities to Ripple's /api/messages, the fake connector behind.

Alex, a team owner in the fake Graph, installs Ripple in the Design team, where Sam is.
Sam types commands and taps the cards in the personal chat Ripple opens; in the team's
channel, Sam and Alex each @mention Ripple with "setup", and Alex saves the card.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from adapters.teams.cards import NOTE_INPUT
from bot import rhythm
from bot.clock import ManualClock
from bot.ports import Store
from bot.ripple import Ripple
from tests.console import migrated_sqlite_store
from tests.conversation_contract.script import T0, Ids
from tests.teams import ALEX, CHANNEL_ID, SAM, Harness, teams_harness
from tests.teams.test_setup import card_of, mention, press_save

Seen = dict[str, str]  # the activities in Sam's personal chat: id -> as JSON


def texts(node: Any) -> list[str]:
    """Every ``text`` and ``title`` in an activity or card, in order."""
    if isinstance(node, dict):
        found = [node[k] for k in ("text", "title") if isinstance(node.get(k), str)]
        return found + [t for key, value in node.items() for t in texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    return []


class TeamsPlayer:
    def __init__(self, harness: Harness) -> None:
        self.h = harness
        self.ids = Ids(sam=SAM.person_id, admin=ALEX.person_id, channel=CHANNEL_ID)
        self.clock: ManualClock = harness.clock
        self.store: Store = harness.ripple.store
        self.ripple: Ripple = harness.ripple

    async def join(self) -> None:
        """Alex, who owns the team, installs Ripple in it; the install reads the roster."""
        await self.h.install_in_team(by=ALEX, roster=[SAM, ALEX], owners=(ALEX,))

    def _seen(self) -> Seen:
        thread = self.h.connector.messages.get(SAM.conversation_id, {})
        return {key: json.dumps(activity, sort_keys=True) for key, activity in thread.items()}

    def _changed(self, before: Seen) -> str:
        thread = self.h.connector.messages.get(SAM.conversation_id, {})
        return "\n".join(
            text
            for key, activity in thread.items()
            if before.get(key) != json.dumps(activity, sort_keys=True)
            for text in texts(activity)
        )

    async def open_round(self) -> str:
        await rhythm.open_round_now(
            self.ripple.context, channel_id=self.ids.channel, now=self.clock.now()
        )
        return await self.tick()

    async def tick(self) -> str:
        before = self._seen()
        await self.ripple.tick()
        await self.ripple.drain()
        return self._changed(before)

    async def choose(self, value: str) -> str:
        before = self._seen()
        response = await self.h.tap(SAM, value=value)
        assert response.status_code == 200, response.text
        return self._changed(before)

    async def note(self, text: str) -> str:
        before = self._seen()
        response = await self.h.tap(SAM, value="private", inputs={NOTE_INPUT: text})
        assert response.status_code == 200, response.text
        return self._changed(before)

    async def command(self, word: str) -> str:
        before = self._seen()
        response = await self.h.say(SAM, word)
        assert response.status_code in (200, 202), response.text
        return self._changed(before)

    async def setup(self, *, as_admin: bool, k: int) -> str:
        if not as_admin:
            return "\n".join(texts(await mention(self.h, SAM, "setup")))
        card = card_of(await mention(self.h, ALEX, "setup"))
        answer = await press_save(self.h, ALEX, card, {"k": str(k)})
        return "\n".join(texts(answer))


@asynccontextmanager
async def teams_player(tmp_path: Path) -> AsyncIterator[TeamsPlayer]:
    store = await migrated_sqlite_store(tmp_path / "teams.db")
    try:
        async with teams_harness(store=store, clock=ManualClock(T0)) as harness:
            player = TeamsPlayer(harness)
            await player.join()
            yield player
    finally:
        await store.close()
