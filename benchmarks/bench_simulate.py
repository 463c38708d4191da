"""What a simulated attempt costs, against the engine's bare cost per attempt.

Run:  python benchmarks/bench_simulate.py            (100,000 contacts, up to 3 attempts)
      python benchmarks/bench_simulate.py --quick    (10,000 contacts)

Baseline ("bare engine"): the same `CampaignRunner`, retry policy and contacts,
driven by a plain loop that takes every due dial and reports a precomputed
terminal outcome at once - only ``due`` and ``handle`` and the `CallUpdate`
records, nothing else. The simulator adds what a simulation needs: the outcome
model's draws (a seeded generator per attempt), the callee's time zone, the
`Call` records, a heap of calls in flight, and the final `CampaignStats`.
Target (issue 7): at most 3x the bare engine per attempt.

It also times `OutcomeModel.fit` on the simulated calls (issue 17: microseconds
per call record, one pass to count plus the fit on the small count table).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from campaignkit import (
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignRunner,
    Contact,
    Outcome,
    RetryPolicy,
)
from campaignkit.simulate import OutcomeModel, simulate

START = datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("America/Mexico_City"))
RETRY = RetryPolicy.exotel(2, interval_mins=60, on_status=("busy", "no-answer", "failed"))
# A fixed cycle of outcomes for the bare loop: roughly the simulator's mix.
PATTERN = [
    (CallStatus.COMPLETED, Outcome.HUMAN_CONVERSATION, 90),
    (CallStatus.NO_ANSWER, Outcome.NO_ANSWER, 0),
    (CallStatus.COMPLETED, Outcome.VOICEMAIL, 20),
    (CallStatus.BUSY, Outcome.BUSY, 0),
    (CallStatus.COMPLETED, Outcome.HUMAN_CONVERSATION, 60),
]


def people(count: int) -> list[Contact]:
    return [Contact(id=f"c{i}", phone=f"+52155{i:08d}") for i in range(count)]


def bare_engine(contacts: list[Contact]) -> int:
    """Drive the runner directly; returns the attempts made."""
    runner = CampaignRunner(Campaign(id="bench", name="bench"), retry=RETRY)
    runner.add_contacts(contacts, now=START)
    runner.start(START)
    now = START
    attempts = 0
    while True:
        dials = runner.due(now)
        for index, placed in enumerate(dials):
            status, outcome, duration = PATTERN[(attempts + index) % len(PATTERN)]
            runner.handle(
                CallUpdate(
                    contact_id=placed.contact.id,
                    attempt=placed.attempt,
                    status=status,
                    at=now + timedelta(seconds=duration + 5),
                    outcome=outcome,
                    duration=duration,
                )
            )
        attempts += len(dials)
        wakeup = runner.next_wakeup()
        if wakeup is None:
            return attempts
        now = max(now + timedelta(seconds=duration + 5), wakeup)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 contacts instead of 100,000")
    args = parser.parse_args(argv)
    count = 10_000 if args.quick else 100_000
    contacts = people(count)

    start = time.perf_counter()
    bare_attempts = bare_engine(contacts)
    bare = (time.perf_counter() - start) / bare_attempts

    start = time.perf_counter()
    result = simulate(contacts, start=START, retry=RETRY, seed=1, max_concurrent=50)
    simulated = (time.perf_counter() - start) / len(result.calls)

    print(f"{count:,} contacts, retry policy: 2 retries an hour apart")
    print(f"{'per attempt':<40}{'attempts':>10}{'us':>10}{'x bare':>10}")
    print(f"{'bare engine (due + handle)':<40}{bare_attempts:>10,}{bare * 1e6:>10.1f}{1.0:>10.2f}")
    label = "simulate() (model, records, stats)"
    print(f"{label:<40}{len(result.calls):>10,}{simulated * 1e6:>10.1f}{simulated / bare:>10.2f}")
    verdict = "MET" if simulated / bare <= 3 else "MISSED"
    print(f"target: simulate <= 3x bare engine per attempt -> {verdict} ({simulated / bare:.2f}x)")
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
