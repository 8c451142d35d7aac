"""Renders Outgoing messages as terminal text."""

from __future__ import annotations

import textwrap

from bot.outgoing import NudgeMessage, Outgoing, QuestionMessage, SummaryMessage, TextMessage

WIDTH = 72


def _wrap(text: str, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        # Long words and hyphens stay whole, so a link can be copied from the terminal.
        wrapped = textwrap.wrap(
            paragraph,
            WIDTH,
            initial_indent=indent,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.extend(wrapped or [""])
    return lines


def render(message: Outgoing) -> str:
    """Plain text for a terminal; choices are numbered so they can be typed."""
    lines: list[str] = []
    if isinstance(message, QuestionMessage):
        lines += _wrap(message.text)
        lines += [f"  [{i}] {choice.label}" for i, choice in enumerate(message.choices, 1)]
        if message.can_skip:
            lines.append("  [s] skip")
        if message.footer:
            lines += _wrap(message.footer, "  ")
    elif isinstance(message, TextMessage):
        lines += _wrap(message.text)
        if message.footer:
            lines += _wrap(message.footer, "  ")
        if message.data:
            lines.append(message.data)
    elif isinstance(message, SummaryMessage):
        lines.append(message.title)
        lines += _wrap(message.text, "  ") if message.suppressed else []
        for section in message.sections:
            lines.append(f"  {section.heading}")
            lines += [f"    {line}" for line in section.lines]
    elif isinstance(message, NudgeMessage):
        lines += _wrap(message.text)
        lines += _wrap(message.action, "  → ")
    return "\n".join(lines)
