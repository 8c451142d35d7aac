"""Unicode sparklines: one bar per period on a fixed scale, a dot where nothing was shared."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"
GAP = "·"


def sparkline(values: Sequence[float | None], *, low: float, high: float) -> str:
    """One glyph per value, oldest first, scaled to the fixed range ``low``..``high``.

    The scale is fixed rather than stretched to the data, so a flat line means a steady
    team and the same height means the same value from week to week.
    """
    if high <= low:
        raise ValueError("a sparkline needs high > low")
    top = len(BARS) - 1
    glyphs = []
    for value in values:
        if value is None:
            glyphs.append(GAP)
            continue
        position = (min(max(value, low), high) - low) / (high - low)
        glyphs.append(BARS[min(top, int(position * top + 0.5))])
    return "".join(glyphs)
