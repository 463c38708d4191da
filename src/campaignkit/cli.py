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

Bad input is one line on standard error and a non-zero exit code, never a
traceback. Tables, colour and progress bars come from ``rich`` when it is
installed (the ``cli`` extra) and the output is a terminal; without it the
output is the same plain text the result tables print in a notebook.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, time
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from . import __version__
from .billing import BillingPolicy
from .errors import CampaignkitError
from .io import export_contact_list, import_contacts
from .metrics import CampaignStats
from .metrics.tables import _Table
from .models import DEFAULT_TIMEZONE, Call, CallerLine, Campaign, Contact
from .policies.compliance import CompliancePolicy
from .policies.pacing import PacingPolicy
from .policies.retry import RetryPolicy
from .policies.rotation import RotationPolicy
from .policies.schedule import CallingWindow, Schedule
from .simulate import DEFAULT_BILLING, compare, simulate

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2

DEMO_START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
"""The demo's simulated launch: Monday 1 June 2026, 09:00 in Mexico City."""

DIALECTS = ("altur", "exotel", "itellico", "thinkrr", "twilio")


class Fail(CampaignkitError):
    """A command-line problem reported as one line (a missing file, a bad option)."""


# --------------------------------------------------------------------------- output


class Output:
    """Where a command writes: rich tables and colour on a terminal, plain text otherwise."""

    def __init__(self, stream: TextIO, *, colour: bool | None = None) -> None:
        self.stream = stream
        self.console: Any = None
        try:
            from rich.console import Console
        except ImportError:  # the cli extra is not installed: plain text it is
            return
        terminal = stream.isatty() if colour is None else colour
        if terminal:
            self.console = Console(file=stream, highlight=False, soft_wrap=False)

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

    def heading(self, text: str) -> None:
        """A section heading."""
        if self.console is not None:
            self.console.rule(f"[bold]{text}")
        else:
            print(f"\n== {text}", file=self.stream)

    def table(self, table: _Table) -> None:
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
            cells = []
            for cell, shade in zip(row, shade_row, strict=True):
                if shade is None or shade == 0:
                    cells.append(cell)
                else:
                    level = 232 + round(shade * 12)  # xterm grey ramp, dark to light
                    cells.append(f"[black on color({level})]{cell}")
            view.add_row(*cells)
        self.console.print(view)

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[Callable[[int], None]]:
        """A progress bar on a terminal (nothing when piped); yields ``update(done)``."""
        if self.console is None:
            yield lambda done: None
            return
        from rich.progress import Progress

        with Progress(console=self.console, transient=True) as bar:
            task = bar.add_task(label, total=total)
            yield lambda done: bar.update(task, completed=done)


# --------------------------------------------------------------------------- helpers


def _read_bytes(path: str) -> bytes:
    file = Path(path)
    if not file.exists():
        raise Fail(f"{path}: no such file")
    if file.is_dir():
        raise Fail(f"{path}: is a directory, not a file")
    return file.read_bytes()


def _sample_contacts() -> bytes:
    return resources.files("campaignkit.data").joinpath("sample_contacts.csv").read_bytes()


def _import_report(out: Output, result: Any, *, show: int = 10) -> None:
    out.heading("Import")
    out.line(
        f"{result.rows:,} rows read: {len(result.contacts):,} imported, "
        f"{len(result.rejected):,} rejected"
    )
    for reason, count in sorted(result.counts().items(), key=lambda item: -item[1]):
        out.line(f"  {count:>5,}  {reason.value}")
    for rejection in result.rejected[:show]:
        out.line(f"  {rejection}")
    if len(result.rejected) > show:
        out.line(f"  ... and {len(result.rejected) - show:,} more")


def _dashboard(out: Output, stats: CampaignStats, *, billing: BillingPolicy, timezone: str) -> None:
    out.heading("Campaign")
    out.table(stats.summary(billing))
    out.heading("Retry effectiveness")
    out.table(stats.retry_effectiveness())
    out.heading("Human answers by weekday and hour")
    out.heatmap(stats.heatmap(timezone))
    out.heading("Cost audit by answered-by")
    out.table(stats.cost_audit(billing))


