"""``campaignkit``: the command-line front door, and the only module that does I/O.

Commands:

* ``campaignkit demo`` - import the bundled sample list, simulate a campaign on it
  through the real engine, and print the dashboard (no arguments, no network);
* ``campaignkit import CONTACTS.csv`` - validate and normalise a contact file,
  report rejected rows, write the clean file;
* ``campaignkit report EXPORT --dialect ...`` - the dashboard of a vendor's call
  export or CDR JSON;
* ``campaignkit simulate --contacts FILE --retries 2 --compare 3`` - compare retry
  policies on the same contacts and outcome draws.

Bad input is one line on standard error and exit code 1 (2 for a bad option),
never a traceback; Ctrl-C exits with 130. With ``--format json`` standard
output carries exactly one JSON document; notes and progress go to standard
error. Tables, colour and progress bars come from ``rich`` when it is installed
(the ``cli`` extra) and the stream is a terminal; otherwise the output is the
plain text the result tables print in a notebook.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import json
import math
import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import __version__
from .errors import CampaignkitError, InvalidConfig
from .io import (
    DEFAULT_MAX_BYTES,
    UPLOAD_COLUMNS,
    ContactStream,
    ImportResult,
    InputTooLarge,
    Rejection,
    RejectReason,
    export_contact_list,
    import_contacts,
    iter_contacts,
)
from .metrics import CampaignStats
from .metrics.tables import Table
from .models.records import DEFAULT_TIMEZONE, Call, CallerLine, Campaign, Contact
from .policies.billing import BillingPolicy
from .policies.compliance import CompliancePolicy
from .policies.pacing import PacingPolicy
from .policies.retry import RetryPolicy
from .policies.rotation import RotationPolicy
from .policies.schedule import CallingWindow, Schedule
from .simulate import DEFAULT_BILLING, compare, simulate

if TYPE_CHECKING:  # a TypedDict; importing strategies at run time would need hypothesis
    from .strategies import RunnerOptions

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

DEMO_START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
"""The demo's simulated launch: Monday 1 June 2026, 09:00 in Mexico City."""

DIALECTS = ("altur", "exotel", "itellico", "thinkrr", "twilio")

DIALECT_REGION: Mapping[str, str | None] = {
    "altur": "MX",  # seed 004: Altur's examples are Mexican numbers
    "exotel": "IN",  # seed 001: Exotel is Indian (+91 numbers, INR)
    "itellico": "MX",  # seed 002 names no country: the project default
    "thinkrr": None,  # thinkrr's log carries international numbers only
    "twilio": None,  # Twilio sends E.164
}
"""The region national numbers are read in, per dialect, when ``--region`` is not given."""


def dialect_timezone(dialect: str) -> str:
    """The zone naive timestamps and the heatmap are read in without ``--timezone``: the
    dialect's own ``DEFAULT_TIMEZONE`` (Exotel's Asia/Kolkata, thinkrr's UTC), else the
    project default. Read from the dialect, its one home, only when a report runs (the
    parser does not import the dialects)."""
    import importlib

    module = importlib.import_module(f"campaignkit.dialects.{dialect}")
    zone: str = getattr(module, "DEFAULT_TIMEZONE", DEFAULT_TIMEZONE)
    return zone


PRESETS: Mapping[str, tuple[int, int]] = {"exotel": (0, 3), "itellico": (0, 10), "altur": (0, 100)}
"""Retry presets the demo and ``simulate`` accept, with each one's retry range (seeds 000-002)."""


class Fail(CampaignkitError):
    """A command-line problem reported as one line (a missing file, a bad option)."""


class Usage(CampaignkitError):
    """A bad option value found after parsing (exit code 2, like argparse's own)."""


# --------------------------------------------------------------------------- output


