"""Replies: delivered in order per person, and the message that replaces a tapped one."""

from __future__ import annotations

import asyncio

from bot.delivery import DrainReport
from bot.outgoing import TextMessage
from bot.replies import Replies, replacement


def text(recipient: str, key: str, *, thread: str | None = "t", new: bool = False) -> TextMessage:
    return TextMessage(
        recipient=recipient, idempotency_key=key, text=key, thread_key=thread, new_message=new
    )


def test_the_replacement_is_the_first_reply_to_the_tapper_that_continues_their_thread() -> None:
    queued = [
        text("sam", "fresh", new=True),  # posted afresh: never replaces a card
        text("ana", "other"),  # someone else's
        text("sam", "loose", thread=None),
        text("sam", "next"),
        text("sam", "later"),
    ]
    assert replacement(queued, person_id="sam") == queued[3]
    assert replacement(queued[:3], person_id="sam") is None
    assert replacement([], person_id="sam") is None


async def test_one_persons_deliveries_never_overlap_and_others_do_not_wait() -> None:
    log: list[str] = []
    release = {"sam": asyncio.Event(), "ana": asyncio.Event()}

    async def deliver(wanted: frozenset[str]) -> DrainReport:
        (who,) = wanted
        log.append(f"start {who}")
        await release[who].wait()
        log.append(f"end {who}")
        return DrainReport()

    replies = Replies(deliver)
    first = asyncio.create_task(replies.send("sam"))
    second = asyncio.create_task(replies.send("sam"))
    other = asyncio.create_task(replies.send("ana"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert log == ["start sam", "start ana"]  # the second to Sam waits; Ana doesn't

    release["ana"].set()
    await other
    release["sam"].set()
    await asyncio.gather(first, second)
    assert log == ["start sam", "start ana", "end ana", "end sam", "start sam", "end sam"]