def _dashboard_data(
    stats: CampaignStats, *, billing: BillingPolicy, timezone: str
) -> dict[str, Any]:
    return {
        "summary": stats.summary(billing).to_records(),
        "retry_effectiveness": stats.retry_effectiveness().to_records(),
        "advice": list(stats.retry_effectiveness().advice),
        "heatmap": stats.heatmap(timezone).to_dict(),
        "cost_audit": stats.cost_audit(billing).to_records(),
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- commands


def _demo_policies(lines: int) -> dict[str, Any]:
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


def _cmd_demo(args: argparse.Namespace, out: Output) -> int:
    result = import_contacts(_sample_contacts(), region="MX")
    _import_report(out, result, show=5)
    contacts = result.contacts[: args.contacts] if args.contacts else result.contacts
    retry = RetryPolicy.exotel(args.retries, interval_mins=120)
    campaign = Campaign(id="demo", name="Payment reminder (demo)", timezone=DEFAULT_TIMEZONE)
    out.heading("Simulation")
    out.line(
        f"{len(contacts):,} contacts, {args.retries} retries 2 h apart; Mon-Fri 09:00-19:00 "
        f"{DEFAULT_TIMEZONE}, 08:00-21:00 in the callee's zone, TCPA quiet hours; "
        f"{args.lines} caller IDs (100 calls each a day), {args.concurrent} calls at once; "
        f"from {DEMO_START:%A %d %B %Y %H:%M}, seed {args.seed}"
    )
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
    out.line(
        f"{len(run.calls):,} calls in {run.elapsed} of simulated time; "
        f"{'all contacts settled' if run.finished else 'stopped at the horizon'}"
    )
    if args.format == "json":
        data = _dashboard_data(run.stats, billing=run.billing, timezone=campaign.timezone)
        out.line(json.dumps(data, default=_json_default, indent=2))
        return EXIT_OK
    _dashboard(out, run.stats, billing=run.billing, timezone=campaign.timezone)
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, out: Output) -> int:
    data = _read_bytes(args.contacts)
    result = import_contacts(data, region=args.region, delimiter=args.delimiter)
    _import_report(out, result, show=args.show)
    target = Path(args.output) if args.output else Path(args.contacts).with_suffix(".clean.csv")
    if target.resolve() == Path(args.contacts).resolve():
        raise Fail(f"{target}: refusing to overwrite the input file")
    target.write_text(export_contact_list(result.contacts), encoding="utf-8")
    out.line(f"wrote {len(result.contacts):,} contacts to {target}")
    return EXIT_OK


def _calls_from(dialect: str, data: bytes, args: argparse.Namespace) -> tuple[Call, ...]:
    from .dialects import altur, exotel, thinkrr, twilio

    if dialect == "altur":
        return altur.parse_call_export(data, region=args.region, timezone=args.timezone)
    if dialect == "exotel":
        document = json.loads(data.decode("utf-8"))
        pages = (
            document
            if isinstance(document, list)
            and document
            and (isinstance(document[0], dict) and "response" in document[0])
            else [document]
        )
        calls: list[Call] = []
        for page in pages:
            calls.extend(exotel.parse_cdr_page(page, region=args.region, timezone=args.timezone))
        return tuple(calls)
    if dialect == "twilio":
        lines = [line for line in data.decode("utf-8").splitlines() if line.strip()]
        latest: dict[str, Call] = {}
        for line in lines:
            call = twilio.parse_status_callback(line)
            known = latest.get(call.id)
            if known is None or (call.updated_at or DEMO_START) >= (known.updated_at or DEMO_START):
                latest[call.id] = call
        return tuple(latest.values())
    if dialect == "thinkrr":
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        needed = {"id", "phone", "outcome"}
        if reader.fieldnames is None or not needed <= {
            f.strip().lower() for f in reader.fieldnames
        }:
            raise Fail(
                "thinkrr call log needs columns id, phone, outcome (and duration, timestamp)"
            )
        calls = []
        for row in reader:
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            at = datetime.fromisoformat(row["timestamp"]) if row.get("timestamp") else None
            calls.append(
                thinkrr.call_from_outcome(
                    row["outcome"],
                    id=row["id"],
                    to=row["phone"],
                    at=at,
                    duration=row.get("duration") or 0,
                )
            )
        return tuple(calls)
    raise Fail(f"unknown dialect {dialect!r}")


