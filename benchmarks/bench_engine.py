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
from campaignkit.engine import Dial, apply_call

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


def report_ends(runner: CampaignRunner, dials: list[Dial], now: datetime) -> None:
    """Each dial's terminal webhook, as a carrier sends it (call id, start and end
    times); busy and no-answer go back into the due queue as retries."""
    end = now + timedelta(seconds=30)
    for placed in dials:
        contact = placed.contact
        status = _ending(int(contact.id[1:]), placed.attempt)
        human = status is CallStatus.COMPLETED
        runner.handle(
            CallUpdate(
                contact_id=contact.id,
                attempt=placed.attempt,
                status=status,
                at=end,
                answered_by=AnsweredBy.HUMAN if human else None,
                duration=25 if human else 0,
                call_id=f"CA{contact.id}{placed.attempt}",
                started_at=now + timedelta(seconds=5) if human else None,
                ended_at=end,
            )
        )


def bench_due(
    sizes: list[int], scattered: bool, selected: int
) -> list[tuple[int, float, float, float]]:
    """Per size: (seconds per selected call, plain-heap pop per call, seconds to build).

    Every size's runner is built first, then the windows take turns between the sizes
    in one process (so a busy moment of the machine hits every size alike). After each
    `due` the dials' terminal webhooks are applied (untimed): retries go back into the
    queue between the timed calls, as in a running campaign."""
    runners: dict[int, CampaignRunner] = {}
    built: dict[int, float] = {}
    for size in sizes:
        contacts = population(size, scattered)
        start = time.perf_counter()
        runners[size] = started_runner(contacts)
        built[size] = time.perf_counter() - start
    del contacts
    best_call = dict.fromkeys(sizes, float("inf"))
    for _ in range(3):
        for size in sizes:
            runner = runners[size]
            gc.collect()
            done, spent = 0, 0.0
            while done < selected:
                start = time.perf_counter()
                dials = runner.due(NOW, limit=100)
                spent += time.perf_counter() - start
                assert dials, "the campaign ran out of due contacts: measure fewer calls"
                done += len(dials)
                report_ends(runner, dials, NOW)
                runner.drain()
            best_call[size] = min(best_call[size], spent / done)
    runners.clear()
    gc.collect()
    results = []
    for size in sizes:
        # The structural baseline: one plain heap of the same packed int keys
        # (microseconds, priority rank, loading index), as a runner without buckets keeps.
        contacts = population(size, scattered)
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
        results.append((size, best_call[size], best_pop, built[size]))
    return results


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


# --------------------------------------------------------------------------- whole campaign

# Outcomes by a hash of (contact, attempt): a quarter each of completed (a person),
# busy, no-answer (both retried, 15 minutes later) and failed.
CAMPAIGN_BATCH = 1_000  # dials per round; the clock moves 1 s per round


def _ending(index: int, attempt: int) -> CallStatus:
    return ENDINGS[(index * 7 + attempt * 3) % len(ENDINGS)]


class GCWatch:
    """Garbage-collector pauses, through `gc.callbacks`: count, longest and total, in
    CPU time of this thread (on a shared machine wall time also counts the waits for a
    core; the longest wall-clock pause is shown beside it)."""

    def __init__(self) -> None:
        self.started = (0.0, 0.0)
        self.pauses: list[tuple[int, float]] = []
        self.walls: list[float] = []

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = (time.thread_time(), time.perf_counter())
        else:
            cpu, wall = self.started
            self.pauses.append((info["generation"], time.thread_time() - cpu))
            self.walls.append(time.perf_counter() - wall)

    def __enter__(self) -> GCWatch:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)

    def summary(self) -> str:
        full = [p for g, p in self.pauses if g == 2]
        longest = max((p for _, p in self.pauses), default=0.0)
        total = sum(p for _, p in self.pauses)
        wall = max(self.walls, default=0.0)
        return (
            f"{len(self.pauses)} collections ({len(full)} full), longest "
            f"{longest * 1e3:.0f} ms CPU ({wall * 1e3:.0f} ms wall), total {total:.2f} s CPU"
        )

    @property
    def longest(self) -> float:
        return max((p for _, p in self.pauses), default=0.0)


