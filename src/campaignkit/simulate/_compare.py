"""Comparing policies over many seeds: `compare`, `Comparison`, intervals and differences."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import Any, Unpack, cast

import attrs

from .._frames import frame
from .._render import cell_text, html_table, text_table
from ..errors import InvalidConfig, MissingDependency
from ..metrics import Cell
from ..models.records import Contact
from ..policies.retry import RetryPolicy
from ._model import OutcomeSource
from ._run import SUMMARY_COLUMNS, SimulateOptions, simulate

__all__ = ["RANGE", "Comparison", "Difference", "Interval", "compare"]

RANGE = 0.90
"""The share of seeds an interval spans: from the 5th to the 95th percentile."""

_FIGURES = tuple(name for name, _ in SUMMARY_COLUMNS)
_KINDS = dict(SUMMARY_COLUMNS)
_COLUMNS = (("policy", "text"), *SUMMARY_COLUMNS)


def _quantile(values: Sequence[Any], q: float) -> Any:
    """The ``q`` quantile of ``values`` by linear interpolation between order statistics."""
    ordered = sorted(values)
    place = q * (len(ordered) - 1)
    below = int(place)
    above = min(below + 1, len(ordered) - 1)
    fraction = place - below
    low, high = ordered[below], ordered[above]
    if isinstance(low, Decimal):
        return low + (high - low) * Decimal(repr(fraction))
    return low + (high - low) * fraction


@attrs.frozen
class Interval:
    """A figure over the seeds: its ``mean`` and the range ``low``-``high`` holding the
    middle 90% of the runs (5th to 95th percentile; one seed gives a point)."""

    mean: float
    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.mean:.4g} ({self.low:.4g} to {self.high:.4g})"


@attrs.frozen
class Difference:
    """``first`` minus ``second`` on one figure, seed by seed (the same draws under both).

    ``within_noise`` is True when the 90% range of the per-seed differences holds 0
    (the policies cannot be told apart on these seeds), False when it does not, and
    None with fewer than two seeds (nothing to measure the noise with).
    """

    first: str
    second: str
    figure: str
    interval: Interval
    """The per-seed differences' mean and 90% range."""
    within_noise: bool | None

    def __str__(self) -> str:
        i = self.interval
        rate = _KINDS.get(self.figure) == "rate"

        def show(x: float) -> str:
            return f"{x * 100:+.1f} points" if rate else f"{x:+,.4g}"

        if self.within_noise is None:
            verdict = "one seed: noise unknown"
        elif self.within_noise:
            verdict = "within noise"
        else:
            verdict = "beyond noise"
        return (
            f"{self.first} vs {self.second}: {self.figure} {show(i.mean)} "
            f"(90% range {show(i.low)} to {show(i.high)}) - {verdict}"
        )


def _name(row: Mapping[str, Cell]) -> str:
    # Every row's "policy" is the name `compare` was given for it (a str).
    return cast(str, row["policy"])


def _float(value: Any) -> float:
    return float(value)


