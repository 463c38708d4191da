"""What `PostgresCampaign` costs: webhooks per second with 1, 2 and 4 worker processes
on one campaign, and the due query's cost per call as the campaign grows.

Run:  python benchmarks/bench_postgres.py          (events, due at 10k; about a minute)
      python benchmarks/bench_postgres.py --big    (also due at 1,000,000 contacts)
      --dsn "host=... dbname=..."                  (your server; default: a throwaway
                                                     one, as the tests start it)

Events. A campaign of ``--contacts`` (2,000) contacts without retries is started
and every contact dialled (one ``due``); then the calls' webhooks - ringing,
in progress, completed with the carrier's call id and times, and a duplicate of
the end - are split among N worker processes (by contact), each with its own
connection, all started together. Events/s = webhooks handled / wall time from
the start signal until the last worker is done (the campaign has finished: the
last webhook ended it). Pacing is on (one call in flight per contact counted),
so every call's end also writes the campaign row - the worst case for webhooks.
Without ``--pacing`` no webhook touches the campaign row.

Due. ``N`` contacts loaded with one `add_contacts` (COPY in batches), all due
at once with a random priority; then ``due(now, limit=100)`` until 2,500 calls
are placed; three windows, the best kept. Target (issue 16): cost per call at
1,000,000 within 1.5x of 10,000.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from campaignkit import (
    AnsweredBy,
    CallStatus,
    CallUpdate,
    Campaign,
    Contact,
    PacingPolicy,
    Priority,
    RetryPolicy,
)
from campaignkit.stores.postgres import PostgresCampaign

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
_PRIORITIES = (Priority.HIGH, Priority.NORMAL, Priority.LOW)
SEC = timedelta(seconds=1)


def _people(n: int, seed: int = 7) -> Iterator[Contact]:
    rng = random.Random(seed)
    for i in range(n):
        yield Contact(id=f"c{i:07d}", phone=f"+1212{i:07d}", priority=rng.choice(_PRIORITIES))


def _webhooks(contact_id: str, placed: datetime) -> list[CallUpdate]:
    common: dict[str, Any] = {"contact_id": contact_id, "attempt": 1}
    end = CallUpdate(
        **common,
        status=CallStatus.COMPLETED,
        at=placed + 60 * SEC,
        call_id=f"CA{contact_id}",
        started_at=placed + 10 * SEC,
        ended_at=placed + 60 * SEC,
        answered_by=AnsweredBy.HUMAN,
        duration=50,
    )
    return [
        CallUpdate(**common, status=CallStatus.RINGING, at=placed + 3 * SEC),
        CallUpdate(**common, status=CallStatus.IN_PROGRESS, at=placed + 10 * SEC),
        end,
        end,  # a duplicated webhook
    ]


def _worker(dsn: str, name: str, calls: list[tuple[str, datetime]], go: Any, done: Any) -> None:
    store = PostgresCampaign.open(dsn, name)
    batches = [_webhooks(i, placed) for i, placed in calls]
    go.wait()
    for batch in batches:
        for update in batch:
            store.handle(update)
    store.close()
    done.put(len(calls) * 4)


def events(dsn: str, contacts: int, workers: int, *, pacing: bool) -> float:
    """Webhooks per second with ``workers`` processes on one campaign."""
    name = f"bench-events-{workers}"
    PostgresCampaign.drop(dsn, name)
    store = PostgresCampaign(
        dsn,
        Campaign(id=name, name="Bench"),
        retry=RetryPolicy(max_retries=0),
        pacing=PacingPolicy(call_interval=5 * SEC) if pacing else None,
    )
    store.add_contacts(_people(contacts), now=T0)
    store.start(T0)
    calls: list[tuple[str, datetime]] = []
    now = T0
    while len(calls) < contacts:
        calls += [(d.contact.id, now) for d in store.due(now)]
        now += 5 * SEC
    context = multiprocessing.get_context("fork")
    go, done = context.Event(), context.Queue()
    procs = [
        context.Process(target=_worker, args=(dsn, name, calls[k::workers], go, done))
        for k in range(workers)
    ]
    for proc in procs:
        proc.start()
    time.sleep(1.0)  # let every worker connect and build its webhooks
    started = time.perf_counter()
    go.set()
    handled = sum(done.get(timeout=600) for _ in procs)
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join()
    assert store.counts.completed == contacts, store.counts
    store.close()
    PostgresCampaign.drop(dsn, name)
    return handled / elapsed


def due_cost(dsn: str, contacts: int) -> tuple[float, float]:
    """(load seconds, best microseconds per selected call of ``due(limit=100)``)."""
    name = f"bench-due-{contacts}"
    PostgresCampaign.drop(dsn, name)
    store = PostgresCampaign(dsn, Campaign(id=name, name="Bench"), retry=RetryPolicy())
    started = time.perf_counter()
    store.add_contacts(_people(contacts), now=T0)
    load = time.perf_counter() - started
    store.start(T0)
    best = float("inf")
    for _ in range(3):
        placed, started = 0, time.perf_counter()
        while placed < 2500:
            placed += len(store.due(T0, limit=100))
        best = min(best, (time.perf_counter() - started) / placed * 1e6)
    store.close()
    PostgresCampaign.drop(dsn, name)
    return load, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help="also due at 1,000,000 contacts")
    parser.add_argument("--dsn", help="a PostgreSQL connection string (default: throwaway)")
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    server = None
    dsn = args.dsn
    if dsn is None:
        sys.path.insert(0, str(ROOT))
        from tests.pg_server import start_server

        server = start_server()
        dsn = server.conninfo
    try:
        print(
            f"events: {args.contacts} calls x 4 webhooks, {args.runs} runs, median (spread)",
            flush=True,
        )
        for pacing in (False, True):
            for workers in (1, 2, 4):
                rates = [
                    events(dsn, args.contacts, workers, pacing=pacing) for _ in range(args.runs)
                ]
                median = statistics.median(rates)
                spread = (max(rates) - min(rates)) / 2 / median * 100
                label = "pacing" if pacing else "no pacing"
                print(
                    f"  {label:9} {workers} worker(s): {median:8,.0f} events/s (±{spread:.0f}%)",
                    flush=True,
                )
        sizes = [10_000, 1_000_000] if args.big else [10_000]
        costs = {}
        for size in sizes:
            load, cost = due_cost(dsn, size)
            costs[size] = cost
            print(
                f"due(limit=100) at {size:>9,} contacts: load {load:6.1f} s, {cost:6.0f} us/call",
                flush=True,
            )
        if args.big:
            print(f"ratio 1M / 10k: {costs[1_000_000] / costs[10_000]:.2f}x (target <= 1.5x)")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
