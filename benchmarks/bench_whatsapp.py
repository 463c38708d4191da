"""What a WhatsApp message-status update costs, against the strict contact reducer.

Run:  python benchmarks/bench_whatsapp.py            (full: 200,000 lifecycles)
      python benchmarks/bench_whatsapp.py --quick    (20,000 lifecycles)

Webhook traffic is the hot path of a WhatsApp campaign: every message yields
several status updates, some duplicated, some late. The baseline is
`apply_contact_event`, the foundation's strict reducer (one table lookup and a
new record), driving the same lifecycle - send, sent, delivered, read,
accepted - by events. `apply_message_status` does what a webhook needs on top
(a precedence over timestamp and lifecycle instead of a strict lookup), so
the table prints its cost per update as a ratio of the baseline, for updates
in order, and for a realistic stream where every update is also delivered
twice and the delivery receipt arrives after the read. Target: an update
costs at most 2x the strict reducer's transition.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from campaignkit import Contact, ContactStatus
from campaignkit.engine import apply_contact_event
from campaignkit.machines import ContactEvent
from campaignkit.policies import apply_message_status

K = ContactStatus
T0 = datetime(2026, 6, 1, 16, tzinfo=UTC)
STEPS = [
    (ContactEvent.MESSAGE_SENT, K.SENT, T0 + timedelta(seconds=1)),
    (ContactEvent.MESSAGE_DELIVERED, K.DELIVERED, T0 + timedelta(seconds=2)),
    (ContactEvent.MESSAGE_READ, K.READ, T0 + timedelta(seconds=30)),
    (ContactEvent.ACCEPT, K.ACCEPTED, T0 + timedelta(seconds=90)),
]
IN_ORDER = [(status, at) for _, status, at in STEPS]
# Every update twice, and the delivery receipt after the read: 8 updates, 4 taken.
MESSY = [
    IN_ORDER[0],
    IN_ORDER[0],
    IN_ORDER[2],
    IN_ORDER[1],
    IN_ORDER[2],
    IN_ORDER[1],
    IN_ORDER[3],
    IN_ORDER[3],
]
START = Contact(
    id="c0000001",
    phone="+5215555551234",
    name="Ana Gómez",
    status=K.SENDING,
    updated_at=T0,
)


def best(run: Callable[[], object], updates: int, repeat: int) -> float:
    """Best-of-``repeat`` seconds per update."""
    fastest = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest / updates


def strict(rounds: int) -> Callable[[], object]:
    events = [(event, at) for event, _, at in STEPS]

    def run() -> object:
        contact = START
        for _ in range(rounds):
            contact = START
            for event, at in events:
                contact = apply_contact_event(contact, event, now=at)
        return contact

    return run


def message_status(
    rounds: int, stream: list[tuple[ContactStatus, datetime]]
) -> Callable[[], object]:
    def run() -> object:
        contact = START
        for _ in range(rounds):
            contact = START
            for status, at in stream:
                contact = apply_message_status(contact, status, at=at)
        assert contact.status is K.ACCEPTED
        return contact

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds = 20_000 if args.quick else 200_000
    repeat = 3 if args.quick else 5

    baseline = best(strict(rounds), rounds * len(STEPS), repeat)
    rows = [
        ("strict `apply_contact_event` (baseline)", baseline),
        (
            "`apply_message_status`, updates in order",
            best(message_status(rounds, IN_ORDER), rounds * len(IN_ORDER), repeat),
        ),
        (
            "`apply_message_status`, duplicated and late (8 updates, 4 taken)",
            best(message_status(rounds, MESSY), rounds * len(MESSY), repeat),
        ),
    ]
    print(f"{rounds:,} lifecycles, best of {repeat}")
    print("| per update | ns | x baseline |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1e9:,.0f} | {seconds / baseline:.2f} |")


if __name__ == "__main__":
    main()