class Output:
    """Where a command writes: rich tables and colour on a terminal, plain text otherwise.

    ``stream`` gets the results; ``err`` gets notes and progress bars (a bar only
    when ``err`` is a terminal, so nothing when piped).
    """

    def __init__(
        self, stream: TextIO, *, colour: bool | None = None, err: TextIO | None = None
    ) -> None:
        self.stream = stream
        self.err = err if err is not None else _devnull()
        self.console: Any = None
        self.err_console: Any = None
        terminal = _isatty(stream) if colour is None else colour
        err_terminal = _isatty(self.err)
        if not (terminal or err_terminal):
            return  # piped: plain text, and rich is not even imported (~0.1 s)
        try:
            from rich.console import Console
        except ImportError:  # the cli extra is not installed: plain text it is
            return
        if terminal:
            self.console = Console(file=stream, highlight=False, soft_wrap=False)
        if err_terminal:
            self.err_console = Console(file=self.err, highlight=False)

    @property
    def rich(self) -> bool:
        """True when output goes through rich (a terminal with rich installed)."""
        return self.console is not None

    def line(self, text: str = "") -> None:
        """One line of plain text."""
        if self.console is not None:
            self.console.print(text, markup=False)
        else:
            print(text, file=self.stream)

    def note(self, text: str) -> None:
        """A note for people, on standard error (never mixed into JSON or CSV output)."""
        print(text, file=self.err)

    def heading(self, text: str) -> None:
        """A section heading."""
        if self.console is not None:
            self.console.rule(f"[bold]{text}")
        else:
            print(f"\n== {text}", file=self.stream)

    def grid(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """A table of ready-made text cells, first column left-aligned."""
        if self.console is not None:
            from rich.table import Table

            view = Table(title=title, title_justify="left", header_style="bold cyan")
            for n, name in enumerate(columns):
                view.add_column(name, justify="left" if n == 0 else "right")
            for row in rows:
                view.add_row(*row)
            self.console.print(view)
            return
        widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
        print(title, file=self.stream)
        for row in [list(columns), *rows]:
            cells = [
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
            print("  ".join(cells).rstrip(), file=self.stream)

    def table(self, table: Table) -> None:
        """One of the metrics result tables."""
        if self.console is None:
            print(repr(table), file=self.stream)
            return
        from rich.table import Table

        view = Table(title=table._title(), title_justify="left", header_style="bold cyan")
        for name, _ in table._columns:
            view.add_column(name, justify="right")
        for row in table._cells():
            view.add_row(*row)
        self.console.print(view)
        for note in table._notes():
            self.console.print(f"[yellow]{note}")

    def heatmap(self, heatmap: Any) -> None:
        """A weekday x hour heatmap, shaded on a terminal."""
        if self.console is None:
            print(repr(heatmap), file=self.stream)
            return
        from rich.table import Table

        columns, rows, shades = heatmap._grid()
        view = Table(title=heatmap._title(), title_justify="left", header_style="bold cyan")
        for name in columns:
            view.add_column(name, justify="right")
        for row, shade_row in zip(rows, shades, strict=True):
            view.add_row(*(_shaded(c, s) for c, s in zip(row, shade_row, strict=True)))
        self.console.print(view)

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[Callable[[int], None]]:
        """A progress bar on standard error when it is a terminal (nothing when piped);
        yields ``update(done)``."""
        if self.err_console is None or total <= 0:
            yield lambda done: None
            return
        from rich.progress import Progress

        with Progress(console=self.err_console, transient=True) as bar:
            task = bar.add_task(label, total=total)
            yield lambda done: bar.update(task, completed=min(done, total))


def _shaded(cell: str, shade: float | None) -> str:
    """A heatmap cell on the xterm grey ramp, with text that stays readable on it."""
    if shade is None or shade == 0:
        return cell
    # The ramp runs from 236 (dark grey) to 255 (near white). Low counts used to be
    # black text on near-black (issue 13 item 17): dark cells get white text.
    level = 236 + round(shade * 19)
    ink = "black" if level >= 246 else "bright_white"
    return f"[{ink} on color({level})]{cell}"


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _devnull() -> TextIO:
    return open(os.devnull, "w", encoding="utf-8")  # lives as long as the run


# --------------------------------------------------------------------------- option types


def _count(low: int, what: str = "a whole number") -> Callable[[str], int]:
    """An argparse type: an integer >= ``low``, refused with a clear message otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip()) if len(text) <= 12 else None
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"{what} from {low} up expected; got {text!r}")
        return value

    parse.__name__ = what  # argparse names the type in its own messages
    return parse


_SIZE_UNITS = {
    "": 1,
    "k": 1024,
    "kb": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
}


def _size(text: str) -> int | None:
    """An argparse type for ``--max-bytes``: ``5000000``, ``200M``, ``2G``, or ``none``."""
    value = text.strip().lower()
    if value in {"none", "unlimited"}:
        return None
    digits = value.rstrip("kmgb")
    unit = value[len(digits) :]
    if not digits.isdigit() or len(digits) > 15 or unit not in _SIZE_UNITS:
        raise argparse.ArgumentTypeError(
            f"a size such as 5000000, 200M or 2G (or 'none') expected; got {text!r}"
        )
    size = int(digits) * _SIZE_UNITS[unit]
    if size < 1:
        raise argparse.ArgumentTypeError(f"a size of at least 1 byte expected; got {text!r}")
    return size


def _zone_name(text: str) -> str:
    """An argparse type: an IANA time-zone name (not a tzdata folder such as 'America')."""
    try:
        if not text or len(text) > 64:
            raise ValueError(text)
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: 'America' is a folder of the tzdata tree; never show its path.
        raise argparse.ArgumentTypeError(
            f"unknown time zone {text[:64]!r} (an IANA name such as 'Asia/Kolkata')"
        ) from None
    return text


def _encoding(text: str) -> str:
    """An argparse type: a text encoding (not a bytes-to-bytes codec such as 'hex')."""
    try:
        info = codecs.lookup(text)
    except (LookupError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown encoding {text[:40]!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a text encoding (try utf-8, latin-1 or cp1252)"
        )
    return info.name


def _region(text: str) -> str:
    """An argparse type: a two-letter region code such as MX, IN or US."""
    value = text.strip().upper()
    if len(value) != 2 or not value.isascii() or not value.isalpha():
        raise argparse.ArgumentTypeError(f"a two-letter region such as MX expected; got {text!r}")
    return value


# --------------------------------------------------------------------------- input files


class _Metered(io.RawIOBase):
    """A binary file read as the library's readers read it (a chunk at a time), counting
    the bytes for a progress bar and refusing to read past ``max_bytes``."""

    def __init__(
        self,
        handle: io.BufferedReader,
        path: str,
        max_bytes: int | None,
        update: Callable[[int], None],
    ) -> None:
        super().__init__()
        self.handle = handle
        self.path = path
        self.max_bytes = max_bytes
        self.update = update
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self.max_bytes is not None:  # never read more than one byte past the limit
            view = view[: max(1, self.max_bytes + 1 - self.done)]
        count: int = self.handle.readinto(view)
        if not count:
            return 0
        self.done += count
        if self.max_bytes is not None and self.done > self.max_bytes:
            raise Fail(f"{self.path}: {InputTooLarge(self.done, self.max_bytes)}; see --max-bytes")
        self.update(self.done)
        return count


@contextmanager
def _open_input(path: str, out: Output, *, max_bytes: int | None, label: str) -> Iterator[_Metered]:
    """``path`` opened for the readers to stream, after checking its size.

    A regular file's size is checked with ``os.stat`` before anything is read;
    anything else (a pipe, ``/dev/zero``) is read at most ``max_bytes + 1``
    bytes (issue 14 item 21). A progress bar follows the bytes read when
    standard error is a terminal (issue 15 item 1).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise Fail(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise Fail(f"{path}: cannot open ({getattr(exc, 'strerror', None) or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise Fail(f"{path}: is a directory, not a file")
    regular = stat.S_ISREG(info.st_mode)
    if regular and max_bytes is not None and info.st_size > max_bytes:
        raise Fail(f"{path}: {InputTooLarge(info.st_size, max_bytes)}; see --max-bytes")
    with open(path, "rb") as handle, out.progress(label, info.st_size if regular else 0) as update:
        yield _Metered(handle, path, max_bytes, update)


def _text(source: _Metered, encoding: str) -> Any:
    """UTF-8 input as bytes (the readers decode it, byte-order mark included); other
    encodings as text, for the readers that take no ``encoding``."""
    if encoding == "utf-8":
        return source
    return io.TextIOWrapper(io.BufferedReader(source), encoding=encoding, newline="")


@contextmanager
def _reading(path: str, what: str) -> Iterator[None]:
    """Name the file (and what it was read as) in any input error raised inside."""
    try:
        yield
    except Fail:
        raise
    except CampaignkitError as exc:
        raise Fail(f"{path}: {what}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise Fail(f"{path}: {what}: not text in the expected encoding ({exc.reason})") from None


def _sample_contacts() -> bytes:
    return resources.files("campaignkit.data").joinpath("sample_contacts.csv").read_bytes()


# --------------------------------------------------------------------------- plain data


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data: Decimal money as a string, durations in seconds,
    date-times in ISO 8601, enums by value, NaN and infinities as null."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def _emit_json(out: Output, data: Mapping[str, Any]) -> None:
    out.stream.write(json.dumps(_plain(data), indent=2, ensure_ascii=False) + "\n")


def human_duration(elapsed: timedelta) -> str:
    """A duration for people: ``9 d 0 h 2 min``, ``5 h 3 min``, ``4 min 10 s``."""
    seconds = max(0, round(elapsed.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h {minutes} min"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s"


# --------------------------------------------------------------------------- reports


def _rejection_record(rejection: Any) -> dict[str, Any]:
    return {
        "line": rejection.line,
        "reason": _plain(rejection.reason),
        "column": rejection.column,
        "value": rejection.value,
        "detail": rejection.detail,
    }


class _Tally:
    """What an import read, without the contacts: rows, imported, rejected rows."""

    def __init__(self, imported: int, rejected: Sequence[Rejection]) -> None:
        self.imported = imported
        self.rejected = rejected

    @classmethod
    def of(cls, result: ImportResult) -> _Tally:
        """The tally of a whole `ImportResult`."""
        return cls(len(result.contacts), result.rejected)

    @property
    def rows(self) -> int:
        """Data rows read: imported plus rejected."""
        return self.imported + len(self.rejected)

    def counts(self) -> dict[RejectReason, int]:
        """Rejected rows per reason, most frequent first."""
        counts: dict[RejectReason, int] = {}
        for rejection in self.rejected:
            counts[rejection.reason] = counts.get(rejection.reason, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))


def _import_data(tally: _Tally, *, show: int) -> dict[str, Any]:
    return {
        "rows": tally.rows,
        "imported": tally.imported,
        "rejected": len(tally.rejected),
        "rejected_by_reason": {r.value: n for r, n in tally.counts().items()},
        "rejections": [_rejection_record(r) for r in tally.rejected[:show]],
    }


def _import_report(out: Output, tally: _Tally, *, show: int = 10) -> None:
    out.heading("Import")
    out.line(
        f"{tally.rows:,} rows read: {tally.imported:,} imported, {len(tally.rejected):,} rejected"
    )
    for reason, count in tally.counts().items():
        out.line(f"  {count:>5,}  {reason.value}")
    _rejections(out, tally.rejected, show=show)


def _rejections(out: Output, rejected: Sequence[Any], *, show: int) -> None:
    for rejection in rejected[:show]:
        out.line(f"  {rejection}")
    if len(rejected) > show:
        out.line(f"  ... and {len(rejected) - show:,} more")


_UNITS = {
    "created": "contacts",
    "completed": "contacts",
    "failed": "contacts",
    "pending": "contacts",
    "in_progress": "contacts",
    "busy": "contacts",
    "no_answer": "contacts",
    "average_call_duration": "seconds",
    "average_attempts_to_connect": "attempts",
    "billed_duration": "h:mm:ss",
    "time_spent": "h:mm:ss",
    "saturation": "attempts per contact",
}


def _unit(metric: str, billing: BillingPolicy) -> str:
    if metric.endswith("_rate"):
        return "%"
    if metric.startswith("cost"):
        return billing.unit or "price units"
    return _UNITS.get(metric, "")


def _summary_rows(stats: CampaignStats, billing: BillingPolicy) -> list[dict[str, Any]]:
    """The summary figures with their units; a figure that cannot be derived is None
    with the reason in ``note`` (never a misleading zero)."""
    unknown = stats.unknown
    rows = []
    # the exact figures (Decimal money, durations as text), not to_records' numbers
    for metric, value, formula, source in stats.summary(billing).figures:
        record = {"metric": metric, "value": value, "formula": formula, "source": source}
        row = {**record, "note": "", "unit": _unit(metric, billing)}
        if metric in unknown:
            row["value"], row["note"] = None, unknown[metric]
        elif row["value"] is None:
            row["note"] = "cannot be derived from this input"
        rows.append(row)
    return rows


def _value_text(value: Any, metric: str) -> str:
    if value is None:
        return "-"
    if metric.endswith("_rate") and isinstance(value, int | float):
        return f"{value:.1%}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, Decimal):
        return f"{value:.4f}"
    return str(value)


def _summary(out: Output, rows: Sequence[Mapping[str, Any]]) -> None:
    cells = [
        [r["metric"], _value_text(r["value"], r["metric"]), r["unit"], r["formula"], r["source"]]
        for r in rows
    ]
    out.grid("Summary", ("metric", "value", "unit", "formula", "source"), cells)
    for row in rows:
        if row["note"]:
            out.line(f"  - {row['metric']}: unknown, {row['note']}")


def _dashboard(out: Output, stats: CampaignStats, *, billing: BillingPolicy, timezone: str) -> None:
    out.heading("Campaign")
    _summary(out, _summary_rows(stats, billing))
    out.heading("Health")
    out.table(stats.health())
    out.heading("Retry effectiveness")
    out.table(stats.retry_effectiveness())
    out.heading("Human answers by weekday and hour")
    out.heatmap(stats.heatmap(timezone))
    out.heading("Cost audit by answered-by")
    out.table(stats.cost_audit(billing))


def _dashboard_data(
    stats: CampaignStats, *, billing: BillingPolicy, timezone: str
) -> dict[str, Any]:
    retry = stats.retry_effectiveness()
    return {
        "summary": _summary_rows(stats, billing),
        "unknown": stats.unknown,
        "health": stats.health().to_records(),
        "retry_effectiveness": retry.to_records(total=True),
        "advice": list(retry.advice),
        "heatmap": {"timezone": timezone, "counts": stats.heatmap(timezone).to_grid()},
        "cost_audit": stats.cost_audit(billing).to_records(total=True),
        "currency": billing.unit or None,
    }


# --------------------------------------------------------------------------- commands


def _retry_policy(preset: str, retries: int, interval_mins: int) -> RetryPolicy:
    """The named preset with ``retries`` retries ``interval_mins`` apart.

    Raises `Usage` with the preset's own range when ``retries`` is outside it.
    """
    low, high = PRESETS[preset]
    if not low <= retries <= high:
        raise Usage(f"--retries: the {preset} preset takes {low}-{high} retries; got {retries}")
    try:
        if preset == "exotel":
            return RetryPolicy.exotel(retries, interval_mins=interval_mins)
        if preset == "itellico":
            return RetryPolicy.itellico(retries, retry_interval=timedelta(minutes=interval_mins))
        return RetryPolicy.altur(retries, interval=timedelta(minutes=interval_mins))
    except (InvalidConfig, OverflowError) as exc:  # an --interval past what a preset allows
        raise Usage(f"--interval: {exc}") from None


def _demo_policies(lines: int) -> RunnerOptions:
    """The demo campaign's time policies: office hours in Mexico City, 8:00-21:00 in
    the callee's own time zone, US TCPA quiet hours, and ``lines`` rotated caller
    IDs with itellico's default cap of 100 calls per number per day."""
    return {
        "schedule": Schedule.business_hours(
            time(9), time(19), contact_windows=(CallingWindow(time(8), time(21)),)
        ),
        "compliance": CompliancePolicy.tcpa(),
        "pacing": PacingPolicy(),
        "rotation": RotationPolicy(),
        "lines": [
            CallerLine(id=f"line-{n:02d}", number=f"+5255{5000_0000 + n:08d}")
            for n in range(1, lines + 1)
        ],
    }


def _price_note(billing: BillingPolicy) -> str:
    step = "second" if billing.increment_seconds == 1 else f"{billing.increment_seconds} s"
    return (
        f"prices are illustrative, not a vendor quote: {billing.name} billing rules at "
        f"{billing.unit or 'price units'} {billing.price_per_increment} per {step} billed"
    )


def _cmd_demo(args: argparse.Namespace, out: Output) -> int:
    retry = _retry_policy(args.preset, args.retries, 120)
    result = import_contacts(_sample_contacts(), region="MX")
    contacts = result.contacts[: args.contacts] if args.contacts else result.contacts
    campaign = Campaign(id="demo", name="Payment reminder (demo)", timezone=DEFAULT_TIMEZONE)
    setup = (
        f"{len(contacts):,} contacts, {args.retries} retries 2 h apart ({args.preset} preset); "
        f"Mon-Fri 09:00-19:00 {DEFAULT_TIMEZONE}, 08:00-21:00 in the callee's zone, TCPA "
        f"quiet hours; {args.lines} caller IDs (100 calls each a day), {args.concurrent} calls "
        f"at once; from {DEMO_START:%A %d %B %Y %H:%M}, seed {args.seed}"
    )
    text = args.format == "text"
    if text:
        _import_report(out, _Tally.of(result), show=5)
        out.heading("Simulation")
        out.line(setup)
    with out.progress("simulating", len(contacts)) as update:
        run = simulate(
            contacts,
            start=DEMO_START,
            campaign=campaign,
            retry=retry,
            seed=args.seed,
            max_concurrent=args.concurrent,
            runner_options=_demo_policies(args.lines),
            progress=update,
        )
    price = _price_note(run.billing)
    if not text:
        data: dict[str, Any] = {
            "command": "demo",
            "import": _import_data(_Tally.of(result), show=5),
            "simulation": {
                "setup": setup,
                "contacts": len(contacts),
                "calls": len(run.calls),
                "elapsed_seconds": run.elapsed.total_seconds(),
                "finished": run.finished,
                "stuck": run.stuck,
                "status": run.status,
                "unsettled": run.unsettled,
                "blocked": [refusal.reason for refusal in run.blocked],
                "seed": args.seed,
                "retries": args.retries,
                "preset": args.preset,
                "price_note": price,
            },
        }
        data.update(_dashboard_data(run.stats, billing=run.billing, timezone=campaign.timezone))
        _emit_json(out, data)
        return EXIT_OK
    out.line(
        f"{len(run.calls):,} calls in {human_duration(run.elapsed)} of simulated time; {run.status}"
    )
    out.line(price)
    _dashboard(out, run.stats, billing=run.billing, timezone=campaign.timezone)
    return EXIT_OK


_FIXED_UPLOAD_COLUMNS = frozenset((*UPLOAD_COLUMNS, "priority"))
_BATCH = 10_000


def _write_clean(stream: ContactStream, handle: TextIO) -> _Tally:
    """Write the contacts of ``stream`` as an upload file while reading it.

    Without attribute columns every batch has the same header, so the file is
    written ``_BATCH`` contacts at a time and memory holds one batch (issue 15
    item 1); with attribute columns the header depends on every contact, so
    they are collected first.
    """
    rejected: list[Rejection] = []
    if not all(
        name.replace("\ufeff", "").strip().casefold() in _FIXED_UPLOAD_COLUMNS
        for name in stream.columns
        if name.strip()
    ):
        result = stream.collect()
        handle.write(export_contact_list(result.contacts))
        return _Tally.of(result)
    imported = 0
    batch: list[Contact] = []
    header = ""

    def flush() -> None:
        nonlocal header
        text = export_contact_list(batch)
        first, _, rows = text.partition("\n")
        if not header:
            header = first
            handle.write(text)
        elif first != header:  # pragma: no cover - a fixed header cannot change
            raise Fail("the clean file's columns changed part-way; please report this")
        else:
            handle.write(rows)
        batch.clear()

    for item in stream:
        if type(item) is Rejection:
            rejected.append(item)
            continue
        batch.append(item)  # type: ignore[arg-type]
        imported += 1
        if len(batch) == _BATCH:
            flush()
    if batch or not header:
        flush()
    return _Tally(imported, rejected)


def _cmd_import(args: argparse.Namespace, out: Output) -> int:
    target = Path(args.output) if args.output else Path(args.contacts).with_suffix(".clean.csv")
    if target.resolve() == Path(args.contacts).resolve():
        raise Fail(f"{target}: refusing to overwrite the input file")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with (
            _open_input(args.contacts, out, max_bytes=args.max_bytes, label="importing") as source,
            _reading(args.contacts, "contact file"),
        ):
            stream = iter_contacts(
                source,
                region=args.region,
                delimiter=args.delimiter,
                max_bytes=None,
                encoding=args.encoding,
            )
            with partial.open("w", encoding="utf-8", newline="") as handle:
                tally = _write_clean(stream, handle)
        if not tally.imported:
            if args.format == "text":
                _import_report(out, tally, show=args.show)
            first = f"; first: {tally.rejected[0]}" if tally.rejected else ""
            raise Fail(
                f"{args.contacts}: no valid contacts ({len(tally.rejected):,} rows rejected"
                f"{first}); {target} not written"
            )
        os.replace(partial, target)  # the clean file appears whole, or not at all
    finally:
        partial.unlink(missing_ok=True)
    if args.format == "json":
        _emit_json(
            out,
            {"command": "import", **_import_data(tally, show=args.show), "output": str(target)},
        )
        return EXIT_OK
    _import_report(out, tally, show=args.show)
    out.line(f"wrote {tally.imported:,} contacts to {target}")
    return EXIT_OK


def _calls_from(
    dialect: str, data: Any, args: argparse.Namespace
) -> tuple[tuple[Call, ...], tuple[Any, ...]]:
    """The calls of a vendor export and its rejected rows, through the dialect's reader.

    The command line parses no rows itself (issue 14 item 19): every byte goes
    through the library's readers, which bound what they read and reject bad rows.
    """
    from .dialects import altur, exotel, thinkrr, twilio

    if dialect == "exotel":
        result = exotel.read_cdrs(data, region=args.region, timezone=args.timezone, max_bytes=None)
        return result.calls, result.rejected
    if dialect == "thinkrr":
        result = thinkrr.read_call_log(
            data, region=args.region, timezone=args.timezone, max_bytes=None
        )
        return result.calls, result.rejected
    if dialect == "altur":
        result = altur.read_calls(data, region=args.region, timezone=args.timezone, max_bytes=None)
        return result.calls, result.rejected
    if dialect == "twilio":  # logged callbacks or a call log: the dialect tells them apart
        result = twilio.read_calls(data, region=args.region, max_bytes=None)
        return result.calls, result.rejected
    raise Fail(f"unknown dialect {dialect!r}")


def _streamable(path: str, dialect: str) -> bool:
    """Whether ``path`` can be reported on as a stream: an Altur CSV call export in a
    regular file (read again from the start in the rare case the stream cannot do)."""
    if dialect != "altur":
        return False
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except (OSError, ValueError):
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"[", b"{")  # JSON: not CSV


def _stream_altur(args: argparse.Namespace, out: Output) -> tuple[CampaignStats, list[Any]] | None:
    """The figures of an Altur CSV call export folded in one pass (issue 15 item 1).

    The calls are read one row at a time and folded into `CampaignStats.from_calls`:
    memory holds one row, the counts and one packed int per contact, never the calls.
    Bad rows are rejected with their line as `altur.read_calls` rejects them. Returns
    None when the stream cannot give `altur.read_calls`' figures - rows out of
    ``created_at`` order (attempts are numbered by time across the whole file) or text
    the CSV reader gives up on - and the caller reads the file again as a whole.
    """
    from .dialects import altur
    from .io import MalformedInput

    with (
        _open_input(args.export, out, max_bytes=args.max_bytes, label="reading") as source,
        _reading(args.export, f"{args.dialect} export"),
    ):
        stream = altur.iter_calls(
            source, region=args.region, timezone=args.timezone, encoding=args.encoding
        )
        try:
            stats = CampaignStats.from_calls(stream)
        except MalformedInput:
            return None
        if stream.renumbered:
            return None
    return stats, stream.rejected


def _cmd_report(args: argparse.Namespace, out: Output) -> int:
    if args.region is None:
        args.region = DIALECT_REGION[args.dialect]
    if args.timezone is None:
        args.timezone = dialect_timezone(args.dialect)
    contacts: tuple[Contact, ...] = ()
    rejected: Sequence[Any] = ()
    streamed = _stream_altur(args, out) if _streamable(args.export, args.dialect) else None
    if streamed is not None:
        stats, rejected = streamed
        n_calls = stats.calls
    else:
        calls: tuple[Call, ...] = ()
        with (
            _open_input(args.export, out, max_bytes=args.max_bytes, label="reading") as source,
            _reading(args.export, f"{args.dialect} export"),
        ):
            data = _text(source, args.encoding)
            if args.dialect == "itellico":
                from .dialects import itellico

                parsed = itellico.parse_contact_export(
                    data, region=args.region, timezone=args.timezone
                )
                contacts, rejected = parsed.contacts, parsed.rejected
            else:
                calls, rejected = _calls_from(args.dialect, data, args)
        n_calls = len(calls)
        # A call export has no contact list: the contacts are rebuilt from the calls (one
        # per destination or contact id, its state its last attempt's); what calls cannot
        # say (pending contacts, conversion, ...) is unknown, never 0 (issue 13 item 2).
        if calls:
            stats = CampaignStats.from_calls(calls)
            del calls  # from here on only the counts are needed
        else:
            stats = CampaignStats.from_records((), contacts)
    if not n_calls and not contacts:
        # Every row refused (or none at all): a report of zeros would hide it.
        first = f"; first: {rejected[0]}" if rejected else ""
        raise Fail(
            f"{args.export}: nothing to report: no valid rows in this {args.dialect} export, "
            f"{len(rejected):,} rejected{first}"
        )
    billing = _billing_for(args.dialect)
    if args.format == "json":
        data_out: dict[str, Any] = {
            "command": "report",
            "export": args.export,
            "dialect": args.dialect,
            "calls": n_calls,
            "contacts": stats.contacts,
            "contacts_from": "calls" if n_calls else "export",
            "rejected": len(rejected),
            "rejections": [_rejection_record(r) for r in rejected[: args.show]],
        }
        data_out.update(_dashboard_data(stats, billing=billing, timezone=args.timezone))
        _emit_json(out, data_out)
    elif args.format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["metric", "value", "unit"])
        for row in _summary_rows(stats, billing):
            writer.writerow(
                [row["metric"], "" if row["value"] is None else _plain(row["value"]), row["unit"]]
            )
        out.stream.write(buffer.getvalue())
        if rejected:
            out.note(f"{args.export}: {len(rejected):,} rows rejected")
    else:
        rebuilt = " (rebuilt from the calls)" if n_calls else ""
        out.line(
            f"{args.export}: {n_calls:,} calls, {stats.contacts:,} contacts{rebuilt}, "
            f"{len(rejected):,} rows rejected ({args.dialect})"
        )
        _rejections(out, rejected, show=args.show)
        _dashboard(out, stats, billing=billing, timezone=args.timezone)
    return EXIT_OK


def _billing_for(dialect: str) -> BillingPolicy:
    if dialect == "exotel":
        return BillingPolicy.exotel()
    if dialect == "thinkrr":
        return BillingPolicy.thinkrr()
    if dialect == "twilio":
        return BillingPolicy.twilio()
    return BillingPolicy.altur()


class _RunProgress:
    """One bar across several simulation runs: each run reports contacts settled from 0."""

    def __init__(self, update: Callable[[int], None], per_run: int) -> None:
        self.update = update
        self.per_run = per_run
        self.runs_done = 0
        self.last = 0

    def __call__(self, settled: int) -> None:
        if settled < self.last:  # a new run started
            self.runs_done += 1
        self.last = settled
        self.update(self.runs_done * self.per_run + settled)


def _cmd_simulate(args: argparse.Namespace, out: Output) -> int:
    counts = [args.retries, *[n for n in args.compare if n != args.retries]]
    policies = {
        f"{n} retries": _retry_policy(args.preset, n, args.interval) for n in dict.fromkeys(counts)
    }
    with (
        _open_input(args.contacts, out, max_bytes=args.max_bytes, label="importing") as source,
        _reading(args.contacts, "contact file"),
    ):
        result = import_contacts(source, region=args.region, max_bytes=None, encoding=args.encoding)
    if result.rejected:
        out.note(
            f"{len(result.rejected):,} rows rejected on import"
            " (run `campaignkit import` to see them)"
        )
    if not result.contacts:
        raise Fail(f"{args.contacts}: no valid contacts to simulate")
    seeds = tuple(range(args.seeds))
    runs = len(policies) * len(seeds)
    per_run = len(result.contacts)
    with out.progress("simulating", runs * per_run) as update:
        table = compare(
            policies,
            result.contacts,
            start=DEMO_START,
            seeds=seeds,
            max_concurrent=args.lines,
            billing=DEFAULT_BILLING,
            progress=_RunProgress(update, per_run),
        )
        update(runs * per_run)
    if args.format == "json":
        _emit_json(
            out,
            {
                "command": "simulate",
                "contacts": len(result.contacts),
                "rejected_on_import": len(result.rejected),
                "seeds": list(seeds),
                "preset": args.preset,
                "currency": DEFAULT_BILLING.unit,
                "price_note": _price_note(DEFAULT_BILLING),
                "policies": table.to_records(),
            },
        )
    else:
        out.line(repr(table))
        out.line(f"cost in {DEFAULT_BILLING.unit}; {_price_note(DEFAULT_BILLING)}")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def _retries_help() -> str:
    ranges = ", ".join(f"{name} {low}-{high}" for name, (low, high) in PRESETS.items())
    return f"retries per contact, within the preset's range ({ranges}; default 2)"


def _input_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--max-bytes",
        type=_size,
        default=DEFAULT_MAX_BYTES,
        metavar="SIZE",
        help="refuse input files larger than this (default 5M; e.g. 200M, 2G, or none)",
    )
    command.add_argument(
        "--encoding", type=_encoding, default="utf-8", help="text encoding (default utf-8)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="campaignkit",
        description="Rules for outbound call and WhatsApp campaigns: import, simulate, report.",
    )
    parser.add_argument("--version", action="version", version=f"campaignkit {__version__}")
    parser.add_argument(
        "--no-colour",
        "--no-color",
        dest="colour",
        action="store_false",
        default=None,
        help="plain text even on a terminal",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    formats = ("text", "json")

    demo = commands.add_parser(
        "demo", help="simulate a campaign on the bundled sample and show the dashboard"
    )
    demo.add_argument("--seed", type=_count(0, "seed"), default=1)
    demo.add_argument("--preset", choices=tuple(PRESETS), default="exotel", help="retry preset")
    demo.add_argument("--retries", type=_count(0, "retries"), default=2, help=_retries_help())
    demo.add_argument(
        "--lines", type=_count(1, "lines"), default=15, help="caller IDs to rotate (default 15)"
    )
    demo.add_argument(
        "--concurrent", type=_count(1, "calls"), default=4, help="calls at once (default 4)"
    )
    demo.add_argument(
        "--contacts", type=_count(1, "contacts"), default=None, help="use only the first N contacts"
    )
    demo.add_argument("--format", choices=formats, default="text")
    demo.set_defaults(handler=_cmd_demo)

    imp = commands.add_parser("import", help="validate and normalise a contact CSV")
    imp.add_argument("contacts", metavar="CONTACTS.csv")
    imp.add_argument(
        "--region",
        type=_region,
        default="MX",
        help="region of numbers without a country code (default MX)",
    )
    imp.add_argument("--delimiter", choices=(",", ";"), default=None)
    imp.add_argument("--output", "-o", help="clean file to write (default CONTACTS.clean.csv)")
    imp.add_argument(
        "--show", type=_count(0, "rows"), default=20, help="rejected rows to list (default 20)"
    )
    imp.add_argument("--format", choices=formats, default="text")
    _input_options(imp)
    imp.set_defaults(handler=_cmd_import)

    rep = commands.add_parser("report", help="the dashboard of a vendor's call export or CDR JSON")
    rep.add_argument("export", metavar="EXPORT")
    rep.add_argument("--dialect", choices=DIALECTS, default="altur")
    rep.add_argument("--format", choices=("text", "json", "csv"), default="text")
    defaults = ", ".join(f"{d} {DIALECT_REGION[d] or 'none'}" for d in DIALECTS)
    rep.add_argument(
        "--region",
        type=_region,
        default=None,
        help=f"region of national numbers (default: the dialect's own: {defaults})",
    )
    rep.add_argument(
        "--timezone",
        type=_zone_name,
        default=None,
        help="zone of naive timestamps and the heatmap (default: the dialect's own "
        f"DEFAULT_TIMEZONE, else {DEFAULT_TIMEZONE})",
    )
    rep.add_argument(
        "--show", type=_count(0, "rows"), default=20, help="rejected rows to list (default 20)"
    )
    _input_options(rep)
    rep.set_defaults(handler=_cmd_report)

    sim = commands.add_parser("simulate", help="compare retry policies on a contact list")
    sim.add_argument("--contacts", required=True, metavar="FILE")
    sim.add_argument("--preset", choices=tuple(PRESETS), default="exotel", help="retry preset")
    sim.add_argument("--retries", type=_count(0, "retries"), default=2, help=_retries_help())
    sim.add_argument(
        "--compare",
        type=_count(0, "retries"),
        nargs="*",
        default=[],
        metavar="N",
        help="more retry counts to compare",
    )
    sim.add_argument(
        "--interval", type=_count(1, "minutes"), default=60, help="minutes between retries"
    )
    sim.add_argument(
        "--seeds", type=_count(1, "seeds"), default=1, help="runs per policy (seeds 0..N-1)"
    )
    sim.add_argument("--lines", type=_count(1, "calls"), default=4, help="calls at once")
    sim.add_argument("--region", type=_region, default="MX")
    sim.add_argument("--format", choices=formats, default="text")
    _input_options(sim)
    sim.set_defaults(handler=_cmd_simulate)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit code (0 ok, 1 bad input, 2 usage,
    3 internal error, 130 interrupted). Never raises, whatever the input."""
    try:
        return _main(argv, stdout=stdout, stderr=stderr)
    except KeyboardInterrupt:
        # Ctrl-C: stop quietly with the shell's code for SIGINT (issue 14 item 20).
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None, *, stdout: TextIO | None, stderr: TextIO | None) -> int:
    if sys.stderr is None:  # `2>&-`: argparse and notes need somewhere to go
        sys.stderr = _devnull()
    err = stderr or sys.stderr
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(err)
        return EXIT_USAGE
    stream = stdout or sys.stdout
    if stream is None:  # `campaignkit demo >&-`: there is nowhere to write the results
        print("campaignkit: error: standard output is closed", file=err)
        return EXIT_BAD_INPUT
    out = Output(stream, colour=args.colour, err=err)
    try:
        code: int = args.handler(args, out)
        stream.flush()
    except Usage as exc:
        print(f"campaignkit {args.command}: error: {exc}", file=err)
        return EXIT_USAGE
    except CampaignkitError as exc:
        print(f"campaignkit: error: {exc}", file=err)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (`campaignkit demo | head`): stop quietly, as cat does.
        if stdout is None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"campaignkit: error: {exc.strerror or exc}{where}", file=err)
        return EXIT_BAD_INPUT
    except (RecursionError, MemoryError) as exc:
        print(
            f"campaignkit: error: input too deeply nested or too large ({type(exc).__name__})",
            file=err,
        )
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug: one line, a distinct code, no traceback
        if os.environ.get("CAMPAIGNKIT_DEBUG"):
            raise
        print(
            f"campaignkit: internal error: {type(exc).__name__}: {exc} "
            "(please report it; CAMPAIGNKIT_DEBUG=1 shows the traceback)",
            file=err,
        )
        return EXIT_INTERNAL
    return code
