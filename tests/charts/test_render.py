"""A digest's trend chart as a PNG: small, deterministic, and a missing week is a gap."""

from __future__ import annotations

import io
import math
import struct
import subprocess
import sys
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.image import imread
from matplotlib.ticker import PercentFormatter

from adapters import charts
from adapters.charts import build_figure, render_chart, render_chart_async
from bot.outgoing import TrendChart, TrendSeries

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PERIODS = ("2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44")
ALT = (
    "Recent check-ins, oldest first. Average workload (higher is heavier): 2026-W40 3.2, "
    "2026-W41 3.6, 2026-W42 not shared, 2026-W43 4.0, 2026-W44 4.2. Got no real rest: "
    "2026-W40 20%, 2026-W41 30%, 2026-W42 not shared, 2026-W43 50%, 2026-W44 60%."
)


def a_chart(**overrides: object) -> TrendChart:
    values: dict[str, object] = {
        "title": "Recent check-ins",
        "periods": PERIODS,
        "series": (
            TrendSeries(
                signal="workload",
                label="Average workload (higher is heavier)",
                points=(3.2, 3.6, None, 4.0, 4.2),
                low=1.0,
                high=5.0,
            ),
            TrendSeries(
                signal="real_rest",
                label="Got no real rest",
                points=(0.2, 0.3, None, 0.5, 0.6),
                low=0.0,
                high=1.0,
            ),
        ),
        "alt_text": ALT,
        "gap_label": "A gap is a week with too few answers to share.",
    }
    values.update(overrides)
    return TrendChart(**values)  # type: ignore[arg-type]


def png_text(png: bytes) -> dict[str, str]:
    """The text chunks of a PNG (tEXt, zTXt and iTXt), read without an imaging library."""
    assert png.startswith(PNG_SIGNATURE)
    found: dict[str, str] = {}
    at = len(PNG_SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        at += 12 + length
        if kind == b"tEXt":
            key, _, value = data.partition(b"\0")
            found[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = data.partition(b"\0")
            found[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = data.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _language, _, rest = rest.partition(b"\0")
            _translated, _, text = rest.partition(b"\0")
            found[key.decode("latin-1")] = (zlib.decompress(text) if compressed else text).decode()
    return found


def test_the_chart_is_a_small_png_about_700_pixels_wide():
    png = render_chart(a_chart())

    assert png.startswith(PNG_SIGNATURE)
    assert len(png) < 100_000
    height, width, _ = imread(io.BytesIO(png), format="png").shape
    assert 600 <= width <= 800
    assert 200 <= height <= 800


def test_a_missing_week_is_drawn_as_a_gap_never_as_zero():
    figure = build_figure(a_chart())

    workload, rest = (ax.lines[0] for ax in figure.axes)
    for line, expected in (
        (workload, (3.2, 3.6, None, 4.0, 4.2)),
        (rest, (0.2, 0.3, None, 0.5, 0.6)),
    ):
        ydata = [float(y) for y in line.get_ydata()]
        assert math.isnan(ydata[2]) and ydata[2] != 0
        assert [y for y in ydata if not math.isnan(y)] == [p for p in expected if p is not None]
        assert line.get_marker() not in (None, "", "None")  # a week alone between gaps shows


def test_a_week_alone_between_gaps_is_still_a_marked_point():
    lone = TrendSeries(signal="energy", label="Energy", points=(None, 3.0, None), low=1, high=5)
    figure = build_figure(a_chart(periods=PERIODS[:3], series=(lone,)))

    (line,) = figure.axes[0].lines
    assert [math.isnan(float(y)) for y in line.get_ydata()] == [True, False, True]
    assert line.get_marker() == "o" and line.get_markersize() > 0


def test_each_panel_has_its_own_scale_and_shares_read_as_percent():
    figure = build_figure(a_chart())

    workload, rest = figure.axes
    assert workload.get_ylim()[0] < 1.0 and workload.get_ylim()[1] > 5.0
    assert rest.get_ylim()[0] < 0.0 and 1.0 < rest.get_ylim()[1] < 1.5
    assert isinstance(rest.yaxis.get_major_formatter(), PercentFormatter)
    assert not isinstance(workload.yaxis.get_major_formatter(), PercentFormatter)
    assert [t.get_text() for t in rest.get_xticklabels()] == list(PERIODS)


def test_the_legend_explains_a_gap_in_the_charts_own_words():
    figure = build_figure(a_chart())
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "A gap is a week with too few answers to share."
    ]

    steady = TrendSeries(
        signal="energy", label="Energy", points=(3.0, 3.1, 3.2, 3.3, 3.4), low=1, high=5
    )
    whole = build_figure(a_chart(series=(steady,)))
    assert whole.legends == []


def test_the_alt_text_and_title_travel_inside_the_png():
    text = png_text(render_chart(a_chart()))

    assert text["Description"] == ALT
    assert text["Title"] == "Recent check-ins"
    assert "Software" not in text  # no library version: the same chart, the same bytes


def test_text_in_any_language_travels_too():
    alt = "Letzte Check-ins, älteste zuerst. Arbeitslast: 2026-W40 nicht geteilt."
    text = png_text(render_chart(a_chart(alt_text=alt, title="Letzte Check-ins")))
    assert text["Description"] == alt


def test_the_same_chart_gives_the_same_bytes():
    assert charts._png(a_chart()) == charts._png(a_chart())


async def test_rendering_off_the_event_loop_gives_the_same_picture():
    assert await render_chart_async(a_chart()) == render_chart(a_chart())


def test_importing_the_module_loads_no_matplotlib_and_drawing_never_pyplot():
    script = (
        "import sys\n"
        "import adapters.charts as c\n"
        "assert 'matplotlib' not in sys.modules\n"
        "from bot.outgoing import TrendChart, TrendSeries\n"
        "s = TrendSeries(signal='energy', label='E', points=(1.0, None), low=1, high=5)\n"
        "c.render_chart(TrendChart(title='t', periods=('a', 'b'), series=(s,),"
        " alt_text='a', gap_label='g'))\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


SCALES = st.sampled_from([(1.0, 5.0), (0.0, 1.0)])


@st.composite
def charts_with_gaps(draw: st.DrawFn) -> TrendChart:
    weeks = draw(st.integers(min_value=1, max_value=8))
    series = []
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        low, high = draw(SCALES)
        value = st.floats(min_value=low, max_value=high, allow_nan=False)
        points = draw(st.lists(st.none() | value, min_size=weeks, max_size=weeks))
        series.append(
            TrendSeries(
                signal=f"s{index}",
                label=f"Signal {index}",
                points=tuple(points),
                low=low,
                high=high,
            )
        )
    return TrendChart(
        title="Recent check-ins",
        periods=tuple(f"2026-W{week + 1:02d}" for week in range(weeks)),
        series=tuple(series),
        alt_text="alt",
        gap_label="gap",
    )


@settings(max_examples=25, deadline=None)
@given(chart=charts_with_gaps())
def test_any_chart_with_gaps_renders_and_never_plots_a_gap_as_a_number(chart: TrendChart):
    figure = build_figure(chart)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(PNG_SIGNATURE)

    for ax, series in zip(figure.axes, chart.series, strict=True):
        (line,) = ax.lines
        ydata = [float(y) for y in line.get_ydata()]
        assert len(ydata) == len(series.points)
        for drawn, point in zip(ydata, series.points, strict=True):
            if point is None:
                assert math.isnan(drawn)
            else:
                assert drawn == point
