"""CampaignRunner: the Exotel worked example end to end, ordering, commands, events,
the admission seam, and snapshots."""

from __future__ import annotations

import heapq
import re
from collections import Counter
from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    Call,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignCounts,
    CampaignRunner,
    CampaignStatus,
    Channel,
    Contact,
    ContactCalledBack,
    ContactConverted,
    ContactStatus,
    IllegalTransition,
    InvalidInput,
    Outcome,
    Priority,
    RetryPolicy,
)
from campaignkit.engine import (
    CallStatusNotification,
    CampaignStatusNotification,
    ContactFinalNotification,
    apply_call_report,
)
from campaignkit.engine.steps import report_call as _report
from campaignkit.runner.queue import DueQueue

from ..engine_strategies import T0, answered_bys, outcomes, report_statuses

MIN = timedelta(minutes=1)


def _contacts(n: int, **changes: object) -> list[Contact]:
    return [
        attrs.evolve(Contact(id=f"c{i:04d}", phone=f"+91987650{i:04d}"), **changes)
        for i in range(n)
    ]


def _runner(n: int = 3, retry: RetryPolicy | None = None, **campaign: object) -> CampaignRunner:
    runner = CampaignRunner(Campaign(id="camp", name="Campaign", **campaign), retry=retry)  # type: ignore[arg-type]
    runner.add_contacts(_contacts(n), now=T0)
    return runner


