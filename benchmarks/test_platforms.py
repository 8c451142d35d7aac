"""Cost of a chat platform's send path: rendering plus one HTTP round trip to a local fake."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import message_payload
from adapters.slack.pacing import SlackPacer
from adapters.slack.sender import SlackSender
from adapters.slack.workspaces import SingleWorkspace
from adapters.teams.cards import to_activity
from bot.app.catalog import YamlPromptCatalog
from bot.outgoing import QuestionMessage
from bot.ports import SendOutcome
from bot.questions import Choice
from tests.slack.fake_slack import FakeSlack, make_bot_token

BATCH = 100
counter = itertools.count()
CATALOG = YamlPromptCatalog.load()


def question(recipient: str) -> QuestionMessage:
    return QuestionMessage(
        recipient=recipient,
        idempotency_key=f"bench:{next(counter)}",
        text="How heavy was your workload this week?",
        choices=tuple(Choice(value=str(v), label=f"{v} — label") for v in range(1, 6)),
        action="answer",
        round_id="2f1d9c3e-5b7a-4c2d-9e8f-1a2b3c4d5e6f",
        question_id="workload",
        step=1,
        total_steps=5,
        can_skip=True,
        footer="Question 1 of 5",
    )


def test_rendering_a_question_as_block_kit(benchmark: Any) -> None:
    message = question("slack:T0001:U0001")
    payload = benchmark(message_payload, message, catalog=CATALOG)
    assert len(payload["blocks"]) >= 2


def test_rendering_a_question_as_an_adaptive_card(benchmark: Any) -> None:
    message = question("teams:tenant:00000000-0000-0000-0000-000000000001")
    activity = benchmark(to_activity, message, catalog=CATALOG)
    assert activity.attachments


def test_sending_100_slack_messages_to_a_local_fake(
    benchmark: Any, loop: asyncio.AbstractEventLoop
) -> None:
    """One hundred DMs through the Slack sender: Block Kit, pacing, HTTP, the reply."""

    async def run() -> None:
        token = make_bot_token()
        async with FakeSlack() as slack:
            slack.add_workspace("T0001", bot_token=token)
            for i in range(BATCH):
                slack.add_user("T0001", f"U{i:04d}")
            sender = SlackSender(
                workspaces=SingleWorkspace(
                    token=token, client=AsyncWebClient(base_url=slack.api_url)
                ),
                catalog=CATALOG,
                api_url=slack.api_url,
                pacer=SlackPacer(messages_per_minute=10**8, per_channel=((10**6, 1.0),)),
            )

            async def batch() -> None:
                for i in range(BATCH):
                    result = await sender.send(question(f"slack:T0001:U{i:04d}"), replaces=None)
                    assert result.outcome is SendOutcome.SENT

            try:
                await batch()  # warm the connection pool
                start = loop.time()
                await batch()
                elapsed.append(loop.time() - start)
            finally:
                await sender.close()

    elapsed: list[float] = []
    benchmark.pedantic(lambda: loop.run_until_complete(run()), rounds=3, iterations=1)
    benchmark.extra_info["seconds_per_100_after_warm_up"] = min(elapsed)
