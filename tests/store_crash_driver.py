"""A deterministic, restart-safe service loop over a `SQLiteCampaign` file, for the
durability test (``tests/test_store_durability.py``) - run as a child process
(``python tests/store_crash_driver.py PATH``) that may be killed at any point.

The loop reads everything it needs from the file: on start it opens the campaign
(or creates it), loads the contacts and starts it if that was not committed yet,
then repeats: report every call still in flight (a ringing report, then the end
of the call, decided by a hash of contact id and attempt), drain the outbox,
and place the calls due at the next wakeup. Reports are made in contact-id order
and their times come from the call record, so a restart re-reports the calls in
flight exactly as an uninterrupted run reports them. It prints one line per
committed call, which the parent counts to choose where to kill it.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from campaignkit import (
    AnsweredBy,
    Call,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignStatus,
    Contact,
    InvalidInput,
    Priority,
    RetryPolicy,
)
from campaignkit.stores.sqlite import SQLiteCampaign

T0 = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
CONTACTS = 60
_ENDS = (CallStatus.COMPLETED, CallStatus.NO_ANSWER, CallStatus.BUSY, CallStatus.NO_ANSWER)
_PRIORITIES = (Priority.NORMAL, Priority.HIGH, Priority.LOW)


def contacts() -> list[Contact]:
    """The campaign's contacts, with mixed priorities."""
    return [
        Contact(id=f"k{i:03d}", phone=f"+1212555{i:04d}", priority=_PRIORITIES[i % 3])
        for i in range(CONTACTS)
    ]


def end_status(contact_id: str, attempt: int) -> CallStatus:
    """How the call ends: a hash of (contact id, attempt), the same in every run."""
    digest = hashlib.sha256(f"{contact_id}/{attempt}".encode()).digest()
    return _ENDS[digest[0] % len(_ENDS)]


def reports(call: Call) -> list[CallUpdate]:
    """The webhooks of ``call``: ringing, then its end, with the carrier's call id and
    timestamps - all derived from the call record."""
    placed = call.created_at
    assert placed is not None
    status = end_status(call.contact_id, call.attempt)
    answered = status is CallStatus.COMPLETED
    common = {"contact_id": call.contact_id, "attempt": call.attempt}
    sid = f"CA{call.contact_id}{call.attempt}"
    return [
        CallUpdate(
            **common, status=CallStatus.RINGING, at=placed + timedelta(seconds=5), call_id=sid
        ),
        CallUpdate(
            **common,
            status=status,
            at=placed + timedelta(seconds=50),
            call_id=sid,
            started_at=placed + timedelta(seconds=10) if answered else None,
            ended_at=placed + timedelta(seconds=50),
            answered_by=AnsweredBy.HUMAN if answered else None,
            duration=40 if answered else 0,
        ),
    ]


def open_or_create(path: str) -> SQLiteCampaign:
    """The campaign in ``path``, created if no campaign was committed there yet.
    ``pg:CAMPAIGN_ID:CONNINFO`` is campaign CAMPAIGN_ID on a PostgreSQL server
    (``tests/test_store_postgres.py``), which has the same methods."""
    if path.startswith("pg:"):
        return _open_postgres(*path[3:].split(":", 1))  # type: ignore[no-any-return]
    try:
        return SQLiteCampaign.open(path, synchronous="NORMAL")
    except InvalidInput:
        return SQLiteCampaign(
            path,
            Campaign(id="durable", name="Durable"),
            retry=RetryPolicy(max_retries=2, interval=timedelta(minutes=10)),
            synchronous="NORMAL",
        )


def _open_postgres(campaign_id: str, conninfo: str) -> object:
    from campaignkit.stores.postgres import PostgresCampaign

    try:
        return PostgresCampaign.open(conninfo, campaign_id)
    except InvalidInput:
        return PostgresCampaign(
            conninfo,
            Campaign(id=campaign_id, name="Durable"),
            retry=RetryPolicy(max_retries=2, interval=timedelta(minutes=10)),
        )


def drive(path: str, progress: Callable[[], None]) -> SQLiteCampaign:
    """Run the campaign in ``path`` to its end from wherever it stands; ``progress()``
    after every committed call."""
    store = open_or_create(path)
    progress()
    if store.counts.created == 0:
        store.add_contacts(contacts(), now=T0)
        progress()
    if store.campaign.status is CampaignStatus.READY:
        store.start(T0)
        progress()
    while True:
        for _, call in sorted(store.in_flight.items()):
            for update in reports(call):
                store.handle(update)  # a duplicate after a restart changes nothing
                progress()
        if store.outbox:
            store.drain()
            progress()
        wakeup = store.next_wakeup()
        if wakeup is None:
            return store
        store.due(wakeup)
        progress()


def main() -> None:
    """Drive the file named on the command line, printing a line per committed call."""
    count = 0

    def progress() -> None:
        nonlocal count
        count += 1
        print(count, flush=True)

    drive(sys.argv[1], progress).close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
