"""Outgoing messages as Adaptive Cards 1.5, with Action.Execute taps that fall back to Submit."""

from __future__ import annotations

import base64
import logging
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import CardFactory

from adapters.charts import render_chart
from bot.conversation import NOTE_LIMIT
from bot.loop import action_form
from bot.outgoing import (
    NudgeMessage,
    Outgoing,
    QuestionMessage,
    SummaryMessage,
    TextMessage,
    TrendChart,
)
from bot.ports import PromptCatalog

logger = logging.getLogger(__name__)

CARD_VERSION = "1.5"
VERB = "ripple"
NOTE_INPUT = "ripple_note"
SNOOZE_DATE_INPUT = "ripple_snooze_date"
SNOOZE_TIME_INPUT = "ripple_snooze_time"
RECORD = "record"  # the "ripple" of a manager's record-an-action submission
ACTION_CHOICE_INPUT = "ripple_action_choice"
ACTION_TEXT_INPUT = "ripple_action_text"
SUMMARY_CHARS = 140  # the notification preview: a short first line

Card = dict[str, Any]


def adaptive_card(body: list[Card], actions: list[Card] | None = None, *, fallback: str) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "fallbackText": fallback,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def text_block(text: str, **style: Any) -> Card:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def paragraphs(text: str, **style: Any) -> list[Card]:
    return [text_block(part, **style) for part in text.split("\n\n") if part.strip()]


def execute(title: str, data: dict[str, str], *, style: str | None = None) -> Card:
    """A tap handled by Universal Actions, or by a plain Submit in clients without them."""
    action: Card = {"type": "Action.Execute", "title": title, "verb": VERB, "data": data}
    submit: Card = {"type": "Action.Submit", "title": title, "data": data}
    if style:
        action["style"] = submit["style"] = style
    action["fallback"] = submit
    return action


def render(message: Outgoing, *, catalog: PromptCatalog) -> Card:
    """The Adaptive Card for one outgoing message."""
    if isinstance(message, QuestionMessage):
        return _question(message, catalog=catalog)
    if isinstance(message, TextMessage):
        return _text(message)
    card = _summary(message) if isinstance(message, SummaryMessage) else _nudge(message)
    if (record := _record(message, catalog=catalog)) is not None:
        card["actions"] = [record]
    return card


def _record(message: SummaryMessage | NudgeMessage, *, catalog: PromptCatalog) -> Card | None:
    """A manager's "record what the team will do", opening a short form in the card."""
    if message.round_id is None:
        return None
    if isinstance(message, SummaryMessage) and message.suppressed:
        return None
    if isinstance(message, NudgeMessage) and message.personal:
        return None
    form = action_form(catalog, round_id=message.round_id, locale=message.locale)
    rule = message.rule if isinstance(message, NudgeMessage) else ""
    data = {"ripple": RECORD, "round": message.round_id, "rule": rule, "locale": message.locale}
    inputs: list[Card] = [
        *paragraphs(form.intro),
        {
            "type": "Input.ChoiceSet",
            "id": ACTION_CHOICE_INPUT,
            "label": form.choice_label,
            "style": "expanded",
            "isRequired": False,
            "choices": [{"title": c.label, "value": c.value} for c in form.choices],
        },
        {
            "type": "Input.Text",
            "id": ACTION_TEXT_INPUT,
            "label": form.text_label,
            "placeholder": form.text_hint,
            "isMultiline": True,
            "maxLength": form.text_limit,
        },
    ]
    shown = adaptive_card(inputs, [execute(form.submit, data)], fallback=form.intro)
    return {
        "type": "Action.ShowCard",
        "title": catalog.message("loop.button", locale=message.locale),
        "card": shown,
    }


def to_activity(message: Outgoing, *, catalog: PromptCatalog) -> Activity:
    card = render(message, catalog=catalog)
    return card_activity(card, summary=preview_of(message))


def card_activity(card: Card, *, summary: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=summary[:SUMMARY_CHARS] or None,
        attachments=[CardFactory.adaptive_card(card)],
    )


def preview_of(message: Outgoing) -> str:
    text = message.title if isinstance(message, SummaryMessage) else message.text
    return text.strip().split("\n", 1)[0]


def _footer(text: str | None) -> list[Card]:
    if not text:
        return []
    return [text_block(text, isSubtle=True, size="Small", spacing="Medium")]


def _question(message: QuestionMessage, *, catalog: PromptCatalog) -> Card:
    def say(key: str) -> str:
        return catalog.message(key, locale=message.locale)

    base: dict[str, str] = {"ripple": message.action}
    if message.round_id:
        base["round"] = message.round_id
    if message.question_id:
        base["question"] = message.question_id
    body = paragraphs(message.text)
    actions = [
        execute(choice.label, {**base, "value": choice.value}, style=_style(message, index))
        for index, choice in enumerate(message.choices)
    ]
    if message.action == "note":
        body.append(
            {
                "type": "Input.Text",
                "id": NOTE_INPUT,
                "isMultiline": True,
                "maxLength": NOTE_LIMIT,
                "label": say("teams.note_label"),
                "placeholder": say("teams.note_placeholder"),
            }
        )
    if message.action == "snooze":
        body += [
            text_block(say("teams.snooze_pick"), spacing="Medium"),
            {"type": "Input.Date", "id": SNOOZE_DATE_INPUT, "label": say("teams.snooze_date")},
            {"type": "Input.Time", "id": SNOOZE_TIME_INPUT, "label": say("teams.snooze_time")},
        ]
        actions.append(execute(say("teams.snooze_at"), {**base, "value": "at"}))
    if message.can_skip:
        actions.append(execute(say("question.skip"), {**base, "ripple": "skip"}))
    body += _footer(message.footer)
    return adaptive_card(body, actions, fallback=message.text)


def _style(message: QuestionMessage, index: int) -> str | None:
    """The capacity gate's first choice is the positive one; no other choice is favoured."""
    return "positive" if message.action == "capacity" and index == 0 else None


def _text(message: TextMessage) -> Card:
    body = paragraphs(message.text)
    if message.data is not None:
        body.append(text_block(message.data, fontType="Monospace", size="Small"))
    body += _footer(message.footer)
    return adaptive_card(body, fallback=message.text)


def _summary(message: SummaryMessage) -> Card:
    body = [text_block(message.title, size="Medium", weight="Bolder")]
    if message.chart is not None:
        body += _chart_image(message.chart)
    if message.suppressed or not message.sections:
        body += paragraphs(message.text.removeprefix(message.title).strip())
    for section in message.sections:
        body.append(text_block(section.heading, weight="Bolder", spacing="Medium"))
        body += [text_block(line, spacing="None") for line in section.lines]
    return adaptive_card(body, fallback=message.text)


def _chart_image(chart: TrendChart) -> list[Card]:
    """The chart inline, as a data: URL: Teams shows it without Ripple hosting images.

    Drawn here, synchronously, as cards are built; the same chart is drawn only once.
    Without a picture, the digest's text and its sparklines still say it all.
    """
    try:
        png = render_chart(chart)
    except Exception as exc:  # a chart is never worth losing the digest over
        logger.warning("a digest's chart was not drawn (%s); it goes without", type(exc).__name__)
        return []
    return [
        {
            "type": "Image",
            "url": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
            "altText": chart.alt_text,
            "size": "Stretch",
            "spacing": "Medium",
        }
    ]


def _nudge(message: NudgeMessage) -> Card:
    body = [
        *paragraphs(message.text),
        {"type": "Container", "style": "emphasis", "items": paragraphs(message.action)},
    ]
    return adaptive_card(body, fallback=f"{message.text}\n\n{message.action}")
