"""The command line end to end: `campaignkit import` and `campaignkit report` on files of
10,000 and 1,000,000 rows, wall time and peak memory of the whole process (issue 15 item 1).

Each run is a fresh ``python -m campaignkit`` process, so the figures include start-up;
peak memory is the child's maximum resident set size (``os.wait4``). Output goes to
/dev/null (no progress bar: standard error is not a terminal).

    python benchmarks/bench_cli.py              # 10k and 1M rows, 3 runs of 10k, 1 of 1M
    python benchmarks/bench_cli.py --quick      # 10k and 100k rows
    python benchmarks/bench_cli.py --runs 3     # 3 runs of every size
    python benchmarks/bench_cli.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_import  # the call-export generator (one home for both benchmarks)


def write_contacts(path: Path, rows: int, seed: int = 15) -> None:
    """A seed-004 upload file: Mexican national numbers typed as people type them,
    ~1% invalid and ~1% duplicate rows."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["contact", "name", "context", "id"])
        previous = "55 1234 5678"
        for i in range(rows):
            roll = rng.random()
            if roll < 0.01:
                phone = "12345"
            elif roll < 0.02:
                phone = previous
            else:
                area = rng.choice(["55", "33", "81"])
                rest = rng.randrange(10_000_000, 100_000_000)
                phone = previous = rng.choice(
                    [f"{area} {rest // 10_000} {rest % 10_000:04d}", f"({area}) {rest}"]
                )
            name = f"{rng.choice(['José', 'María', 'Ana', 'Zoë'])} {rng.choice(['Pérez', 'Núñez'])}"
            writer.writerow([phone, f"{name} {i}", f"Saldo: ${rng.randrange(100, 5000):,}", i])


def write_call_export(path: Path, rows: int, seed: int = 15) -> None:
    """An Altur call export, oldest first, a retry in three (bench_import's generator
    with this benchmark's mix)."""
    bench_import.write_call_export(
        path,
        rows,
        seed,
        mix=(
            (("ended", "human"), 45),
            (("ended", "machine"), 25),
            (("no-answer", ""), 22),
            (("busy", ""), 8),
        ),
        prefix="+52",
        bill_machines=False,
    )


# The library alone on the same file: stream the rows, keep nothing (what `import` adds
# on top is writing the clean file and the report).
LIBRARY_IMPORT = (
    "import sys; from campaignkit.io import iter_contacts; "
    "source = open(sys.argv[1], 'rb'); "
    "print(sum(1 for _ in iter_contacts(source, max_bytes=None)))"
)


# pandas doing the report's figures on the same file (issue 15 item 1's baseline): the
# call-level counts (by attempt, status and answered-by; by duration; by UTC quarter
# hour), each contact's number of calls and last attempt's outcome, and the retry table
# in contacts (the first attempt that reached each contact). No phone normalisation or
# row validation: pandas takes the cells as they are, which flatters it.
PANDAS_REPORT = """
import sys
import pandas as pd

frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
minutes = frame["duration"].str.split(":", n=1, expand=True).astype(int)
frame["seconds"] = minutes[0] * 60 + minutes[1]
created = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
frame["block"] = created.dt.floor("15min")
frame["attempt"] = frame.groupby("number_to").cumcount() + 1
keys = ["status", "answered_by"]
by_attempt = frame.groupby(["attempt", *keys]).size()
by_duration = frame.groupby(["seconds", *keys]).size()
by_block = frame.groupby(["block", *keys]).size()
frame["connected"] = frame["status"].eq("ended")
last = frame.groupby("number_to").agg(
    calls=("attempt", "size"), status=("status", "last"), answered_by=("answered_by", "last")
)
by_contact = last.groupby(["calls", *keys]).size()
reached = frame[frame["connected"]].groupby("number_to")["attempt"].min()
tried = frame.groupby("number_to")["attempt"].max()
retry = reached.value_counts().sort_index()
figures = (by_attempt, by_duration, by_block, by_contact, retry, tried)
print(sum(len(f) for f in figures))
"""


