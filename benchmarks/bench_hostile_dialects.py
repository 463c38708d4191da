"""Hostile inputs to the dialect readers: does work grow linearly with the input?

Run:  python benchmarks/bench_hostile_dialects.py           (the 1x inputs as below)
      python benchmarks/bench_hostile_dialects.py --quick   (1x inputs a quarter the size)

Issue 14 found readers whose work grew faster than their input: itellico's tag
splitting backtracked over long runs of spaces (40 KB: 8-11 s), an Exotel
price like ``"1e999999999"`` built a billion-digit integer, and deep JSON
nesting reached the recursion limit. Each case here reads a worst-shaped
input at 1x and at 10x its size; the 10x run must cost at most 15x the 1x
run. Each figure is the best of 3 runs with the garbage collector paused (as
`timeit` does); the table prints both times and the ratio. The 10x inputs stay
under the 5 MB default size limit, so they are read, not refused by size.
Nothing in the test suite asserts on time: the figures are recorded in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import time
from collections.abc import Callable

from campaignkit.dialects import exotel, itellico, thinkrr, twilio
from campaignkit.errors import CampaignkitError

CDR = {
    "call_sid": "a1b2c3d4e5f6",
    "to": "+919876543210",
    "from": "0XXXXXX4890",
    "status": "completed",
    "start_time": "2024-02-01T10:05:32+05:30",
    "duration": 43,
    "attempt_number": 1,
    "price": 2,
}


def itellico_tag_cell(size: int) -> str:
    """One contact whose Tags cell is a long run of spaces between two tags."""
    cell = "a" + " " * size + ",b"
    return f'Name,Phone Number,Tags\nAna,+525555551234,"{cell}"\n'


def itellico_big_header(size: int) -> str:
    """A header of ``size // 10`` attribute columns (the duplicate check must stay linear)."""
    names = [f"attribute {i:07d}" for i in range(size // 10)]
    return ",".join(["Name", "Phone Number", *names]) + "\nAna,+525555551234\n"


def itellico_json_keys(size: int) -> str:
    """JSON records that together carry ``size // 20`` distinct keys (collected linearly)."""
    records = [{"Phone Number": f"+5255555{i:05d}", f"key {i:08d}": "x"} for i in range(size // 40)]
    return json.dumps(records)


def exotel_prices(size: int) -> str:
    """CDRs whose prices are huge exponents: each is refused before any int() is built."""
    count = size // 120
    return json.dumps([{**CDR, "call_sid": f"s{i}", "price": "1e999999999"} for i in range(count)])


def exotel_huge_counts(size: int) -> str:
    """One CDR whose duration is a JSON integer literal ``size`` digits long."""
    return json.dumps([CDR]).replace('"duration": 43', '"duration": ' + "9" * size)


def exotel_deep(size: int) -> str:
    """Nested arrays ``size // 2`` deep: refused by the depth scan, not the recursion limit."""
    return "[" * (size // 2) + "]" * (size // 2)


def exotel_strings_with_brackets(size: int) -> str:
    """A valid page whose recording URLs are full of brackets and escaped quotes."""
    url = '[{\\"' * 20
    count = size // 250
    records = [{**CDR, "call_sid": f"s{i}", "recording_url": url} for i in range(count)]
    return json.dumps({"response": records}).replace('\\\\\\"', '\\"')


def thinkrr_rows(size: int) -> str:
    """A call log of ``size // 60`` rows, a third of them with bad timestamps."""
    lines = ["id,phone,outcome,duration,timestamp"]
    for i in range(size // 60):
        stamp = "yesterday" if i % 3 == 0 else "2024-02-01 10:00:00"
        lines.append(f"c{i},+14155550100,Completed,01:05,{stamp}")
    return "\n".join(lines) + "\n"


def twilio_spaces(size: int) -> str:
    """A console CSV whose Status cell is a long run of spaces (rejected by name)."""
    pad = " " * size
    return f"Call Sid,To,Status\nCA1,+14155550100,{pad}completed{pad}\n"


CASES: list[tuple[str, Callable[[int], str], Callable[[str], object], int]] = [
    ("itellico long tag cell", itellico_tag_cell, itellico.parse_contact_export, 40_000),
    ("itellico big header", itellico_big_header, itellico.parse_contact_export, 100_000),
    ("itellico JSON keys", itellico_json_keys, itellico.parse_contact_export, 200_000),
    ("exotel price 1e999999999", exotel_prices, exotel.read_cdrs, 120_000),
    ("exotel huge JSON integer", exotel_huge_counts, exotel.read_cdrs, 50_000),
    ("exotel deep nesting", exotel_deep, exotel.read_cdrs, 400_000),
    ("exotel brackets in strings", exotel_strings_with_brackets, exotel.read_cdrs, 250_000),
    ("thinkrr bad timestamps", thinkrr_rows, thinkrr.read_call_log, 120_000),
    ("twilio space-padded cell", twilio_spaces, twilio.read_call_log, 200_000),
]


def best_of(read: Callable[[str], object], text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        gc.disable()  # as timeit does: the collector's passes over every live object are
        try:  # not the reader's work, and they grow with the heap, not with the input
            started = time.perf_counter()
            with contextlib.suppress(CampaignkitError):  # a typed refusal is a valid outcome
                read(text)
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1x inputs a quarter the size")
    args = parser.parse_args(argv)
    scale = 4 if args.quick else 1
    print(f"{'case':<30} {'1x size':>10} {'1x ms':>9} {'10x ms':>9} {'ratio':>7}")
    worst = 0.0
    for name, make, read, size in CASES:
        small, large = make(size // scale), make(10 * size // scale)
        one, ten = best_of(read, small), best_of(read, large)
        ratio = ten / one if one else float("inf")
        worst = max(worst, ratio)
        print(f"{name:<30} {len(small):>10,} {one * 1e3:>9.2f} {ten * 1e3:>9.2f} {ratio:>6.1f}x")
    print(f"worst ratio {worst:.1f}x (target: at most 15x)")
    return 0 if worst <= 15 else 1


if __name__ == "__main__":
    sys.exit(main())
