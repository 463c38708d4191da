"""`SQLiteCampaign`: creating and reopening files, the due index, transactions and
rollback, the outbox handed out exactly once, and typed errors for bad input."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaignkit import (
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignRunner,
    CampaignStatus,
    Contact,
    ContactStatus,
    IllegalTransition,
    InvalidInput,
    Priority,
    RetryPolicy,
)
from campaignkit.stores import SQLiteCampaign
from campaignkit.stores.sqlite import STORE_FORMAT

T0 = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
CAMPAIGN = Campaign(id="s", name="Store")
RETRY = RetryPolicy(max_retries=2, interval=10 * MIN)


def _people(n: int) -> list[Contact]:
    priorities = (Priority.LOW, Priority.NORMAL, Priority.HIGH)
    return [
        Contact(id=f"p{i}", phone=f"+1212555{i:04d}", priority=priorities[i % 3]) for i in range(n)
    ]


def _end(target: CampaignRunner | SQLiteCampaign, at: datetime, status: CallStatus) -> None:
    for contact_id, call in sorted(target.in_flight.items()):
        target.handle(CallUpdate(contact_id=contact_id, attempt=call.attempt, status=status, at=at))


def test_a_reopened_file_resumes_exactly(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    runner = CampaignRunner(CAMPAIGN, retry=RETRY)
    store = SQLiteCampaign(path, CAMPAIGN, retry=RETRY)
    for target in (runner, store):
        target.add_contacts(_people(7), now=T0)
        target.start(T0)
        target.due(T0, limit=4)
        _end(target, T0 + MIN, CallStatus.NO_ANSWER)
    store.close()
    store = SQLiteCampaign.open(path)
    assert store.snapshot() == runner.snapshot()
    assert store.next_wakeup() == runner.next_wakeup()
    for now in (T0 + 2 * MIN, T0 + 12 * MIN):
        assert store.due(now) == runner.due(now)
        _end(runner, now + MIN, CallStatus.BUSY)
        _end(store, now + MIN, CallStatus.BUSY)
        store.close()
        store = SQLiteCampaign.open(path)
        assert store.snapshot() == runner.snapshot()
    assert store.counts == runner.counts
    assert store.drain() == runner.drain()
    store.close()


def test_due_comes_in_order_of_time_priority_and_loading() -> None:
    store = SQLiteCampaign(":memory:", CAMPAIGN)
    store.add_contacts(_people(6), now=T0)
    store.start(T0)
    order = [d.contact.id for d in store.due(T0)]
    assert order == ["p2", "p5", "p1", "p4", "p0", "p3"]  # high, normal, low


def test_the_due_query_reads_the_index() -> None:
    store = SQLiteCampaign(":memory:", CAMPAIGN)
    from campaignkit.stores import sqlite

    plan = store._db.execute("EXPLAIN QUERY PLAN " + sqlite._DUE, (1, 0, 0, 0, 0, 10)).fetchall()
    assert "USING INDEX contacts_due" in plan[0][3]


def test_drain_hands_each_notification_out_once(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    store = SQLiteCampaign(path, CAMPAIGN)
    store.add_contacts(_people(2), now=T0)
    store.start(T0)
    store.due(T0)
    _end(store, T0 + MIN, CallStatus.COMPLETED)
    waiting = store.outbox
    assert waiting
    other = SQLiteCampaign.open(path)  # a second handle sees the same outbox
    assert other.outbox == waiting
    assert store.drain() == list(waiting)
    assert other.drain() == []  # already handed out
    assert store.outbox == ()
    assert store.purge_drained() == len(waiting)
    other.close()
    store.close()


def test_a_call_that_raises_leaves_the_database_unchanged(tmp_path: Path) -> None:
    store = SQLiteCampaign(tmp_path / "r.db", CAMPAIGN)
    store.add_contacts(_people(3), now=T0)
    before = store.snapshot()
    with pytest.raises(IllegalTransition):
        store.resume(T0)
    with pytest.raises(InvalidInput, match="duplicate contact id 'p0'"):
        store.add_contacts([Contact(id="z", phone="+12125559999"), *_people(2)], now=T0)
    with pytest.raises(InvalidInput, match="no contact 'nobody'"):
        store.handle(CallUpdate(contact_id="nobody", attempt=1, status=CallStatus.BUSY, at=T0))
    with pytest.raises(InvalidInput, match="limit"):
        store.due(T0, limit=-1)
    with pytest.raises(InvalidInput, match="now"):
        store.due(datetime(2026, 6, 1))  # naive
    assert store.snapshot() == before
    assert store.counts.created == 3
    store.close()


def test_bad_arguments_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="path"):
        SQLiteCampaign(42, CAMPAIGN)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="synchronous"):
        SQLiteCampaign(":memory:", CAMPAIGN, synchronous="SOMETIMES")
    with pytest.raises(InvalidInput, match="campaign must be a Campaign"):
        SQLiteCampaign(":memory:", "campaign")  # type: ignore[arg-type]
    path = tmp_path / "twice.db"
    SQLiteCampaign(path, CAMPAIGN).close()
    with pytest.raises(InvalidInput, match="already holds a campaign"):
        SQLiteCampaign(path, CAMPAIGN)
    with pytest.raises(InvalidInput, match="no campaign file"):
        SQLiteCampaign.open(":memory:")


def test_a_file_is_in_wal_mode_with_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    SQLiteCampaign(path, CAMPAIGN).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT format FROM campaign").fetchone()[0] == STORE_FORMAT
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert {"campaign", "contacts", "tally", "outbox", "sends", "contacts_due"} <= tables


def test_contacts_is_a_lazy_read_only_view() -> None:
    store = SQLiteCampaign(":memory:", CAMPAIGN)
    store.add_contacts(_people(2500), now=T0)
    view = store.contacts
    assert len(view) == 2500
    assert "p2499" in view
    assert "nobody" not in view
    assert view["p7"].id == "p7"
    assert next(iter(view.values())).id == "p0"
    assert list(view)[-1] == "p2499"
    assert all(c.status is ContactStatus.QUEUED for c in view.values())


def test_a_second_connection_sees_the_committed_campaign(tmp_path: Path) -> None:
    path = tmp_path / "two.db"
    first = SQLiteCampaign(path, CAMPAIGN)
    first.add_contacts(_people(2), now=T0)
    second = SQLiteCampaign.open(path)
    second.start(T0)  # committed by the other connection
    assert first.due(T0)  # reloads the campaign row: it is active
    assert first.campaign.status is CampaignStatus.ACTIVE
    assert second.counts == first.counts
    first.close()
    second.close()