def _cmd_report(args: argparse.Namespace, out: Output) -> int:
    data = _read_bytes(args.export)
    contacts: tuple[Contact, ...] = ()
    calls: tuple[Call, ...] = ()
    if args.dialect == "itellico":
        from .dialects import itellico

        contacts = itellico.parse_contact_export(
            data, region=args.region, timezone=args.timezone
        ).contacts
    else:
        try:
            calls = _calls_from(args.dialect, data, args)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise Fail(f"{args.export}: not a {args.dialect} export ({exc})") from None
    stats = CampaignStats.from_records(calls, contacts)
    billing = _billing_for(args.dialect)
    if args.format == "json":
        data_out = _dashboard_data(stats, billing=billing, timezone=args.timezone)
        out.line(json.dumps(data_out, default=_json_default, indent=2))
    elif args.format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["metric", "value"])
        for row in stats.summary(billing).to_records():
            writer.writerow(
                [
                    row["metric"],
                    _json_default(row["value"])
                    if isinstance(row["value"], Decimal)
                    else row["value"],
                ]
            )
        out.stream.write(buffer.getvalue())
    else:
        out.line(
            f"{args.export}: {len(calls):,} calls, {len(contacts):,} contacts ({args.dialect})"
        )
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


def _cmd_simulate(args: argparse.Namespace, out: Output) -> int:
    result = import_contacts(_read_bytes(args.contacts), region=args.region)
    if result.rejected:
        out.line(
            f"{len(result.rejected):,} rows rejected on import"
            " (run `campaignkit import` to see them)"
        )
    if not result.contacts:
        raise Fail(f"{args.contacts}: no valid contacts to simulate")
    counts = [args.retries, *[n for n in args.compare if n != args.retries]]
    for n in counts:
        if not 0 <= n <= 10:
            raise Fail(f"retries must be from 0 to 10; got {n}")
    policies = {f"{n} retries": RetryPolicy.exotel(n, interval_mins=args.interval) for n in counts}
    seeds = tuple(range(args.seeds))
    with out.progress("simulating", len(policies)) as update:
        table = compare(
            policies,
            result.contacts,
            start=DEMO_START,
            seeds=seeds,
            max_concurrent=args.lines,
            billing=DEFAULT_BILLING,
        )
        update(len(policies))
    if args.format == "json":
        out.line(json.dumps(table.to_records(), default=_json_default, indent=2))
    else:
        out.line(repr(table))
    return EXIT_OK


# --------------------------------------------------------------------------- parser


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

    demo = commands.add_parser(
        "demo", help="simulate a campaign on the bundled sample and show the dashboard"
    )
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--retries", type=int, default=2, choices=range(11), metavar="0-10")
    demo.add_argument("--lines", type=int, default=15, help="caller IDs to rotate (default 15)")
    demo.add_argument("--concurrent", type=int, default=4, help="calls at once (default 4)")
    demo.add_argument("--contacts", type=int, default=0, help="use only the first N contacts")
    demo.add_argument("--format", choices=("text", "json"), default="text")
    demo.set_defaults(handler=_cmd_demo)

    imp = commands.add_parser("import", help="validate and normalise a contact CSV")
    imp.add_argument("contacts", metavar="CONTACTS.csv")
    imp.add_argument(
        "--region", default="MX", help="region of numbers without a country code (default MX)"
    )
    imp.add_argument("--delimiter", choices=(",", ";"), default=None)
    imp.add_argument("--output", "-o", help="clean file to write (default CONTACTS.clean.csv)")
    imp.add_argument("--show", type=int, default=20, help="rejected rows to list (default 20)")
    imp.set_defaults(handler=_cmd_import)

    rep = commands.add_parser("report", help="the dashboard of a vendor's call export or CDR JSON")
    rep.add_argument("export", metavar="EXPORT")
    rep.add_argument("--dialect", choices=DIALECTS, default="altur")
    rep.add_argument("--format", choices=("text", "json", "csv"), default="text")
    rep.add_argument("--region", default="MX")
    rep.add_argument("--timezone", default=DEFAULT_TIMEZONE)
    rep.set_defaults(handler=_cmd_report)

    sim = commands.add_parser("simulate", help="compare retry policies on a contact list")
    sim.add_argument("--contacts", required=True, metavar="FILE")
    sim.add_argument("--retries", type=int, default=2)
    sim.add_argument("--compare", type=int, nargs="*", default=[], metavar="N")
    sim.add_argument("--interval", type=int, default=60, help="minutes between retries")
    sim.add_argument("--seeds", type=int, default=1, help="runs per policy (seeds 0..N-1)")
    sim.add_argument("--lines", type=int, default=4)
    sim.add_argument("--region", default="MX")
    sim.add_argument("--format", choices=("text", "json"), default="text")
    sim.set_defaults(handler=_cmd_simulate)
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 bad input, 2 usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    out = Output(stdout or sys.stdout, colour=args.colour)
    try:
        code: int = args.handler(args, out)
    except CampaignkitError as exc:
        print(f"campaignkit: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (`campaignkit demo | head`): stop quietly, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        print(
            f"campaignkit: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    return code
