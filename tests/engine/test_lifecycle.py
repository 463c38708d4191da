"""Applying events to records: strict for commands, lenient for carrier reports."""

from __future__ import annotations

import functools
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    CALL_MACHINE,
    CONTACT_MACHINE,
    AnsweredBy,
    Call,
    CallStatus,
    Campaign,
    CampaignStatus,
    Contact,
    IllegalTransition,
    InvalidInput,
    strategies,
)
from campaignkit.engine import apply_call_report, apply_campaign_event, apply_contact_event
from campaignkit.machines import CampaignEvent, ContactEvent
from campaignkit.statuses import ContactStatus as _ContactStatus

contacts = functools.partial(strategies.contacts, statuses=tuple(_ContactStatus))


NOW = datetime(2026, 1, 5, 16, tzinfo=UTC)


def test_campaign_event_changes_only_the_status() -> None:
    campaign = Campaign(id="c", name="n")
    ready = apply_campaign_event(campaign, CampaignEvent.LOAD_CONTACTS)
    assert ready.status is CampaignStatus.READY
    assert attrs.evolve(ready, status=campaign.status) == campaign
    with pytest.raises(IllegalTransition):
        apply_campaign_event(ready, CampaignEvent.RESUME)


@given(contacts(), st.sampled_from(ContactEvent))
def test_contact_event_equals_a_validated_evolve(contact: Contact, event: ContactEvent) -> None:
    if (contact.status, event) not in CONTACT_MACHINE.table:
        with pytest.raises(IllegalTransition):
            apply_contact_event(contact, event, now=NOW)
        return
    moved = apply_contact_event(contact, event, now=NOW)
    expected = attrs.evolve(
        contact, status=CONTACT_MACHINE.next(contact.status, event), updated_at=NOW
    )
    assert moved == expected
    assert moved.to_dict() == expected.to_dict()
    assert contact.status is not moved.status or contact.status is expected.status


def test_contact_event_converts_now_to_utc_and_refuses_naive() -> None:
    contact = Contact(id="1", phone="+5215555551234")
    local = datetime(2026, 1, 5, 10, tzinfo=ZoneInfo("America/Mexico_City"))
    moved = apply_contact_event(contact, ContactEvent.DIAL, now=local)
    assert moved.updated_at == local
    assert moved.updated_at is not None
    assert moved.updated_at.tzinfo is UTC
    with pytest.raises(InvalidInput, match="now must be timezone-aware"):
        apply_contact_event(contact, ContactEvent.DIAL, now=datetime(2026, 1, 5))


def _call() -> Call:
    return Call(id="CA1", contact_id="1", to="+5215555551234", created_at=NOW)


def test_call_report_applies_details() -> None:
    call = apply_call_report(
        _call(),
        CallStatus.COMPLETED,
        at=NOW + timedelta(seconds=50),
        answered_by=AnsweredBy.HUMAN,
        duration=43,
    )
    assert call.status is CallStatus.COMPLETED
    assert call.duration == 43
    assert call.updated_at == NOW + timedelta(seconds=50)


def test_duplicate_and_stale_reports_return_the_same_object() -> None:
    call = apply_call_report(_call(), CallStatus.RINGING, at=NOW + timedelta(seconds=1))
    call = apply_call_report(
        call, CallStatus.COMPLETED, at=NOW + timedelta(seconds=40), duration=30
    )
    assert apply_call_report(call, CallStatus.COMPLETED, at=NOW + timedelta(seconds=40)) is call
    assert apply_call_report(call, CallStatus.RINGING, at=NOW + timedelta(seconds=1)) is call
    # A later report about an earlier state is still ignored after a terminal one.
    assert apply_call_report(call, CallStatus.RINGING, at=NOW + timedelta(seconds=99)) is call


@given(
    st.lists(
        st.tuples(st.sampled_from(list(CallStatus)[1:]), st.integers(0, 600)),
        max_size=15,
    )
)
def test_any_report_sequence_keeps_the_call_valid_and_forward_only(reports) -> None:
    call = _call()
    for status, offset in reports:
        before = call
        call = apply_call_report(call, status, at=NOW + timedelta(seconds=offset))
        if call is not before:
            assert CALL_MACHINE.can_reach(before.status, call.status)
            assert before.updated_at is None or call.updated_at >= before.updated_at
    assert Call.from_dict(call.to_dict()) == call


# --------------------------------------------------------------------------- one timestamp

_SAME_SECOND = st.lists(
    st.sampled_from([CallStatus.IN_PROGRESS, CallStatus.FORWARDING]), min_size=1, max_size=8
)


@given(_SAME_SECOND, st.randoms(use_true_random=False))
def test_reports_stamped_the_same_second_converge_whatever_the_order(
    reports: list[CallStatus], rng: random.Random
) -> None:
    """Issue 14 (17): Twilio stamps whole seconds, so in-progress and forwarding at one
    timestamp flipped the call on every duplicate. Now any order and any number of
    duplicates give one answer."""
    start = Call(id="x/1", contact_id="x", to="+525555551234", created_at=NOW)
    answered = apply_call_report(start, CallStatus.IN_PROGRESS, at=NOW)
    results = set()
    for _ in range(3):
        shuffled = list(reports)
        rng.shuffle(shuffled)
        call = answered
        for status in shuffled + shuffled:  # every report twice
            call = apply_call_report(call, status, at=NOW)
        results.add(call.status)
    assert len(results) == 1
    expected = CallStatus.FORWARDING if CallStatus.FORWARDING in reports else CallStatus.IN_PROGRESS
    assert results == {expected}


def test_a_later_report_still_moves_round_the_cycle() -> None:
    call = Call(id="x/1", contact_id="x", to="+525555551234", created_at=NOW)
    call = apply_call_report(call, CallStatus.IN_PROGRESS, at=NOW)
    call = apply_call_report(call, CallStatus.FORWARDING, at=NOW + timedelta(seconds=1))
    call = apply_call_report(call, CallStatus.IN_PROGRESS, at=NOW + timedelta(seconds=2))
    assert call.status is CallStatus.IN_PROGRESS
    assert apply_call_report(call, CallStatus.FORWARDING, at=NOW + timedelta(seconds=2)) is not call