def run(argv: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + system), peak RSS in MB and the exit code of
    ``python -m campaignkit argv`` (or ``python -c ...`` when ``argv`` starts with -c)."""
    started = time.perf_counter()
    command = (
        [sys.executable, *argv] if argv[0] == "-c" else [sys.executable, "-m", "campaignkit", *argv]
    )
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, child.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k rows")
    parser.add_argument("--runs", type=int, default=0, help="runs of every size")
    parser.add_argument("--sizes", type=int, nargs="+", help="row counts (default 10k and 1M)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=("library", "import", "report", "pandas"),
        help="run only these jobs (default all; pandas needs the bench extra)",
    )
    args = parser.parse_args(argv)
    sizes = tuple(args.sizes or ((10_000, 100_000) if args.quick else (10_000, 1_000_000)))
    # CPU time is the figure to compare: the machine is shared, so wall time varies
    # with the load; start-up (a bare `--version`) is subtracted for per-row costs.
    start_up = min(run(["--version"])[1] for _ in range(3))
    print(f"start-up (campaignkit --version): {start_up:.2f} s CPU")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        print(
            "| command | rows | MB | runs | CPU s median (min-max) | wall s (min) | µs/row"
            " | peak RSS MB |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        per_row: dict[str, list[float]] = {}
        cpu_of: dict[str, dict[int, float]] = {}
        for rows in sizes:
            contacts, calls = root / f"contacts-{rows}.csv", root / f"calls-{rows}.csv"
            write_contacts(contacts, rows)
            write_call_export(calls, rows)
            jobs = {
                "iter_contacts (library only)": (contacts, ["-c", LIBRARY_IMPORT, str(contacts)]),
                "import": (
                    contacts,
                    ["import", str(contacts), "-o", str(root / "clean.csv"), "--format", "json"],
                ),
                "report altur": (
                    calls,
                    ["report", str(calls), "--dialect", "altur", "--format", "json"],
                ),
                "pandas, same figures": (calls, ["-c", PANDAS_REPORT, str(calls)]),
            }
            short = dict(zip(jobs, ("library", "import", "report", "pandas"), strict=True))
            if args.only:
                jobs = {k: v for k, v in jobs.items() if short[k] in args.only}
            runs = args.runs or (3 if rows <= 100_000 else 1)
            for name, (path, command) in jobs.items():
                if command[0] != "-c":
                    command = [*command, "--max-bytes", "none"]
                results = [run(command) for _ in range(runs)]
                if any(r[3] != 0 for r in results):
                    print(f"{name} on {rows:,} rows failed", file=sys.stderr)
                    return 1
                cpus = sorted(r[1] for r in results)
                cpu_of.setdefault(name, {})[rows] = statistics.median(cpus)
                wall = min(r[0] for r in results)
                peak = max(r[2] for r in results)
                middle = statistics.median(cpus)
                micro = max(middle - start_up, 0.0) / rows * 1e6
                per_row.setdefault(name, []).append(micro)
                size = path.stat().st_size / 1e6
                print(
                    f"| {name} | {rows:,} | {size:.0f} | {runs} | {middle:.2f}"
                    f" ({cpus[0]:.2f}-{cpus[-1]:.2f}) | {wall:.2f} | {micro:.1f} | {peak:.0f} |"
                )
        for name, values in per_row.items():
            ratio = values[-1] / values[0] if values[0] else float("nan")
            print(f"{name}: per-row CPU at {sizes[-1]:,} rows / at {sizes[0]:,} rows = {ratio:.2f}")
        if "report altur" in cpu_of and "pandas, same figures" in cpu_of:
            for rows in sizes:
                mine, theirs = cpu_of["report altur"][rows], cpu_of["pandas, same figures"][rows]
                print(
                    f"report / pandas at {rows:,} rows: {mine / theirs:.2f}x CPU "
                    f"(medians {mine:.2f} / {theirs:.2f} s, start-up included; target <= 1)"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
