"""Plots of campaign results with matplotlib, for notebooks: the optional ``plot`` extra.

Nothing here imports matplotlib until a plot is drawn; without it, each
function raises `MissingDependency` naming ``pip install "campaignkit[plot]"``.
Every function draws on ``ax`` when given one (a matplotlib ``Axes``), on a
new figure otherwise, and returns the ``Axes`` it drew on, so a notebook can
add titles or combine plots. The result tables have the same plots as
methods (`Heatmap.plot`, `RetryTable.plot`, `Breakdown.plot`,
`HourTable.plot`, `SimulationResult.plot`, `Comparison.plot`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._fields import zone as lookup_zone
from .errors import InvalidConfig, MissingDependency
from .metrics import WEEKDAYS, Breakdown, Heatmap, HourTable, RetryTable
from .models.records import Call

if TYPE_CHECKING:
    from .simulate import Comparison

__all__ = [
    "breakdown",
    "calls_over_time",
    "comparison",
    "heatmap",
    "hour_table",
    "pyplot",
    "retry_table",
]

_INSTALL = 'pip install "campaignkit[plot]"'


def pyplot() -> Any:
    """``matplotlib.pyplot``; raises `MissingDependency` without matplotlib."""
    try:
        # optional: imported the first time a plot is drawn, never at import
        return importlib.import_module("matplotlib.pyplot")
    except ImportError:
        raise MissingDependency(f"plots need matplotlib: {_INSTALL}") from None


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    _, new = pyplot().subplots()
    return new


def heatmap(table: Heatmap, *, ax: Any = None, rate: bool = False) -> Any:
    """itellico's heatmap (seed 002) as an image: weekdays down, hours across, the
    counts (or, with ``rate=True``, count / calls per slot) as colour, with a colour bar."""
    ax = _axes(ax)
    if rate:
        grid = [[table.rate(d, h) for h in range(24)] for d in range(7)]
    else:
        grid = [list(row) for row in table.counts]
    image = ax.imshow(grid, aspect="auto", cmap="YlGn", origin="upper")
    ax.set_yticks(range(7), WEEKDAYS)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    ax.set_xlabel(f"hour ({table.timezone})")
    ax.set_title(f"{table.measure} {'rate' if rate else 'count'} by weekday and hour")
    ax.figure.colorbar(image, ax=ax)
    return ax


def retry_table(table: RetryTable, *, ax: Any = None) -> Any:
    """Exotel's retry-effectiveness table (seed 001) as bars: connect rate per attempt,
    the ``threshold`` (10%) as a dashed line; retries below it are drawn in red."""
    ax = _axes(ax)
    labels = [row.label for row in table.rows]
    rates = [row.connect_rate for row in table.rows]
    colours = ["tab:red" if row.cost_effective is False else "tab:blue" for row in table.rows]
    bars = ax.bar(labels, rates, color=colours)
    ax.bar_label(bars, labels=[f"{r:.0%}" for r in rates])
    ax.axhline(table.threshold, color="tab:red", linestyle="--", label="not cost-effective below")
    ax.set_ylabel("connect rate")
    ax.set_ylim(0, max([*rates, table.threshold]) * 1.15 or 1)
    ax.yaxis.set_major_formatter(pyplot().FuncFormatter(lambda y, _: f"{y:.0%}"))
    ax.set_title(f"Retry effectiveness (overall {table.overall_rate:.0%})")
    ax.legend(loc="upper right")
    return ax


def breakdown(table: Breakdown, *, ax: Any = None, kind: str = "bar") -> Any:
    """A `Breakdown` (e.g. `CampaignStats.status_breakdown`): horizontal bars of the
    counts, or a pie of the shares with ``kind="pie"`` (Exotel's dashboard)."""
    if kind not in ("bar", "pie"):
        raise InvalidConfig("kind", "'bar' or 'pie'", kind)
    ax = _axes(ax)
    labels = [label for label, _ in table.counts]
    counts = [n for _, n in table.counts]
    if kind == "pie":
        shown = [(label, n) for label, n in table.counts if n > 0]
        ax.pie([n for _, n in shown], labels=[label for label, _ in shown], autopct="%1.0f%%")
    else:
        bars = ax.barh(labels, counts)
        ax.bar_label(bars, labels=[f"{n:,}" for n in counts])
        ax.invert_yaxis()  # first label on top, as in the table
        ax.set_xlabel(table.unit)
    ax.set_title(f"{table.title} ({table.total:,} {table.unit})")
    return ax


def hour_table(table: HourTable, *, ax: Any = None) -> Any:
    """Exotel's best time to call (seed 001): connect rate by local hour, as bars."""
    ax = _axes(ax)
    rates = [table.connect_rate(h) for h in range(24)]
    ax.bar(range(24), rates)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    ax.set_xlabel(f"hour ({table.timezone})")
    ax.set_ylabel("connect rate")
    ax.set_title("Connect rate by hour")
    return ax


def calls_over_time(
    calls: Iterable[Call],
    *,
    ax: Any = None,
    every: timedelta = timedelta(hours=1),
    timezone: str = "UTC",
) -> Any:
    """Calls placed per period of ``every`` (by ``created_at``, read in ``timezone``),
    with the connected ones drawn over them - Exotel's calls-over-time timeline.
    Calls without a time are left out. Raises `InvalidConfig` for ``every`` not positive.
    """
    if not isinstance(every, timedelta) or every <= timedelta(0):
        raise InvalidConfig("every", "a positive timedelta", every)
    zone = lookup_zone(timezone, "timezone")
    placed: dict[int, int] = {}
    connected: dict[int, int] = {}
    origin: datetime | None = None
    times = []
    for call in calls:
        when = call.created_at or call.started_at or call.ended_at
        if when is None:
            continue
        times.append((when, call.result is not None and call.result.connected))
        origin = when if origin is None or when < origin else origin
    for when, hit in times:
        assert origin is not None
        slot = (when - origin) // every
        placed[slot] = placed.get(slot, 0) + 1
        if hit:
            connected[slot] = connected.get(slot, 0) + 1
    ax = _axes(ax)
    slots = sorted(placed)
    starts = [(origin + every * s).astimezone(zone) for s in slots] if origin else []
    width = every / timedelta(days=1)  # matplotlib dates are in days
    ax.bar(starts, [placed[s] for s in slots], width=width, align="edge", label="calls")
    ax.bar(
        starts,
        [connected.get(s, 0) for s in slots],
        width=width,
        align="edge",
        label="connected",
    )
    ax.set_ylabel(f"calls per {_period(every)}")
    ax.set_title("Calls over time")
    ax.legend(loc="upper right")
    ax.figure.autofmt_xdate()
    return ax


def _period(every: timedelta) -> str:
    minutes = int(every.total_seconds() // 60)
    if minutes % 1440 == 0:
        return "day" if minutes == 1440 else f"{minutes // 1440} days"
    if minutes % 60 == 0:
        return "hour" if minutes == 60 else f"{minutes // 60} hours"
    return f"{minutes} minutes"


def comparison(table: Comparison, figure: str = "connect_rate", *, ax: Any = None) -> Any:
    """`compare`'s result: one bar per policy at the mean of ``figure``, with the 90%
    range over the seeds as an error bar. Raises `InvalidConfig` for an unknown figure."""
    ax = _axes(ax)
    names = list(table.policies)
    spans = [table.interval(name, figure) for name in names]
    means = [s.mean for s in spans]
    below = [s.mean - s.low for s in spans]
    above = [s.high - s.mean for s in spans]
    ax.bar(names, means, yerr=[below, above], capsize=6)
    ax.set_ylabel(figure.replace("_", " "))
    if figure.endswith("_rate"):
        ax.yaxis.set_major_formatter(pyplot().FuncFormatter(lambda y, _: f"{y:.0%}"))
    ax.set_title(f"{figure.replace('_', ' ')}: mean and 90% range over {len(table.seeds)} seeds")
    return ax
