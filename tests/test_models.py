"""The records: validation that names field and value, immutability, plain-data round trips."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    DEFAULT_TIMEZONE,
    AnsweredBy,
    Call,
    CallerLine,
    CallStatus,
    Campaign,
    CampaignStatus,
    Contact,
    ContactStatus,
    InvalidInput,
    Outcome,
    Priority,
)

from .records import caller_lines, calls, campaigns, contacts

MX = ZoneInfo("America/Mexico_City")
PHONE = "+5215555551234"


def test_campaign_defaults_follow_the_seeds() -> None:
    campaign = Campaign(id="c1", name="Payment reminder")
    assert campaign.timezone == DEFAULT_TIMEZONE == "America/Mexico_City"
    assert campaign.status is CampaignStatus.PENDING
    assert campaign.channel.value == "call"


def test_contact_defaults() -> None:
    contact = Contact(id="1", phone=PHONE, name="Juan Pérez")
    assert contact.status is ContactStatus.QUEUED
    assert contact.priority is Priority.NORMAL
    assert (contact.retries, contact.failed_retries, contact.attempts, contact.cycle) == (
        0,
        0,
        0,
        0,
    )
    assert contact.tags == frozenset()
    assert contact.extracted == {}


@pytest.mark.parametrize(
    ("kwargs", "field", "bad"),
    [
        ({"phone": "5555551234"}, "phone", "5555551234"),
        ({"phone": "+0123456789"}, "phone", "+0123456789"),
        ({"id": ""}, "id", "''"),
        ({"retries": -1}, "retries", "-1"),
        ({"attempts": True}, "attempts", "True"),
        ({"status": "queued"}, "status", "'queued'"),
        ({"priority": "urgent"}, "priority", "'urgent'"),
        ({"tags": "vip"}, "tags", "'vip'"),
        ({"tags": ["ok", ""]}, "tags", "''"),
        ({"extracted": {"email": object}}, "extracted['email']", "class 'object'"),
        ({"follow_up": "yes"}, "follow_up", "'yes'"),
    ],
)
def test_contact_validation_names_the_field_and_the_value(kwargs, field, bad) -> None:
    base = {"id": "1", "phone": PHONE}
    with pytest.raises(InvalidInput) as info:
        Contact(**{**base, **kwargs})
    assert str(info.value).startswith(field)
    assert bad in str(info.value)


def test_naive_datetimes_are_refused_with_a_hint() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        Contact(id="1", phone=PHONE, next_attempt_at=datetime(2026, 1, 5, 10))


def test_datetimes_are_stored_in_utc_and_compare_by_instant() -> None:
    local = datetime(2026, 1, 5, 10, tzinfo=MX)
    contact = Contact(id="1", phone=PHONE, next_attempt_at=local)
    assert contact.next_attempt_at == local
    assert contact.next_attempt_at is not None
    assert contact.next_attempt_at.tzinfo is UTC
    assert contact.next_attempt_at.hour == 16


def test_validation_runs_on_evolve() -> None:
    contact = Contact(id="1", phone=PHONE)
    with pytest.raises(InvalidInput, match="retries"):
        attrs.evolve(contact, retries=-3)


def test_records_are_frozen_all_the_way_down() -> None:
    contact = Contact(id="1", phone=PHONE, extracted={"email": "a@b.co"})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        contact.status = ContactStatus.FAILED  # type: ignore[misc]
    with pytest.raises(TypeError):
        contact.extracted["email"] = "x"  # type: ignore[index]
    assert hash(contact) == hash(Contact(id="1", phone=PHONE, extracted={"email": "a@b.co"}))


def test_timezone_must_exist() -> None:
    with pytest.raises(InvalidInput, match="IANA time zone"):
        Campaign(id="c", name="n", timezone="Mars/Olympus_Mons")


def test_call_timestamps_must_not_run_backwards() -> None:
    start = datetime(2024, 2, 1, 10, 5, 32, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    with pytest.raises(InvalidInput, match=r"ended_at .* is before started_at"):
        Call(
            id="a1b2c3d4e5f6",
            contact_id="1",
            to="+919876543210",
            started_at=start,
            ended_at=start - timedelta(seconds=1),
        )


def test_exotel_cdr_example_fits_a_call_record() -> None:
    # Seed 001's CDR field table, one attempt.
    ist = timezone(timedelta(hours=5, minutes=30))
    call = Call(
        id="a1b2c3d4e5f6",
        contact_id="c-1",
        to="+919876543210",
        from_number="0XXXXXX4890",
        status=CallStatus.COMPLETED,
        started_at=datetime(2024, 2, 1, 10, 5, 32, tzinfo=ist),
        ended_at=datetime(2024, 2, 1, 10, 6, 15, tzinfo=ist),
        duration=43,
        attempt=1,
        price=Decimal(2),
        price_unit="pulses",
    )
    assert call.result is Outcome.HUMAN_CONVERSATION
    assert call.to_dict()["price"] == "2"


@pytest.mark.parametrize(
    ("status", "answered_by", "outcome"),
    [
        (CallStatus.COMPLETED, AnsweredBy.HUMAN, Outcome.HUMAN_CONVERSATION),
        (CallStatus.COMPLETED, None, Outcome.HUMAN_CONVERSATION),
        (CallStatus.COMPLETED, AnsweredBy.UNKNOWN, Outcome.HUMAN_CONVERSATION),
        (CallStatus.COMPLETED, AnsweredBy.MACHINE, Outcome.VOICEMAIL),
        (CallStatus.COMPLETED, AnsweredBy.MACHINE_END_BEEP, Outcome.VOICEMAIL),
        (CallStatus.COMPLETED, AnsweredBy.FAX, Outcome.VOICEMAIL),
        (CallStatus.BUSY, None, Outcome.BUSY),
        (CallStatus.NO_ANSWER, None, Outcome.NO_ANSWER),
        (CallStatus.FAILED, None, Outcome.FAILED),
        (CallStatus.CANCELED, None, Outcome.CANCELED),
        (CallStatus.RINGING, None, None),
        (CallStatus.IN_PROGRESS, AnsweredBy.HUMAN, None),
    ],
)
def test_call_result_classification(status, answered_by, outcome) -> None:
    call = Call(id="x", contact_id="1", to=PHONE, status=status, answered_by=answered_by)
    assert call.result is outcome


def test_explicit_outcome_wins() -> None:
    call = Call(
        id="x",
        contact_id="1",
        to=PHONE,
        status=CallStatus.COMPLETED,
        answered_by=AnsweredBy.HUMAN,
        outcome=Outcome.CALLBACK_REQUESTED,
    )
    assert call.result is Outcome.CALLBACK_REQUESTED


def test_caller_line_spam_score_range() -> None:
    assert CallerLine(id="l1", number="+15551234567", spam_score=9).spam_score == 9
    with pytest.raises(InvalidInput, match="spam_score must be an integer from 0 to 9; got 10"):
        CallerLine(id="l1", number="+15551234567", spam_score=10)


def test_from_dict_rejects_unknown_and_missing_fields() -> None:
    with pytest.raises(InvalidInput, match="unknown field"):
        Contact.from_dict({"id": "1", "phone": PHONE, "colour": "red"})
    with pytest.raises(InvalidInput, match="Contact"):
        Contact.from_dict({"id": "1"})
    with pytest.raises(InvalidInput, match=r"status.*'sleeping' is not a ContactStatus"):
        Contact.from_dict({"id": "1", "phone": PHONE, "status": "sleeping"})


RECORDS = st.one_of(campaigns(), contacts(), calls(), caller_lines())


@given(RECORDS)
def test_plain_data_round_trip_is_lossless(record) -> None:
    data = record.to_dict()
    # Only JSON types, and JSON itself changes nothing.
    assert json.loads(json.dumps(data)) == data
    again = type(record).from_dict(json.loads(json.dumps(data)))
    assert again == record
    assert again.to_dict() == data


@given(RECORDS)
def test_records_pickle(record) -> None:
    assert pickle.loads(pickle.dumps(record)) == record
