"""The reducers: calls, call-backs, conversion, force-complete, campaign commands, counts."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    Call,
    CallerLine,
    CallStatus,
    Campaign,
    CampaignCounts,
    CampaignStatus,
    Contact,
    ContactStatus,
    IllegalTransition,
    InvalidInput,
    Outcome,
    RetryPolicy,
    strategies,
)
from campaignkit.engine import (
    CallStatusNotification,
    CampaignCommand,
    CampaignStatusNotification,
    ContactFinalNotification,
    apply_call,
    apply_called_back,
    apply_command,
    close_contact,
    contact_bucket,
    dial,
    enqueue,
    finalize_outcome,
    is_due,
    mark_converted,
    move_campaign,
    notification_from_dict,
    open_campaign,
    postpone,
)
from campaignkit.machines import CampaignEvent
from campaignkit.statuses import ContactStatus as _ContactStatus

from ..engine_strategies import T0, outcomes, retry_policies, vendor_policies

contacts = functools.partial(strategies.contacts, statuses=tuple(_ContactStatus))

MIN = timedelta(minutes=1)
ZERO = CampaignCounts()


def _contact(**changes: object) -> Contact:
    return attrs.evolve(Contact(id="1", phone="+5215555551234"), **changes)


def _call(attempt: int = 1, status: CallStatus = CallStatus.COMPLETED, **more: object) -> Call:
    return Call(
        id=f"CA{attempt}",
        contact_id="1",
        to="+5215555551234",
        attempt=attempt,
        status=status,
        created_at=T0,
        **more,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- dialling


def test_enqueue_and_due() -> None:
    contact = enqueue(_contact(), at=T0)
    assert contact.next_attempt_at == T0
    assert enqueue(contact, at=T0 + MIN) is contact  # already has a time
    assert not is_due(contact, T0 - MIN)
    assert is_due(contact, T0)
    settled = attrs.evolve(contact, status=ContactStatus.ANSWERED)
    assert enqueue(settled, at=T0) is settled
    assert not is_due(settled, T0 + 1000 * MIN)
    with pytest.raises(InvalidInput, match="timezone-aware"):
        is_due(contact, datetime(2026, 1, 1))


def test_dial_counts_the_attempt_and_clears_the_time() -> None:
    line = CallerLine(id="L1", number="+15550001111")
    placed = dial(enqueue(_contact(attempts=2), at=T0), now=T0 + MIN, line=line)
    assert placed.attempt == 3
    assert placed.line is line
    assert placed.contact.status is ContactStatus.DIALING
    assert placed.contact.next_attempt_at is None
    assert placed.contact.updated_at == T0 + MIN
    retrying = _contact(status=ContactStatus.RETRYING, next_attempt_at=T0)
    assert dial(retrying, now=T0).contact.status is ContactStatus.DIALING
    with pytest.raises(IllegalTransition, match="'answered'"):
        dial(_contact(status=ContactStatus.ANSWERED), now=T0)


def test_postpone_moves_only_the_time() -> None:
    contact = enqueue(_contact(), at=T0)
    later = postpone(contact, until=T0 + 60 * MIN)
    assert later.next_attempt_at == T0 + 60 * MIN
    assert attrs.evolve(later, next_attempt_at=T0) == contact
    with pytest.raises(InvalidInput, match="postponed"):
        postpone(_contact(status=ContactStatus.FAILED), until=T0)


# --------------------------------------------------------------------------- finished calls


def test_a_call_emits_a_call_status_notification_and_settles() -> None:
    placed = dial(_contact(), now=T0)
    call = _call(
        status=CallStatus.COMPLETED,
        answered_by=AnsweredBy.HUMAN,
        duration=43,
        from_number="0XXXXXX4890",
        recording_url="https://example.com/r.mp3",
    )
    contact, notes = apply_call(placed.contact, call, RetryPolicy(), now=T0 + MIN, campaign_id="c")
    assert contact.status is ContactStatus.ANSWERED
    assert contact.last_outcome is Outcome.HUMAN_CONVERSATION
    notice, final = notes
    assert notice == CallStatusNotification(
        contact_id="1",
        call_id="CA1",
        to="+5215555551234",
        attempt=1,
        status=CallStatus.COMPLETED,
        outcome=Outcome.HUMAN_CONVERSATION,
        at=T0 + MIN,
        from_number="0XXXXXX4890",
        duration=43,
        answered_by=AnsweredBy.HUMAN,
        recording_url="https://example.com/r.mp3",
        created_at=T0,
        campaign_id="c",
    )
    assert isinstance(final, ContactFinalNotification)
    assert (final.status, final.attempts, final.exhausted) == (ContactStatus.ANSWERED, 1, False)


def test_duplicate_stale_and_unfinished_calls_change_nothing() -> None:
    policy = RetryPolicy(max_retries=2)
    placed = dial(_contact(), now=T0)
    ringing = _call(status=CallStatus.RINGING)
    assert apply_call(placed.contact, ringing, policy, now=T0) == (placed.contact, ())
    explicit = _call(status=CallStatus.IN_PROGRESS, outcome=Outcome.HUMAN_CONVERSATION)
    assert apply_call(placed.contact, explicit, policy, now=T0) == (placed.contact, ())
    busy = _call(status=CallStatus.BUSY)
    retrying, _ = apply_call(placed.contact, busy, policy, now=T0)
    assert apply_call(retrying, busy, policy, now=T0 + MIN) == (retrying, ())  # twice
    again = dial(retrying, now=T0 + 60 * MIN)
    assert apply_call(again.contact, busy, policy, now=T0 + 61 * MIN) == (again.contact, ())
    with pytest.raises(InvalidInput, match="is for contact"):
        apply_call(placed.contact, attrs.evolve(busy, contact_id="2"), policy, now=T0)


def test_exhausted_flag_on_the_final_notification() -> None:
    policy = RetryPolicy.exotel(0)
    placed = dial(_contact(), now=T0)
    _, (_, final) = apply_call(placed.contact, _call(status=CallStatus.NO_ANSWER), policy, now=T0)
    assert isinstance(final, ContactFinalNotification)
    assert final.exhausted
    assert (final.outcome, final.attempts, final.status) == (
        Outcome.NO_ANSWER,
        1,
        ContactStatus.FAILED,
    )
    _, (_, terminal) = apply_call(placed.contact, _call(status=CallStatus.FAILED), policy, now=T0)
    assert isinstance(terminal, ContactFinalNotification)
    assert not terminal.exhausted


# --------------------------------------------------------------------------- completion timeout


def test_itellico_completion_timeout_holds_the_outcome_for_a_call_back() -> None:
    policy = RetryPolicy.itellico(
        retry_interval=(2, "hours"), contact_completion_timeout=(30, "minutes")
    )
    placed = dial(_contact(), now=T0)
    held, notes = apply_call(placed.contact, _call(status=CallStatus.NO_ANSWER), policy, now=T0)
    assert held.status is ContactStatus.AWAITING_OUTCOME  # itellico "Called"
    assert held.last_outcome is Outcome.NO_ANSWER
    assert held.next_attempt_at == T0 + 30 * MIN
    assert [type(n) for n in notes] == [CallStatusNotification]
    assert not is_due(held, T0 + 31 * MIN)  # not a dial: finalize_outcome's job
    # Nothing settles before the window closes.
    assert finalize_outcome(held, policy, now=T0 + 29 * MIN) == (held, ())
    # The contact calls back within the window: the outcome changes.
    called_back = apply_called_back(held, Outcome.HUMAN_CONVERSATION, now=T0 + 10 * MIN)
    assert called_back.last_outcome is Outcome.HUMAN_CONVERSATION
    assert apply_called_back(called_back, Outcome.NO_ANSWER, now=T0 + 10 * MIN) is called_back
    assert apply_called_back(called_back, Outcome.NO_ANSWER, now=T0 + 5 * MIN) is called_back
    assert apply_called_back(called_back, Outcome.NO_ANSWER, now=T0 + 30 * MIN) is called_back
    settled, notes = finalize_outcome(called_back, policy, now=T0 + 30 * MIN)
    assert settled.status is ContactStatus.ANSWERED
    assert [type(n) for n in notes] == [ContactFinalNotification]
    # Without a call-back the held no-answer is retried, 2 hours after it settled.
    retried, _ = finalize_outcome(held, policy, now=T0 + 30 * MIN)
    assert retried.status is ContactStatus.RETRYING
    assert retried.next_attempt_at == T0 + 150 * MIN


def test_call_back_outside_a_held_outcome_changes_nothing() -> None:
    contact = _contact(status=ContactStatus.FAILED)
    assert apply_called_back(contact, Outcome.HUMAN_CONVERSATION, now=T0) is contact
    broken = _contact(status=ContactStatus.AWAITING_OUTCOME, next_attempt_at=T0)
    with pytest.raises(InvalidInput, match="last_outcome"):
        finalize_outcome(broken, RetryPolicy(), now=T0)


# --------------------------------------------------------------------------- conversion, closing


def test_mark_converted_is_final_and_idempotent() -> None:
    answered = _contact(status=ContactStatus.ANSWERED, attempts=1)
    converted, notes = mark_converted(answered, now=T0, campaign_id="c")
    assert converted.status is ContactStatus.CONVERTED
    assert converted.next_attempt_at is None
    assert [type(n) for n in notes] == [ContactFinalNotification]
    assert mark_converted(converted, now=T0 + MIN) == (converted, ())
    with pytest.raises(IllegalTransition):
        mark_converted(_contact(status=ContactStatus.VOICEMAIL), now=T0)


def test_force_complete_turns_pending_contacts_into_failed() -> None:
    # Exotel: "Pending contacts in a force-completed campaign are marked as failed".
    policy = RetryPolicy.exotel(2)
    busy_retry = _contact(
        status=ContactStatus.RETRYING,
        attempts=1,
        retries=1,
        last_outcome=Outcome.BUSY,
        next_attempt_at=T0,
    )
    assert contact_bucket(busy_retry) == "pending"
    closed, (final,) = close_contact(busy_retry, policy, now=T0)
    assert closed.status is ContactStatus.FAILED
    assert closed.next_attempt_at is None
    assert contact_bucket(closed) == "failed"  # not "busy": it never got its retry
    assert isinstance(final, ContactFinalNotification)
    assert final.outcome is Outcome.CANCELLED
    never_called = enqueue(_contact(), at=T0)
    assert close_contact(never_called, policy, now=T0)[0].status is ContactStatus.FAILED
    held = _contact(
        status=ContactStatus.AWAITING_OUTCOME,
        last_outcome=Outcome.VOICEMAIL,
        next_attempt_at=T0 + MIN,
    )
    settled, _ = close_contact(held, RetryPolicy(max_retries=5), now=T0)
    assert settled.status is ContactStatus.VOICEMAIL  # settled, no retry
    in_call = _contact(status=ContactStatus.DIALING)
    assert close_contact(in_call, policy, now=T0) == (in_call, ())


def test_a_call_ending_after_force_complete_settles_without_retry_or_hold() -> None:
    policy = RetryPolicy.itellico(contact_completion_timeout=(30, "minutes"))
    placed = dial(_contact(), now=T0)
    busy = _call(status=CallStatus.BUSY)
    contact, notes = apply_call(placed.contact, busy, policy, now=T0, retry=False)
    assert (contact.status, contact.last_outcome) == (ContactStatus.FAILED, Outcome.BUSY)
    assert contact_bucket(contact) == "busy"  # a real last attempt, busy
    assert [type(n) for n in notes] == [CallStatusNotification, ContactFinalNotification]
    assert not notes[-1].exhausted  # type: ignore[union-attr]


# --------------------------------------------------------------------------- campaign reducers


def test_start_opens_at_once_or_at_start_at() -> None:
    ready = Campaign(id="c", name="n", status=CampaignStatus.READY)
    active, notes = apply_command(ready, CampaignCommand.START, now=T0, counts=ZERO)
    assert active.status is CampaignStatus.ACTIVE
    assert [(n.previous, n.status) for n in notes] == [  # type: ignore[union-attr]
        (CampaignStatus.READY, CampaignStatus.SCHEDULED),
        (CampaignStatus.SCHEDULED, CampaignStatus.ACTIVE),
    ]
    later = attrs.evolve(ready, start_at=T0 + 60 * MIN)
    scheduled, _ = apply_command(later, CampaignCommand.START, now=T0, counts=ZERO)
    assert scheduled.status is CampaignStatus.SCHEDULED
    assert open_campaign(scheduled, now=T0 + 59 * MIN, counts=ZERO) == (scheduled, ())
    opened, _ = open_campaign(scheduled, now=T0 + 60 * MIN, counts=ZERO)
    assert opened.status is CampaignStatus.ACTIVE
    with pytest.raises(IllegalTransition):
        apply_command(opened, CampaignCommand.START, now=T0, counts=ZERO)


@pytest.mark.parametrize(
    ("command", "status"),
    [
        (CampaignCommand.PAUSE, CampaignStatus.PAUSED),
        (CampaignCommand.CANCEL, CampaignStatus.CANCELLED),
        (CampaignCommand.FORCE_COMPLETE, CampaignStatus.FINISHED),
    ],
)
def test_commands_on_an_active_campaign(command: CampaignCommand, status: CampaignStatus) -> None:
    active = Campaign(id="c", name="n", status=CampaignStatus.ACTIVE)
    counts = CampaignCounts(created=1, pending=1)
    moved, (notice,) = apply_command(active, command, now=T0, counts=counts)
    assert moved.status is status
    assert notice == CampaignStatusNotification(
        campaign_id="c", status=status, previous=CampaignStatus.ACTIVE, counts=counts, at=T0
    )


def test_start_cycle_counts_the_cycle_and_same_status_emits_nothing() -> None:
    cooling = Campaign(id="c", name="n", status=CampaignStatus.COOLDOWN)
    active, (notice,) = move_campaign(cooling, CampaignEvent.START_CYCLE, now=T0, counts=ZERO)
    assert (active.cycle, notice.cycle) == (1, 1)  # type: ignore[union-attr]
    assert move_campaign(active, CampaignEvent.LOAD_CONTACTS, now=T0, counts=ZERO) == (active, ())


# --------------------------------------------------------------------------- counts


def _exotel_contacts() -> list[Contact]:
    def make(n: int, status: ContactStatus, outcome: Outcome | None) -> list[Contact]:
        return [
            _contact(id=f"{status}-{outcome}-{i}", status=status, last_outcome=outcome)
            for i in range(n)
        ]

    return [
        *make(1875, ContactStatus.ANSWERED, Outcome.HUMAN_CONVERSATION),
        *make(425, ContactStatus.FAILED, Outcome.FAILED),
        *make(87, ContactStatus.FAILED, Outcome.BUSY),
        *make(113, ContactStatus.FAILED, Outcome.NO_ANSWER),
    ]


def test_exotel_stats_worked_example() -> None:
    counts = CampaignCounts.of(_exotel_contacts())
    seed = {
        "created": 2500,
        "completed": 1875,
        "failed": 425,
        "pending": 0,
        "in_progress": 0,
        "busy": 87,
        "no_answer": 113,
    }
    assert counts.to_dict() == seed
    assert list(counts.to_dict()) == list(seed)  # the seed's field order
    assert CampaignCounts.from_dict(seed) == counts
    assert counts.settled == 2500


def test_counts_must_add_up() -> None:
    with pytest.raises(InvalidInput, match="must equal"):
        CampaignCounts(created=2500, completed=1875, failed=425)
    with pytest.raises(InvalidInput):
        CampaignCounts(created=-1, failed=-1)


@pytest.mark.parametrize(
    ("status", "outcome", "bucket"),
    [
        (ContactStatus.QUEUED, None, "pending"),
        (ContactStatus.RETRYING, Outcome.BUSY, "pending"),
        (ContactStatus.AWAITING_OUTCOME, Outcome.NO_ANSWER, "pending"),
        (ContactStatus.DIALING, None, "in_progress"),
        (ContactStatus.ANSWERED, Outcome.HUMAN_CONVERSATION, "completed"),
        (ContactStatus.VOICEMAIL, Outcome.VOICEMAIL, "completed"),
        (ContactStatus.CONVERTED, Outcome.HUMAN_CONVERSATION, "completed"),
        (ContactStatus.FAILED, Outcome.BUSY, "busy"),
        (ContactStatus.FAILED, Outcome.NO_ANSWER, "no_answer"),
        (ContactStatus.FAILED, Outcome.FAILED, "failed"),
        (ContactStatus.FAILED, Outcome.CANCELLED, "failed"),
        (ContactStatus.FAILED, None, "failed"),
    ],
)
def test_contact_buckets(status: ContactStatus, outcome: Outcome | None, bucket: str) -> None:
    assert contact_bucket(_contact(status=status, last_outcome=outcome)) == bucket


@given(st.lists(contacts(), max_size=20), st.lists(contacts(), max_size=20))
def test_counts_partition_and_merge(left: list[Contact], right: list[Contact]) -> None:
    a, b = CampaignCounts.of(left), CampaignCounts.of(right)
    merged = a.merge(b)
    assert merged == CampaignCounts.of(left + right)
    assert merged == b.merge(a)
    assert a.merge(ZERO) == a
    assert merged.created == len(left) + len(right)
    assert a.merge(b.merge(merged)) == a.merge(b).merge(merged)


# --------------------------------------------------------------------------- properties


@given(retry_policies() | vendor_policies(), st.lists(outcomes, min_size=1, max_size=12))
def test_reducers_keep_the_next_attempt_time_honest(
    policy: RetryPolicy, results: list[Outcome]
) -> None:
    """next_attempt_at is set exactly while the engine has work to do on the contact, a
    final contact is never due, and applying a call twice changes nothing."""
    contact = enqueue(_contact(), at=T0)
    now = T0
    for result in results:
        if contact.status is ContactStatus.AWAITING_OUTCOME:
            assert contact.next_attempt_at is not None
            now = max(now, contact.next_attempt_at)
            contact, _ = finalize_outcome(contact, policy, now=now)
        if contact.status not in (ContactStatus.QUEUED, ContactStatus.RETRYING):
            break
        assert contact.next_attempt_at is not None
        now = max(now, contact.next_attempt_at)
        assert is_due(contact, now)
        placed = dial(contact, now=now)
        assert placed.contact.next_attempt_at is None
        call = _call(placed.attempt, CallStatus.COMPLETED, outcome=result)
        now += MIN
        contact, notes = apply_call(placed.contact, call, policy, now=now)
        assert isinstance(notes[0], CallStatusNotification)
        assert apply_call(contact, call, policy, now=now + MIN) == (contact, ())
        waiting = contact.status in (
            ContactStatus.QUEUED,
            ContactStatus.RETRYING,
            ContactStatus.AWAITING_OUTCOME,
        )
        assert (contact.next_attempt_at is not None) == waiting
        if not waiting:
            assert not is_due(contact, now + 10_000 * MIN)
            assert isinstance(notes[-1], ContactFinalNotification)


@given(contacts(), outcomes)
def test_final_contacts_are_never_due(contact: Contact, outcome: Outcome) -> None:
    if contact.status not in (ContactStatus.QUEUED, ContactStatus.RETRYING):
        assert not is_due(contact, T0 + timedelta(days=365 * 200))


def test_notifications_round_trip() -> None:
    notices = [
        CallStatusNotification(
            contact_id="1",
            call_id="CA1",
            to="+5215555551234",
            attempt=1,
            status=CallStatus.BUSY,
            outcome=Outcome.BUSY,
            at=T0,
        ),
        ContactFinalNotification(
            contact_id="1", to="+5215555551234", status=ContactStatus.FAILED, at=T0
        ),
        CampaignStatusNotification(
            campaign_id="c",
            status=CampaignStatus.FINISHED,
            previous=CampaignStatus.ACTIVE,
            counts=CampaignCounts(created=1, busy=1),
            at=T0,
        ),
    ]
    for notice in notices:
        data = notice.to_dict()
        assert notification_from_dict(data) == notice
        assert type(notice).from_dict(data) == notice
    with pytest.raises(InvalidInput, match="unknown notification kind"):
        notification_from_dict({"kind": "telegram"})
    with pytest.raises(InvalidInput, match="needs kind"):
        ContactFinalNotification.from_dict(notices[0].to_dict())


def test_the_old_name_of_apply_called_back_still_works() -> None:
    # issue 18: "call back" (the contact phoned us) is named apart from a callback
    # request; the old name stays one release.
    from campaignkit.engine import apply_call_back

    held = _contact(
        status=ContactStatus.AWAITING_OUTCOME,
        last_outcome=Outcome.NO_ANSWER,
        updated_at=T0 - MIN,
        next_attempt_at=T0 + MIN,
    )
    with pytest.warns(DeprecationWarning, match="apply_called_back"):
        old = apply_call_back(held, Outcome.HUMAN_CONVERSATION, now=T0)
    assert old == apply_called_back(held, Outcome.HUMAN_CONVERSATION, now=T0)
    assert old.last_outcome is Outcome.HUMAN_CONVERSATION
