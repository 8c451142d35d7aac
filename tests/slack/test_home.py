"""The App Home view: a valid home tab with the person's sections and command buttons."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.views import View

from adapters.slack.actions import COMMAND, COMMAND_PATTERN
from adapters.slack.blocks import blocks_text
from adapters.slack.home import home_view
from bot.app.catalog import YamlPromptCatalog
from bot.home import HomeSection, HomeView
from bot.questions import Choice
from prompts import PROMPTS_DIR

LOCALES = ("en", "es", "de")
COMMANDS = ("checkin", "pause", "history", "export", "forget")


@pytest.fixture(scope="module")
def catalog() -> YamlPromptCatalog:
    return YamlPromptCatalog.load(PROMPTS_DIR)


def home(catalog: YamlPromptCatalog, locale: str, **changes: Any) -> HomeView:
    def say(key: str, **params: object) -> str:
        return catalog.message(f"home.{key}", locale=locale, **params)

    fields: dict[str, Any] = {
        "title": say("title"),
        "sections": (
            HomeSection(
                heading=say("mine"),
                lines=(say("active"), "2026-W10 in #design: checked in"),
            ),
            HomeSection(heading="#design <!here>", lines=("Shared note: <@U0BOSS> & co",)),
        ),
        "actions": tuple(Choice(value=c, label=say(f"action.{c}")) for c in COMMANDS),
        "locale": locale,
    }
    return HomeView(**(fields | changes))


def assert_valid_home(view: dict[str, Any]) -> None:
    parsed = View(**view)
    parsed.validate_json()
    assert parsed.to_dict() == view
    assert view["type"] == "home"
    assert 0 < len(view["blocks"]) <= 100
    for block in view["blocks"]:
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25


def buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_home_tab_shows_the_title_commands_and_sections(
    catalog: YamlPromptCatalog, locale: str
) -> None:
    page = home(catalog, locale)
    view = home_view(page, catalog=catalog, locale=locale)
    assert_valid_home(view)
    assert view["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": page.title},
    }
    shown = buttons(view)
    assert [b["action_id"] for b in shown] == [f"{COMMAND}:{c}" for c in COMMANDS]
    assert all(COMMAND_PATTERN.match(b["action_id"]) for b in shown)
    assert [b["value"] for b in shown] == list(COMMANDS)
    assert [b["text"]["text"] for b in shown] == [a.label for a in page.actions]
    text = blocks_text(view["blocks"])
    for section in page.sections:
        assert section.heading in text
        for line in section.lines:
            assert line in text


def test_section_text_cannot_mention_anyone(catalog: YamlPromptCatalog) -> None:
    view = home_view(home(catalog, "en"), catalog=catalog)
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert any("&lt;!here&gt;" in s for s in sections)
    assert not any("<" in s or ">" in s for s in sections)
    assert "<@U0BOSS> & co" in blocks_text(view["blocks"])


def test_a_long_home_is_cut_with_a_note_in_its_language(catalog: YamlPromptCatalog) -> None:
    many = tuple(HomeSection(heading=f"#team-{i}", lines=("x",) * 3) for i in range(150))
    view = home_view(home(catalog, "de", sections=many), catalog=catalog)
    assert_valid_home(view)
    assert len(view["blocks"]) == 100
    assert blocks_text(view["blocks"][-1:]) == catalog.message("slack.truncated", locale="de")


def test_many_commands_are_split_into_rows(catalog: YamlPromptCatalog) -> None:
    actions = tuple(Choice(value=f"command_{i}", label=f"Command {i}") for i in range(30))
    view = home_view(home(catalog, "en", actions=actions), catalog=catalog, locale="en")
    assert_valid_home(view)
    rows = [b for b in view["blocks"] if b["type"] == "actions"]
    assert [len(row["elements"]) for row in rows] == [25, 5]


def test_a_home_without_sections_or_commands_is_still_valid(catalog: YamlPromptCatalog) -> None:
    view = home_view(home(catalog, "es", sections=(), actions=()), catalog=catalog)
    assert_valid_home(view)
    assert [b["type"] for b in view["blocks"]] == ["header"]


def test_a_section_without_lines_shows_its_heading(catalog: YamlPromptCatalog) -> None:
    page = home(catalog, "en", sections=(HomeSection(heading="Nothing yet", lines=()),))
    view = home_view(page, catalog=catalog)
    assert_valid_home(view)
    assert view["blocks"][-1]["text"]["text"] == "*Nothing yet*"
