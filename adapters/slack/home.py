"""A person's Ripple home page as a Slack App Home view."""

from __future__ import annotations

from typing import Any

from adapters.slack.actions import COMMAND
from adapters.slack.kit import (
    ACTIONS_ELEMENT_LIMIT,
    BUTTON_TEXT_LIMIT,
    VIEW_BLOCK_LIMIT,
    Block,
    fit,
    header,
    plain,
    titled_sections,
)
from bot.home import HomeView
from bot.ports import PromptCatalog


def home_view(
    home: HomeView, *, catalog: PromptCatalog, locale: str | None = None
) -> dict[str, Any]:
    """The ``home`` view for ``home``: its title, its command buttons, then its sections.

    ``locale`` (for Ripple's own labels) defaults to the home page's own language.
    """
    buttons = [
        {
            "type": "button",
            "action_id": f"{COMMAND}:{action.value}",
            "text": plain(action.label, limit=BUTTON_TEXT_LIMIT),
            "value": action.value,
        }
        for action in home.actions
    ]
    blocks: list[Block] = [header(home.title)]
    blocks += [
        {"type": "actions", "elements": buttons[start : start + ACTIONS_ELEMENT_LIMIT]}
        for start in range(0, len(buttons), ACTIONS_ELEMENT_LIMIT)
    ]
    for section in home.sections:
        blocks += [{"type": "divider"}, *titled_sections(section.heading, section.lines)]
    note = catalog.message("slack.truncated", locale=locale or home.locale)
    return {"type": "home", "blocks": fit(blocks, limit=VIEW_BLOCK_LIMIT, note=note)}
