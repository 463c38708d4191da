"""What a simulated attempt costs, against the engine's bare cost for the same attempts.

Run:  python benchmarks/bench_simulate.py            (100,000 contacts, up to 3 attempts)
      python benchmarks/bench_simulate.py --quick    (10,000 contacts)
      add --rounds N (default 3): interleaved rounds, median and spread

Baseline ("bare engine"): the same `CampaignRunner`, retry policy, contacts and
batch size (``due(now, limit=free)`` with at most 50 calls in flight), replaying the
simulator's own outcomes: every call the simulation made is reported again with the
same webhook (`CallUpdate` with the outcome, answerer, duration, call id, start and
end times) at the same simulated time, through a heap of calls in flight. So both
make exactly the same attempts, and the simulator's extra cost is what only a
simulation needs: the outcome model's draws (a seeded generator per attempt), the
callee's time zone, the `Call` records and the final `CampaignStats`.
Target (issue 7): at most 3x the bare engine per attempt.

It also times `OutcomeModel.fit` on the simulated calls (issue 17: microseconds
per call record, one pass to count plus the fit on the small count table).
"""

from __future__ import annotations

import argparse
import gc
import heapq
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from campaignkit import (
    Call,
    CallUpdate,
    Campaign,
    CampaignRunner,
    Contact,
    RetryPolicy,
)
from campaignkit.simulate import OutcomeModel, SimulationResult, simulate

START = datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("America/Mexico_City"))
RETRY = RetryPolicy.exotel(2, interval_mins=60, on_status=("busy", "no-answer", "failed"))
CONCURRENT = 50


def people(count: int) -> list[Contact]:
    return [Contact(id=f"c{i}", phone=f"+52155{i:08d}") for i in range(count)]


def replay_plan(calls: tuple[Call, ...]) -> dict[tuple[str, int], CallUpdate]:
    """The webhook of every simulated call, by (contact id, attempt), built beforehand."""
    plan = {}
    for call in calls:
        assert call.ended_at is not None
        plan[call.contact_id, call.attempt] = CallUpdate(
            contact_id=call.contact_id,
            attempt=call.attempt,
            status=call.status,
            at=call.ended_at,
            answered_by=call.answered_by,
            outcome=call.outcome,
            duration=call.duration,
            call_id=call.id,
            started_at=call.started_at,
            ended_at=call.ended_at,
        )
    return plan


def bare_engine(contacts: list[Contact], plan: dict[tuple[str, int], CallUpdate]) -> int:
    """Drive the runner through the simulation's own calls; returns the attempts made."""
    runner = CampaignRunner(Campaign(id="simulation", name="Simulation"), retry=RETRY)
    runner.add_contacts(contacts, now=START)
    runner.start(START)
    now = START
    attempts, sequence = 0, 0
    ends: list[tuple[datetime, int, CallUpdate]] = []
    while True:
        free = CONCURRENT - len(ends)
        if free > 0:
            for placed in runner.due(now, limit=free):
                update = plan[placed.contact.id, placed.attempt]
                sequence += 1
                heapq.heappush(ends, (update.at, sequence, update))
                attempts += 1
        wakeup = runner.next_wakeup() if len(ends) < CONCURRENT else None
        candidates = [t for t in (wakeup, ends[0][0] if ends else None) if t is not None]
        if not candidates:
            return attempts
        now = max(now, min(candidates))
        while ends and ends[0][0] <= now:
            runner.handle(heapq.heappop(ends)[2])
        runner.drain()


def median_spread(values: list[float]) -> tuple[float, float]:
    """The median and half the range, as a fraction of the median."""
    ordered = sorted(values)
    median = ordered[len(ordered) // 2]
    return median, (ordered[-1] - ordered[0]) / 2 / median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 contacts instead of 100,000")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    args = parser.parse_args(argv)
    count = 10_000 if args.quick else 100_000
    contacts = people(count)

    def simulated() -> SimulationResult:
        return simulate(contacts, start=START, retry=RETRY, seed=1, max_concurrent=CONCURRENT)

    result = simulated()
    plan = replay_plan(result.calls)
    times: dict[str, list[float]] = {"bare": [], "simulate": []}
    for _ in range(args.rounds):  # interleaved, one process
        gc.collect()
        start = time.process_time()  # CPU seconds: the machine is shared
        attempts = bare_engine(contacts, plan)
        times["bare"].append((time.process_time() - start) / attempts)
        assert attempts == len(result.calls), (attempts, len(result.calls))
        gc.collect()
        start = time.process_time()
        result = simulated()
        times["simulate"].append((time.process_time() - start) / len(result.calls))
    bare, spread_bare = median_spread(times["bare"])
    sim, spread_sim = median_spread(times["simulate"])

    print(
        f"{count:,} contacts, retry policy: 2 retries an hour apart, {CONCURRENT} calls in "
        f"flight; median of {args.rounds} interleaved rounds"
    )
    print(f"{'per attempt (CPU)':<40}{'attempts':>10}{'us':>10}{'spread':>8}{'x bare':>8}")
    print(
        f"{'bare engine (same calls replayed)':<40}{attempts:>10,}{bare * 1e6:>10.1f}"
        f"{f'±{spread_bare:.0%}':>8}{1.0:>8.2f}"
    )
    label = "simulate() (model, records, stats)"
    print(
        f"{label:<40}{len(result.calls):>10,}{sim * 1e6:>10.1f}{f'±{spread_sim:.0%}':>8}"
        f"{sim / bare:>8.2f}"
    )
    verdict = "MET" if sim / bare <= 3 else "MISSED"
    print(f"target: simulate <= 3x bare engine per attempt -> {verdict} ({sim / bare:.2f}x)")
    print(f"simulated time: {result.elapsed}; connect rate {result.stats.connect_rate:.1%}")

    start = time.perf_counter()
    model = OutcomeModel.fit(result.calls, timezone="America/Mexico_City")
    fitted = time.perf_counter() - start
    rates = ", ".join(f"{r:.1%}" for r in model.connect_by_attempt)
    print(
        f"OutcomeModel.fit on {len(result.calls):,} calls: {fitted:.2f} s "
        f"({fitted / len(result.calls) * 1e6:.1f} us per call); attempt rates {rates}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