def _update(
    contact_id: str, attempt: int, status: CallStatus, at: datetime, **kw: object
) -> CallUpdate:
    return CallUpdate(contact_id=contact_id, attempt=attempt, status=status, at=at, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- seed 001 end to end


def test_exotel_worked_example_reproduces_stats_and_retry_effectiveness() -> None:
    """2500 contacts, 2 retries: 1500 connect on the 1st attempt, 250 on the 1st retry,
    125 on the 2nd; of the rest the last attempt failed (425), was busy (87) or was not
    answered (113)."""
    runner = CampaignRunner(
        Campaign(id="camp_abc123", name="Payment Reminder Q1"),
        retry=RetryPolicy.exotel(2, interval_mins=15),
    )
    runner.add_contacts(_contacts(2500), now=T0)
    busy, no_answer, failed, completed = (
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.FAILED,
        CallStatus.COMPLETED,
    )
    plans = (
        [[completed]] * 1500
        + [[busy, completed]] * 250
        + [[no_answer, busy, completed]] * 125
        + [[busy, no_answer, failed]] * 425
        + [[no_answer, no_answer, busy]] * 87
        + [[busy, busy, no_answer]] * 113
    )
    plan = dict(zip(runner.contacts, plans, strict=True))
    runner.start(T0)
    now = T0
    while (wakeup := runner.next_wakeup()) is not None or runner.in_flight:
        now = max(now, wakeup or now)
        for dial in runner.due(now):
            status = plan[dial.contact.id][dial.attempt - 1]
            runner.handle(_update(dial.contact.id, dial.attempt, status, now + MIN, duration=43))
        now += MIN
    assert runner.campaign.status is CampaignStatus.FINISHED
    assert runner.counts.to_dict() == {
        "created": 2500,
        "completed": 1875,
        "failed": 425,
        "pending": 0,
        "in_progress": 0,
        "busy": 87,
        "no_answer": 113,
    }
    notes = runner.drain()
    attempts = [n for n in notes if isinstance(n, CallStatusNotification)]
    contacts_per_attempt = Counter(n.attempt for n in attempts)
    connected = Counter(n.attempt for n in attempts if n.outcome.connected)
    assert [contacts_per_attempt[a] for a in (1, 2, 3)] == [2500, 1000, 750]
    assert [connected[a] for a in (1, 2, 3)] == [1500, 250, 125]
    finals = [n for n in notes if isinstance(n, ContactFinalNotification)]
    assert len(finals) == 2500
    exhausted = Counter(n.outcome for n in finals if n.exhausted)
    assert exhausted == {Outcome.BUSY: 87, Outcome.NO_ANSWER: 113}
    assert all(n.attempts == 3 for n in finals if n.exhausted)
    final_campaign = [n for n in notes if isinstance(n, CampaignStatusNotification)][-1]
    assert final_campaign.status is CampaignStatus.FINISHED
    assert final_campaign.counts == runner.counts
    assert runner.outbox == ()


# --------------------------------------------------------------------------- due selection


def test_due_orders_by_time_then_priority_then_loading_order() -> None:
    runner = CampaignRunner(Campaign(id="camp", name="Campaign"))
    runner.add_contacts(
        [
            Contact(id="normal-1", phone="+5215550000001"),
            Contact(id="low", phone="+5215550000002", priority=Priority.LOW),
            Contact(id="high", phone="+5215550000003", priority=Priority.HIGH),
            Contact(id="normal-2", phone="+5215550000004"),
            Contact(id="early-low", phone="+5215550000005", priority=Priority.LOW),
            Contact(id="later", phone="+5215550000006", priority=Priority.HIGH),
        ],
        now=T0,
    )
    runner.add_contacts(
        [Contact(id="earliest", phone="+5215550000007", next_attempt_at=T0 - 5 * MIN)], now=T0
    )
    runner.add_contacts(
        [Contact(id="future", phone="+5215550000008", next_attempt_at=T0 + 5 * MIN)], now=T0
    )
    runner.start(T0)
    first = runner.due(T0, limit=2)
    assert [d.contact.id for d in first] == ["earliest", "high"]
    rest = runner.due(T0)
    assert [d.contact.id for d in rest] == ["later", "normal-1", "normal-2", "low", "early-low"]
    assert runner.next_wakeup() == T0 + 5 * MIN
    assert runner.due(T0 + 4 * MIN) == []
    assert [d.contact.id for d in runner.due(T0 + 5 * MIN)] == ["future"]
    assert runner.next_wakeup() is None  # everyone is in a call
    assert runner.counts.in_progress == 8


def test_due_returns_dials_with_attempt_and_no_line() -> None:
    runner = _runner(2)
    assert runner.due(T0) == []  # not started
    runner.start(T0)
    dials = runner.due(T0)
    assert [(d.contact.status, d.attempt, d.line) for d in dials] == [
        (ContactStatus.DIALING, 1, None)
    ] * 2
    assert set(runner.in_flight) == {"c0000", "c0001"}
    with pytest.raises(InvalidInput, match="limit"):
        runner.due(T0, limit=-1)
    with pytest.raises(InvalidInput, match="timezone-aware"):
        runner.due(datetime(2026, 1, 1))


def test_scheduled_campaign_opens_at_its_start_time() -> None:
    runner = _runner(1, start_at=T0 + 60 * MIN)
    runner.start(T0)
    assert runner.campaign.status is CampaignStatus.SCHEDULED
    assert runner.next_wakeup() == T0 + 60 * MIN
    assert runner.due(T0 + 59 * MIN) == []
    assert len(runner.due(T0 + 60 * MIN)) == 1
    assert runner.campaign.status is CampaignStatus.ACTIVE


# --------------------------------------------------------------------------- events


def test_progress_duplicates_and_stale_reports() -> None:
    runner = _runner(1, retry=RetryPolicy(max_retries=1, interval=30 * MIN))
    runner.start(T0)
    assert len(runner.due(T0)) == 1
    ringing = _update("c0000", 1, CallStatus.RINGING, T0 + MIN)
    runner.handle(ringing)
    assert runner.in_flight["c0000"].status is CallStatus.RINGING
    busy = _update("c0000", 1, CallStatus.BUSY, T0 + 2 * MIN)
    runner.handle(busy)
    state = runner.snapshot()
    for event in (busy, ringing, _update("c0000", 2, CallStatus.COMPLETED, T0 + 3 * MIN)):
        runner.handle(event)  # a duplicate, a stale one, one for an attempt not placed
        assert runner.snapshot() == state
    contact = runner.contact("c0000")
    assert (contact.status, contact.next_attempt_at) == (ContactStatus.RETRYING, T0 + 32 * MIN)
    (again,) = runner.due(T0 + 32 * MIN)
    assert again.attempt == 2
    runner.handle(busy)  # the first attempt's report, once more
    assert runner.in_flight["c0000"].attempt == 2
    runner.handle(
        _update("c0000", 2, CallStatus.COMPLETED, T0 + 35 * MIN, answered_by=AnsweredBy.MACHINE)
    )
    assert runner.contact("c0000").status is ContactStatus.VOICEMAIL
    assert runner.campaign.status is CampaignStatus.FINISHED


def test_unknown_contact_and_unknown_event() -> None:
    runner = _runner(1)
    with pytest.raises(InvalidInput, match="no contact"):
        runner.handle(_update("nobody", 1, CallStatus.BUSY, T0))
    with pytest.raises(InvalidInput, match="not an event"):
        runner.handle("busy")  # type: ignore[arg-type]


def test_call_back_within_the_completion_timeout_changes_the_outcome() -> None:
    policy = RetryPolicy.itellico(contact_completion_timeout=(30, "minutes"))
    runner = _runner(2, retry=policy)
    runner.start(T0)
    runner.due(T0)
    for contact_id in ("c0000", "c0001"):
        runner.handle(_update(contact_id, 1, CallStatus.NO_ANSWER, T0 + MIN))
    assert runner.counts.pending == 2  # itellico "Called": awaiting outcome
    assert runner.next_wakeup() == T0 + 31 * MIN
    called_back = ContactCalledBack(
        contact_id="c0000", outcome=Outcome.HUMAN_CONVERSATION, at=T0 + 20 * MIN
    )
    runner.handle(called_back)
    runner.handle(ContactConverted(contact_id="c0000", at=T0 + 25 * MIN))
    assert runner.contact("c0000").status is ContactStatus.CONVERTED
    assert runner.due(T0 + 31 * MIN) == []  # c0001 settles; its retry waits an hour
    assert runner.contact("c0001").status is ContactStatus.RETRYING
    assert runner.next_wakeup() == T0 + 91 * MIN


def test_converting_twice_is_converting_once_and_illegal_conversion_raises() -> None:
    runner = _runner(1)
    runner.start(T0)
    runner.due(T0)
    runner.handle(_update("c0000", 1, CallStatus.COMPLETED, T0 + MIN))
    convert = ContactConverted(contact_id="c0000", at=T0 + 2 * MIN)
    runner.handle(convert)
    state = runner.snapshot()
    runner.handle(convert)
    assert runner.snapshot() == state
    other = _runner(1, retry=RetryPolicy(max_retries=0))
    other.start(T0)
    other.due(T0)
    other.handle(_update("c0000", 1, CallStatus.BUSY, T0 + MIN))
    with pytest.raises(IllegalTransition):
        other.handle(ContactConverted(contact_id="c0000", at=T0 + 2 * MIN))


# --------------------------------------------------------------------------- commands


def test_pause_stops_dialling_and_resume_picks_up_the_backlog() -> None:
    runner = _runner(3)
    runner.start(T0)
    runner.pause(T0)
    assert runner.due(T0) == []
    assert runner.next_wakeup() is None
    runner.resume(T0 + MIN)
    assert len(runner.due(T0 + MIN)) == 3
    with pytest.raises(IllegalTransition):
        runner.resume(T0 + MIN)


def test_force_complete_fails_pending_contacts_and_settles_calls_in_flight() -> None:
    runner = _runner(4, retry=RetryPolicy.exotel(2))
    runner.start(T0)
    first, second = runner.due(T0, limit=2)
    runner.handle(_update(first.contact.id, 1, CallStatus.BUSY, T0 + MIN))
    runner.force_complete(T0 + 2 * MIN)
    assert runner.campaign.status is CampaignStatus.FINISHED
    assert runner.counts == CampaignCounts(created=4, failed=3, in_progress=1)
    # The call still in flight ends busy: settled at once, no retry.
    runner.handle(_update(second.contact.id, 1, CallStatus.BUSY, T0 + 3 * MIN))
    assert runner.contact(second.contact.id).status is ContactStatus.FAILED
    assert runner.counts == CampaignCounts(created=4, failed=3, busy=1)
    assert runner.due(T0 + 60 * MIN) == []
    with pytest.raises(IllegalTransition):
        runner.add_contacts(_contacts(1, id="late"), now=T0)


def test_cancel_leaves_contacts_as_they_are() -> None:
    runner = _runner(2)
    runner.start(T0)
    runner.cancel(T0)
    assert runner.campaign.status is CampaignStatus.CANCELLED
    assert runner.counts.pending == 2
    assert runner.due(T0) == []
    assert runner.next_wakeup() is None


# --------------------------------------------------------------------------- loading


def test_add_contacts_validation_adds_nothing_on_error() -> None:
    runner = _runner(1)
    before = runner.snapshot()
    for bad in (
        _contacts(1),  # duplicate id
        [*_contacts(1, id="x"), *_contacts(1, id="x")],
        _contacts(1, id="y", status=ContactStatus.DIALING),
        _contacts(1, id="z", status=ContactStatus.AWAITING_OUTCOME),
        ["not a contact"],
    ):
        with pytest.raises(InvalidInput):
            runner.add_contacts(bad, now=T0)  # type: ignore[arg-type]
        assert runner.snapshot() == before
    runner.add_contacts([], now=T0)
    assert runner.snapshot() == before


def test_settled_contacts_can_be_loaded_and_a_campaign_of_them_finishes() -> None:
    runner = CampaignRunner(Campaign(id="camp", name="Campaign"))
    runner.add_contacts(
        _contacts(2, status=ContactStatus.ANSWERED, last_outcome=Outcome.HUMAN_CONVERSATION),
        now=T0,
    )
    runner.start(T0)
    assert runner.campaign.status is CampaignStatus.FINISHED


def test_constructor_refuses_whatsapp_and_wrong_types() -> None:
    with pytest.raises(InvalidInput, match="call campaigns"):
        CampaignRunner(Campaign(id="c", name="n", channel=Channel.WHATSAPP))
    with pytest.raises(InvalidInput, match="retry"):
        CampaignRunner(Campaign(id="c", name="n"), retry="altur")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="campaign"):
        CampaignRunner("camp")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- snapshots


