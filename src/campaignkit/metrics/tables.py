"""The result records metrics return: small frozen tables made for notebooks.

Every table has a readable ``__repr__``, an ``_repr_html_`` that notebooks
render (no dependency: plain HTML, the heatmap coloured), and two plain-data
views that ``pandas.DataFrame(...)`` takes directly:

* ``to_records()`` - one dict per row (``DataFrame(table.to_records())``);
* ``to_columns()`` - one list per column (``DataFrame(table.to_columns())``);
  the `Heatmap` also gives its grid, ``to_grid()``, one column per weekday, one
  row per hour.

Both are rows pandas reads as typed columns (issue 18): every row is an
observation - the total row of `RetryTable` and `CostAudit` is apart (their
``total``; ``to_records(total=True)`` appends it) - and a numeric column holds
numbers only (the `Summary`'s value column gives money as ``float`` and
durations in seconds).

``to_dict()`` means one thing across campaignkit: a record's reversible JSON form,
read back by ``from_dict()`` (issue 18). A result table is read, not stored, and has
none; its ``to_dict()`` is the deprecated old name of ``to_columns()`` (``to_grid()``
on the `Heatmap`): it warns and goes in the next release.

Rates are floats in [0, 1]; money stays `Decimal`, exact. ``to_frame()`` (needs
pandas) gives a ``DataFrame`` with typed columns - money as ``float64`` - and
the total row of `RetryTable` and `CostAudit` left out (it is their ``total``);
``plot()`` (needs matplotlib, the ``plot`` extra) draws the table.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, ClassVar, TypeAlias

import attrs

from .._render import cell_text, html_table, text_table
from ..engine.reducers import EXOTEL_RATES, CampaignCounts
from ..errors import InvalidInput, shown
from ..policies.billing import BillingPolicy
from ..statuses import CONTACT_BUCKETS

_EXOTEL_STATS_MOVED = (
    "ExotelStats is deprecated: CampaignStats.counts returns CampaignCounts (the one "
    "stats record); metrics.tables.counts_table(counts) gives its table; ExotelStats "
    "goes in the next release"
)


def __getattr__(name: str) -> Any:
    # issue 18: the second stats type still imports for one release, with a warning.
    if name == "ExotelStats":
        warnings.warn(_EXOTEL_STATS_MOVED, DeprecationWarning, stacklevel=2)
        return _ExotelStats
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXOTEL_RATES",
    "WEEKDAYS",
    "Breakdown",
    "Cell",
    "CostAudit",
    "CostRow",
    "GoalAchievement",
    "HealthReport",
    "HealthyRange",
    "Heatmap",
    "HourTable",
    "RateCheck",
    "RetryRow",
    "RetryTable",
    "Summary",
    "counts_table",
    "rate_formula",
]

Cell: TypeAlias = str | int | float | Decimal | None
"""One value of a result table's row: text, a count (``bool`` for a flag), a rate or
figure, exact money as `Decimal`, or None when unknown."""

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Weekday labels, Monday first (`datetime.weekday` order)."""


def ratio(numerator: int | float, denominator: int | float) -> float:
    """``numerator / denominator``, or 0.0 when the denominator is 0 (never raises)."""
    return numerator / denominator if denominator else 0.0


