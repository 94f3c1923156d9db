"""Pure: indicator rows → the geometry of a server-rendered SVG chart.

A dot plot, value (y) by year (x), one dot per entry value, its shape and colour
from the evidence level; small cells (no value for this reader) are not plotted,
only counted. The page draws it with plain SVG elements and no script, and the
table under it is the accessible alternative (the SVG has a title and a
description). Hand-written rather than a charting library: the pages' Content
Security Policy forbids inline styles and scripts, which SVG chart libraries
embed, and a dot plot is a few lines of arithmetic."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from api.evidence.schemas import IndicatorRow

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
LEVELS = ("strong", "moderate", "preliminary", "descriptive", "not_assessed")


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    level: str  # a LEVELS code or "unknown": the CSS class picks colour and shape
    title: str
    href: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    dots: list[Dot]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    not_plotted: int  # small cells and values without a year


def _nice_step(span: float, count: int = 5) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _label(value: float) -> str:
    return f"{value:g}"


def build_chart(rows: Sequence[IndicatorRow]) -> Chart:
    plotted = [r for r in rows if r.value is not None and r.year is not None]
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    if not plotted:
        return Chart(WIDTH, HEIGHT, [], [], [], LEFT, right, TOP, bottom, len(rows))
    years = [r.year for r in plotted if r.year is not None]
    values = [r.value for r in plotted if r.value is not None]
    first, last = min(years) - 1, max(years) + 1
    low = min(0.0, min(values))
    step = _nice_step(max(values) - low or 1.0)
    high = math.ceil(max(values) / step) * step if max(values) > 0 else step
    low = math.floor(low / step) * step

    def x_of(year: float) -> float:
        return LEFT + (year - first) / (last - first) * (right - LEFT)

    def y_of(value: float) -> float:
        return bottom - (value - low) / ((high - low) or 1.0) * (bottom - TOP)

    # Values of the same year are spread a little sideways so none hides another.
    seen: dict[int, int] = {}
    dots: list[Dot] = []
    for row in plotted:
        assert row.year is not None
        assert row.value is not None
        n = seen.get(row.year, 0)
        seen[row.year] = n + 1
        offset = ((n + 1) // 2) * 6 * (1 if n % 2 else -1)
        dots.append(Dot(
            x=round(x_of(row.year) + offset, 1), y=round(y_of(row.value), 1),
            level=row.evidence_level if row.evidence_level in LEVELS else "unknown",
            title=f"{row.entry.title} ({row.year}): {row.display}", href=f"/entries/{row.entry.id}",
        ))  # fmt: skip
    year_step = max(1, math.ceil((last - first) / 10))
    x_ticks = [Tick(round(x_of(y), 1), str(y)) for y in range(first + 1, last, year_step)]
    count = round((high - low) / step)
    y_ticks = [
        Tick(round(y_of(low + i * step), 1), _label(low + i * step)) for i in range(count + 1)
    ]
    return Chart(WIDTH, HEIGHT, dots, x_ticks, y_ticks, LEFT, right, TOP, bottom,
                 len(rows) - len(plotted))  # fmt: skip
