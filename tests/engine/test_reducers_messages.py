"""The engine's WhatsApp and refusal reducers on their own: send_message,
apply_message_update, settle_message and refuse_contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    Contact,
    ContactStatus,
    ConversationResult,
    GoalResult,
    IllegalTransition,
    InvalidInput,
    MessageTemplate,
    Outcome,
    RetryPolicy,
)
from campaignkit.engine import (
    ContactFinalNotification,
    apply_message_update,
    refuse_contact,
    send_message,
    settle_message,
)
from campaignkit.models import GoalOutcome
from campaignkit.policies import MESSAGE_STATUSES

T0 = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
S = ContactStatus
ANA = Contact(id="124", phone="+5215555555678", next_attempt_at=T0)
HOLA = MessageTemplate("hola")


def test_send_message_counts_the_attempt_and_carries_the_template() -> None:
    placed = send_message(ANA, now=T0, template=HOLA)
    assert (placed.contact.status, placed.attempt, placed.template, placed.line) == (
        S.SENDING,
        1,
        HOLA,
        None,
    )
    assert (placed.contact.next_attempt_at, placed.contact.updated_at) == (None, T0)
    retrying = Contact(id="1", phone="+5215555550001", status=S.RETRYING, attempts=1)
    assert send_message(retrying, now=T0).contact.status is S.SENDING
    with pytest.raises(IllegalTransition):
        send_message(placed.contact, now=T0)
    with pytest.raises(InvalidInput):
        send_message(ANA, now=T0, template="hola")  # type: ignore[arg-type]


def test_apply_message_update_keeps_next_attempt_at_honest() -> None:
    sending = send_message(ANA, now=T0).contact
    failed = apply_message_update(sending, S.FAILED, at=T0 + timedelta(minutes=1))
    assert (failed.status, failed.next_attempt_at) == (S.FAILED, T0 + timedelta(minutes=1))
    read = apply_message_update(failed, S.READ, at=T0 + timedelta(minutes=2))
    assert (read.status, read.next_attempt_at) == (S.READ, None)
    assert apply_message_update(read, S.DELIVERED, at=T0) is read  # stale
    queued = apply_message_update(ANA, S.DELIVERED, at=T0)  # never sent: taken, no longer due
    assert (queued.status, queued.next_attempt_at) == (S.DELIVERED, None)


def test_settle_message_retries_or_settles_a_held_failure() -> None:
    sending = send_message(ANA, now=T0).contact
    failed = apply_message_update(sending, S.FAILED, at=T0 + timedelta(minutes=1))
    assert settle_message(failed, RetryPolicy.altur(), now=T0) == (failed, ())  # not yet
    again, notes = settle_message(failed, RetryPolicy.altur(), now=T0 + timedelta(hours=1))
    assert (again.status, again.failed_retries, again.next_attempt_at, notes) == (
        S.QUEUED,
        1,
        T0 + timedelta(minutes=1),
        (),
    )
    assert again.last_outcome is Outcome.FAILED
    final, [notice] = settle_message(
        failed, RetryPolicy.altur(failed_retries=0), now=T0 + timedelta(hours=1)
    )
    assert (final.status, final.next_attempt_at) == (S.FAILED, None)
    assert isinstance(notice, ContactFinalNotification)
    assert notice.exhausted
    retried = RetryPolicy(rules={Outcome.FAILED: True})
    waiting, _ = settle_message(failed, retried, now=T0 + timedelta(hours=1))
    assert (waiting.status, waiting.retries) == (S.RETRYING, 1)
    forced, [notice] = settle_message(failed, retried, now=T0 + timedelta(hours=1), retry=False)
    assert forced.next_attempt_at is None
    assert not notice.exhausted
    assert settle_message(ANA, RetryPolicy(), now=T0) == (ANA, ())


def test_refuse_contact_settles_a_waiting_contact_with_a_reason() -> None:
    failed, [notice] = refuse_contact(
        ANA, now=T0, reason="on the do-not-call list", campaign_id="c"
    )
    assert (failed.status, failed.last_outcome, failed.next_attempt_at, failed.attempts) == (
        S.FAILED,
        Outcome.CANCELLED,
        None,
        0,
    )
    assert isinstance(notice, ContactFinalNotification)
    assert (notice.reason, notice.campaign_id) == ("on the do-not-call list", "c")
    assert ContactFinalNotification.from_dict(notice.to_dict()) == notice
    with pytest.raises(InvalidInput, match="queued or retrying"):
        refuse_contact(failed, now=T0, reason="x")
    with pytest.raises(InvalidInput, match="reason"):
        refuse_contact(ANA, now=T0, reason="")


def test_conversation_result_round_trips_and_validates() -> None:
    result = ConversationResult(
        contact_id="124",
        at=T0,
        goal_results=[GoalResult(goal_id="g", outcome=GoalOutcome.ACHIEVED, score=80)],
        extracted={"email": "ana@example.com"},
        tags=["interested"],
    )
    assert ConversationResult.from_dict(result.to_dict()) == result
    assert result.source == T0.isoformat()
    with pytest.raises(InvalidInput, match="goal_results"):
        ConversationResult(contact_id="124", at=T0, goal_results=["achieved"])  # type: ignore[list-item]
    with pytest.raises(InvalidInput, match="aware"):
        ConversationResult(contact_id="124", at=datetime(2026, 6, 1))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(MESSAGE_STATUSES, key=lambda s: s.value)), st.integers(0, 9)
        ),
        max_size=10,
    ),
    st.randoms(use_true_random=False),
)
def test_message_updates_converge_on_next_attempt_at_too(
    updates: list[tuple[ContactStatus, int]], rng: object
) -> None:
    sending = send_message(ANA, now=T0).contact
    events = [(status, T0 + timedelta(minutes=m)) for status, m in updates]
    shuffled = list(events)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    results = []
    for order in (events, shuffled):
        contact = sending
        for status, at in order:
            contact = apply_message_update(contact, status, at=at)
        results.append(contact)
    assert results[0] == results[1]
    final = results[0]
    assert (final.next_attempt_at is not None) == (final.status is S.FAILED)
