"""Outgoing messages as Block Kit: the arguments for chat.postMessage and chat.update."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Final

from adapters.slack.actions import (
    BUTTON_VALUE_LIMIT,
    CHOICE,
    OPTION_VALUE_LIMIT,
    RECORD,
    SKIP,
    SNOOZE_AT,
    Record,
    Tap,
    encode_record,
    encode_tap,
    snooze_block_id,
)
from adapters.slack.kit import (
    BUTTON_TEXT_LIMIT,
    MESSAGE_BLOCK_LIMIT,
    OPTION_TEXT_LIMIT,
    OPTIONS_LIMIT,
    PLACEHOLDER_LIMIT,
    SECTION_TEXT_LIMIT,
    Block,
    blocks_text,
    context,
    fallback,
    fit,
    header,
    plain,
    sections,
    split_escaped,
    titled_sections,
)
from bot.outgoing import NudgeMessage, Outgoing, QuestionMessage, SummaryMessage, TextMessage
from bot.ports import PromptCatalog

__all__ = ["MAX_BUTTONS", "blocks_text", "message_payload"]

MAX_BUTTONS: Final = 5  # more choices than this read better as a menu
_CODE_FENCE: Final = "```"
_Say = Callable[[str], str]  # Ripple's own label for a catalog key, in the recipient's language
# Button styles by (action, value). Rest, later and every answer stay unstyled: no choice
# is the "right" one. Erasing data is the one destructive, irreversible press.
_STYLES: Final = {("capacity", "now"): "primary", ("forget", "yes"): "danger"}


def message_payload(message: Outgoing, *, catalog: PromptCatalog) -> dict[str, Any]:
    """``{"text": <notification fallback>, "blocks": [...]}`` for ``message``."""
    say: _Say = partial(catalog.message, locale=message.locale)
    if isinstance(message, QuestionMessage):
        blocks = _question(message, say=say)
    elif isinstance(message, TextMessage):
        blocks = _text(message, say=say)
    elif isinstance(message, SummaryMessage):
        blocks = _summary(message) + _record(message, say=say)
    else:
        blocks = _nudge(message) + _record(message, say=say)
    return {
        "text": fallback(message.text),
        "blocks": fit(blocks, limit=MESSAGE_BLOCK_LIMIT, note=say("slack.truncated")),
    }


def _question(message: QuestionMessage, *, say: _Say) -> list[Block]:
    def tap(action: str, value: str, *, limit: int = BUTTON_VALUE_LIMIT) -> str:
        return encode_tap(
            Tap(
                action=action,
                round_id=message.round_id,
                question_id=message.question_id,
                value=value,
            ),
            limit=limit,
        )

    elements: list[Block] = []
    if len(message.choices) <= MAX_BUTTONS:
        for i, choice in enumerate(message.choices):
            button = _button(
                action_id=f"{CHOICE}:{i}",
                label=choice.label,
                value=tap(message.action, choice.value),
            )
            if style := _STYLES.get((message.action, choice.value)):
                button["style"] = style
            elements.append(button)
    else:
        if len(message.choices) > OPTIONS_LIMIT:
            raise ValueError(f"a question can offer at most {OPTIONS_LIMIT} choices in Slack")
        options = [
            {
                "text": plain(choice.label, limit=OPTION_TEXT_LIMIT),
                "value": tap(message.action, choice.value, limit=OPTION_VALUE_LIMIT),
            }
            for choice in message.choices
        ]
        placeholder = plain(say("slack.choose"), limit=PLACEHOLDER_LIMIT)
        elements.append(
            {
                "type": "static_select",
                "action_id": CHOICE,
                "placeholder": placeholder,
                "options": options,
            }
        )
    if message.can_skip:
        elements.append(_button(action_id=SKIP, label=say("question.skip"), value=tap("skip", "")))
    blocks = sections(message.text)
    if elements:
        blocks.append({"type": "actions", "elements": elements})
    if message.action == "snooze" and message.round_id:
        picker = {"type": "datetimepicker", "action_id": SNOOZE_AT}
        blocks += context(say("slack.pick_time"))
        blocks.append(
            {
                "type": "actions",
                "block_id": snooze_block_id(message.round_id),
                "elements": [picker],
            }
        )
    return blocks + context(message.footer or "")


def _record(message: SummaryMessage | NudgeMessage, *, say: _Say) -> list[Block]:
    """A manager's button to record what the team will do about the week shown."""
    if message.round_id is None:
        return []
    if isinstance(message, SummaryMessage) and message.suppressed:
        return []
    if isinstance(message, NudgeMessage) and message.personal:
        return []
    rule = message.rule if isinstance(message, NudgeMessage) else None
    value = encode_record(Record(round_id=message.round_id, rule=rule, locale=message.locale))
    button = _button(action_id=RECORD, label=say("loop.button"), value=value)
    return [{"type": "actions", "elements": [button]}]


def _button(*, action_id: str, label: str, value: str) -> Block:
    return {
        "type": "button",
        "action_id": action_id,
        "text": plain(label, limit=BUTTON_TEXT_LIMIT),
        "value": value,
    }


def _text(message: TextMessage, *, say: _Say) -> list[Block]:
    blocks = sections(message.text)
    tail = context(message.footer or "")
    if message.data:
        room = MESSAGE_BLOCK_LIMIT - len(blocks) - len(tail)
        code = _code_sections(message.data)
        if len(code) > room:
            code = [*code[: max(room - 1, 0)], *context(say("slack.export_truncated"))]
        blocks += code
    return blocks + tail


def _code_sections(data: str) -> list[Block]:
    """``data`` as preformatted sections, each within the section text limit."""
    fenced = len(_CODE_FENCE) * 2 + 2  # the fences and the newlines around the data
    return [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"{_CODE_FENCE}\n{chunk}\n{_CODE_FENCE}"},
        }
        for chunk in split_escaped(data, limit=SECTION_TEXT_LIMIT - fenced)
    ]


def _summary(message: SummaryMessage) -> list[Block]:
    blocks = [header(message.title)]
    if message.suppressed:
        return blocks + sections(message.text)
    for section in message.sections:
        blocks += titled_sections(section.heading, section.lines)
    return blocks


def _nudge(message: NudgeMessage) -> list[Block]:
    return sections(message.text) + sections(message.action)
