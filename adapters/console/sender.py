"""A Sender that delivers to the terminal (or to a transcript kept in memory)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

from adapters.console.render import render
from bot.outgoing import Outgoing
from bot.ports import SendOutcome, SendResult

PLATFORM = "console"


@dataclass(frozen=True, kw_only=True)
class Delivered:
    message_id: str
    message: Outgoing
    replaces: str | None


@dataclass
class ConsoleSender:
    """Keeps every delivered message in order, and optionally writes it out."""

    write: Callable[[str], None] | None = None
    delivered: list[Delivered] = field(default_factory=list)
    platform: str = PLATFORM
    _ids: count[int] = field(default_factory=lambda: count(1))

    async def send(self, message: Outgoing, *, replaces: str | None) -> SendResult:
        message_id = replaces or f"console-{next(self._ids)}"
        self.delivered.append(Delivered(message_id=message_id, message=message, replaces=replaces))
        if self.write is not None:
            self.write(render(message))
        return SendResult(outcome=SendOutcome.SENT, platform_message_id=message_id)

    def to(self, recipient: str) -> list[Outgoing]:
        return [d.message for d in self.delivered if d.message.recipient == recipient]
