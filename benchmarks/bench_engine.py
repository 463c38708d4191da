"""What the engine costs: events through CampaignRunner against the bare reducer, and
due-selection cost per selected call as the campaign grows.

Run:  python benchmarks/bench_engine.py            (10k, 100k and 1M contacts; about a minute)
      python benchmarks/bench_engine.py --quick    (10k and 100k, fewer events)

Events. The baseline is the bare reducer: `apply_call` on a dialling contact and an
ended `Call` built beforehand. The runner takes the same outcomes as webhooks
(`CallUpdate`, built beforehand too): it finds the call in flight, applies the carrier
report (`apply_call_report`), the reducer, updates the counts, the heap and the
outbox. A second runner row sends each call three reports (ringing, in-progress,
completed), and a third sends every terminal report twice (the duplicate is ignored).

Due selection. Two populations: every contact due when loaded (the common start of
a campaign), and contacts due at random times over the past day (retries spread
out); priorities are random. The runner is started and `due(now, limit=100)` is
called until 2,500 calls are selected, three windows, the best kept. The cost per
selected call includes taking the entry from the due queue, the admission step,
`dial` and the `Call` record kept in flight. The structural baseline pops a plain
`heapq` heap of the same packed int keys (what the runner kept before its calendar
queue). Target (issue 3): the cost per call at 1,000,000 contacts is within 1.5x of
its cost at 10,000.

Time policies (issue 4). The same due selection at 10,000 contacts (every contact
due when loaded) with the time policies plugged into the admission step, against
the runner without them in the same run: a schedule (Mon-Fri 09:00-18:00 Mexico
City, open), then a 09:00-20:00 contact window, then everything - schedule,
contact window, Round Robin over thirty caller lines (100 calls a day each) with
their daily counts, the US compliance presets with each contact's history and a
do-not-call set. A last row is the cost of a `due` call while the schedule is
closed (the halt makes it return at once, whatever the number of due contacts).
"""

from __future__ import annotations

import argparse
import gc
import heapq
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

from campaignkit import (
    AnsweredBy,
    Call,
    CallerLine,
    CallingWindow,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignRunner,
    CompliancePolicy,
    Contact,
    Priority,
    RetryPolicy,
    Schedule,
)
from campaignkit.engine import apply_call

NOW = datetime(2026, 6, 1, 16, tzinfo=UTC)
POLICY = RetryPolicy.exotel(2, interval_mins=15)
ENDINGS = [CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED]


def make_contacts(count: int, rng: random.Random) -> list[Contact]:
    priorities = list(Priority)
    return [
        Contact(
            id=f"c{i:07d}",
            phone=f"+5215{i:09d}",
            name="Juan Pérez",
            priority=priorities[rng.randrange(3)],
            next_attempt_at=NOW - timedelta(seconds=rng.randrange(86_400)),
        )
        for i in range(count)
    ]


def started_runner(contacts: list[Contact]) -> CampaignRunner:
    runner = CampaignRunner(Campaign(id="bench", name="Bench"), retry=POLICY)
    runner.add_contacts(contacts, now=NOW)
    runner.start(NOW)
    return runner


def best(run: Callable[[], int], repeat: int, setup: Callable[[], object] | None = None) -> float:
    """Best-of-``repeat`` seconds per item; ``run`` returns how many items it did."""
    result = float("inf")
    for _ in range(repeat):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        items = run()
        result = min(result, (time.perf_counter() - start) / items)
    return result


# --------------------------------------------------------------------------- events


