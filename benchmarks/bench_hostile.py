"""Hostile input at 1x and 10x size: every parser's cost must grow linearly (issue 14).

Run:  python benchmarks/bench_hostile.py            (3 runs per size)
      python benchmarks/bench_hostile.py --quick    (1 run)
      python benchmarks/bench_hostile.py --only json  (cases whose name contains "json")

Each case builds the worst shape found for one parser (a header of repeated
names, a JSON object with many keys, a cell far over the cell limit...) at a
base size and at ten times that size, and times the parser on both. A linear
parser costs about 10x on the larger input; the target is at most 15x
(issue 14: "every 10x input must cost at most 15x"). The table prints the
ratio of the medians and its spread (the lowest and highest ratio over the
runs, pairing runs in order). The parser may return or raise a typed error -
both are timed; anything else fails the case.

`CASES` is a plain list: other areas append their own (``CASES.append(Case(...))``
in this file, e.g. the dialects' readers) and get the same table.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench_hostile_dialects import CASES as DIALECT_CASES
from campaignkit import CampaignkitError, Contact
from campaignkit.io import (
    CELL_LIMIT,
    export_contacts,
    import_contacts,
    iter_call_export,
    read_call_export,
    read_contact_export,
)


@dataclass(frozen=True)
class Case:
    """One parser on one worst shape: ``make(scale)`` builds the input, ``run`` parses it."""

    name: str
    make: Callable[[int], Any]
    run: Callable[[Any], object]
    base: int
    """The 1x scale handed to ``make`` (10x is ``10 * base``)."""


def _header_duplicates(n: int) -> str:
    # issue 14 item 7: 40k names twice is ~660 KiB (10x); each name repeated
    names = [f"column{i}" for i in range(n)]
    return ",".join(["contact", "name", "context", *names, *names]) + "\n"


def _json_keys(n: int) -> str:
    # issue 14 item 9: one record with n distinct keys, another with them too
    record = {
        "contact": "+525555551234",
        "name": "J",
        "context": "",
        **{f"k{i}": "v" for i in range(n)},
    }
    other = dict(record, contact="+14155552671")
    return json.dumps([record, other])


def _huge_counts(n: int) -> str:
    # issue 14 item 1: every row's count is 5,000 digits (rejected row by row)
    rows = [f"+52555{i:07d},N,c,{'9' * 5000}" for i in range(n)]
    return "contact,name,context,retries\n" + "\n".join(rows) + "\n"


def _big_cell(n: int) -> str:
    # issue 14 item 13: one cell of n KiB between two good rows (over the 128 KiB limit)
    return (
        "contact,name,context\n+525555551234,a,b\n"
        f"+14155552671,{'x' * (n * 1024)},b\n+919876543210,c,d\n"
    )


def _one_line(n: int) -> io.BytesIO:
    # a file object holding one line of n KiB, no line break: chunks are joined once
    return io.BytesIO(b"contact,name,context," + b"y" * (n * 1024))


def _cr_only(n: int) -> str:
    # issue 14 item 13: a semicolon file with bare CR line endings
    rows = "".join(f"+52555{i:07d};Nombre {i};ctx\r" for i in range(n))
    return "contact;name;context\r" + rows


def _space_runs(n: int) -> str:
    # issue 14 item 12: cells of long runs of spaces before a formula trigger
    cell = " " * 2000 + "=1+1"
    rows = "".join(f"+52555{i:07d},{cell},{cell}\n" for i in range(n))
    return "contact,name,context\n" + rows


def _surrogates(n: int) -> str:
    # issue 14 item 6: records whose names are lone surrogates, as JSON escapes
    records = [
        {"contact": f"+52555{i:07d}", "name": "\ud800" * 50, "context": ""} for i in range(n)
    ]
    return json.dumps(records)


def _deep(n: int) -> str:
    # JSON nested n deep: refused as MalformedInput, never a RecursionError
    return "[" * n + "]" * n


def _calls_reversed(n: int) -> str:
    # calls to few numbers, newest first: every number is renumbered by created_at
    rows = []
    for i in range(n, 0, -1):
        minute, second = divmod(i, 60)
        hour, minute = divmod(minute, 60)
        at = f"2026-06-{1 + hour // 10:02d}T{8 + hour % 10:02d}:{minute:02d}:{second:02d}"
        rows.append(f"CA{i},+52555555{i % 50:04d},completed,{at},00:{i % 60:02d}\n")
    return "id,number_to,status,created_at,duration\n" + "".join(rows)


def _edge_dates(n: int) -> str:
    # issue 14 item 2: calendar-edge dates in every row of a contact export
    rows = "".join(f"+52555{i:07d},N,c,9999-12-31T23:59:59\n" for i in range(n))
    return "contact,name,context,last_update\n" + rows


def _quoted_writer(n: int) -> list[Contact]:
    # issue 14 items 11-12: names and attribute names that need quoting and neutralising
    return [
        Contact(
            id=str(i),
            phone=f"+52555{i:07d}",
            name=f"x;=cmd|' /C calc'!A{i}, \"q\"",
            attributes={f"=HYPERLINK({i % 20})": "a,b;c"},
        )
        for i in range(n)
    ]


def _unlimited(text: Any) -> object:
    return import_contacts(text, max_bytes=None)


CASES: list[Case] = [
    Case("io: duplicate header names (import_contacts)", _header_duplicates, _unlimited, 4_000),
    Case("io: JSON keys (read_contact_export)", _json_keys, read_contact_export, 4_000),
    Case("io: 5,000-digit counts (read_contact_export)", _huge_counts, read_contact_export, 300),
    Case("io: cell over the limit (import_contacts)", _big_cell, _unlimited, CELL_LIMIT // 512),
    Case("io: one long line from a file (import_contacts)", _one_line, _unlimited, 1_000),
    Case("io: CR-only semicolon file (import_contacts)", _cr_only, _unlimited, 2_000),
    Case("io: runs of spaces before '=' (import_contacts)", _space_runs, _unlimited, 200),
    Case(
        "io: lone surrogates in JSON (read_contact_export)", _surrogates, read_contact_export, 500
    ),
    Case("io: deep JSON nesting (read_call_export)", _deep, read_call_export, 10_000),
    Case("io: calls newest first (read_call_export)", _calls_reversed, read_call_export, 2_000),
    Case(
        "io: calls newest first (iter_call_export)",
        _calls_reversed,
        lambda text: list(iter_call_export(text)),
        2_000,
    ),
    Case("io: calendar-edge dates (read_contact_export)", _edge_dates, read_contact_export, 1_000),
    Case(
        "io: cells to quote and neutralise (export_contacts)",
        _quoted_writer,
        lambda cs: export_contacts(cs, extended=True),
        300,
    ),
]


# The dialects' readers on their worst shapes (itellico long tag cell and big header,
# Exotel prices like 1e999999999, deep JSON, thinkrr bad timestamps...): built by
# bench_hostile_dialects.py, which also runs them alone.
CASES.extend(Case(f"dialects: {n}", make, run, base) for n, make, run, base in DIALECT_CASES)


def timed(case: Case, data: Any) -> float:
    gc.collect()
    start = time.perf_counter()
    with contextlib.suppress(CampaignkitError):  # a typed refusal is a result too
        case.run(data)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per size")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else 3
    print(f"{runs} run(s) per size; ratio = median 10x / median 1x (spread over runs)\n")
    print("| case | 1x s | 10x s | 10x / 1x | target |")
    print("|---|---:|---:|---:|---|")
    ok = True
    for case in CASES:
        if args.only not in case.name:
            continue
        small, large = [], []
        for _ in range(runs):
            # file objects are consumed: build the input afresh for every run
            small.append(timed(case, case.make(case.base)))
            large.append(timed(case, case.make(10 * case.base)))
        ratio = statistics.median(large) / statistics.median(small)
        ratios = [b / a for a, b in zip(small, large, strict=True)]
        met = ratio <= 15
        ok = ok and met
        spread = f" ({min(ratios):.1f}-{max(ratios):.1f})" if runs > 1 else ""
        print(
            f"| {case.name} | {statistics.median(small):.4f} | {statistics.median(large):.4f} "
            f"| {ratio:.1f}{spread} | <= 15 {'met' if met else 'MISSED'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
