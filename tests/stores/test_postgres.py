"""`PostgresCampaign` behaves exactly like the runner, survives SIGKILL, and keeps
several campaigns and several connections apart (issue 16).

Runs against the session's PostgreSQL server (``tests/pg_server.py``): the
store-equivalence state machine of ``test_store_equivalence.py`` with a
`PostgresCampaign` as the store, the SIGKILL durability run of
``test_store_durability.py`` on a PostgreSQL campaign, and the store's own
edges (open, drop, two campaigns in one database, a missing psycopg, two
connections applying events to one contact at once).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from campaignkit import (
    CallerLine,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignRunner,
    CampaignStatus,
    Contact,
    InvalidInput,
    PacingPolicy,
    RetryPolicy,
)
from campaignkit.errors import CampaignkitError, MissingDependency
from campaignkit.policies.rules import CampaignRules

from .. import store_crash_driver as driver
from ..engine_strategies import T0
from .test_equivalence import StoreEquivalence

psycopg = pytest.importorskip(
    "psycopg", reason='needs psycopg: pip install "campaignkit[postgres]"'
)

from campaignkit.stores.postgres import PostgresCampaign  # noqa: E402

DRIVER = Path(driver.__file__)
KILLS = 20
SEC = timedelta(seconds=1)


@pytest.fixture
def conninfo(postgres_conninfo: str) -> Iterator[str]:
    """The session's server, with this test's campaigns dropped afterwards."""
    yield postgres_conninfo
    with psycopg.connect(postgres_conninfo, autocommit=True) as db:
        if db.execute("SELECT to_regclass('ck_campaigns') IS NOT NULL").fetchone()[0]:
            db.execute("DELETE FROM ck_campaigns")


def people(count: int, start: int = 0) -> list[Contact]:
    return [Contact(id=f"p{i}", phone=f"+1212555{i:04d}") for i in range(start, start + count)]


# --------------------------------------------------------------------------- equivalence


class PostgresEquivalence(StoreEquivalence):
    """The same machine, with the store on PostgreSQL (a fresh campaign per example)."""

    conninfo = ""

    @staticmethod
    def make_store(
        campaign: Campaign,
        rules: CampaignRules,
        lines: list[CallerLine] | None,
        rng: random.Random,
    ) -> Any:
        conninfo = PostgresEquivalence.conninfo
        PostgresCampaign.drop(conninfo, campaign.id)
        return PostgresCampaign(conninfo, campaign, rules=rules, lines=lines, rng=rng)


def test_postgres_store_behaves_like_the_runner(conninfo: str) -> None:
    """Every call, event and drain of the equivalence machine: identical rows, counts,
    wakeups, calls in flight and notifications in the same order."""
    PostgresEquivalence.conninfo = conninfo
    run_state_machine_as_test(
        PostgresEquivalence,
        settings=settings(
            max_examples=int(os.environ.get("CAMPAIGNKIT_PG_EXAMPLES", "25")),
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )


def test_a_raising_call_leaves_the_database_unchanged(conninfo: str) -> None:
    campaign = Campaign(id="raising", name="R")
    runner = CampaignRunner(campaign)
    store = PostgresCampaign(conninfo, campaign)
    crowd = people(3)
    for target in (runner, store):
        target.add_contacts(crowd[:1], now=T0)
        with pytest.raises(CampaignkitError, match="duplicate contact id 'p0'"):
            target.add_contacts([crowd[1], crowd[0], crowd[2]], now=T0)
    assert store.snapshot() == runner.snapshot()
    assert store.counts.created == 1
    store.close()


# --------------------------------------------------------------------------- the store's edges


def test_open_resumes_and_refuses_what_is_not_there(conninfo: str) -> None:
    campaign = Campaign(id="resume", name="Resume")
    with PostgresCampaign(conninfo, campaign, retry=RetryPolicy(max_retries=1)) as store:
        store.add_contacts(people(4), now=T0)
        store.start(T0)
        dials = store.due(T0, limit=2)
    assert len(dials) == 2
    with PostgresCampaign.open(conninfo, "resume") as again:
        assert again.counts.in_progress == 2
        assert sorted(again.in_flight) == sorted(d.contact.id for d in dials)
        assert again.rules.retry.max_retries == 1
        assert len(again.due(T0)) == 2
    with pytest.raises(InvalidInput, match="already holds campaign 'resume'"):
        PostgresCampaign(conninfo, campaign)
    with pytest.raises(InvalidInput, match=r"holds no campaignkit\.postgres/1 campaign 'nope'"):
        PostgresCampaign.open(conninfo, "nope")
    with pytest.raises(InvalidInput, match="cannot connect"):
        PostgresCampaign.open("host=127.0.0.1 port=1 connect_timeout=2", "resume")
    with pytest.raises(InvalidInput, match="conninfo must be"):
        PostgresCampaign(None, campaign)  # type: ignore[arg-type]
    assert PostgresCampaign.drop(conninfo, "resume")
    assert not PostgresCampaign.drop(conninfo, "resume")


def test_campaigns_share_a_database_without_seeing_each_other(conninfo: str) -> None:
    first = PostgresCampaign(conninfo, Campaign(id="one", name="One"))
    second = PostgresCampaign(conninfo, Campaign(id="two", name="Two"))
    first.add_contacts(people(3), now=T0)
    second.add_contacts(people(2), now=T0)  # the same contact ids, another campaign
    first.start(T0)
    assert len(first.due(T0)) == 3
    assert second.counts.created == 2
    assert second.counts.in_progress == 0
    assert second.due(T0) == []  # not started
    assert {n.campaign_id for n in second.drain()} == {"two"}
    assert list(first.contacts) == ["p0", "p1", "p2"]
    assert "p0" in second.contacts
    assert "p4" not in second.contacts
    first.close()
    second.close()


def test_a_missing_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingDependency, match=r"pip install \"campaignkit\[postgres\]\""):
        PostgresCampaign.open("host=127.0.0.1", "c")


def test_two_connections_apply_events_to_one_contact_one_at_a_time(conninfo: str) -> None:
    """Threads on two connections deliver the same webhooks (duplicated, shuffled) for
    the same calls at once: the result equals one delivery in order, and pacing's
    calls in flight (written only when a call ends) comes back to zero."""
    campaign = Campaign(id="locks", name="Locks")
    pacing = PacingPolicy(max_concurrent_calls=50, call_interval=5 * SEC)
    store = PostgresCampaign(conninfo, campaign, pacing=pacing, retry=RetryPolicy(max_retries=0))
    runner = CampaignRunner(campaign, pacing=pacing, retry=RetryPolicy(max_retries=0))
    crowd = people(20)
    for target in (store, runner):
        target.add_contacts(crowd, now=T0)
        target.start(T0)
        for i in range(len(crowd)):  # one call start per 5 s
            assert len(target.due(T0 + 5 * i * SEC)) == 1
    assert store.pacing_state.in_flight == 20
    updates = []
    for i, contact in enumerate(crowd):
        for status, seconds in ((CallStatus.RINGING, 2), (CallStatus.NO_ANSWER, 30)):
            at = T0 + (5 * i + seconds) * SEC
            updates.append(CallUpdate(contact_id=contact.id, attempt=1, status=status, at=at))
    for update in updates:
        runner.handle(update)
    errors: list[BaseException] = []

    def deliver(seed: int) -> None:
        worker = PostgresCampaign.open(conninfo, "locks")
        try:
            batch = updates * 2
            random.Random(seed).shuffle(batch)
            for update in batch:
                worker.handle(update)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            worker.close()

    threads = [threading.Thread(target=deliver, args=(seed,)) for seed in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.counts == runner.counts
    assert store.campaign.status is CampaignStatus.FINISHED
    assert store.pacing_state.in_flight == 0
    assert [c.to_dict() for c in store.contacts.values()] == [
        c.to_dict() for c in runner.contacts.values()
    ]
    expected = sorted(json.dumps(n.to_dict(), sort_keys=True) for n in runner.drain())
    got = sorted(json.dumps(n.to_dict(), sort_keys=True) for n in store.drain())
    # One delivery in order ends the campaign at the last event's time; with two
    # connections it ends at whichever commit took the last busy contact.
    assert [n for n in got if '"campaign-' not in n] == [
        n for n in expected if '"campaign-' not in n
    ]
    store.close()


class _Racing(PostgresCampaign):
    """A store that, inside its first transaction's tally read, waits until the other
    racer has read the tally too: both see the other's contact still busy."""

    barrier: threading.Barrier

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("use _Racing.open")

    def _totals(self) -> dict[str, int]:
        totals = super()._totals()
        if not getattr(self, "raced", False) and self._db.info.transaction_status:
            self.raced = True
            self.barrier.wait(timeout=30)
        return totals


