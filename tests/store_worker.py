"""A worker process for ``tests/test_store_workers.py``, and the campaign it works on.

Run as ``python tests/store_worker.py CONNINFO NAME``: it opens the campaign
``CAMPAIGN`` with `PostgresCampaign.open` and takes tasks from the table
``wk_tasks`` (``FOR UPDATE SKIP LOCKED``, so each task goes to one worker),
until it is killed:

* ``due`` - call ``due(now, limit=BATCH)`` until it returns nothing; record
  every dial in ``wk_dials`` (contact, attempt, line, time, worker).
* ``calls`` - the webhooks of a list of calls (`webhooks`: duplicated and out of
  order, the same list in every run), each call's in order.

A task's row stays locked, in a transaction of the worker's second connection,
until the task is done; the row is deleted in that transaction. A worker killed
mid-task loses the lock with its connection and another worker does the task
again: its webhooks are delivered twice (duplicates change nothing), and the
dials it committed are calls in flight that the coordinator reports.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from campaignkit import (
    AnsweredBy,
    CallerLine,
    CallStatus,
    CallUpdate,
    Campaign,
    Contact,
    Outcome,
    PacingPolicy,
    Priority,
    RetryPolicy,
)
from campaignkit.policies.compliance import CompliancePolicy, FrequencyCap
from campaignkit.policies.rules import CampaignRules

CAMPAIGN = "workers"
T0 = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
BATCH = 50  # dials per due call
LINE_CAP = 100  # the default daily calls per caller line
_ENDS = (
    CallStatus.COMPLETED,
    CallStatus.NO_ANSWER,
    CallStatus.BUSY,
    CallStatus.NO_ANSWER,
    CallStatus.FAILED,
    CallStatus.COMPLETED,
)
_PRIORITIES = (Priority.NORMAL, Priority.HIGH, Priority.LOW)
_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(at: datetime) -> int:
    return (at - _EPOCH) // _US


def moment(value: int) -> datetime:
    return _EPOCH + value * _US


def campaign_setup(scenario: str) -> tuple[Campaign, CampaignRules, list[CallerLine]]:
    """The campaign, rules and caller lines of ``scenario``: ``caps`` (retries, ten
    lines with their daily cap, a frequency cap per number) or ``pacing`` (the same
    with at most 4 calls in flight and 5 s between call starts)."""
    campaign = Campaign(id=CAMPAIGN, name="Workers", timezone="America/Mexico_City")
    rules = CampaignRules(
        retry=RetryPolicy(max_retries=2, interval=timedelta(minutes=10)),
        compliance=CompliancePolicy(rules=(FrequencyCap(max_calls=2, period=timedelta(days=1)),)),
        pacing=(
            PacingPolicy(max_concurrent_calls=4, call_interval=timedelta(seconds=5))
            if scenario == "pacing"
            else None
        ),
    )
    lines = [CallerLine(f"L{i}", f"+1555000{i:04d}") for i in range(10)]
    return campaign, rules, lines


def contacts(count: int) -> list[Contact]:
    return [
        Contact(id=f"k{i:06d}", phone=f"+1212{i:07d}", priority=_PRIORITIES[i % 3])
        for i in range(count)
    ]


def _digest(contact_id: str, attempt: int) -> bytes:
    return hashlib.sha256(f"{contact_id}/{attempt}".encode()).digest()


def webhooks(contact_id: str, attempt: int, placed: datetime) -> list[CallUpdate]:
    """The carrier's reports of one call - ringing, answered or not, the end, maybe a
    callback request - duplicated and shuffled, the same list in every run."""
    digest = _digest(contact_id, attempt)
    status = _ENDS[digest[0] % len(_ENDS)]
    answered = status is CallStatus.COMPLETED
    common: dict[str, Any] = {"contact_id": contact_id, "attempt": attempt}
    sid = f"CA{contact_id}x{attempt}"
    end = placed + timedelta(seconds=40 + digest[1] % 40)
    reports = [
        CallUpdate(**common, status=CallStatus.RINGING, at=placed + timedelta(seconds=3)),
        CallUpdate(
            **common,
            status=status,
            at=end,
            call_id=sid,
            started_at=placed + timedelta(seconds=10) if answered else None,
            ended_at=end,
            answered_by=AnsweredBy.HUMAN if answered else None,
            duration=int((end - placed).total_seconds()) - 10 if answered else 0,
            outcome=Outcome.CALLBACK_REQUESTED if answered and digest[2] % 4 == 0 else None,
            callback_at=end + timedelta(hours=3) if answered and digest[2] % 4 == 0 else None,
        ),
    ]
    if answered:
        reports.append(
            CallUpdate(**common, status=CallStatus.IN_PROGRESS, at=placed + timedelta(seconds=10))
        )
    reports += [r for r in reports if digest[3] % 2 == 0]  # duplicated
    random.Random(digest).shuffle(reports)  # out of order
    return reports


def last_report(contact_id: str, attempt: int, placed: datetime) -> datetime:
    """When the last webhook of the call is sent (the coordinator delivers the call's
    webhooks then)."""
    return max(r.at for r in webhooks(contact_id, attempt, placed))


def work(conninfo: str, name: str) -> None:
    """Take tasks until killed."""
    import psycopg

    from campaignkit.stores.postgres import PostgresCampaign

    store = PostgresCampaign.open(conninfo, CAMPAIGN)
    # Named, so the test can find a worker in the middle of a task (idle in transaction).
    tasks = psycopg.connect(conninfo, autocommit=True, application_name=name)
    print("ready", flush=True)
    while True:
        with tasks.transaction():
            row = tasks.execute(
                "SELECT id, kind, payload FROM wk_tasks ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            ).fetchone()
            if row is not None:
                task, kind, payload = row
                if kind == "due":
                    now = moment(int(payload))
                    while True:
                        dials = store.due(now, limit=BATCH)
                        if not dials:
                            break
                        with tasks.cursor() as cursor:
                            cursor.executemany(
                                "INSERT INTO wk_dials (contact_id, attempt, line_id, at_us, "
                                "worker) VALUES (%s, %s, %s, %s, %s)",
                                [
                                    (
                                        d.contact.id,
                                        d.attempt,
                                        d.line.id if d.line else None,
                                        micros(now),
                                        name,
                                    )
                                    for d in dials
                                ],
                            )
                else:
                    for contact_id, attempt, placed in json.loads(payload):
                        for update in webhooks(contact_id, attempt, moment(placed)):
                            store.handle(update)
                tasks.execute("DELETE FROM wk_tasks WHERE id = %s", (task,))
        if row is None:
            time.sleep(0.002)


if __name__ == "__main__":
    work(sys.argv[1], sys.argv[2])
