"""Streaming contact import and call-export reading: time, memory and linearity (issue 15).

Run:  python benchmarks/bench_import.py             (10,000 and 100,000 rows)
      python benchmarks/bench_import.py --quick     (10,000 and 30,000 rows, 1 run)
      python benchmarks/bench_import.py --full      (10,000 and 1,000,000 rows)

Every measurement runs in its own subprocess (3 runs each; the table shows the
median and the spread min-max), which reads a file from disk the way the
command-line tool does: opened in binary and handed over as a file object.
Memory is the child's peak resident set (``resource.getrusage``) minus its
resident set just before the work (the interpreter and imports). Times are
the child's CPU time (``time.process_time``): on a shared machine a long run
waits for a core, and wall time then grows with the run's length, not with
the work (the wall time is printed too).

Contact import inputs are truly national formats, as people type them:

* ``mx``: Mexican local numbers (``55 1234 5678``, ``(55) 1234-5678``,
  ``55-1234-5678``, ``5512345678``), read with ``region="MX"``;
* ``us``: US local numbers (``(415) 555-2671``, ``415-555-2671``,
  ``415.555.2671``), read with ``region="US"``;

each with ~1% invalid numbers and ~1% duplicates, columns contact, name,
context, id. Contenders:

* ``floor``: the least a streaming import can do - ``csv.reader`` over the
  file, campaignkit's own `PhoneNormaliser` per row, a dict to deduplicate;
* ``stream``: ``iter_contacts`` consumed row by row (what the CLI does);
* ``import_contacts``: the same, keeping every `Contact` in an `ImportResult`;
* ``baseline``: ``csv.DictReader`` + ``phonenumbers`` parse / is_valid_number
  / format_number per row (the hand-written loop; small size only).

The call-export report reads an Altur call export (all 14 columns, Mexican
numbers with the old mobile ``1``, a retry in three) into
`CampaignStats.from_records(iter_call_export(...))`; ``pandas`` is
``read_csv`` plus the same figures (status x answered-by counts, durations,
attempt numbers per number); ``csv.reader`` alone is the floor.

Targets (issue 15 item 1): contact import within 2x the streaming floor and
at most 150 MB at 1M rows; report at most pandas' time and 300 MB; both
linear (the large size costs at most 1.15x per row what 10k rows cost).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from campaignkit.io import CALL_EXPORT_COLUMNS  # the Altur call export's columns (seed 000)

if TYPE_CHECKING:
    from campaignkit import Call


# --------------------------------------------------------------------------- inputs


def _mx_local(rng: random.Random) -> str:
    area = rng.choice(["55", "56", "33", "81"])
    rest = f"{rng.randrange(10_000_000, 100_000_000)}"
    a, b = rest[:4], rest[4:]
    return rng.choice([f"{area} {a} {b}", f"({area}) {a}-{b}", f"{area}-{a}-{b}", f"{area}{a}{b}"])


def _us_local(rng: random.Random) -> str:
    area = rng.choice(["415", "212", "305", "617", "312"])
    exchange = rng.randrange(200, 1000)
    while exchange % 100 == 11:  # N11 codes are not assignable
        exchange = rng.randrange(200, 1000)
    line = rng.randrange(0, 10_000)
    return rng.choice(
        [
            f"({area}) {exchange}-{line:04d}",
            f"{area}-{exchange}-{line:04d}",
            f"{area}.{exchange}.{line:04d}",
        ]
    )


def write_contacts(path: Path, rows: int, market: str, seed: int = 15) -> None:
    """A contact upload file of ``rows`` rows of ``market`` ("mx" or "us") local numbers."""
    rng = random.Random(seed)
    local = _mx_local if market == "mx" else _us_local
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["contact", "name", "context", "id"])
        previous = local(rng)
        for i in range(rows):
            roll = rng.random()
            if roll < 0.01:
                phone = "12345"  # invalid
            elif roll < 0.02:
                phone = previous  # duplicate
            else:
                phone = previous = local(rng)
            name = (
                rng.choice(["José", "María", "Ana", "Luis", "Zoë"])
                + f" {rng.choice(['Pérez', 'Ruiz', 'Núñez'])} {i}"
            )
            writer.writerow(
                [
                    phone,
                    name,
                    f"Saldo: ${rng.randrange(100, 5000):,}. Vence el {1 + i % 28} de junio",
                    i,
                ]
            )


CALL_MIX = (
    (("ended", "human"), 45),
    (("ended", "machine"), 25),
    (("no-answer", ""), 20),
    (("busy", ""), 7),
    (("failed", ""), 3),
)
"""(status, answered_by) of the generated calls, with their weights."""


def write_call_export(
    path: Path,
    rows: int,
    seed: int = 15,
    *,
    mix: tuple[tuple[tuple[str, str], int], ...] = CALL_MIX,
    prefix: str = "+521",
    bill_machines: bool = True,
) -> None:
    """An Altur call export of ``rows`` calls, oldest first (a retry in three).

    The one generator of the call-export benchmarks (bench_cli writes its file
    with its own ``mix``, ``prefix="+52"`` and ``bill_machines=False``, byte for
    byte the file it wrote before).
    """
    rng = random.Random(seed)
    statuses = [status for status, _ in mix]
    weights = [weight for _, weight in mix]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CALL_EXPORT_COLUMNS)
        numbers: list[str] = []
        for i in range(rows):
            if numbers and rng.random() < 0.33:
                number = rng.choice(numbers[-5000:])
            else:
                area = rng.choice(["55", "33", "81"])
                number = f"{prefix}{area}{rng.randrange(10_000_000, 100_000_000)}"
                numbers.append(number)
            status, answered = rng.choices(statuses, weights)[0]
            minute, second = divmod(i, 60)
            hour, minute = divmod(minute, 60)
            day, hour = divmod(hour, 10)
            created = f"2026-06-{1 + day % 28:02d}T{8 + hour:02d}:{minute:02d}:{second:02d}-06:00"
            duration = rng.randrange(5, 300) if status == "ended" else 0
            started = created if status == "ended" else ""
            ended = created if status == "ended" else ""
            billed = min(duration, 5) if bill_machines and answered == "machine" else duration // 60
            writer.writerow(
                [
                    "Payment Reminder",
                    "2026-06-01",
                    f"CA{i:032x}",
                    number,
                    f"Contacto {i % 9973}",
                    "outbound",
                    status,
                    answered,
                    created,
                    started,
                    ended,
                    f"{duration // 60:02d}:{duration % 60:02d}",
                    f"{billed:02d}:00",
                    f"https://recordings.example/{i}.mp3" if status == "ended" else "",
                ]
            )


# ------------------------------------------------------------------- contenders (in the child)


def _floor(path: str, region: str) -> int:
    from campaignkit.io import PhoneNormaliser

    normalise = PhoneNormaliser(region).normalise
    seen: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for line, row in enumerate(reader, 2):
            phone = normalise(row[0].strip())
            if phone is not None and phone not in seen:
                seen[phone] = line
    return len(seen)


def _stream(path: str, region: str) -> int:
    from campaignkit.io import Rejection, iter_contacts

    kept = 0
    with open(path, "rb") as f:
        for item in iter_contacts(f, region=region, max_bytes=None):
            if type(item) is not Rejection:
                kept += 1
    return kept


def _import(path: str, region: str) -> int:
    from campaignkit.io import import_contacts

    with open(path, "rb") as f:
        return len(import_contacts(f, region=region, max_bytes=None).contacts)


def _baseline(path: str, region: str) -> int:
    import phonenumbers

    kept = 0
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                number = phonenumbers.parse(row["contact"], region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                kept += 1
    return kept


def _report(path: str, region: str) -> int:
    from campaignkit import CampaignStats
    from campaignkit.dialects import altur
    from campaignkit.io import iter_call_export

    seen = 0

    def counted(calls: Iterator[Call]) -> Iterator[Call]:
        nonlocal seen
        for call in calls:
            seen += 1
            yield call

    with open(path, "rb") as f:
        CampaignStats.from_records(counted(iter_call_export(f, labels=altur.LABELS, region=region)))
    return seen


def _pandas(path: str, region: str) -> int:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    minutes = frame["duration"].str.split(":", n=1, expand=True).astype(int)
    frame["seconds"] = minutes[0] * 60 + minutes[1]
    frame["attempt"] = frame.groupby("number_to").cumcount() + 1
    counts = frame.groupby(["attempt", "status", "answered_by"]).size()
    by_status = frame.groupby("status")["seconds"].sum()
    return int(counts.sum()) + 0 * int(by_status.sum())


def _csv_floor(path: str, region: str) -> int:
    rows = 0
    with open(path, newline="", encoding="utf-8") as f:
        for _ in csv.reader(f):
            rows += 1
    return rows


CONTENDERS: dict[str, Callable[[str, str], int]] = {
    "floor": _floor,
    "stream": _stream,
    "import_contacts": _import,
    "baseline": _baseline,
    "report": _report,
    "pandas": _pandas,
    "csv.reader": _csv_floor,
}


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(name: str, path: str, region: str) -> None:
    run = CONTENDERS[name]
    # import what the contender needs before measuring the baseline memory
    import campaignkit.io

    if name == "pandas":
        import pandas  # noqa: F401
    if name == "report":
        import campaignkit.dialects.altur  # noqa: F401
    before = _rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    result = run(path, region)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": cpu, "wall": seconds, "peak_mb": peak - before, "result": result}))


# --------------------------------------------------------------------------- parent


def measure(name: str, path: Path, region: str, runs: int) -> list[dict[str, float]]:
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, __file__, "--child", name, str(path), region],
            check=True,
            capture_output=True,
            text=True,
        )
        out.append(json.loads(done.stdout))
    return out


def spread(values: list[float], fmt: str) -> str:
    middle = statistics.median(values)
    if len(values) == 1:
        return format(middle, fmt)
    return f"{format(middle, fmt)} ({format(min(values), fmt)}-{format(max(values), fmt)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 30k rows, one run")
    parser.add_argument("--full", action="store_true", help="10k and 1M rows (minutes)")
    parser.add_argument(
        "--streams-only", action="store_true", help="leave out import_contacts and the baseline"
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("NAME", "PATH", "REGION"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    small = 10_000
    large = 30_000 if args.quick else 1_000_000 if args.full else 100_000
    runs = 1 if args.quick else 3
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        print(f"contact import, {runs} run(s) each: median (min-max)\n")
        print("| input | rows | contender | CPU s | µs/row | wall s | peak MB over start |")
        print("|---|---:|---|---:|---:|---:|---:|")
        per_row: dict[tuple[str, str, int], float] = {}
        for market in ("mx", "us"):
            region = market.upper()
            for rows in (small, large):
                path = Path(tmp) / f"contacts-{market}-{rows}.csv"
                write_contacts(path, rows, market)
                names = ["floor", "stream"]
                if not args.streams_only:
                    names.append("import_contacts")
                    if rows == small:
                        names.append("baseline")
                for name in names:
                    got = measure(name, path, region, runs)
                    seconds = [g["seconds"] for g in got]
                    per_row[(market, name, rows)] = statistics.median(seconds) / rows
                    print(
                        f"| {market} | {rows:,} | {name} | {spread(seconds, '.3f')} "
                        f"| {statistics.median(seconds) / rows * 1e6:.2f} "
                        f"| {spread([g['wall'] for g in got], '.3f')} "
                        f"| {spread([g['peak_mb'] for g in got], '.0f')} |"
                    )
        print()
        for market in ("mx", "us"):
            floor = per_row[(market, "floor", large)]
            stream = per_row[(market, "stream", large)]
            linear = stream / per_row[(market, "stream", small)]
            met = stream / floor <= 2 and linear <= 1.15
            ok = ok and met
            print(
                f"{market}: stream / floor at {large:,} rows = {stream / floor:.2f}x "
                "(target <= 2); "
                f"per-row cost {large:,} vs {small:,} = {linear:.2f}x (target <= 1.15)"
            )
        print(f"\ncall-export report, {runs} run(s) each\n")
        print("| rows | contender | CPU s | µs/row | wall s | peak MB over start |")
        print("|---:|---|---:|---:|---:|---:|")
        report_rows: dict[tuple[str, int], float] = {}
        for rows in (small, large):
            path = Path(tmp) / f"calls-{rows}.csv"
            write_call_export(path, rows)
            for name in ("csv.reader", "pandas", "report"):
                got = measure(name, path, "MX", runs)
                seconds = [g["seconds"] for g in got]
                report_rows[(name, rows)] = statistics.median(seconds) / rows
                print(
                    f"| {rows:,} | {name} | {spread(seconds, '.3f')} "
                    f"| {statistics.median(seconds) / rows * 1e6:.2f} "
                    f"| {spread([g['wall'] for g in got], '.3f')} "
                    f"| {spread([g['peak_mb'] for g in got], '.0f')} |"
                )
        vs_pandas = report_rows[("report", large)] / report_rows[("pandas", large)]
        linear = report_rows[("report", large)] / report_rows[("report", small)]
        print(
            f"\nreport / pandas at {large:,} rows = {vs_pandas:.2f}x (target <= 1); "
            f"per-row cost {large:,} vs {small:,} = {linear:.2f}x (target <= 1.15)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