def floor_campaign(size: int) -> int:
    """The same campaign in plain Python: a list per contact, one heap of due times,
    a dict of calls in flight, the counts and an outbox of tuples. Returns attempts."""
    rows = [["queued", 0, 0, f"c{i:07d}"] for i in range(size)]  # status, attempts, retries, id
    heap = [(0, i) for i in range(size)]
    calls: dict[str, int] = {}
    counts = {"pending": size, "in_progress": 0, "completed": 0, "failed": 0}
    outbox: list[tuple[str, str, int]] = []
    clock, attempts, wait = 0, 0, 900
    while heap:
        placed = []
        while heap and heap[0][0] <= clock and len(placed) < CAMPAIGN_BATCH:
            _, i = heapq.heappop(heap)
            row = rows[i]
            row[0], row[1] = "dialing", row[1] + 1
            calls[row[3]] = i
            counts["pending"] -= 1
            counts["in_progress"] += 1
            placed.append(i)
        attempts += len(placed)
        for i in placed:  # ringing, then the end
            row = rows[i]
            row[0] = "ringing"
            status = _ending(i, row[1])
            del calls[row[3]]
            counts["in_progress"] -= 1
            if (status is CallStatus.BUSY or status is CallStatus.NO_ANSWER) and row[2] < 2:
                row[0], row[2] = "retrying", row[2] + 1
                heapq.heappush(heap, (clock + wait, i))
                counts["pending"] += 1
                outbox.append(("status", row[3], row[1]))
                continue
            row[0] = "answered" if status is CallStatus.COMPLETED else "failed"
            counts["completed" if status is CallStatus.COMPLETED else "failed"] += 1
            outbox.append(("status", row[3], row[1]))
            outbox.append(("final", row[3], row[1]))
        outbox.clear()  # delivered
        clock = clock + 1 if not heap or heap[0][0] <= clock + 1 else heap[0][0]
    return attempts


CONTENDERS = ("floor", "minimal", "real", "ringing")


def runner_campaign(runner: CampaignRunner, webhooks: str, freeze: bool = False) -> int:
    """Drive ``runner`` to the end: each round's dials, then their webhooks - "minimal":
    the terminal report alone (status, time, answerer, duration); "real": the same
    report carrying the carrier's call id and ``started_at``/``ended_at`` as well;
    "ringing": a ringing report (with the call id) before the real one. ``freeze``: call
    `gc.freeze()` after every round, as a service can (see docs/runner.md). Returns
    attempts."""
    real = webhooks != "minimal"
    now, attempts, handle = NOW, 0, runner.handle
    second = timedelta(seconds=1)
    while True:
        dials = runner.due(now, limit=CAMPAIGN_BATCH)
        for placed in dials:
            contact = placed.contact
            status = _ending(int(contact.id[1:]), placed.attempt)
            human = status is CallStatus.COMPLETED
            if real:
                sid = f"CA{contact.id}{placed.attempt}"
                if webhooks == "ringing":
                    handle(
                        CallUpdate(
                            contact_id=contact.id,
                            attempt=placed.attempt,
                            status=CallStatus.RINGING,
                            at=now,
                            call_id=sid,
                        )
                    )
                handle(
                    CallUpdate(
                        contact_id=contact.id,
                        attempt=placed.attempt,
                        status=status,
                        at=now + second,
                        answered_by=AnsweredBy.HUMAN if human else None,
                        duration=1 if human else 0,
                        call_id=sid,
                        started_at=now if human else None,
                        ended_at=now + second,
                    )
                )
            else:
                handle(
                    CallUpdate(
                        contact_id=contact.id,
                        attempt=placed.attempt,
                        status=status,
                        at=now + second,
                        answered_by=AnsweredBy.HUMAN if human else None,
                        duration=1 if human else 0,
                    )
                )
        attempts += len(dials)
        runner.drain()
        if freeze:
            gc.freeze()  # O(1): the round's survivors leave the collector's generations
        wakeup = runner.next_wakeup()
        if wakeup is None:
            return attempts
        now = max(now + second, wakeup)


