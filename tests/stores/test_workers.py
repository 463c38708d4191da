"""Several worker processes drive one `PostgresCampaign` at once (issue 16, item 3).

A coordinator runs a campaign on simulated time and hands the work to 4 worker
processes (``tests/store_worker.py``) through a task table: at each moment it
first has the webhooks of the calls that ended delivered (duplicated and out of
order, in tasks of a few calls, any worker taking any task), then has every
worker call ``due`` until nothing more is due. The same campaign is run by one
in-process `CampaignRunner` with the same steps. Then:

* final counts, every contact, and the notifications (as a multiset; campaign
  notifications by kind, since which commit takes the last busy contact - and so
  the cycle's end time - depends on the workers' timing) equal the single run;
* the dials handed out equal the single run's, and none twice for one attempt;
* no caller line exceeds its daily cap, no number its frequency cap, and (the
  ``pacing`` scenario) never more than 4 calls in flight or two starts within
  5 s.

``test_a_worker_killed_mid_run`` kills one worker with SIGKILL while it holds a
task; the others finish the campaign with nothing lost or duplicated.

Size: ``CAMPAIGNKIT_WORKER_CONTACTS`` contacts (default 2,000; 20,000 with
``CAMPAIGNKIT_LONG_TESTS=1``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from campaignkit import CampaignRunner, CampaignStatus

from .. import store_worker as w

psycopg = pytest.importorskip("psycopg", reason='pip install "campaignkit[postgres]"')

from campaignkit.stores.postgres import PostgresCampaign  # noqa: E402

WORKERS = 4
LONG = os.environ.get("CAMPAIGNKIT_LONG_TESTS") == "1"
CONTACTS = int(os.environ.get("CAMPAIGNKIT_WORKER_CONTACTS", "20000" if LONG else "2000"))
PACED_CONTACTS = 120
CALLS_PER_TASK = 25
WORKER = Path(w.__file__)

Dial = tuple[str, int, str | None, int]  # contact, attempt, line, time (us)


class Single:
    """The reference: one runner, every task done in place."""

    def __init__(self, scenario: str, count: int) -> None:
        campaign, rules, lines = w.campaign_setup(scenario)
        self.store = CampaignRunner(campaign, rules=rules, lines=lines)
        self.store.add_contacts(w.contacts(count), now=w.T0)
        self.store.start(w.T0)
        self.dials: list[Dial] = []

    def calls(self, calls: list[tuple[str, int, int]]) -> None:
        for contact_id, attempt, placed in calls:
            for update in w.webhooks(contact_id, attempt, w.moment(placed)):
                self.store.handle(update)

    def due(self, now: datetime) -> None:
        while dials := self.store.due(now, limit=w.BATCH):
            self.dials += [
                (d.contact.id, d.attempt, d.line.id if d.line else None, w.micros(now))
                for d in dials
            ]


class Workers:
    """The workers: tasks go through ``wk_tasks``; the coordinator waits for them."""

    def __init__(self, conninfo: str, scenario: str, count: int, kill_at: int | None) -> None:
        campaign, rules, lines = w.campaign_setup(scenario)
        PostgresCampaign.drop(conninfo, w.CAMPAIGN)
        self.store = PostgresCampaign(conninfo, campaign, rules=rules, lines=lines)
        self.store.add_contacts(w.contacts(count), now=w.T0)
        self.store.start(w.T0)
        self.db = psycopg.connect(conninfo, autocommit=True)
        self.db.execute("DROP TABLE IF EXISTS wk_tasks, wk_dials")
        self.db.execute("CREATE TABLE wk_tasks (id BIGSERIAL PRIMARY KEY, kind TEXT, payload TEXT)")
        self.db.execute(
            "CREATE TABLE wk_dials (contact_id TEXT, attempt INT, line_id TEXT, at_us BIGINT, "
            "worker TEXT)"
        )
        self.kill_at, self.phases = kill_at, 0
        self.killed: subprocess.Popen[str] | None = None
        self.procs = [
            subprocess.Popen(
                [sys.executable, str(WORKER), conninfo, f"w{i}"],
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(WORKER.parents[1] / "src")},
            )
            for i in range(WORKERS)
        ]
        for proc in self.procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"

    def _run(self, tasks: list[tuple[str, str]]) -> None:
        with self.db.cursor() as cursor:
            cursor.executemany("INSERT INTO wk_tasks (kind, payload) VALUES (%s, %s)", tasks)
        self.phases += 1
        kill = (
            self.killed is None
            and self.kill_at is not None
            and self.phases >= self.kill_at
            and len(tasks) >= 4
        )
        while True:
            left = self.db.execute("SELECT count(*) FROM wk_tasks").fetchone()[0]
            if not left:
                return
            if kill:
                self._kill_one_mid_task()
                kill = self.killed is None
            for proc in self.procs:
                assert proc.poll() is None or proc is self.killed, "a worker died"
            time.sleep(0.003)

    def _kill_one_mid_task(self) -> None:
        """SIGKILL a worker that holds a task (its task transaction is open)."""
        row = self.db.execute(
            "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'w%' "
            "AND state = 'idle in transaction' LIMIT 1"
        ).fetchone()
        if row is None:
            return
        proc = self.procs[int(row[0][1:])]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.killed = proc

    def calls(self, calls: list[tuple[str, int, int]]) -> None:
        chunks = [calls[i : i + CALLS_PER_TASK] for i in range(0, len(calls), CALLS_PER_TASK)]
        self._run([("calls", json.dumps(chunk)) for chunk in chunks])

    def due(self, now: datetime) -> None:
        self._run([("due", str(w.micros(now)))] * WORKERS)

    @property
    def dials(self) -> list[Dial]:
        return [
            (c, a, line, t)
            for c, a, line, t in self.db.execute(
                "SELECT contact_id, attempt, line_id, at_us FROM wk_dials"
            )
        ]

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        self.db.close()
        self.store.close()


def simulate(driver: Single | Workers, *, paced: bool) -> int:
    """Run the campaign to its end on simulated time; returns the number of moments."""
    store: Any = driver.store
    pending: dict[int, list[tuple[str, int, int]]] = {}
    seen: set[str] = set()
    previous = w.T0 - timedelta(seconds=1)
    moments = 0
    while True:
        wakeup = store.next_wakeup()
        times = [t for t in (wakeup, w.moment(min(pending)) if pending else None) if t]
        if not times:
            return moments
        now = max(min(times), previous + timedelta(seconds=1))
        previous, moments = now, moments + 1
        until = w.micros(now)
        ended = sorted(k for k in pending if k <= until)
        calls = [call for k in ended for call in pending.pop(k)]
        if calls:
            driver.calls(calls)
        driver.due(now)
        flying = store.in_flight
        if paced:
            assert len(flying) <= 4
        for contact_id, call in flying.items():
            if call.id in seen:
                continue
            seen.add(call.id)
            placed = call.created_at
            end = w.micros(w.last_report(contact_id, call.attempt, placed))
            pending.setdefault(end, []).append((contact_id, call.attempt, w.micros(placed)))
        assert moments < 100_000, "the campaign does not end"


def _notes(store: Any) -> tuple[Counter[str], Counter[str]]:
    contact: Counter[str] = Counter()
    campaign: Counter[str] = Counter()
    for note in store.drain():
        data = note.to_dict()
        if "contact_id" in data:
            contact[json.dumps(data, sort_keys=True)] += 1
        else:
            campaign[data["kind"]] += 1
    return contact, campaign


def _check_rules(dials: list[Dial], *, paced: bool) -> None:
    attempts = Counter((c, a) for c, a, _, _ in dials)
    assert max(attempts.values()) == 1, "a contact was dialled twice for one attempt"
    zone = ZoneInfo("America/Mexico_City")
    per_line = Counter((line, w.moment(t).astimezone(zone).date()) for _, _, line, t in dials)
    assert max(per_line.values()) <= w.LINE_CAP
    by_contact: dict[str, list[int]] = {}
    for c, _, _, t in dials:
        by_contact.setdefault(c, []).append(t)
    day = w.micros(w.T0 + timedelta(days=1)) - w.micros(w.T0)
    for times in by_contact.values():
        times.sort()
        assert all(b - a >= day for a, b in zip(times, times[2:], strict=False))
    if paced:
        starts = sorted(t for _, _, _, t in dials)
        gap = w.micros(w.T0 + timedelta(seconds=5)) - w.micros(w.T0)
        assert all(b - a >= gap for a, b in pairwise(starts))


def _compare(single: Single, workers: Workers, *, paced: bool) -> None:
    runner, store = single.store, workers.store
    assert runner.campaign.status is CampaignStatus.FINISHED
    assert store.campaign.status is CampaignStatus.FINISHED
    assert store.counts == runner.counts
    assert [c.to_dict() for c in store.contacts.values()] == [
        c.to_dict() for c in runner.contacts.values()
    ]
    assert _notes(store) == _notes(runner)
    dials = workers.dials
    assert sorted(dials, key=str) == sorted(single.dials, key=str)
    _check_rules(dials, paced=paced)


@pytest.fixture
def conninfo(postgres_conninfo: str) -> Iterator[str]:
    yield postgres_conninfo
    PostgresCampaign.drop(postgres_conninfo, w.CAMPAIGN)


@pytest.mark.parametrize(("scenario", "count"), [("caps", CONTACTS), ("pacing", PACED_CONTACTS)])
def test_four_workers_end_as_one(conninfo: str, scenario: str, count: int) -> None:
    paced = scenario == "pacing"
    single = Single(scenario, count)
    simulate(single, paced=paced)
    workers = Workers(conninfo, scenario, count, kill_at=None)
    try:
        simulate(workers, paced=paced)
        _compare(single, workers, paced=paced)
    finally:
        workers.close()


def test_a_worker_killed_mid_run(conninfo: str) -> None:
    count = min(CONTACTS, 1000)
    single = Single("caps", count)
    moments = simulate(single, paced=False)
    workers = Workers(conninfo, "caps", count, kill_at=moments // 2)  # about a third in
    try:
        simulate(workers, paced=False)
        assert workers.killed is not None
        _compare(single, workers, paced=False)
    finally:
        workers.close()