def test_snapshot_round_trip_and_restored_runner_behaves_the_same() -> None:
    policy = RetryPolicy.itellico(contact_completion_timeout=(30, "minutes"))
    runner = _runner(3, retry=policy)
    runner.start(T0)
    runner.due(T0, limit=2)
    runner.handle(_update("c0000", 1, CallStatus.NO_ANSWER, T0 + MIN))
    data = runner.snapshot()
    restored = CampaignRunner.restore(data)
    assert restored.snapshot() == data
    for r in (runner, restored):
        r.handle(_update("c0001", 1, CallStatus.BUSY, T0 + 2 * MIN))
        r.due(T0 + 40 * MIN)
    assert restored.snapshot() == runner.snapshot()
    assert restored.counts == runner.counts


def test_restore_refuses_bad_snapshots() -> None:
    runner = _runner(2)
    runner.start(T0)
    runner.due(T0, limit=1)
    data = runner.snapshot()
    with pytest.raises(InvalidInput, match="snapshot"):
        CampaignRunner.restore({**data, "format": "other/1"})
    with pytest.raises(InvalidInput, match="keys"):
        CampaignRunner.restore({k: v for k, v in data.items() if k != "outbox"})
    no_call = [{**data["contacts"][0], "call": None}, *data["contacts"][1:]]
    with pytest.raises(InvalidInput, match="dialling"):
        CampaignRunner.restore({**data, "contacts": no_call})
    with pytest.raises(InvalidInput, match="duplicate"):
        CampaignRunner.restore({**data, "contacts": data["contacts"] * 2})
    with pytest.raises(InvalidInput, match="list"):
        CampaignRunner.restore({**data, "contacts": {}})
    with pytest.raises(InvalidInput, match="ISO"):
        CampaignRunner.restore({**data, "campaign": {**data["campaign"], "next_loop_at": "soon"}})


