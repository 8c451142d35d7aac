"""The script typed into `ripple chat` (``adapters.console.chat.ConsoleChat``).

`ripple chat` starts a sitting with ``ConsoleChat.start()`` (register the channel, sync its
members, open the week's round with ``rhythm.open_round_now``) and a ``checkin``, then
hands every typed line to ``ConsoleChat.interpret``. This player does the same, but one
line at a time, so the clock can move between lines. The console has no push: when the
scheduler asks Sam again (a snooze ends, a new round), Sam starts a new sitting. Choices
are typed by their number, as the console shows them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from adapters.console.chat import ConsoleChat, console_ids
from adapters.console.sender import ConsoleSender
from bot.clock import ManualClock
from bot.events import EventKind
from bot.ripple import Ripple
from storage.store import SqlStore
from tests.console import migrated_sqlite_store
from tests.conversation_contract.script import T0, Ids
from tests.teams import catalog

CHANNEL = "design"


class ConsolePlayer:
    def __init__(self, *, store: SqlStore, clock: ManualClock) -> None:
        channel_id, sam = console_ids(channel=CHANNEL, person="sam")
        _, admin = console_ids(channel=CHANNEL, person="admin")
        self.ids = Ids(sam=sam, admin=admin, channel=channel_id)
        self.store, self.clock = store, clock
        self.screen: list[str] = []
        self.typed: list[str] = []  # lines waiting for a prompt of their own (the note)
        self.sender = ConsoleSender(write=self.screen.append)
        self.ripple = Ripple(
            store=store, catalog=catalog(), clock=clock, senders={self.sender.platform: self.sender}
        )
        self.sam: ConsoleChat | None = None

    def read(self, prompt: str) -> str:
        self.screen.append(prompt)
        if not self.typed:
            raise EOFError
        return self.typed.pop(0)

    def _terminal(self, person: str, *, admin: bool = False) -> ConsoleChat:
        """`ripple chat --channel design --as <person> [--admin]` in this terminal."""
        return ConsoleChat(
            ripple=self.ripple,
            sender=self.sender,
            channel=CHANNEL,
            person=person,
            read=self.read,
            write=self.screen.append,
            admin=admin,
        )

    async def _sitting(self, person: str, *, admin: bool = False) -> ConsoleChat:
        """A new `ripple chat`, up to its first prompt: start, then the check-in as it stands."""
        chat = self._terminal(person, admin=admin)
        await chat.start()
        await chat.ask(EventKind.CHECKIN)
        return chat

    def _since(self, mark: int) -> str:
        return "\n".join(self.screen[mark:])

    def _chat(self) -> ConsoleChat:
        assert self.sam is not None, "Sam has not started `ripple chat`"
        return self.sam

    async def _type(self, line: str) -> str:
        mark = len(self.screen)
        await self._chat().interpret(line)
        return self._since(mark)

    def _number_of(self, value: str) -> str:
        question = self._chat().last_question
        assert question is not None, "the console shows Sam no question"
        values = [choice.value for choice in question.choices]
        assert value in values, f"no {value!r} among {values}"
        return str(values.index(value) + 1)

    async def open_round(self) -> str:
        # The sitting's start opens the round: rhythm.open_round_now at the clock's time.
        mark = len(self.screen)
        chat = self._terminal("sam")
        await chat.start()
        await self.ripple.tick()
        await self.ripple.drain()
        await chat.ask(EventKind.CHECKIN)
        self.sam = chat
        return self._since(mark)

    async def tick(self) -> str:
        mark = len(self.screen)
        await self.ripple.tick()
        await self.ripple.drain()
        self.sam = await self._sitting("sam")
        return self._since(mark)

    async def choose(self, value: str) -> str:
        return await self._type(self._number_of(value))

    async def note(self, text: str) -> str:
        self.typed.append(text)
        shown = await self._type(self._number_of("private"))
        assert not self.typed, "the note was not read"
        return shown

    async def command(self, word: str) -> str:
        return await self._type(word)

    async def setup(self, *, as_admin: bool, k: int) -> str:
        """Sam types `setup` in their chat; the admin runs `ripple chat --admin` and changes k."""
        if not as_admin:
            return await self._type(f"setup k={k}")
        mark = len(self.screen)
        admin = await self._sitting("admin", admin=True)
        await admin.interpret(f"setup k={k}")
        return self._since(mark)


@asynccontextmanager
async def console_player(tmp_path: Path) -> AsyncIterator[ConsolePlayer]:
    store = await migrated_sqlite_store(tmp_path / "console.db")
    try:
        yield ConsolePlayer(store=store, clock=ManualClock(T0))
    finally:
        await store.close()
