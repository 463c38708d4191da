"""Memory per contact with distinct, realistic strings (issue 15): a `Contact` alone,
the runner's cost per contact loaded (its `ContactState` row, index entries, tally),
and the total with every contact's call in flight.

Also the peak over a whole campaign run as a service runs it: 1,000 calls in flight,
terminal webhooks with a call id, the outbox drained every round.

Run:  python benchmarks/bench_memory.py            (100,000 contacts)
      python benchmarks/bench_memory.py 1000000 --gc   (a full collection's pause
            over a loaded runner, before and after gc.freeze())
      python benchmarks/bench_memory.py 1000000    (a million)

Every contact has its own id, number, a name with accents, a context line and an
external id, so no string is shared between contacts (the old bench_machines figure
of 328 B shared one name and one context string across all of them). Measured with
`tracemalloc` over the whole population.
"""

from __future__ import annotations

import gc
import random
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from campaignkit import (
    AnsweredBy,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignRunner,
    Contact,
    RetryPolicy,
)

FIRST = ["José", "María", "Juan", "Lucía", "Andrés", "Sofía", "Ángel", "Valentina"]
NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)


def make(i: int, rng: random.Random) -> Contact:
    """One contact whose every string is its own."""
    return Contact(
        id=f"c{i:07d}",
        phone=f"+5255{10000000 + i:08d}",
        name=f"{rng.choice(FIRST)} Pérez {i}",
        context=f"Pago pendiente de {rng.randint(100, 9999)} MXN, vence el {rng.randint(1, 28)}/07",
        external_id=f"crm-{rng.getrandbits(40):x}",
    )


def measure(n: int) -> dict[str, float]:
    """Bytes per contact: the `Contact` alone, the runner loaded, every contact in a
    call, and the peak (all traced by `tracemalloc` from before the contacts exist)."""
    rng = random.Random(1)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    contacts = [make(i, rng) for i in range(n)]
    gc.collect()
    made = tracemalloc.get_traced_memory()[0]
    runner = CampaignRunner(Campaign(id="c", name="c"))
    runner.add_contacts(contacts, now=NOW)
    del contacts  # the runner keeps its own (enqueued) records
    gc.collect()
    loaded = tracemalloc.get_traced_memory()[0]
    runner.start(NOW)
    runner.due(NOW)
    gc.collect()
    calling, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del runner
    gc.collect()
    return {
        "contact": (made - base) / n,
        "loaded": (loaded - base) / n,
        "calling": (calling - base) / n,
        "peak": (peak - base) / n,
    }


def campaign_peak(n: int, in_flight: int = 1_000) -> float:
    """Peak bytes per contact over a whole campaign (2 retries) with at most
    ``in_flight`` calls at once and the outbox drained every round, as a service runs."""
    rng = random.Random(1)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    runner = CampaignRunner(
        Campaign(id="c", name="c"), retry=RetryPolicy.exotel(2, interval_mins=15)
    )
    runner.add_contacts((make(i, rng) for i in range(n)), now=NOW)
    runner.start(NOW)
    now, statuses = NOW, (CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER)
    while True:
        dials = runner.due(now, limit=in_flight)
        for placed in dials:
            status = statuses[(placed.attempt + len(placed.contact.name)) % 3]
            runner.handle(
                CallUpdate(
                    contact_id=placed.contact.id,
                    attempt=placed.attempt,
                    status=status,
                    at=now + timedelta(seconds=30),
                    answered_by=AnsweredBy.HUMAN if status is CallStatus.COMPLETED else None,
                    duration=25 if status is CallStatus.COMPLETED else 0,
                    call_id=f"CA{placed.contact.id}{placed.attempt}",
                    ended_at=now + timedelta(seconds=30),
                )
            )
        runner.drain()
        wakeup = runner.next_wakeup()
        if wakeup is None:
            break
        now = max(now + timedelta(seconds=1), wakeup)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / n


def main(n: int) -> None:
    got = measure(n)
    print(f"contacts: {n:,}")
    print(f"Contact with distinct strings       {got['contact']:8.0f} B   (target 400)")
    print(f"runner, loaded (rows, index, all)   {got['loaded']:8.0f} B per contact (target 600)")
    print(f"runner, every contact in a call     {got['calling']:8.0f} B per contact")
    print(f"peak                                {got['peak']:8.0f} B per contact (target 1,000)")
    whole = campaign_peak(n)
    print(f"peak over a whole campaign          {whole:8.0f} B per contact (1,000 calls in flight)")


def gc_pause(n: int) -> None:
    """One full collection over a loaded runner of ``n`` contacts, before and after
    `gc.freeze()` (CPU time of this thread, and wall time), and the load's CPU time."""
    contacts = [Contact(id=f"c{i:07d}", phone=f"+5215{i:09d}", name="Juan Pérez") for i in range(n)]
    runner = CampaignRunner(Campaign(id="c", name="c"))
    start = time.process_time()
    runner.add_contacts(contacts, now=NOW)
    runner.start(NOW)
    load = time.process_time() - start
    del contacts
    gc.collect()

    def full() -> tuple[float, float]:
        cpu, wall = time.thread_time(), time.perf_counter()
        gc.collect()
        return time.thread_time() - cpu, time.perf_counter() - wall

    before = min(full() for _ in range(3))
    tracked = len(gc.get_objects())
    gc.freeze()
    after = min(full() for _ in range(3))
    gc.unfreeze()
    print(
        f"{n:,} contacts: load {load:.1f} s CPU; {tracked:,} objects tracked; a full "
        f"collection {before[0] * 1e3:.0f} ms CPU ({before[1] * 1e3:.0f} ms wall); after "
        f"gc.freeze() {after[0] * 1e3:.1f} ms CPU ({after[1] * 1e3:.1f} ms wall)"
    )
    del runner


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--gc"]
    size = int(args[0]) if args else 100_000
    if "--gc" in sys.argv:
        gc_pause(size)
    else:
        main(size)
