"""The script through the core alone, as an adapter would call it: the expected record."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from bot import rhythm
from bot.clock import ManualClock
from bot.events import COMMAND_EVENTS, EventKind, Origin
from bot.model import Actor, Person, Role
from bot.outgoing import Outgoing, QuestionMessage, TextMessage
from bot.ripple import Ripple
from storage.store import SqlStore
from tests.console import migrated_sqlite_store
from tests.conversation_contract.script import T0, Ids
from tests.scripted import ACTION_KINDS, event_of, text_of
from tests.teams import catalog

PLACE = "core:team"  # the workspace or team the channel belongs to


class CorePlayer:
    """Sam and an admin, talking to ``Ripple`` directly; a tick's messages read from the outbox."""

    def __init__(self, *, store: SqlStore, clock: ManualClock) -> None:
        self.ids = Ids(sam="core:sam", admin="core:admin", channel="core:design")
        self.store, self.clock = store, clock
        self.ripple = Ripple(store=store, catalog=catalog(), clock=clock)
        self.last_question: QuestionMessage | None = None
        self.delivered: set[str] = set()

    async def join(self) -> None:
        await self.ripple.register_channel(channel_id=self.ids.channel, name="#design", scope=PLACE)
        await self.ripple.sync_members(
            channel_id=self.ids.channel,
            people=[
                Person(person_id=self.ids.sam, display_name="Sam"),
                Person(person_id=self.ids.admin, display_name="Alex"),
            ],
        )

    def _shown(self, messages: Sequence[Outgoing]) -> str:
        mine = [m for m in messages if m.recipient == self.ids.sam]
        self.delivered.update(m.idempotency_key for m in mine)
        for message in mine:
            self.last_question = message if isinstance(message, QuestionMessage) else None
        return "\n".join(_plain(m) for m in mine)

    async def _send(
        self,
        kind: EventKind,
        *,
        question: QuestionMessage | None = None,
        value: str | None = None,
        text: str | None = None,
    ) -> str:
        origin = Origin(
            person_id=self.ids.sam,
            channel_id=self.ids.channel,
            occurred_at=self.clock.now(),
            display_name="Sam",
        )
        event = event_of(
            kind,
            origin=origin,
            round_id=question.round_id if question else None,
            question_id=question.question_id if question else None,
            value=value,
            text=text,
        )
        return self._shown(await self.ripple.handle(event))

    async def open_round(self) -> str:
        await rhythm.open_round_now(
            self.ripple.context, channel_id=self.ids.channel, now=self.clock.now()
        )
        return await self.tick()

    async def tick(self) -> str:
        await self.ripple.tick()
        async with self.store.unit_of_work() as uow:
            queued = await uow.outbox.list_for_recipient(self.ids.sam)
        return self._shown([q.payload for q in queued if q.idempotency_key not in self.delivered])

    async def choose(self, value: str) -> str:
        question = self.last_question
        assert question is not None, "Sam has no question to answer"
        return await self._send(ACTION_KINDS[question.action], question=question, value=value)

    async def note(self, text: str) -> str:
        question = self.last_question
        assert question is not None and question.action == "note", "Sam is not asked for a note"
        return await self._send(EventKind.NOTE, question=question, value="private", text=text)

    async def command(self, word: str) -> str:
        return await self._send(COMMAND_EVENTS[word])

    async def setup(self, *, as_admin: bool, k: int) -> str:
        if as_admin:
            actor = Actor(
                person_id=self.ids.admin, place=PLACE, roles=frozenset({Role.WORKSPACE_ADMIN})
            )
        else:
            actor = Actor(person_id=self.ids.sam, place=PLACE)
        result = await self.ripple.configure_channel(
            actor=actor, channel_id=self.ids.channel, config={"k": k}
        )
        return result.message


def _plain(message: Outgoing) -> str:
    """Everything a message says: its text, choices, footer and attached data."""
    parts = [text_of(message)]
    if isinstance(message, QuestionMessage):
        parts += [choice.label for choice in message.choices]
    if isinstance(message, QuestionMessage | TextMessage):
        parts.append(message.footer or "")
    if isinstance(message, TextMessage):
        parts.append(message.data or "")
    return "\n".join(part for part in parts if part)


@asynccontextmanager
async def core_player(tmp_path: Path) -> AsyncIterator[CorePlayer]:
    store = await migrated_sqlite_store(tmp_path / "core.db")
    try:
        player = CorePlayer(store=store, clock=ManualClock(T0))
        await player.join()
        yield player
    finally:
        await store.close()