class Table:
    """The base of the result tables: rendering and plain-data views they share.

    Subclasses set ``_title`` and ``_columns`` (name, kind) and implement ``_rows``.
    """

    __slots__ = ()
    _columns: ClassVar[tuple[tuple[str, str], ...]]

    def _title(self) -> str:
        return type(self).__name__

    def _rows(self) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _notes(self) -> Sequence[str]:
        return ()

    # A table whose last row is a total (`RetryTable`, `CostAudit`) says so: the total is
    # not an observation, so the plain-data views leave it out unless asked (issue 18:
    # to_records rows that pandas reads as typed columns, totals apart).
    _has_total: ClassVar[bool] = False

    def _data_rows(self, total: bool) -> list[tuple[Any, ...]]:
        rows = self._rows()
        return rows[:-1] if self._has_total and not total else rows

    def to_records(self, *, total: bool = False) -> list[dict[str, Cell]]:
        """One dict per row, column name to plain value: ``pandas.DataFrame(...)`` reads
        it with one type per column (counts ``int64``, rates ``float64``; money stays
        exact `Decimal`). A total row (`RetryTable`, `CostAudit`) is left out unless
        ``total=True`` - it is the table's ``total``."""
        names = [name for name, _ in self._columns]
        return [dict(zip(names, row, strict=True)) for row in self._data_rows(total)]

    def to_columns(self, *, total: bool = False) -> dict[str, list[Cell]]:
        """One list per column, the same values as `to_records` (the total row left out
        unless ``total=True``); ``pandas.DataFrame`` accepts it."""
        rows = self._data_rows(total)
        return {name: [row[i] for row in rows] for i, (name, _) in enumerate(self._columns)}

    def to_dict(self) -> dict[str, list[Cell]]:
        """Deprecated name of `to_columns` (issue 18: ``to_dict`` is a record's
        reversible JSON form, and a table has none); warns with a `DeprecationWarning`
        and goes in the next release."""
        warnings.warn(
            f"{type(self).__name__}.to_dict() returns columns and is deprecated: use "
            "to_columns(); to_dict() is a record's reversible JSON form, which a result "
            "table does not have, and goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.to_columns()

    def to_frame(self, *, total: bool = False) -> Any:
        """The rows as a ``pandas.DataFrame`` with one type per column: counts ``int64``,
        rates ``float64``, money (`Decimal` in `to_records`) as ``float64``. A total row
        (`RetryTable`, `CostAudit`) is left out unless ``total=True`` - read it from the
        table's ``total``. Raises `MissingDependency` without pandas."""
        from .._frames import frame

        return frame(self.to_records(total=total), [name for name, _ in self._columns])

    def _cells(self) -> list[list[str]]:
        kinds = [kind for _, kind in self._columns]
        return [[cell_text(v, k) for v, k in zip(row, kinds, strict=True)] for row in self._rows()]

    def __repr__(self) -> str:
        names = [name for name, _ in self._columns]
        text = text_table(self._title(), names, self._cells())
        return "\n".join([text, *self._notes()])

    def _repr_html_(self) -> str:
        names = [name for name, _ in self._columns]
        return html_table(self._title(), names, self._cells(), notes=self._notes())


# ----------------------------------------------------------------------------- counts


def rate_formula(name: str) -> str:
    """A rate of `EXOTEL_RATES` written out, e.g. ``"completed / (completed + no_answer
    + busy)"``. Raises `KeyError` for another name."""
    numerator, below = EXOTEL_RATES[name]
    denominator = below[0] if len(below) == 1 else f"({' + '.join(below)})"
    return f"{numerator} / {denominator}"


def counts_table(counts: CampaignCounts, *, unknown: Iterable[str] = ()) -> Breakdown:
    """``counts`` (Exotel's stats object, seed 001) as a table: one row per bucket -
    completed, failed, pending, in_progress, busy, no_answer - with its contacts and
    its share of ``created``, in a notebook-ready `Breakdown`.

    A bucket named in ``unknown`` (e.g. ``CampaignStats.unknown``: ``pending`` is
    unknown for stats built from call records alone) is left out and named in the
    title, so every row holds a count and ``to_records`` gives typed columns. This is
    the presentation of the one counts record; there is no second stats type.
    Raises `InvalidInput` unless ``counts`` is a `CampaignCounts`.
    """
    if not isinstance(counts, CampaignCounts):
        raise InvalidInput(f"counts_table needs a CampaignCounts; got {shown(counts)}")
    hidden = set(unknown) & set(CONTACT_BUCKETS)
    rows = tuple((b, getattr(counts, b)) for b in CONTACT_BUCKETS if b not in hidden)
    title = "Exotel stats"
    if hidden:
        title += f"; {', '.join(b for b in CONTACT_BUCKETS if b in hidden)} unknown"
    return Breakdown(title, rows, counts.created, "contacts")


@attrs.frozen(repr=False, weakref_slot=False)
class _ExotelStats(Table):
    """Deprecated (issue 18: one stats object): `CampaignStats.counts` returns the
    engine's `CampaignCounts`, and `counts_table` shows it. Kept for one release as
    ``ExotelStats``: importing the name warns with a `DeprecationWarning`.

    ``busy`` and ``no_answer`` are contacts that failed and whose last attempt was
    busy or not answered; they are not counted in ``failed``, so the six counts
    add up to ``created``. ``pending`` is None when it cannot be known.
    """

    created: int = 0
    """Total contacts in the campaign."""
    completed: int = 0
    """Contacts reached (call answered, by a person or a machine; on WhatsApp, message sent,
    delivered, read, accepted or rejected)."""
    failed: int = 0
    """Contacts not reached after all attempts, other than busy and no answer."""
    pending: int | None = 0
    """Contacts waiting: queued, waiting for a retry, or awaiting the outcome of an ended call;
    None when unknown (see `CampaignStats.unknown`)."""
    in_progress: int = 0
    """Contacts with a call (or message) in flight."""
    busy: int = 0
    """Failed contacts whose last attempt was busy."""
    no_answer: int = 0
    """Failed contacts whose last attempt was not answered."""

    _columns = (("status", "text"), ("contacts", "int"), ("share", "rate"))

    def _title(self) -> str:
        return f"ExotelStats: {self.created:,} contacts"

    def _rows(self) -> list[tuple[Any, ...]]:
        values = [(f, getattr(self, f)) for f in CONTACT_BUCKETS]
        return [(f, n, None if n is None else ratio(n, self.created)) for f, n in values]

    def to_exotel(self) -> dict[str, int]:
        """Exotel's ``stats`` JSON object: created, completed, failed, pending,
        in_progress, busy, no_answer (a count that is unknown is left out)."""
        return {
            a.name: value
            for a in attrs.fields(type(self))
            if (value := getattr(self, a.name)) is not None
        }

    def _rate(self, name: str) -> float:
        numerator, below = EXOTEL_RATES[name]
        return ratio(getattr(self, numerator), sum(getattr(self, f) for f in below))

    @property
    def connect_rate(self) -> float:
        """completed / created (seed 001; healthy 40-70%); 0.0 without contacts."""
        return self._rate("connect_rate")

    @property
    def answer_rate(self) -> float:
        """completed / (completed + no_answer + busy) (seed 001; healthy 50-80%)."""
        return self._rate("answer_rate")

    @property
    def failure_rate(self) -> float:
        """failed / created (seed 001; healthy below 15%); 0.0 without contacts."""
        return self._rate("failure_rate")


@attrs.frozen(repr=False, weakref_slot=False)
class Breakdown(Table):
    """Counts by label, each with its share of ``total`` (e.g. contacts by status).

    ``shares`` lie in [0, 1]; with ``total`` 0 every share is 0.0.
    """

    title: str
    """What is counted."""
    counts: tuple[tuple[str, int], ...]
    """(label, count) in display order."""
    total: int
    """The denominator of the shares."""
    unit: str = "count"
    """The name of the count column (``contacts``, ``calls``)."""

    _columns = (("label", "text"), ("count", "int"), ("share", "rate"))

    def _title(self) -> str:
        return f"{self.title} ({self.total:,} {self.unit})"

    def _rows(self) -> list[tuple[Any, ...]]:
        return [(label, n, ratio(n, self.total)) for label, n in self.counts]

    def __getitem__(self, label: str) -> int:
        """The count of ``label``; raises `KeyError` for a label not in the table."""
        for name, count in self.counts:
            if name == label:
                return count
        raise KeyError(label)

    def share(self, label: str) -> float:
        """The share of ``label`` in [0, 1]; raises `KeyError` for an unknown label."""
        return ratio(self[label], self.total)

    def plot(self, *, ax: Any = None, kind: str = "bar") -> Any:
        """Bars of the counts, or a pie with ``kind="pie"``; see `campaignkit.plot.breakdown`.
        Draws on ``ax``, a matplotlib ``Axes`` (None: a new figure's),
        and returns the ``Axes``; raises `MissingDependency` without matplotlib."""
        from .. import plot

        return plot.breakdown(self, ax=ax, kind=kind)


@attrs.frozen(repr=False, weakref_slot=False)
class GoalAchievement(Table):
    """itellico's goal analysis (seed 002): contacts by goal result, primary and secondary."""

    primary: tuple[tuple[str, int], ...]
    """(result, contacts) for the primary goal: achieved, partially-achieved, not-achieved,
    unknown."""
    secondary: tuple[tuple[str, int], ...]
    """The same over all secondary goals (one count per contact and goal)."""

    _columns = (
        ("result", "text"),
        ("primary", "int"),
        ("primary_share", "rate"),
        ("secondary", "int"),
        ("secondary_share", "rate"),
    )

    def _title(self) -> str:
        return "GoalAchievement"

    def _rows(self) -> list[tuple[Any, ...]]:
        p_total = sum(n for _, n in self.primary)
        s_total = sum(n for _, n in self.secondary)
        return [
            (label, p, ratio(p, p_total), s, ratio(s, s_total))
            for (label, p), (_, s) in zip(self.primary, self.secondary, strict=True)
        ]

    def rate(self, result: str = "achieved", *, primary: bool = True) -> float:
        """The share of goal results equal to ``result`` (0.0 when there are none)."""
        pairs = self.primary if primary else self.secondary
        total = sum(n for _, n in pairs)
        return ratio(dict(pairs).get(result, 0), total)


# ----------------------------------------------------------------------------- health


@attrs.frozen(weakref_slot=False)
class HealthyRange:
    """A rate's healthy range from seed 001: ``low`` to ``high`` inclusive, or, with
    ``below=True``, anything under ``high`` ("Below 15%"). None leaves a side open."""

    low: float | None
    high: float | None
    below: bool = False

    def verdict(self, rate: float | None) -> str:
        """``healthy``, ``low``, ``high``, or ``unknown`` for an unknown rate."""
        if rate is None:
            return "unknown"
        if self.low is not None and rate < self.low:
            return "low"
        if self.high is not None and (rate >= self.high if self.below else rate > self.high):
            return "high"
        return "healthy"

    def __str__(self) -> str:
        if self.below and self.high is not None:
            return f"below {self.high:.0%}"
        low = "" if self.low is None else f"{self.low * 100:.0f}"
        high = "" if self.high is None else f"{self.high:.0%}"
        return f"{low}-{high}"


@attrs.frozen(weakref_slot=False)
class RateCheck:
    """One rate compared with its healthy range: the value, the range and the verdict.

    ``value`` is None when the rate cannot be computed from the input (``note`` says
    why) - never a made-up 0.0; the verdict is then ``unknown``.
    """

    name: str
    """``connect_rate``, ``answer_rate``, ``failure_rate`` or ``retry_success_rate``."""
    value: float | None
    """The rate in [0, 1], or None when unknown."""
    formula: str
    """The seed's formula."""
    healthy: HealthyRange
    """The seed's healthy range."""
    verdict: str
    """``healthy``, ``low``, ``high`` or ``unknown``."""
    note: str = ""
    """Why the value is unknown (empty when it is known)."""


@attrs.frozen(repr=False, weakref_slot=False)
class HealthReport(Table):
    """Seed 001's key rates, each compared with its healthy range (connect 40-70%,
    answer 50-80%, failure below 15%, retry success 20-40%). Index it by rate name."""

    checks: tuple[RateCheck, ...]
    """One `RateCheck` per rate, in the seed's order."""

    _columns = (
        ("rate", "text"),
        ("value", "rate"),
        ("formula", "text"),
        ("healthy", "text"),
        ("verdict", "text"),
        ("note", "text"),
    )

    def _title(self) -> str:
        return "Rates against seed 001's healthy ranges"

    def _rows(self) -> list[tuple[Any, ...]]:
        return [
            (c.name, c.value, c.formula, str(c.healthy), c.verdict, c.note) for c in self.checks
        ]

    def __getitem__(self, name: str) -> RateCheck:
        """The check of rate ``name``; raises `KeyError` for another name."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    @property
    def unhealthy(self) -> tuple[RateCheck, ...]:
        """The checks whose rate is known and outside its healthy range."""
        return tuple(c for c in self.checks if c.verdict in ("low", "high"))


# ----------------------------------------------------------------------------- retries


@attrs.frozen(repr=False, weakref_slot=False)
class RetryRow:
    """One row of `RetryTable`: an attempt number, or the total."""

    attempt: int | None
    """1 for the first attempt, 2 for the first retry, ...; None on the total row."""
    label: str
    """``1st attempt``, ``1st retry``, ``2nd retry``, ..., ``Total``."""
    contacts: int
    """Contacts that had this attempt while not yet reached (seed 001: 2,500, 1,000, 750);
    on the total row, every contact called."""
    connected: int
    """Of those, contacts reached by this attempt for the first time; on the total row,
    contacts reached at least once (seed 001: 1,875 of 2,500)."""
    connect_rate: float
    """connected / contacts, in [0, 1] (0.0 when contacts is 0)."""
    cost_effective: bool | None
    """For retries, whether the connect rate reaches the threshold; None otherwise."""

    def __repr__(self) -> str:
        return (
            f"RetryRow({self.label}: {self.connected:,}/{self.contacts:,} = "
            f"{self.connect_rate:.1%})"
        )


@attrs.frozen(repr=False, weakref_slot=False)
class RetryTable(Table):
    """Exotel's retry-effectiveness table (seed 001): connect rate by attempt number.

    A retry whose connect rate falls below ``threshold`` (default 10%) is flagged
    as not cost-effective, and ``advice`` repeats the seed's recommendation.
    """

    rows: tuple[RetryRow, ...]
    """One row per attempt number, in order."""
    total: RetryRow
    """The total row: all contacts, all connected, the overall connect rate."""
    threshold: float
    """The connect rate below which a retry is not cost-effective."""

    _has_total = True

    _columns = (
        ("attempt", "text"),
        ("label", "text"),
        ("contacts", "int"),
        ("connected", "int"),
        ("connect_rate", "rate"),
        ("cost_effective", "flag"),
    )

    def _title(self) -> str:
        return f"RetryTable (threshold {self.threshold:.0%})"

    def _rows(self) -> list[tuple[Any, ...]]:
        return [
            (r.attempt, r.label, r.contacts, r.connected, r.connect_rate, r.cost_effective)
            for r in (*self.rows, self.total)
        ]

    def _notes(self) -> Sequence[str]:
        return self.advice

    def plot(self, *, ax: Any = None) -> Any:
        """Connect rate per attempt as bars, with the threshold line; see
        `campaignkit.plot.retry_table`. Draws on ``ax``, a matplotlib ``Axes`` (None: a
        new figure's), and returns the ``Axes``; raises `MissingDependency` without
        matplotlib."""
        from .. import plot

        return plot.retry_table(self, ax=ax)

    @property
    def first_attempt_rate(self) -> float:
        """The connect rate of the first attempt (0.0 without one)."""
        first = [r for r in self.rows if r.attempt == 1]
        return first[0].connect_rate if first else 0.0

    @property
    def overall_rate(self) -> float:
        """The connect rate over all attempts (the total row's)."""
        return self.total.connect_rate

    @property
    def added_by_retries(self) -> int:
        """Contacts connected by a retry rather than the first attempt."""
        return sum(r.connected for r in self.rows if r.attempt is not None and r.attempt > 1)

    @property
    def not_cost_effective(self) -> tuple[RetryRow, ...]:
        """The retries whose connect rate fell below the threshold."""
        return tuple(r for r in self.rows if r.cost_effective is False)

    @property
    def advice(self) -> tuple[str, ...]:
        """The seed's advice, once per retry below the threshold."""
        return tuple(
            f"{r.label}: connect rate {r.connect_rate:.1%} is below {self.threshold:.0%}; "
            "the additional retries may not be cost-effective. Consider reducing "
            "number_of_retries or increasing interval_mins to space retries further apart."
            for r in self.not_cost_effective
        )


# ----------------------------------------------------------------------------- time


@attrs.frozen(repr=False, weakref_slot=False)
class HourTable(Table):
    """Exotel's best time to call (seed 001): calls and connect rate by local hour."""

    timezone: str
    """The time zone the hours are read in."""
    calls: tuple[int, ...]
    """Calls placed in each hour 0..23."""
    connected: tuple[int, ...]
    """Connected calls in each hour 0..23."""
    top: int = 3
    """How many hours `peak_hours` names."""

    _columns = (("hour", "int"), ("calls", "int"), ("connected", "int"), ("connect_rate", "rate"))

    def _title(self) -> str:
        peaks = ", ".join(f"{h:02d}:00" for h in self.peak_hours) or "none"
        return f"HourTable ({self.timezone}; peak hours {peaks})"

    def _rows(self) -> list[tuple[Any, ...]]:
        return [
            (h, self.calls[h], self.connected[h], ratio(self.connected[h], self.calls[h]))
            for h in range(24)
        ]

    def connect_rate(self, hour: int) -> float:
        """Connected / calls in ``hour`` (0.0 for an hour without calls)."""
        return ratio(self.connected[hour], self.calls[hour])

    @property
    def peak_hours(self) -> tuple[int, ...]:
        """The ``top`` hours by connect rate (ties: more connected calls, then earlier)."""
        hours = [h for h in range(24) if self.calls[h]]
        hours.sort(key=lambda h: (-self.connect_rate(h), -self.connected[h], h))
        return tuple(hours[: self.top])

    def plot(self, *, ax: Any = None) -> Any:
        """Connect rate by hour as bars; see `campaignkit.plot.hour_table`. Draws on
        ``ax``, a matplotlib ``Axes`` (None: a new figure's), and returns the ``Axes``;
        raises `MissingDependency` without matplotlib."""
        from .. import plot

        return plot.hour_table(self, ax=ax)


@attrs.frozen(repr=False, weakref_slot=False)
class Heatmap(Table):
    """itellico's human-answer heatmap (seed 002): a count by weekday and hour.

    ``counts[weekday][hour]`` counts the ``measure`` (human answers by default);
    ``calls`` holds the calls placed in the same slots, for rates. Weekday 0 is Monday.
    """

    timezone: str
    """The time zone the weekdays and hours are read in."""
    measure: str
    """What ``counts`` counts: ``human``, ``connected`` or ``calls``."""
    counts: tuple[tuple[int, ...], ...]
    """7 rows (Monday first) of 24 hourly counts."""
    calls: tuple[tuple[int, ...], ...]
    """Calls placed, same shape."""

    _columns = (
        ("weekday", "text"),
        ("hour", "int"),
        ("count", "int"),
        ("calls", "int"),
        ("rate", "rate"),
    )

    def _title(self) -> str:
        return f"Heatmap of {self.measure} by weekday and hour ({self.timezone})"

    def _rows(self) -> list[tuple[Any, ...]]:
        return [
            (WEEKDAYS[d], h, self.counts[d][h], self.calls[d][h], self.rate(d, h))
            for d in range(7)
            for h in range(24)
        ]

    @property
    def total(self) -> int:
        """The sum of all counts."""
        return sum(map(sum, self.counts))

    def rate(self, weekday: int, hour: int) -> float:
        """counts / calls in one slot (0.0 for a slot without calls)."""
        return ratio(self.counts[weekday][hour], self.calls[weekday][hour])

    @property
    def peak(self) -> tuple[int, int] | None:
        """The (weekday, hour) with the highest count (earliest on ties); None when empty."""
        best = max(
            ((self.counts[d][h], -d, -h) for d in range(7) for h in range(24)),
            default=(0, 0, 0),
        )
        return None if best[0] == 0 else (-best[1], -best[2])

    def to_grid(self) -> dict[str, list[int]]:
        """The grid: one list of 24 hourly counts per weekday label (``Mon`` .. ``Sun``);
        ``pandas.DataFrame(heatmap.to_grid())`` has hours as rows, weekdays as columns."""
        return {WEEKDAYS[d]: list(self.counts[d]) for d in range(7)}

    def to_dict(self) -> dict[str, list[Cell]]:
        """Deprecated name of `to_grid` (issue 18: ``to_dict`` is a record's reversible
        JSON form); warns with a `DeprecationWarning` and goes in the next release."""
        warnings.warn(
            "Heatmap.to_dict() returns the grid and is deprecated: use to_grid() (or "
            "to_columns() for one row per slot); it goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return {day: list[Cell](hours) for day, hours in self.to_grid().items()}

    def plot(self, *, ax: Any = None, rate: bool = False) -> Any:
        """The grid as a coloured image (``rate=True``: count / calls per slot); see
        `campaignkit.plot.heatmap`. Draws on ``ax``, a matplotlib ``Axes`` (None: a new figure's),
        and returns the ``Axes``; raises
        `MissingDependency` without matplotlib."""
        from .. import plot

        return plot.heatmap(self, ax=ax, rate=rate)

    def _grid(self) -> tuple[list[str], list[list[str]], list[list[float | None]]]:
        top = max(map(max, self.counts), default=0)
        columns = ["", *(f"{h:02d}" for h in range(24))]
        rows = [[WEEKDAYS[d], *(str(n) for n in self.counts[d])] for d in range(7)]
        shades: list[list[float | None]] = [
            [None, *(n / top if top else 0.0 for n in self.counts[d])] for d in range(7)
        ]
        return columns, rows, shades

    def __repr__(self) -> str:
        columns, rows, _ = self._grid()
        return text_table(self._title(), columns, rows)

    def _repr_html_(self) -> str:
        columns, rows, shades = self._grid()
        return html_table(self._title(), columns, rows, shades=shades)


# ----------------------------------------------------------------------------- cost


@attrs.frozen(repr=False, weakref_slot=False)
class CostRow:
    """One row of `CostAudit`: the calls answered by one answered-by value, or the total."""

    answered_by: str
    """``human``, ``machine``, ``unknown``, ``not-detected`` (or a Twilio detail), or
    ``total``."""
    calls: int
    duration_seconds: int
    """Sum of call durations."""
    billed_seconds: int
    """Sum of billed seconds before rounding (never more than ``duration_seconds``)."""
    units: int
    """Sum of billed increments (seconds, minutes or pulses)."""
    cost: Decimal
    """``units`` times the policy's increment price."""

    def __repr__(self) -> str:
        return f"CostRow({self.answered_by}: {self.calls:,} calls, billed {self.billed_seconds} s)"


@attrs.frozen(repr=False, weakref_slot=False)
class CostAudit(Table):
    """Altur's cost audit (seed 000, best practice 3): billed duration and cost summed by
    answered-by, under one `BillingPolicy`."""

    policy: BillingPolicy
    """The policy the figures were computed under."""
    rows: tuple[CostRow, ...]
    total: CostRow

    _has_total = True

    _columns = (
        ("answered_by", "text"),
        ("calls", "int"),
        ("duration_seconds", "int"),
        ("billed_seconds", "int"),
        ("billed", "text"),
        ("units", "int"),
        ("cost", "money"),
    )

    def _title(self) -> str:
        unit = f" {self.policy.unit}" if self.policy.unit else ""
        return f"CostAudit ({self.policy.name}; cost in{unit or ' price units'})"

    def _rows(self) -> list[tuple[Any, ...]]:
        from ..policies.billing import format_duration

        return [
            (
                r.answered_by,
                r.calls,
                r.duration_seconds,
                r.billed_seconds,
                format_duration(r.billed_seconds),
                r.units,
                r.cost,
            )
            for r in (*self.rows, self.total)
        ]

    def __getitem__(self, answered_by: str) -> CostRow:
        """The row of ``answered_by`` (``"total"`` for the total); `KeyError` if absent."""
        for row in (*self.rows, self.total):
            if row.answered_by == answered_by:
                return row
        raise KeyError(answered_by)


# ----------------------------------------------------------------------------- summary


@attrs.frozen(repr=False, weakref_slot=False)
class Summary(Table):
    """Every headline figure of a `CampaignStats`, with its formula and source seed.

    A figure the input cannot give is None (shown as ``-``), and ``notes`` says why.
    """

    figures: tuple[tuple[str, Cell, str, str], ...]
    """(metric, value, formula, source) rows. ``to_records`` / ``to_columns`` give each
    value as a number (money as ``float``, a duration such as ``"1:02:05"`` as its
    seconds) so the value column is numeric; `__getitem__` gives it exact."""
    notes: tuple[tuple[str, str], ...] = ()
    """(metric, why it is unknown) for each figure whose value is None."""

    _columns = (
        ("metric", "text"),
        ("value", "any"),
        ("formula", "text"),
        ("source", "text"),
        ("note", "text"),
    )

    def _title(self) -> str:
        return "Summary"

    def _rows(self) -> list[tuple[Any, ...]]:
        # The plain-data views read the value column as numbers, so pandas types it
        # float64 (issue 18): money as float, a duration text as its seconds. The exact
        # figure (Decimal money, the duration as Altur writes it) is ``summary[metric]``.
        notes = dict(self.notes)
        return [(m, _number(v), f, s, notes.get(m, "")) for m, v, f, s in self.figures]

    def _cells(self) -> list[list[str]]:
        # Shown without the note column: the reasons follow the table as notes.
        return [
            [m, cell_text(v, "rate" if m.endswith("_rate") else _kind(v)), f, s]
            for m, v, f, s in self.figures
        ]

    def _notes(self) -> Sequence[str]:
        return [f"{metric}: unknown (-) - {why}" for metric, why in self.notes]

    def __repr__(self) -> str:
        names = [name for name, _ in self._columns[:4]]
        return "\n".join([text_table(self._title(), names, self._cells()), *self._notes()])

    def _repr_html_(self) -> str:
        names = [name for name, _ in self._columns[:4]]
        return html_table(self._title(), names, self._cells(), notes=self._notes())

    def __getitem__(self, metric: str) -> Cell:
        """The value of ``metric``; raises `KeyError` for an unknown name."""
        for name, value, _, _ in self.figures:
            if name == metric:
                return value
        raise KeyError(metric)


def _number(value: Cell) -> Cell:
    """A summary figure as a number where it is one: `Decimal` money as ``float``, a
    duration text (``MM:SS``, ``H:MM:SS``) as its seconds; anything else unchanged."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        from ..policies.billing import parse_duration

        try:
            return parse_duration(value)
        except InvalidInput:
            return value
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "text"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "text"
