"""What the time policies cost per question, against a bare wall-clock window check.

Run:  python benchmarks/bench_time.py            (full: 20,000 calls per row, best of 5)
      python benchmarks/bench_time.py --quick    (2,000 calls per row, best of 3)

The engine asks `admit` once per due contact, so its cost bounds how many
contacts a runner can admit per second. The baseline is the least any window
check can do: convert ``now`` to the zone and compare the local time with a
start and an end (``start <= now.astimezone(zone).time() < end``). Every row
prints its cost per call and its ratio to that baseline, measured in the same
run. There is no target in the issue; the figures are recorded in
benchmarks/README.md under "time".
"""

from __future__ import annotations

import argparse
import random
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaignkit import (
    CallerLine,
    CallingWindow,
    CompliancePolicy,
    Contact,
    Outcome,
    RotationPolicy,
    Schedule,
)
from campaignkit.policies import Attempt, RotationStrategy, admit

MX = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=MX).astimezone(UTC)  # Monday 10:00, open
EARLY = NOW - timedelta(hours=5)  # 05:00: closed everywhere
MIAMI = Contact(id="fl-1", phone="+13055550123")
SCHEDULE = Schedule.business_hours(contact_windows=(CallingWindow(time(9), time(20)),))
US = CompliancePolicy.combine(
    CompliancePolicy.tcpa(), CompliancePolicy.florida(), CompliancePolicy.regulation_f()
)
LINES = [CallerLine(id=f"L{i}", number=f"+5255000000{i:02d}", weight=i + 1) for i in range(3)]
HISTORY = [Attempt(NOW - timedelta(days=k), Outcome.NO_ANSWER) for k in range(1, 4)]
RNG = random.Random(7)
WEIGHTED = RotationPolicy(strategy=RotationStrategy.WEIGHTED)


def baseline() -> object:
    return time(9) <= NOW.astimezone(MX).time() < time(18)


ROWS: list[tuple[str, Callable[[], object]]] = [
    ("bare window check (baseline)", baseline),
    ("Schedule.is_open", lambda: SCHEDULE.is_open(NOW)),
    ("Schedule.next_opening, closed (05:00 -> 09:00)", lambda: SCHEDULE.next_opening(EARLY)),
    (
        "Schedule.is_open_for (campaign + contact zone)",
        lambda: SCHEDULE.is_open_for(MIAMI.phone, NOW),
    ),
    ("CompliancePolicy.check, US presets, 3 attempts", lambda: US.check(MIAMI, NOW, HISTORY)),
    ("RotationPolicy.select, weighted, 3 lines", lambda: WEIGHTED.select(LINES, NOW, rng=RNG)),
    ("admit, default policies", lambda: admit(MIAMI, NOW)),
    (
        "admit, all policies, allowed",
        lambda: admit(MIAMI, NOW, schedule=SCHEDULE, compliance=US, lines=LINES, history=HISTORY),
    ),
    (
        "admit, all policies, refused (+ retry time)",
        lambda: admit(MIAMI, EARLY, schedule=SCHEDULE, compliance=US, lines=LINES, history=HISTORY),
    ),
]


def best(run: Callable[[], object], number: int, repeat: int) -> float:
    """Best-of-``repeat`` seconds per call."""
    fastest = float("inf")
    for _ in range(repeat):
        start = clock.perf_counter()
        for _ in range(number):
            run()
        fastest = min(fastest, clock.perf_counter() - start)
    return fastest / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls, fewer repeats")
    args = parser.parse_args()
    number, repeat = (2_000, 3) if args.quick else (20_000, 5)
    assert admit(MIAMI, NOW, schedule=SCHEDULE, compliance=US, lines=LINES, history=HISTORY)
    assert not admit(MIAMI, EARLY, schedule=SCHEDULE, compliance=US, lines=LINES, history=HISTORY)
    results = [(name, best(run, number, repeat)) for name, run in ROWS]
    unit = results[0][1]
    print(f"| per call ({number:,} calls, best of {repeat}) | ns | x baseline |")
    print("|---|---:|---:|")
    for name, seconds in results:
        print(f"| {name} | {seconds * 1e9:,.0f} | {seconds / unit:,.1f} |")


if __name__ == "__main__":
    main()
