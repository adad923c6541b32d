"""Charts as inline SVG: no script, no inline style, colours from the stylesheet (light, dark).

Small on purpose: pygal's output carries inline styles and script, which the
page's Content-Security-Policy refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from markupsafe import Markup, escape

SERIES = 8  # colours in the stylesheet: .series-0 … .series-7


def _number(value: float) -> str:
    return f"{value:.1f}"


def bars(
    rows: Sequence[tuple[str, Decimal]], label: str, written: Callable[[Decimal], str]
) -> Markup:
    """Horizontal bars, one per row, longest first as given."""
    if not rows:
        return Markup("")
    top = max((value for _, value in rows), default=Decimal(0)) or Decimal(1)
    row_height, label_width, width = 28, 150, 600
    height = row_height * len(rows) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMinYMin meet">'
    ]
    for index, (name, value) in enumerate(rows):
        y = index * row_height + 4
        length = float(value / top) * (width - label_width - 110)
        parts.append(
            f'<text class="chart-label" x="{label_width - 8}" y="{y + 18}" text-anchor="end">'
            f"{escape(name[:22])}</text>"
            f'<rect class="series-{index % SERIES}" x="{label_width}" y="{y + 4}" '
            f'width="{_number(max(length, 1))}" height="{row_height - 10}" rx="3"/>'
            f'<text class="chart-value" x="{_number(label_width + length + 6)}" y="{y + 18}">'
            f"{escape(written(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def spark(values: Sequence[Decimal], label: str) -> Markup:
    """A small column chart of a series, for the dashboard."""
    if not values:
        return Markup("")
    width, height, gap = 240, 48, 3
    column = width / len(values)
    top = max(values) or Decimal(1)
    parts = [
        f'<svg class="chart spark" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    for index, value in enumerate(values):
        bar = max(float(value / top) * (height - 2), 1.0)
        parts.append(
            f'<rect class="series-0" x="{_number(index * column + gap / 2)}" '
            f'y="{_number(height - bar)}" width="{_number(column - gap)}" height="{_number(bar)}" '
            f'rx="1"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(
    columns: Sequence[str], series: Sequence[str], values: Sequence[Sequence[Decimal]], label: str
) -> Markup:
    """One column per label in columns, stacked by series (values[column][series])."""
    if not columns or not series:
        return Markup("")
    height, width, bottom, left = 260, 720, 30, 8
    column_width = (width - left) / len(columns)
    top = max((sum(row, Decimal(0)) for row in values), default=Decimal(0)) or Decimal(1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMinYMin meet">'
    ]
    for index, (name, row) in enumerate(zip(columns, values, strict=True)):
        x = left + index * column_width
        y = float(height - bottom)
        for series_index, value in enumerate(row):
            bar = float(value / top) * (height - bottom - 10)
            if bar > 0:
                y -= bar
                parts.append(
                    f'<rect class="series-{series_index % SERIES}" x="{_number(x + 2)}" '
                    f'y="{_number(y)}" width="{_number(column_width - 4)}" '
                    f'height="{_number(bar)}"/>'
                )
        parts.append(
            f'<text class="chart-label" x="{_number(x + column_width / 2)}" y="{height - 10}" '
            f'text-anchor="middle">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