def bench_campaign(
    sizes: list[int], runs: int, freeze: bool, only: tuple[str, ...] = CONTENDERS
) -> list[tuple[int, str, float, float, str]]:
    """(size, contender, median s per attempt, spread, GC summary of the slowest run)."""
    results = []
    for size in sizes:
        contacts = [
            Contact(id=f"c{i:07d}", phone=f"+5215{i:09d}", name="Juan Pérez") for i in range(size)
        ]
        times: dict[str, list[float]] = {label: [] for label in only}
        watches: dict[str, GCWatch] = {}
        attempts_of: dict[str, int] = {}
        for _ in range(runs):
            for label in only:  # interleaved, one process
                gc.collect()
                runner = None
                if label != "floor":
                    runner = CampaignRunner(Campaign(id="bench", name="Bench"), retry=POLICY)
                    runner.add_contacts(contacts, now=NOW)
                    runner.start(NOW)
                    gc.collect()
                    if freeze:
                        gc.freeze()
                with GCWatch() as watch:
                    start = time.process_time()  # CPU: the machine is shared
                    if runner is None:
                        attempts = floor_campaign(size)
                    else:
                        attempts = runner_campaign(runner, label, freeze)
                    elapsed = time.process_time() - start
                if freeze:
                    gc.unfreeze()
                del runner
                times[label].append(elapsed / attempts)
                previous = attempts_of.setdefault(label, attempts)
                assert previous == attempts
                if label not in watches or watch.longest > watches[label].longest:
                    watches[label] = watch
        assert len(set(attempts_of.values())) == 1, attempts_of
        for label in only:
            values = sorted(times[label])
            median = values[len(values) // 2]
            spread = (values[-1] - values[0]) / 2 / median
            results.append((size, label, median, spread, watches[label].summary()))
            results[-1] = (*results[-1][:4], f"{attempts_of[label]:,} attempts; " + results[-1][4])
    return results


def print_campaign(sizes: list[int], runs: int, freeze: bool, only: tuple[str, ...]) -> int:
    print(
        f"whole campaign, 2 retries 15 min apart, {CAMPAIGN_BATCH:,} dials a round; "
        f"median of {runs} interleaved runs"
        f"{'; gc.freeze() after loading and after every round' if freeze else ''}"
    )
    rows = bench_campaign(sizes, runs, freeze, only)
    floors = {size: median for size, label, median, _, _ in rows if label == "floor"}
    minimal = {size: median for size, label, median, _, _ in rows if label == "minimal"}
    print(f"{'contacts':>10} {'contender':<42}{'CPU us/attempt':>15}{'spread':>8}{'x floor':>8}")
    names = {
        "floor": "plain Python (lists, heapq, dicts)",
        "minimal": "runner, terminal report only",
        "real": "runner, end report with call id, times",
        "ringing": "runner, ringing + that end report",
    }
    for size, label, median, spread, watch in rows:
        print(
            f"{size:>10,} {names[label]:<42}{median * 1e6:>15.2f}{f'±{spread:.0%}':>8}"
            f"{median / floors[size] if size in floors else float('nan'):>8.2f}   {watch}"
        )
    for size, label, median, _, _ in rows:
        if label == "real" and size in minimal:
            print(
                f"{size:,}: an end report with call id and times costs "
                f"{median / minimal[size]:.2f}x a minimal one (target 1.2x)"
            )
    return 0


def profile_campaign(size: int, freeze: bool) -> int:
    """cProfile and tracemalloc-free look at one real-webhook campaign of ``size``."""
    import cProfile
    import pstats

    contacts = [
        Contact(id=f"c{i:07d}", phone=f"+5215{i:09d}", name="Juan Pérez") for i in range(size)
    ]
    runner = CampaignRunner(Campaign(id="bench", name="Bench"), retry=POLICY)
    runner.add_contacts(contacts, now=NOW)
    runner.start(NOW)
    del contacts
    gc.collect()
    if freeze:
        gc.freeze()
    profiler = cProfile.Profile()
    with GCWatch() as watch:
        profiler.enable()
        attempts = runner_campaign(runner, "ringing", freeze)
        profiler.disable()
    print(f"{attempts:,} attempts; GC: {watch.summary()}")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts for a fast look")
    parser.add_argument(
        "--campaign",
        action="store_true",
        help="only the whole campaign against the plain-Python floor (--sizes, --runs)",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--only", nargs="+", choices=CONTENDERS, default=list(CONTENDERS), help="contenders"
    )
    parser.add_argument(
        "--freeze",
        action="store_true",
        help="gc.freeze() after loading the runner and after every round",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one real-webhook campaign (first size)"
    )
    args = parser.parse_args(argv)
    if args.profile:
        return profile_campaign(args.sizes[0], args.freeze)
    if args.campaign:
        return print_campaign(args.sizes, args.runs, args.freeze, tuple(args.only))
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
        results = bench_due(sizes, scattered, selected)
        first_call, first_pop = results[0][1], results[0][2]
        for size, per_call, pop, built in results:
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
