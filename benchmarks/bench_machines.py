"""How much a transition and a contact cost, against a bare dict and two FSM libraries.

Run:  python benchmarks/bench_machines.py            (full: 1,000,000 contacts)
      python benchmarks/bench_machines.py --quick    (smaller counts, same table)

Needs the ``bench`` extra (``transitions``, ``python-statemachine``). Every
contender drives the same contact lifecycle - dial, voicemail, retry, requeue,
dial, answer, convert - built from `CONTACT_MACHINE`'s own table, in one
process, and the table prints each one's cost as a ratio of the bare lookup.
Targets (issue 2): a transition on a contact record costs at most 12x the bare
lookup; a contact in memory costs at most 450 bytes.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime

import bench_memory
from bench_memory import make
from campaignkit import CONTACT_MACHINE, Contact, ContactStatus
from campaignkit.engine import apply_contact_event
from campaignkit.machines import ContactEvent

LIFECYCLE = [
    ContactEvent.DIAL,
    ContactEvent.REACH_VOICEMAIL,
    ContactEvent.SCHEDULE_RETRY,
    ContactEvent.REQUEUE,
    ContactEvent.DIAL,
    ContactEvent.ANSWER,
    ContactEvent.CONVERT,
]
NOW = datetime(2026, 6, 1, 16, tzinfo=UTC)


def best_per_transition(run: Callable[[], object], transitions: int, repeat: int) -> float:
    """Best-of-``repeat`` seconds per transition for ``run``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best / transitions


def make_contact(i: int) -> Contact:
    return Contact(
        id=f"c{i:07d}",
        phone=f"+5215{i:09d}",
        name="Juan Pérez",
        context="Amount: $1,500. Due: June 5",
    )


# --------------------------------------------------------------------------- contenders


def bare_lookup(rounds: int) -> Callable[[], object]:
    table = {(s.value, e.value): t.value for (s, e), t in CONTACT_MACHINE.table.items()}
    events = [e.value for e in LIFECYCLE]

    def run() -> object:
        state = "queued"
        for _ in range(rounds):
            state = "queued"
            for event in events:
                state = table[state, event]
        return state

    return run


def campaignkit_record(rounds: int) -> Callable[[], object]:
    start = make_contact(1)

    def run() -> object:
        contact = start
        for _ in range(rounds):
            contact = start
            for event in LIFECYCLE:
                contact = apply_contact_event(contact, event, now=NOW)
        assert contact.status is ContactStatus.CONVERTED
        return contact

    return run


def transitions_machine_class() -> Callable[[], object]:
    from transitions import Machine

    spec = [
        {"trigger": e.value.replace("-", "_"), "source": s.value, "dest": t.value}
        for (s, e), t in CONTACT_MACHINE.table.items()
    ]
    states = [s.value for s in ContactStatus]

    class Model:
        pass

    def build() -> object:
        model = Model()
        Machine(
            model=model, states=states, transitions=spec, initial="queued", auto_transitions=False
        )
        return model

    return build


def transitions_driver(rounds: int) -> Callable[[], object]:
    build = transitions_machine_class()
    model = build()
    triggers = [e.value.replace("-", "_") for e in LIFECYCLE]

    def run() -> object:
        for _ in range(rounds):
            model.state = "queued"  # type: ignore[attr-defined]
            for trigger in triggers:
                model.trigger(trigger)  # type: ignore[attr-defined]
        return model

    return run


def statemachine_class(reusable: bool = False) -> type:
    """The contact machine for ``python-statemachine``. ``reusable``: no final states
    (its engine refuses every event once a final state is reached) and a ``reset``
    event from every state back to queued, so that one machine runs every lifecycle."""
    from statemachine import State, StateMachine

    states = {
        s: State(
            value=s.value,
            initial=s is ContactStatus.QUEUED,
            final=not reusable and s in CONTACT_MACHINE.terminal,
        )
        for s in ContactStatus
    }
    namespace: dict[str, object] = {s.name.lower(): state for s, state in states.items()}
    for event in ContactEvent:
        combined = None
        for (source, ev), target in CONTACT_MACHINE.table.items():
            if ev is event:
                edge = states[source].to(states[target])
                combined = edge if combined is None else combined | edge
        namespace["on_" + event.name.lower()] = combined
    if reusable:
        back = None
        for source in ContactStatus:
            edge = states[source].to(states[ContactStatus.QUEUED])
            back = edge if back is None else back | edge
        namespace["reset"] = back
    return type("ContactFSM", (StateMachine,), namespace)


