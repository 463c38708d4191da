"""A small service loop on a SQLite file: load contacts, start, place the due calls,
handle the dialer's webhooks, deliver the notifications - then stop, reopen the file
and finish where it left off.

Run:  python examples/sqlite_service.py
"""

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from campaignkit import (
    AnsweredBy,
    CallStatus,
    CallUpdate,
    Campaign,
    Contact,
    Dial,
    RetryPolicy,
)
from campaignkit.stores.sqlite import SQLiteCampaign

start = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


def fake_dialer(dial: Dial, now: datetime) -> list[CallUpdate]:
    """The webhooks a dialer would send for ``dial``: ringing, then the end of the call
    (every third contact answers; the others do not, until their last attempt)."""
    number = int(dial.contact.id[1:])
    answered = number % 3 == 0 or dial.attempt == 3
    sid = f"CA{dial.contact.id}-{dial.attempt}"
    ring = CallUpdate(
        contact_id=dial.contact.id,
        attempt=dial.attempt,
        status=CallStatus.RINGING,
        at=now + timedelta(seconds=3),
        call_id=sid,
    )
    end = CallUpdate(
        contact_id=dial.contact.id,
        attempt=dial.attempt,
        status=CallStatus.COMPLETED if answered else CallStatus.NO_ANSWER,
        at=now + timedelta(seconds=40),
        call_id=sid,
        started_at=now + timedelta(seconds=8) if answered else None,
        ended_at=now + timedelta(seconds=40),
        answered_by=AnsweredBy.HUMAN if answered else None,
    )
    return [ring, end]


def serve(store: SQLiteCampaign, now: datetime, rounds: int) -> datetime:
    """Up to ``rounds`` rounds of the service loop; returns the clock."""
    for _ in range(rounds):
        wakeup = store.next_wakeup()
        if wakeup is None:
            break
        now = max(now, wakeup)
        dials = store.due(now, limit=50)  # committed before we dial anyone
        for dial in dials:
            for webhook in fake_dialer(dial, now):
                store.handle(webhook)  # one transaction each, with its notifications
        for note in store.drain():  # each notification is handed out exactly once
            print(f"  deliver {note.kind}: {note.to_dict().get('status', '')}")
    return now


with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "campaign.db"
    store = SQLiteCampaign(
        path,
        Campaign(id="june", name="June reminders"),
        retry=RetryPolicy(max_retries=2, interval=timedelta(minutes=30)),
    )
    store.add_contacts([Contact(id=f"c{i}", phone=f"+1212555{i:04d}") for i in range(6)], now=start)
    store.start(start)
    clock = serve(store, start, rounds=1)
    print(f"after one round: {store.counts}")
    store.close()  # the service stops (or crashes: every call already committed)

    store = SQLiteCampaign.open(path)  # ... and resumes from the file
    clock = serve(store, clock, rounds=10)
    print(f"finished: {store.campaign.status.value}, {store.counts}")
    store.close()