@attrs.frozen(repr=False)
class Comparison:
    """Several policies simulated on the same contacts and outcome draws, one row each.

    Each row averages the runs over the seeds given to `compare` (``rows``);
    ``runs`` keeps every run's figures, from which `interval` and `difference`
    are read. Money stays `Decimal` in the rows and records; `to_frame` gives floats.
    """

    rows: tuple[Mapping[str, Cell], ...]
    seeds: tuple[int, ...]
    runs: tuple[tuple[str, tuple[Mapping[str, Cell], ...]], ...] = ()
    """(policy, one `SimulationResult.summary` per seed, in seed order)."""

    @property
    def policies(self) -> tuple[str, ...]:
        """The policy names, in the order given."""
        return tuple(_name(row) for row in self.rows)

    def _runs(self, policy: str) -> tuple[Mapping[str, Cell], ...]:
        for name, runs in self.runs:
            if name == policy:
                return runs
        raise KeyError(policy)

    def _figure(self, figure: str) -> None:
        if figure not in _FIGURES:
            raise InvalidConfig("figure", f"one of {', '.join(_FIGURES)}", figure)

    def interval(self, policy: str, figure: str = "connect_rate") -> Interval:
        """``figure`` of ``policy`` over the seeds: mean and 90% range (floats).

        Raises `KeyError` for an unknown policy, `InvalidConfig` for an unknown figure.
        """
        self._figure(figure)
        values = [_float(run[figure]) for run in self._runs(policy)]
        return _interval(values)

    def difference(self, first: str, second: str, figure: str = "connect_rate") -> Difference:
        """``first`` minus ``second`` on ``figure``, paired seed by seed, and whether it is
        within noise (see `Difference`). Raises `KeyError` for an unknown policy,
        `InvalidConfig` for an unknown figure."""
        self._figure(figure)
        a, b = self._runs(first), self._runs(second)
        deltas = [_float(x[figure]) - _float(y[figure]) for x, y in zip(a, b, strict=True)]
        spread = _interval(deltas)
        within = None if len(deltas) < 2 else spread.low <= 0.0 <= spread.high
        return Difference(first, second, figure, spread, within)

    def differences(self, figure: str = "connect_rate") -> tuple[Difference, ...]:
        """Every other policy against the first, on ``figure``."""
        names = self.policies
        return tuple(self.difference(name, names[0], figure) for name in names[1:])

    def to_records(self) -> list[dict[str, Cell]]:
        """One row per policy: each figure's mean, then ``<figure>_low`` and
        ``<figure>_high`` (the 90% range over the seeds) - numbers, money as `Decimal`
        - and ``finished`` / ``stuck`` (every run finished / any run stuck)."""
        records = []
        for row in self.rows:
            record = {"policy": row["policy"]}
            runs = self._runs(_name(row)) if self.runs else ()
            for name in _FIGURES:
                record[name] = row[name]
                values = [run[name] for run in runs] or [row[name]]
                record[f"{name}_low"] = _rounded(_quantile(values, (1 - RANGE) / 2))
                record[f"{name}_high"] = _rounded(_quantile(values, (1 + RANGE) / 2))
            record["finished"] = row.get("finished", True)
            record["stuck"] = row.get("stuck", False)
            records.append(record)
        return records

    def to_dict(self) -> dict[str, object]:
        """Deprecated name of `overview` (issue 18: ``to_dict`` is a record's reversible
        JSON form, which a comparison does not have); warns with a `DeprecationWarning`
        and goes in the next release."""
        warnings.warn(
            "Comparison.to_dict() is deprecated: use overview() (the same plain data); "
            "to_dict() is a record's reversible JSON form, which a comparison does not "
            "have, and goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.overview()

    def overview(self) -> dict[str, object]:
        """Plain data to read: the seeds, the range (0.9), the `to_records` rows, and
        each policy's per-seed figures under ``runs``."""
        return {
            "seeds": list(self.seeds),
            "range": RANGE,
            "policies": self.to_records(),
            "runs": {name: [dict(run) for run in runs] for name, runs in self.runs},
        }

    def to_frame(self) -> Any:
        """`to_records` as a ``pandas.DataFrame`` indexed by policy, money as ``float64``.

        Raises `MissingDependency` without pandas."""
        return frame(self.to_records()).set_index("policy")

    def plot(self, figure: str = "connect_rate", *, ax: Any = None) -> Any:
        """Bars of ``figure`` per policy with the 90% range as error bars; see
        `campaignkit.plot.comparison`. Draws on ``ax``, a matplotlib ``Axes`` (None: a
        new figure's), and returns the ``Axes``."""
        from .. import plot

        return plot.comparison(self, figure, ax=ax)

    def _cells(self) -> list[list[str]]:
        cells = []
        for row in self.rows:
            line = [_name(row)]
            for name, kind in SUMMARY_COLUMNS:
                text = cell_text(row[name], kind)
                if len(self.seeds) > 1 and self.runs:
                    i = self.interval(_name(row), name)
                    if i.low != i.high:
                        text += f" ({_bound(i.low, kind)}-{_bound(i.high, kind)})"
                line.append(text)
            cells.append(line)
        return cells

    def _notes(self) -> list[str]:
        if len(self.rows) < 2 or not self.runs:
            return []
        notes = [
            f"mean over {len(self.seeds)} seeds; in brackets the range of the middle "
            f"{RANGE:.0%} of runs"
        ]
        notes += [str(d) for d in self.differences("connect_rate")]
        return notes

    def _title(self) -> str:
        return f"Policy comparison (seeds {', '.join(map(str, self.seeds))})"

    def __repr__(self) -> str:
        text = text_table(self._title(), [name for name, _ in _COLUMNS], self._cells())
        return "\n".join([text, *self._notes()])

    def _repr_html_(self) -> str:
        return html_table(
            self._title(), [name for name, _ in _COLUMNS], self._cells(), notes=self._notes()
        )


def _bound(value: float, kind: str) -> str:
    # Money bounds are floats here (the interval's); four places, as `cell_text` shows money.
    return f"{value:,.4f}" if kind == "money" else cell_text(value, kind)


def _interval(values: Sequence[float]) -> Interval:
    return Interval(
        sum(values) / len(values),
        _quantile(values, (1 - RANGE) / 2),
        _quantile(values, (1 + RANGE) / 2),
    )


def _rounded(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.0001"))
    return value


def _average(rows: Sequence[Mapping[str, Any]], name: str) -> Any:
    values = [row[name] for row in rows]
    if isinstance(values[0], Decimal):
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.0001"))
    if isinstance(values[0], bool):
        return all(values) if name != "stuck" else any(values)
    mean = sum(values) / len(values)
    if isinstance(values[0], int):
        # Counts stay whole when every run agrees, else one decimal is plenty.
        return int(mean) if mean == int(mean) else round(mean, 1)
    return mean


# --------------------------------------------------------------------------- running

# What every run of one `compare` shares, set once per worker process (not sent per task).
_SHARED: dict[str, Any] = {}


def _share(people: tuple[Contact, ...], start: datetime, model: Any, options: Any) -> None:
    _SHARED.update(people=people, start=start, model=model, options=options)


def _run(kwargs: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """One run's `SimulationResult.summary` (only the figures travel back, not the calls)."""
    return simulate(
        _SHARED["people"],
        start=_SHARED["start"],
        model=_SHARED["model"],
        seed=seed,
        **_SHARED["options"],
        **kwargs,
    ).summary()


def _run_alone(
    people: tuple[Contact, ...],
    start: datetime,
    model: Any,
    options: Mapping[str, Any],
    kwargs: Mapping[str, Any],
    seed: int,
) -> dict[str, Any]:
    return simulate(people, start=start, model=model, seed=seed, **options, **kwargs).summary()


def compare(
    policies: Mapping[str, RetryPolicy | SimulateOptions],
    contacts: Iterable[Contact],
    *,
    start: datetime,
    model: OutcomeSource | None = None,
    seeds: Sequence[int] = (0,),
    workers: int | None = 1,
    scheduler: object = None,
    **options: Unpack[SimulateOptions],
) -> Comparison:
    """Simulate each named policy on the same contacts and outcome draws, and tabulate.

    A policy is a `RetryPolicy`, or a mapping of `simulate` keyword arguments
    (``retry``, ``cycles``, ``runner_options``, ...). ``options`` are shared by
    every run (``billing``, ``max_concurrent``, ``horizon``, ``campaign``). A
    contact's n-th attempt draws the same random numbers under every policy, so
    differences come from the policies, not from luck. Over several ``seeds``
    each figure gets a 90% range (`Comparison.interval`) and each pair of
    policies a paired difference saying whether it is within noise
    (`Comparison.difference`). Pass a fitted model (`OutcomeModel.fit`) as
    ``model`` to ask "what if" of your own campaign.

    Runs go one after another in this process by default. ``workers=N`` runs
    them in N processes (``None``: one per core); the contacts, model and
    options are sent to each process once, and they must pickle (a model
    class defined in a notebook may not); the processes are spawned, so a
    script must call this under ``if __name__ == "__main__":``, and each costs
    about a second to start. ``scheduler`` runs them as Dask
    tasks instead: a ``dask.distributed.Client`` or a scheduler name such as
    ``"processes"`` or ``"synchronous"`` (needs dask). The results do not
    depend on how the runs were spread. A ``progress`` option only works in
    this process.

    Raises `InvalidConfig` for no policies, no seeds, a bad ``workers``, or
    ``progress`` with ``workers``/``scheduler``; `MissingDependency` for a
    ``scheduler`` without dask.
    """
    if not policies:
        raise InvalidConfig("policies", "at least one named policy", policies)
    if not seeds:
        raise InvalidConfig("seeds", "at least one seed", seeds)
    if workers is None:
        workers = os.cpu_count() or 1
    if type(workers) is not int or workers < 1:
        raise InvalidConfig("workers", "an integer >= 1 or None (one per core)", workers)
    parallel = workers > 1 or scheduler is not None
    if parallel and options.get("progress") is not None:
        raise InvalidConfig("progress", "no progress callback with workers or scheduler", "set")
    people = tuple(contacts)
    tasks = [
        (name, {"retry": policy} if isinstance(policy, RetryPolicy) else dict(policy), seed)
        for name, policy in policies.items()
        for seed in seeds
    ]
    summaries: list[dict[str, Any]]
    if scheduler is not None:
        summaries = _on_dask(scheduler, people, start, model, options, tasks)
    elif workers > 1:
        # spawn: no fork of a process that may hold threads (a notebook's, Dask's)
        with ProcessPoolExecutor(
            max_workers=min(workers, len(tasks)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_share,
            initargs=(people, start, model, options),
        ) as pool:
            summaries = list(pool.map(_run, [t[1] for t in tasks], [t[2] for t in tasks]))
    else:
        summaries = [
            _run_alone(people, start, model, options, kwargs, seed) for _, kwargs, seed in tasks
        ]
    rows = []
    runs = []
    for index, name in enumerate(policies):
        mine = summaries[index * len(seeds) : (index + 1) * len(seeds)]
        row: dict[str, Any] = {"policy": name}
        for column in (*_FIGURES, "finished", "stuck"):
            row[column] = _average(mine, column)
        rows.append(row)
        runs.append((name, tuple(mine)))
    return Comparison(rows=tuple(rows), seeds=tuple(seeds), runs=tuple(runs))


def _on_dask(
    scheduler: Any,
    people: tuple[Contact, ...],
    start: datetime,
    model: Any,
    options: Mapping[str, Any],
    tasks: Sequence[tuple[str, dict[str, Any], int]],
) -> list[dict[str, Any]]:
    try:
        dask: Any = importlib.import_module("dask")  # optional: only with a scheduler
    except ImportError:
        raise MissingDependency("compare(scheduler=...) needs dask: pip install dask") from None
    shared = dask.delayed(people, traverse=False), dask.delayed(model, traverse=False)
    jobs = [
        dask.delayed(_run_alone, pure=True)(
            shared[0], start, shared[1], dict(options), kwargs, seed
        )
        for _, kwargs, seed in tasks
    ]
    return list(dask.compute(*jobs, scheduler=scheduler))
