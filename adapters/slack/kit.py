"""Block Kit building blocks: escaped text objects, Slack's size limits, and visible text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

Block = dict[str, Any]

SECTION_TEXT_LIMIT: Final = 3000
CONTEXT_TEXT_LIMIT: Final = 3000
HEADER_TEXT_LIMIT: Final = 150
BUTTON_TEXT_LIMIT: Final = 75
OPTION_TEXT_LIMIT: Final = 75
PLACEHOLDER_LIMIT: Final = 150
LABEL_LIMIT: Final = 2000
VIEW_TITLE_LIMIT: Final = 24
MESSAGE_BLOCK_LIMIT: Final = 50
VIEW_BLOCK_LIMIT: Final = 100
ACTIONS_ELEMENT_LIMIT: Final = 25
OPTIONS_LIMIT: Final = 100  # options in one select menu
FALLBACK_LIMIT: Final = 3000
ELLIPSIS: Final = "…"

# Slack reads these as control characters in mrkdwn and in a message's ``text``.
_ESCAPES: Final = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def escape(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` escaped, so it can't form mentions or links."""
    for char, entity in _ESCAPES:
        text = text.replace(char, entity)
    return text


def unescape(text: str) -> str:
    for char, entity in reversed(_ESCAPES):
        text = text.replace(entity, char)
    return text


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def plain(text: str, *, limit: int) -> Block:
    """A plain_text object; Slack parses no mentions in it, so it needs no escaping."""
    return {"type": "plain_text", "text": clip(text, limit)}


def split_escaped(text: str, *, limit: int) -> list[str]:
    """``text`` escaped and cut into pieces of at most ``limit`` characters, at line ends if it can."""
    chunks: list[str] = []
    current: str | None = None
    for line in text.split("\n"):
        escaped = escape(line)
        if current is not None and len(current) + 1 + len(escaped) <= limit:
            current = f"{current}\n{escaped}"
            continue
        if current is not None:
            chunks.append(current)
        parts = _cut(escaped, limit)
        chunks.extend(parts[:-1])
        current = parts[-1]
    if current is not None:
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def _cut(escaped: str, limit: int) -> list[str]:
    """Hard cuts of an escaped line, never through the middle of an entity like ``&amp;``."""
    parts: list[str] = []
    while len(escaped) > limit:
        cut = limit
        amp = escaped.rfind("&", max(0, cut - len("&amp;") + 1), cut)
        if amp > 0 and escaped.find(";", amp) >= cut:
            cut = amp
        parts.append(escaped[:cut])
        escaped = escaped[cut:]
    parts.append(escaped)
    return parts


def sections(text: str) -> list[Block]:
    """Section blocks showing ``text`` (escaped), as many as Slack's text limit needs."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in split_escaped(text, limit=SECTION_TEXT_LIMIT)
    ]


def titled_sections(heading: str, lines: Sequence[str]) -> list[Block]:
    """A bold heading over its lines, in as many sections as Slack's text limit needs."""
    bold = f"*{escape(clip(heading, HEADER_TEXT_LIMIT))}*"
    chunks = split_escaped("\n".join(lines), limit=SECTION_TEXT_LIMIT - len(bold) - 1) or [""]
    chunks[0] = f"{bold}\n{chunks[0]}".rstrip("\n")
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks]


def context(text: str) -> list[Block]:
    """A small grey line (footers, notes about the message), or nothing for blank text."""
    pieces = split_escaped(text, limit=CONTEXT_TEXT_LIMIT - len(ELLIPSIS))
    if not pieces:
        return []
    shown = pieces[0] + ELLIPSIS if len(pieces) > 1 else pieces[0]
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": shown}]}]


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, limit=HEADER_TEXT_LIMIT)}


def fallback(text: str) -> str:
    """A message's top-level ``text``: the notification and screen-reader fallback."""
    return escape(clip(text, FALLBACK_LIMIT))


def fit(blocks: list[Block], *, limit: int, note: str) -> list[Block]:
    """``blocks`` within Slack's block count, ending with ``note`` when some had to go."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], *context(note)]


def blocks_text(blocks: Sequence[Block]) -> str:
    """Every piece of text a person sees in ``blocks``, one per line, entities unescaped."""
    found: list[str] = []
    _collect(list(blocks), into=found)
    return "\n".join(found)


def _collect(node: object, *, into: list[str]) -> None:
    if isinstance(node, dict):
        kind, text = node.get("type"), node.get("text")
        if kind in ("plain_text", "mrkdwn") and isinstance(text, str):
            into.append(unescape(text) if kind == "mrkdwn" else text)
            return
        for value in node.values():
            _collect(value, into=into)
    elif isinstance(node, list):
        for item in node:
            _collect(item, into=into)