# --------------------------------------------------------------------------- the fast report path


@given(
    st.lists(
        st.tuples(
            report_statuses,
            st.integers(0, 600),
            answered_bys,
            st.none() | outcomes,
            st.none() | st.integers(0, 300),
            st.none() | st.sampled_from(["", "+15550001111"]),
            st.none() | st.just("https://example.com/r.mp3"),
            st.none() | st.sampled_from(["CA1", "CA2"]),
            st.none() | st.integers(-60, 600),
            st.none() | st.integers(-60, 600),
        ),
        max_size=8,
    )
)
def test_the_runner_applies_reports_exactly_as_apply_call_report(reports: list[tuple]) -> None:  # type: ignore[type-arg]
    """Minimal reports and real webhooks (a carrier id, answer and hang-up times, some
    running backwards) give exactly what the validated `apply_call_report` gives."""
    call = Call(id="camp/c/1", contact_id="c", to="+5215550000001", created_at=T0)
    expected = call
    for status, offset, answered_by, outcome, duration, from_number, url, sid, a, b in reports:
        started = None if a is None else T0 + timedelta(seconds=a)
        ended = None if b is None else T0 + timedelta(seconds=b)
        if started is not None and ended is not None and ended < started:
            started, ended = ended, started  # a CallUpdate's own times are in order
        event = CallUpdate(
            contact_id="c",
            attempt=1,
            status=status,
            at=T0 + timedelta(seconds=offset),
            answered_by=answered_by,
            outcome=outcome,
            duration=duration,
            from_number=from_number,
            recording_url=url,
            call_id=sid,
            started_at=started,
            ended_at=ended,
        )
        try:
            expected = apply_call_report(expected, status, at=event.at, **event.details())
        except InvalidInput as refused:
            with pytest.raises(InvalidInput, match=re.escape(str(refused))):
                _report(call, event)
            continue
        call = _report(call, event)
        assert call == expected
        assert call.to_dict() == expected.to_dict()
        assert Call.from_dict(call.to_dict()) == call