def bench_events(count: int, repeat: int) -> list[tuple[str, float]]:
    rng = random.Random(1)
    contacts = make_contacts(count, rng)
    endings = [ENDINGS[rng.randrange(len(ENDINGS))] for _ in range(count)]
    at = NOW + timedelta(seconds=45)
    state: dict[str, object] = {}

    def setup() -> None:
        runner = started_runner(contacts)
        dials = runner.due(NOW)
        assert len(dials) == count
        state["runner"] = runner
        state["dials"] = dials

    # Bare reducer: the dialling contacts and their ended calls, built beforehand.
    setup()
    dials = state["dials"]
    assert isinstance(dials, list)
    pairs = [
        (
            d.contact,
            Call(
                id=f"CA{i}",
                contact_id=d.contact.id,
                to=d.contact.phone,
                attempt=d.attempt,
                status=status,
                answered_by=AnsweredBy.HUMAN if status is CallStatus.COMPLETED else None,
                duration=43 if status is CallStatus.COMPLETED else 0,
                updated_at=at,
            ),
        )
        for i, (d, status) in enumerate(zip(dials, endings, strict=True))
    ]

    def reducer() -> int:
        for contact, call in pairs:
            apply_call(contact, call, POLICY, now=at, campaign_id="bench")
        return count

    def updates(status_of: Callable[[int], list[CallStatus]]) -> list[CallUpdate]:
        events = []
        for i, (contact, _) in enumerate(pairs):
            for step, status in enumerate(status_of(i)):
                events.append(
                    CallUpdate(
                        contact_id=contact.id,
                        attempt=1,
                        status=status,
                        at=at + timedelta(seconds=step),
                        answered_by=AnsweredBy.HUMAN if status is CallStatus.COMPLETED else None,
                        duration=43 if status is CallStatus.COMPLETED else None,
                    )
                )
        return events

    final_only = updates(lambda i: [endings[i]])
    progress = updates(
        lambda i: (
            [CallStatus.RINGING, CallStatus.IN_PROGRESS, CallStatus.COMPLETED]
            if endings[i] is CallStatus.COMPLETED
            else [CallStatus.RINGING, endings[i]]
        )
    )
    doubled = [e for e in final_only for _ in (0, 1)]

    def through_runner(events: list[CallUpdate]) -> Callable[[], int]:
        def run() -> int:
            handle = state["runner"].handle  # type: ignore[attr-defined]
            for event in events:
                handle(event)
            return len(events)

        return run

    rows = [("bare reducer `apply_call` (baseline)", best(reducer, repeat))]
    rows.append(
        (
            "runner.handle: terminal report only",
            best(through_runner(final_only), repeat, setup),
        )
    )
    rows.append(
        (
            "runner.handle: ringing, in-progress, end (per report)",
            best(through_runner(progress), repeat, setup),
        )
    )
    rows.append(
        (
            "runner.handle: every terminal report twice (per report)",
            best(through_runner(doubled), repeat, setup),
        )
    )
    return rows


# --------------------------------------------------------------------------- due selection


def population(size: int, scattered: bool) -> list[Contact]:
    """Contacts due at random times over the past day, or all due when loaded."""
    rng = random.Random(size)
    if scattered:
        return make_contacts(size, rng)
    priorities = list(Priority)
    return [
        Contact(id=f"c{i:07d}", phone=f"+5215{i:09d}", priority=priorities[rng.randrange(3)])
        for i in range(size)
    ]


def bench_due(size: int, scattered: bool, selected: int) -> tuple[float, float, float]:
    """(seconds per selected call, plain-heap pop per call, seconds to build)."""
    contacts = population(size, scattered)
    start = time.perf_counter()
    runner = started_runner(contacts)
    built = time.perf_counter() - start
    best_call = float("inf")
    for _ in range(3):
        gc.collect()
        done = 0
        start = time.perf_counter()
        while done < selected:
            got = len(runner.due(NOW, limit=100))
            assert got, "the campaign ran out of due contacts: measure fewer calls"
            done += got
        best_call = min(best_call, (time.perf_counter() - start) / done)
    del runner
    gc.collect()
    # The structural baseline: one plain heap of the same packed int keys
    # (microseconds, priority rank, loading index), as a runner without buckets keeps.
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    heap = [
        ((c.next_attempt_at or NOW) - epoch) // timedelta(microseconds=1) << 34
        | c.priority.rank << 32
        | i
        for i, c in enumerate(contacts)
    ]
    del contacts
    heapq.heapify(heap)
    gc.collect()
    best_pop = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(selected):
            heapq.heappop(heap)
        best_pop = min(best_pop, (time.perf_counter() - start) / selected)
    return best_call, best_pop, built


# --------------------------------------------------------------------------- time policies

