"""A digest's trend chart as a small PNG: one panel per signal, a missing week left as a gap."""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from bot.outgoing import TrendChart, TrendSeries

if TYPE_CHECKING:  # matplotlib takes a second or more to import: only drawing needs it
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_INCHES: Final = 7.0
DPI: Final = 100  # 700 pixels wide
PANEL_INCHES: Final = 1.45  # one signal's panel, its own title included
TOP_INCHES: Final = 0.65  # the chart's title and the first panel's
BOTTOM_INCHES: Final = 0.7  # the week labels and the gap legend
LEFT_INCHES: Final = 0.6
RIGHT_INCHES: Final = 0.15
LABEL_ROOM: Final = 80  # characters of week labels that fit side by side; more are slanted
SLANTED_INCHES: Final = 0.8
PANEL_GAP: Final = 0.45  # between panels, for each panel's title, as a share of a panel
# Okabe and Ito's palette: told apart with every common colour-vision deficiency, and each
# series has its own marker too, so nothing depends on colour alone.
COLOURS: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MARKERS: Final = ("o", "s", "^", "D", "v", "P")
GAP_COLOUR: Final = "#e6e6e6"
GRID_COLOUR: Final = "#d9d9d9"
TEXT_COLOUR: Final = "#222222"
SHARE_RANGE: Final = (0.0, 1.0)
CACHED_CHARTS: Final = 16  # managers of one channel usually get the same picture


def build_figure(chart: TrendChart) -> Figure:
    """The chart as a matplotlib figure on the Agg canvas, outside pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    panels = max(len(chart.series), 1)
    slanted = sum(len(period) for period in chart.periods) > LABEL_ROOM
    bottom = BOTTOM_INCHES + (SLANTED_INCHES if slanted else 0.0)
    height = TOP_INCHES + PANEL_INCHES * panels + bottom
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    # Fixed margins rather than a layout engine: the parts are always the same, and
    # measuring them on every render would double the time it takes.
    figure.subplots_adjust(
        left=LEFT_INCHES / WIDTH_INCHES,
        right=1 - RIGHT_INCHES / WIDTH_INCHES,
        top=1 - TOP_INCHES / height,
        bottom=bottom / height,
        hspace=PANEL_GAP,
    )
    figure.suptitle(
        chart.title,
        x=0.01,
        y=1 - 0.08 / height,
        ha="left",
        va="top",
        fontsize=13,
        fontweight="bold",
        color=TEXT_COLOUR,
    )
    axes = figure.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    for index, ax in enumerate(axes):
        if index < len(chart.series):
            _draw_series(ax, chart.series[index], index=index)
        else:
            ax.set_axis_off()
    _label_weeks(axes[-1], chart.periods, slanted=slanted)
    if any(_missing(point) for s in chart.series for point in s.points):
        figure.legend(
            handles=[Patch(facecolor=GAP_COLOUR, edgecolor="none", label=chart.gap_label)],
            loc="lower left",
            bbox_to_anchor=(0.0, 0.0),
            frameon=False,
            fontsize=9,
            labelcolor=TEXT_COLOUR,
        )
    return figure


def render_chart(chart: TrendChart) -> bytes:
    """``chart`` as a PNG of about 700 pixels across; the same chart gives the same bytes."""
    return _cached_png(chart)


async def render_chart_async(chart: TrendChart) -> bytes:
    """``render_chart`` in a worker thread, so drawing never holds up the event loop."""
    return await asyncio.to_thread(render_chart, chart)


def _png(chart: TrendChart) -> bytes:
    buffer = io.BytesIO()
    # The picture carries its own words. No "Software" entry: it names matplotlib's
    # version, and the same chart would come out as other bytes after an upgrade.
    metadata = {"Software": None, "Title": chart.title, "Description": chart.alt_text}
    build_figure(chart).savefig(buffer, format="png", dpi=DPI, metadata=metadata)
    return buffer.getvalue()


_cached_png = lru_cache(maxsize=CACHED_CHARTS)(_png)


def _missing(point: float | None) -> bool:
    return point is None or not math.isfinite(point)


def _draw_series(ax: Axes, series: TrendSeries, *, index: int) -> None:
    # NaN, never zero: matplotlib breaks the line there, and markers keep a week that
    # stands alone between two gaps visible. A gap is shaded, and the legend says why.
    values = [float(p) if p is not None and math.isfinite(p) else math.nan for p in series.points]
    for week, value in enumerate(values):
        if math.isnan(value):
            ax.axvspan(week - 0.5, week + 0.5, facecolor=GAP_COLOUR, edgecolor="none", zorder=0)
    ax.plot(
        range(len(values)),
        values,
        color=COLOURS[index % len(COLOURS)],
        marker=MARKERS[index % len(MARKERS)],
        markersize=6,
        linewidth=2.2,
        zorder=3,
    )
    low, high = _scale(series, values)
    padding = (high - low) * 0.1
    ax.set_ylim(low - padding, high + padding)
    ax.set_yticks([low, (low + high) / 2, high])
    if (series.low, series.high) == SHARE_RANGE:
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_title(series.label, loc="left", fontsize=10.5, color=TEXT_COLOUR, pad=4)
    ax.tick_params(labelsize=9, colors=TEXT_COLOUR)
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _scale(series: TrendSeries, values: Sequence[float]) -> tuple[float, float]:
    """The series' own scale, stretched only if a point lies outside it."""
    shown = [v for v in values if math.isfinite(v)]
    low = min([series.low, *shown])
    high = max([series.high, *shown])
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def _label_weeks(ax: Axes, periods: Sequence[str], *, slanted: bool) -> None:
    ax.set_xlim(-0.5, max(len(periods), 1) - 0.5)
    ax.set_xticks(
        range(len(periods)),
        labels=list(periods),
        fontsize=9,
        rotation=30 if slanted else 0,
        ha="right" if slanted else "center",
        rotation_mode="anchor" if slanted else "default",
    )
