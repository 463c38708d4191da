"""Plain-text and HTML rendering of result tables, with no dependency.

Notebooks call ``_repr_html_``; the terminal and doctests see ``__repr__``.
Both are built here from the same columns and rows, so they cannot disagree.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

_CELL = "padding:2px 6px;text-align:right;border:1px solid #ddd"
_HEAD = "padding:2px 6px;text-align:center;border:1px solid #ddd;background:#f3f3f3"


def cell_text(value: Any, kind: str) -> str:
    """One value as a person reads it: rates as percentages, counts with separators."""
    if value is None:
        return "-"
    if kind == "rate":
        return f"{value:.1%}"
    if kind == "int":
        return f"{value:,}"
    if kind == "float":
        return f"{value:,.2f}"
    if kind == "flag":
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        # Money divided by counts runs to 28 digits; four places are plenty to read.
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -4:
            return f"{value:,.4f}"
        return f"{value:,}"
    return str(value)


def text_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An aligned plain-text table under a title line."""
    widths = [len(c) for c in columns]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [title]
    lines.append("  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True)))
    lines.extend("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(lines)


def html_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    shades: Sequence[Sequence[float | None]] | None = None,
    notes: Sequence[str] = (),
) -> str:
    """An HTML table; ``shades`` (0..1 per cell, None for none) colour cells for heatmaps."""
    out = [
        '<table style="border-collapse:collapse;font-family:monospace;font-size:12px">',
        f'<caption style="text-align:left;font-weight:bold">{html.escape(title)}</caption>',
        "<thead><tr>",
        *(f'<th style="{_HEAD}">{html.escape(c)}</th>' for c in columns),
        "</tr></thead><tbody>",
    ]
    for r, row in enumerate(rows):
        out.append("<tr>")
        for c, cell in enumerate(row):
            shade = shades[r][c] if shades is not None else None
            style = _CELL if shade is None else f"{_CELL};background:{_colour(shade)}"
            out.append(f'<td style="{style}">{html.escape(cell)}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    out.extend(f"<p>{html.escape(note)}</p>" for note in notes)
    return "".join(out)


def _colour(shade: float) -> str:
    """White to a strong teal as ``shade`` goes from 0 to 1."""
    shade = min(max(shade, 0.0), 1.0)
    red = round(255 - (255 - 0) * shade)
    green = round(255 - (255 - 128) * shade)
    blue = round(255 - (255 - 128) * shade)
    return f"rgb({red},{green},{blue})"
