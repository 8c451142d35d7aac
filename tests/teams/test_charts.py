"""A digest's trend chart in Teams: an inline Image under the title, with its alt text."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

from adapters.teams.cards import render
from bot.clock import ManualClock
from bot.events import EventKind
from bot.memory import MemoryStore
from bot.model import Actor, Role
from bot.outgoing import SummaryMessage, SummarySection, TrendChart, TrendSeries
from tests.scripted import Conversation
from tests.teams import (
    CHANNEL_ID,
    TEAM_ID,
    TENANT,
    Harness,
    TeamsUser,
    catalog,
    teams_harness,
    user,
)
from tests.teams.fake_connector import MAX_ACTIVITY_BYTES
from tests.teams.test_delivery import ASK_TIME, drain_until_settled

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DATA_URL = "data:image/png;base64,"
HEAVY = ("5", "2", "many", "yes", "no")
CARD_TEXT_LIMIT = 28_000  # what a card may carry besides its images (see test_cards)
CHART = TrendChart(
    title="Recent check-ins",
    periods=("2026-W40", "2026-W41", "2026-W42"),
    series=(
        TrendSeries(
            signal="workload",
            label="Average workload (higher is heavier)",
            points=(3.4, None, 4.2),
            low=1.0,
            high=5.0,
        ),
    ),
    alt_text=(
        "Recent check-ins, oldest first. Average workload (higher is heavier): "
        "2026-W40 3.4, 2026-W41 not shared, 2026-W42 4.2."
    ),
    gap_label="A gap is a week with too few answers to share.",
)


def digest(chart: TrendChart | None) -> SummaryMessage:
    return SummaryMessage(
        recipient="teams:m",
        idempotency_key="k",
        title="Check-in summary for Design, 2026-W42",
        suppressed=False,
        sections=(SummarySection(heading="This week", lines=("Checked in: 80%",)),),
        text="…",
        chart=chart,
    )


def images(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [block for block in card["body"] if block["type"] == "Image"]


def without_images(card: dict[str, Any]) -> dict[str, Any]:
    return {**card, "body": [b for b in card["body"] if b["type"] != "Image"]}


def test_a_digest_with_a_chart_shows_it_under_the_title() -> None:
    card = render(digest(CHART), catalog=catalog())

    assert card["body"][0]["text"] == "Check-in summary for Design, 2026-W42"
    image = card["body"][1]
    assert image["type"] == "Image"
    assert image["altText"] == CHART.alt_text
    assert image["size"] == "Stretch"
    assert image["url"].startswith(DATA_URL)
    assert base64.b64decode(image["url"].removeprefix(DATA_URL)).startswith(PNG_SIGNATURE)
    # Teams counts a card's text against its message limit, not inline images.
    assert len(json.dumps(without_images(card))) < CARD_TEXT_LIMIT


def test_a_digest_without_a_chart_has_no_image() -> None:
    assert images(render(digest(None), catalog=catalog())) == []


async def check_in_and_close(h: Harness, people: list[TeamsUser]) -> None:
    await h.ripple.tick()  # the round opens and everyone is asked
    await drain_until_settled(h, step=timedelta(seconds=5))
    for person in people:
        chat = Conversation(h.ripple, person_id=person.person_id)
        await chat.send(EventKind.CHECKIN)
        await chat.press("now")
        for value in HEAVY:
            await chat.press(value)
        await chat.note("")
    h.clock.advance(timedelta(hours=73))  # the round closes, the digest goes out
    await h.ripple.tick()
    await drain_until_settled(h, step=timedelta(seconds=5))


async def managed_team(h: Harness, team: list[TeamsUser]) -> None:
    """Ripple in a team whose first member manages the channel."""
    manager = team[0]
    await h.install_in_team(by=manager, roster=team)
    await h.ripple.configure_channel(
        actor=Actor(
            person_id=manager.person_id,
            place=f"teams:{TENANT}:{TEAM_ID}",
            roles=frozenset({Role.WORKSPACE_ADMIN}),
        ),
        channel_id=CHANNEL_ID,
        config={"managers": frozenset({manager.person_id})},
    )


async def test_the_second_weeks_digest_arrives_with_its_chart_inline() -> None:
    team = [user(600 + n) for n in range(6)]
    manager = team[0]
    async with teams_harness(store=MemoryStore(), clock=ManualClock(ASK_TIME)) as h:
        await managed_team(h, team)
        await check_in_and_close(h, team[1:])
        h.clock.set(ASK_TIME + timedelta(weeks=1))
        await check_in_and_close(h, team[1:])

        posted = [
            call
            for call in h.connector.sent(manager.conversation_id)
            if call.body["attachments"][0]["content"]["body"][0]["text"].startswith(
                "Check-in summary for"
            )
        ]

    first, second = (call.body["attachments"][0]["content"] for call in posted)
    assert images(first) == []  # one week is no trend yet
    (image,) = images(second)
    assert second["body"][1] is image
    assert image["url"].startswith(DATA_URL)
    png = base64.b64decode(image["url"].removeprefix(DATA_URL))
    assert png.startswith(PNG_SIGNATURE) and len(png) < 100_000
    assert image["altText"].startswith("Recent check-ins, oldest first. Average workload")
    assert "2026-W41" in image["altText"] and "2026-W42" in image["altText"]
    # Well within the connector's limit on one activity, which would answer 413.
    assert len(json.dumps(posted[1].body).encode()) < MAX_ACTIVITY_BYTES // 2