BUSINESS = Schedule.business_hours()  # Mon-Fri 09:00-18:00 America/Mexico_City; NOW is open
LOCAL = Schedule.business_hours(contact_windows=(CallingWindow(clock(9), clock(20)),))
FLEET = [CallerLine(id=f"L{i}", number=f"+5255000000{i:02d}") for i in range(30)]
US = CompliancePolicy.combine(
    CompliancePolicy.tcpa(), CompliancePolicy.regulation_f(), CompliancePolicy.florida()
)
TIMED: list[tuple[str, dict[str, Any]]] = [
    ("no time policies (baseline)", {}),
    ("schedule (campaign hours, open)", {"schedule": BUSINESS}),
    ("schedule + contact window", {"schedule": LOCAL}),
    (
        "schedule, window, 30 lines, US compliance, do-not-call",
        {
            "schedule": LOCAL,
            "lines": FLEET,
            "compliance": US,
            "do_not_call": frozenset({"+15550000000"}),
        },
    ),
]


def bench_timed(size: int, selected: int) -> list[tuple[str, float]]:
    """Seconds per selected call with each set of time policies, and per closed `due`."""
    contacts = population(size, scattered=False)
    rows = []
    for label, options in TIMED:
        best_call = float("inf")
        for _ in range(3):
            runner = CampaignRunner(Campaign(id="bench", name="Bench"), retry=POLICY, **options)
            runner.add_contacts(contacts, now=NOW)
            runner.start(NOW)
            gc.collect()
            done = 0
            start = time.perf_counter()
            while done < selected:
                got = len(runner.due(NOW, limit=100))
                assert got, "the campaign ran out of due contacts"
                done += got
            best_call = min(best_call, (time.perf_counter() - start) / done)
        rows.append((label, best_call))
    closed = NOW.replace(hour=4)  # 22:00 on Sunday in Mexico City
    runner = CampaignRunner(Campaign(id="bench", name="Bench"), retry=POLICY, schedule=BUSINESS)
    runner.add_contacts(contacts, now=closed)
    runner.start(closed)
    assert runner.due(closed) == []
    assert runner.blocked
    rounds = 20_000
    start = time.perf_counter()
    for _ in range(rounds):
        runner.due(closed)
    rows.append(
        (
            "`due` while the schedule is closed (per call of due)",
            (time.perf_counter() - start) / rounds,
        )
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts for a fast look")
    args = parser.parse_args(argv)
    events = 5_000 if args.quick else 50_000
    repeat = 3 if args.quick else 5
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    selected = 2_500  # per window; three windows, the best kept

    print(f"Python {sys.version.split()[0]}; retry policy: {POLICY.name}, 2 retries")
    print()
    rows = bench_events(events, repeat)
    base = rows[0][1]
    print(f"{f'per event ({events:,} calls, best of {repeat})':<58}{'ns':>10}{'x bare':>9}")
    for label, seconds in rows:
        print(f"{label:<58}{seconds * 1e9:>10,.0f}{seconds / base:>9.2f}")
    print(f"events per second through the runner: {1 / rows[1][1]:,.0f} (terminal reports)")

    verdicts = []
    for scattered in (False, True):
        print()
        kind = "due at random times over a day" if scattered else "all due when loaded"
        header = f"due selection, {kind}"
        print(
            f"{header:<42}{'us/call':>9}{'x 10k':>7}{'heap pop ns':>13}{'x 10k':>7}{'build s':>9}"
        )
        results = []
        for size in sizes:
            per_call, pop, built = bench_due(size, scattered, selected)
            results.append((size, per_call, pop))
            first_call, first_pop = results[0][1], results[0][2]
            print(
                f"{f'{size:,} contacts':<42}{per_call * 1e6:>9.2f}{per_call / first_call:>7.2f}"
                f"{pop * 1e9:>13,.0f}{pop / first_pop:>7.2f}{built:>9.1f}"
            )
        ratio = results[-1][1] / results[0][1]
        verdicts.append((kind, results[-1][0], ratio))
    print()
    size = sizes[0]
    rows = bench_timed(size, selected)
    base = rows[0][1]
    print(
        f"{f'due selection with time policies ({size:,} contacts)':<58}{'us/call':>10}{'x none':>9}"
    )
    for label, seconds in rows:
        print(f"{label:<58}{seconds * 1e6:>10.2f}{seconds / base:>9.2f}")
    print()
    for kind, size, ratio in verdicts:
        verdict = "MET" if ratio <= 1.5 else "MISSED"
        print(
            f"target ({kind}): cost per call at {size:,} <= 1.5x 10,000 -> {verdict} ({ratio:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