# --------------------------------------------------------------------------- the due queue

_pushes = st.tuples(
    st.integers(-(2**26), 2 * 2**26),  # microseconds, across three ~minute buckets
    st.integers(0, 2),  # priority rank
    st.integers(0, 40),  # loading index
).map(lambda t: (t[0] << 34) | (t[1] << 32) | t[2])


@given(st.lists(st.none() | _pushes, max_size=120))
def test_the_due_queue_pops_in_key_order_like_a_heap(operations: list[int | None]) -> None:
    """Pushes (None: a pop) in any order - in order, out of order, before the current
    bucket, duplicates - come out exactly as from one plain heap."""
    queue, reference = DueQueue(), []
    for key in operations:
        if key is not None:
            queue.push(key)
            heapq.heappush(reference, key)
            continue
        expected = reference[0] if reference else None
        assert queue.peek() == expected
        if expected is not None:
            queue.pop()
            heapq.heappop(reference)
    while reference:
        assert queue.peek() == heapq.heappop(reference)
        queue.pop()
    assert queue.peek() is None


def test_the_due_queue_runs_in_order_and_out_of_order() -> None:
    queue = DueQueue()
    loaded = [(5 << 34) | (1 << 32) | i for i in range(5)]  # loaded together, in order
    for key in loaded:
        queue.push(key)
    assert queue.peek() == loaded[0]  # the bucket is now the current one
    early = (4 << 34) | (1 << 32) | 8  # into the current bucket, out of order
    queue.push(early)
    late = (3 << 34) | (1 << 32) | 9  # earlier time, later index: out of order
    queue.push(late)
    high = (5 << 34) | 7  # same time, high priority
    queue.push(high)
    popped = []
    while (key := queue.peek()) is not None:
        popped.append(key)
        queue.pop()
    assert popped == sorted([*loaded, early, late, high])


def test_a_line_loaded_over_its_cap_without_a_day_resets_the_next_day() -> None:
    """A caller line loaded with ``calls_today`` over the daily cap and no
    ``counted_on`` is taken as today's count, dated on the first round: the
    campaign waits for the next day and then finishes (it used to wait for
    "tomorrow" every day; found by CampaignStateMachine's liveness check)."""
    from datetime import UTC

    from campaignkit import CallerLine, Campaign, CampaignRunner, Contact
    from campaignkit.engine import CallUpdate
    from campaignkit.statuses import AnsweredBy, CallStatus, CampaignStatus

    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    runner = CampaignRunner(
        Campaign(id="k", name="k"),
        lines=[CallerLine(id="l1", number="+525512345678", calls_today=476)],
    )
    runner.add_contacts([Contact(id="c1", phone="+525512345679")], now=start)
    runner.start(start)
    assert runner.due(start) == []
    wake = runner.next_wakeup()
    assert wake is not None
    assert start < wake <= start + timedelta(days=1)
    (dial,) = runner.due(wake)
    done = CallUpdate(
        "c1", dial.attempt, CallStatus.COMPLETED, at=wake, answered_by=AnsweredBy.HUMAN
    )
    runner.handle(done)
    assert runner.campaign.status is CampaignStatus.FINISHED