def statemachine_driver(rounds: int) -> Callable[[], object]:
    """One machine built once; each lifecycle starts with its ``reset`` event (timed,
    and counted as a transition: 8 per lifecycle)."""
    machine = statemachine_class(reusable=True)()
    names = ["reset"] + ["on_" + e.name.lower() for e in LIFECYCLE]

    def run() -> object:
        for _ in range(rounds):
            for name in names:
                machine.send(name)
        assert machine.current_state_value == ContactStatus.CONVERTED.value
        return machine

    return run


# --------------------------------------------------------------------------- memory


def measure_population(count: int, build: Callable[[int], object]) -> tuple[float, float]:
    """(bytes per item, seconds per item) to build ``count`` items and keep them."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    items = [build(i) for i in range(count)]
    elapsed = time.perf_counter() - start
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(items) == count
    del items
    gc.collect()
    return current / count, elapsed / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts for a fast look")
    args = parser.parse_args(argv)
    rounds = 2_000 if args.quick else 20_000
    repeat = 3 if args.quick else 5
    contacts = 100_000 if args.quick else 1_000_000
    baseline_contacts = 2_000 if args.quick else 10_000
    steps = rounds * len(LIFECYCLE)

    print(
        f"Python {sys.version.split()[0]}; lifecycle of {len(LIFECYCLE)} events x {rounds:,} rounds"
    )
    rows = [
        ("bare dict[(state, event)] lookup", bare_lookup(rounds)),
        ("campaignkit apply_contact_event (record)", campaignkit_record(rounds)),
        ("transitions (one machine, trigger)", transitions_driver(rounds)),
        (
            "python-statemachine (one machine, send; reset counted)",
            statemachine_driver(max(rounds // 10, 1)),
        ),
    ]
    results = []
    for label, run in rows:
        n = (
            steps
            if "python-statemachine" not in label
            else max(rounds // 10, 1) * (len(LIFECYCLE) + 1)
        )
        results.append((label, best_per_transition(run, n, repeat)))
    bare = results[0][1]
    print()
    print(f"{'per transition':<52}{'ns':>10}{'x bare':>10}")
    for label, seconds in results:
        print(f"{label:<52}{seconds * 1e9:>10.0f}{seconds / bare:>10.1f}")
    ratio = results[1][1] / bare
    print(f"target: campaignkit <= 12x bare -> {'MET' if ratio <= 12 else 'MISSED'} ({ratio:.1f}x)")

    print()
    print(f"{'memory and creation':<52}{'items':>10}{'B/item':>10}{'us/item':>10}")
    # Distinct, realistic strings per contact (bench_memory.make): an id, a number, a
    # name with accents, a context line and an external id - nothing shared.
    rng = random.Random(1)
    per_contact, create = measure_population(contacts, lambda i: make(i, rng))
    label = "campaignkit Contact (distinct strings)"
    print(f"{label:<52}{contacts:>10,}{per_contact:>10.0f}{create * 1e6:>10.2f}")
    runner = bench_memory.measure(contacts)
    for key, label in (
        ("loaded", "CampaignRunner per contact, loaded"),
        ("calling", "CampaignRunner per contact, every one in a call"),
        ("peak", "CampaignRunner per contact, peak"),
    ):
        print(f"{label:<52}{contacts:>10,}{runner[key]:>10.0f}")
    build = transitions_machine_class()
    per_model, create_model = measure_population(baseline_contacts, lambda i: build())
    label = "transitions: one Machine per contact"
    print(f"{label:<52}{baseline_contacts:>10,}{per_model:>10.0f}{create_model * 1e6:>10.2f}")
    cls = statemachine_class()
    per_sm, create_sm = measure_population(baseline_contacts, lambda i: cls())
    label = "python-statemachine: one machine per contact"
    print(f"{label:<52}{baseline_contacts:>10,}{per_sm:>10.0f}{create_sm * 1e6:>10.2f}")
    for what, got, limit in (
        ("a contact", per_contact, 400),
        ("the runner per contact loaded", runner["loaded"], 600),
        ("the runner per contact at peak", runner["peak"], 1000),
    ):
        verdict = "MET" if got <= limit else "MISSED"
        print(f"target (issue 15): {what} <= {limit} bytes -> {verdict} ({got:.0f} B)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