def test_two_workers_settling_the_last_two_contacts_at_once_end_the_cycle_once(
    conninfo: str,
) -> None:
    """Each transaction sees the other's contact still busy; the check after the commit
    ends the campaign, exactly once."""
    campaign = Campaign(id="race", name="Race")
    with PostgresCampaign(conninfo, campaign, retry=RetryPolicy(max_retries=0)) as store:
        store.add_contacts(people(2), now=T0)
        store.start(T0)
        assert len(store.due(T0)) == 2
    _Racing.barrier = threading.Barrier(2)
    racers = [_Racing.open(conninfo, "race") for _ in range(2)]
    errors: list[BaseException] = []

    def end(racer: _Racing, contact_id: str) -> None:
        try:
            racer.handle(
                CallUpdate(
                    contact_id=contact_id, attempt=1, status=CallStatus.BUSY, at=T0 + 30 * SEC
                )
            )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    try:
        threads = [
            threading.Thread(target=end, args=(racer, f"p{i}")) for i, racer in enumerate(racers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for racer in racers:
            racer.close()
    assert errors == []
    assert all(getattr(r, "raced", False) for r in racers)  # both read before either commit
    with PostgresCampaign.open(conninfo, "race") as store:
        assert store.campaign.status is CampaignStatus.FINISHED
        notes = [n.to_dict() for n in store.drain()]
    finished = [n for n in notes if n["kind"] == "campaign-status" and n["status"] == "finished"]
    assert len(finished) == 1, notes


# --------------------------------------------------------------------------- durability


def _database(conninfo: str, name: str) -> str:
    """A fresh, empty database ``name`` on the server; its connection string."""
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name}")
        db.execute(f"CREATE DATABASE {name}")
    return str(psycopg.conninfo.make_conninfo(conninfo, dbname=name))


def _result(conninfo: str, campaign_id: str = "durable") -> dict[str, Any]:
    with PostgresCampaign.open(conninfo, campaign_id) as store:
        result = {
            "contacts": [c.to_dict() for c in store.contacts.values()],
            "states": store.snapshot()["contacts"],
            "counts": store.counts,
            "campaign": store.campaign_state.to_dict(),
        }
    with psycopg.connect(conninfo) as db:
        result["notes"] = [
            json.loads(n)
            for (n,) in db.execute(
                "SELECT note FROM ck_outbox WHERE campaign_id = %s ORDER BY seq", (campaign_id,)
            )
        ]
    return result


def _child(target: str, kill_after: int | None) -> int:
    child = subprocess.Popen(
        [sys.executable, str(DRIVER), target],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(DRIVER.parents[1] / "src")},
    )
    assert child.stdout is not None
    for seen, line in enumerate(child.stdout, start=1):
        if line.strip() == "done":
            break
        if kill_after is not None and seen >= kill_after:
            child.send_signal(signal.SIGKILL)
            break
    child.stdout.close()
    return child.wait(timeout=120)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_twenty_times_the_campaign_ends_as_if_never_interrupted(conninfo: str) -> None:
    calls = 0

    def count() -> None:
        nonlocal calls
        calls += 1

    reference = _database(conninfo, "ck_reference")
    driver.drive(f"pg:durable:{reference}", count).close()
    expected = _result(reference)
    assert expected["campaign"]["campaign"]["status"] == CampaignStatus.FINISHED.value
    assert expected["counts"].created == driver.CONTACTS

    crashed = _database(conninfo, "ck_crashed")
    step = max(1, calls // (KILLS + 2))
    kills = 0
    for _ in range(KILLS):
        code = _child(f"pg:durable:{crashed}", kill_after=step)
        if code == 0:
            break
        assert code == -signal.SIGKILL
        kills += 1
    assert kills >= 20
    assert _child(f"pg:durable:{crashed}", kill_after=None) == 0
    assert _result(crashed) == expected
    finals = [n for n in expected["notes"] if n["kind"] == "contact-final"]
    assert len({n["contact_id"] for n in finals}) == len(finals) == driver.CONTACTS
