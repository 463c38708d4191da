"""The records: validation that names field and value, immutability, plain-data round trips."""

from __future__ import annotations

import functools
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
    AnsweredBy,
    Call,
    CallerLine,
    CallStatus,
    Campaign,
    CampaignStatus,
    Channel,
    Contact,
    ContactStatus,
    InvalidConfig,
    InvalidInput,
    Outcome,
    Priority,
    strategies,
)
from campaignkit._fields import zone
from campaignkit.errors import shown
from campaignkit.models import DEFAULT_TIMEZONE
from campaignkit.statuses import AmdMode
from campaignkit.statuses import CallStatus as _CallStatus
from campaignkit.statuses import ContactStatus as _ContactStatus

caller_lines = strategies.caller_lines
calls = functools.partial(strategies.calls, statuses=tuple(_CallStatus), max_attempt=11)
campaigns = strategies.campaigns
contacts = functools.partial(strategies.contacts, statuses=tuple(_ContactStatus))


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
        (CallStatus.CANCELLED, None, Outcome.CANCELLED),
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


# --------------------------------------------------------------------------- issue 13/14


def test_amd_mode_is_a_campaign_setting_that_round_trips() -> None:
    # Seed 002: "AMD Mode | Text-based or ML-based answering machine detection".
    assert Campaign(id="c", name="n").amd_mode is AmdMode.TEXT
    campaign = Campaign(id="c", name="n", amd_mode=AmdMode.ML)
    assert campaign.to_dict()["amd_mode"] == "ml"
    assert Campaign.from_dict(campaign.to_dict()) == campaign
    with pytest.raises(InvalidInput, match="amd_mode"):
        Campaign.from_dict({"id": "c", "name": "n", "amd_mode": "neural"})


def test_voice_override_is_for_phone_campaigns_only() -> None:
    # Seed 004: override_agent_voice_id "Only available for phone campaigns."
    whatsapp = Campaign(id="w", name="n", channel=Channel.WHATSAPP)
    phone = Campaign(id="p", name="n")
    voiced = Contact(id="1", phone=PHONE, voice_id="female_voice")
    phone.check_contact(voiced)
    whatsapp.check_contact(Contact(id="2", phone=PHONE))
    with pytest.raises(InvalidConfig, match="override_agent_voice_id") as info:
        whatsapp.check_contact(voiced)
    assert info.value.value == "female_voice"
    assert Campaign(id="p", name="n", agent_voice_id="male_voice").agent_voice_id == "male_voice"
    with pytest.raises(InvalidConfig, match="agent_voice_id"):
        Campaign(id="w", name="n", channel=Channel.WHATSAPP, agent_voice_id="male_voice")


@pytest.mark.parametrize(
    "stamp", ["0001-01-01T00:00:00+05:30", "9999-12-31T23:59:59-06:00", "0001-01-01T00:00:00+14:00"]
)
@pytest.mark.parametrize("record", ["contact", "call", "campaign"])
def test_calendar_edge_dates_are_invalid_input_not_overflow(stamp: str, record: str) -> None:
    # Issue 14 (2): a common placeholder date under a zone ahead of UTC has no UTC time.
    cls, data, field = {
        "contact": (Contact, {"id": "1", "phone": PHONE}, "updated_at"),
        "call": (Call, {"id": "a", "contact_id": "1", "to": PHONE}, "ended_at"),
        "campaign": (Campaign, {"id": "c", "name": "n"}, "start_at"),
    }[record]
    with pytest.raises(InvalidInput, match=field):
        cls.from_dict({**data, field: stamp})


def test_aware_utc_keeps_the_calendar_edges_that_exist() -> None:
    edge = datetime(1, 1, 1, tzinfo=UTC)
    assert Contact(id="1", phone=PHONE, updated_at=edge).updated_at == edge
    late = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=5)))
    assert Contact(id="1", phone=PHONE, updated_at=late).updated_at == late


@pytest.mark.parametrize(
    "name",
    [
        "America",
        "Europe",
        "x" * 300,
        "zone.tab",
        "tzdata.zi",
        "../etc/passwd",
        "",
        "a\x00b",
        "\ud800",
        "Mars/Olympus",
        "America/",
        5,
        None,
        ["UTC"],
    ],
)
def test_zone_refuses_folders_files_and_junk_without_leaking_the_path(name: object) -> None:
    # Issue 14 (3): "America" is a tzdata folder (IsADirectoryError); the message
    # must be typed, name the field, and never show where tzdata lives.
    with pytest.raises(InvalidInput, match="tz_field") as info:
        zone(name, "tz_field")
    assert "site-packages" not in str(info.value)
    assert "zoneinfo/" not in str(info.value)
    with pytest.raises(InvalidInput, match="timezone"):
        Campaign(id="c", name="n", timezone=name)  # type: ignore[arg-type]


def test_zone_is_cached_and_finds_real_zones() -> None:
    assert zone("America/Mexico_City") is zone("America/Mexico_City")
    assert zone("Etc/GMT+5").key == "Etc/GMT+5"
    assert zone("America/Argentina/ComodRivadavia").key == "America/Argentina/ComodRivadavia"


@pytest.mark.parametrize(
    ("cls", "data"),
    [
        (Contact, {"id": "1", "phone": PHONE, "tags": [["a"]]}),
        (Contact, {"id": "1", "phone": PHONE, "tags": "vip"}),
        (Contact, {"id": "1", "phone": PHONE, "tags": 5}),
        (Contact, {"id": "1", "phone": PHONE, "attributes": [["a", 1]]}),
        (Contact, {"id": "1", "phone": PHONE, "extracted": 5}),
        (Contact, {"id": "1", "phone": PHONE, "attempts": -(10**5000)}),
        (Contact, {"id": "1", "phone": PHONE, "status": 10**5000}),
        (Contact, {"id": "1", "phone": PHONE, "status": []}),
        (Contact, {"id": "1", "phone": PHONE, 5: 1, "x": 2}),
        (Campaign, {"id": "c", "name": "n", "settings": ["a"]}),
        (Campaign, {"id": "c", "name": "n", "timezone": "America"}),
        (Call, {"id": "a", "contact_id": "1", "to": PHONE, "price": 10**5000}),
        (Call, {"id": "a", "contact_id": "1", "to": PHONE, "price": [1]}),
        (Call, {"id": "a", "contact_id": "1", "to": PHONE, "price": "1e999999999999"}),
    ],
)
def test_from_dict_raises_only_invalid_input(cls: type, data: dict[object, object]) -> None:
    # Issue 14 (5): tampered records give InvalidInput naming the record and field.
    with pytest.raises(InvalidInput, match=cls.__name__):
        cls.from_dict(data)


def test_a_large_price_integer_is_kept_exactly() -> None:
    call = Call.from_dict({"id": "a", "contact_id": "1", "to": PHONE, "price": 10**14 + 1})
    assert call.price == Decimal(10**14 + 1)
    tiny = Call.from_dict({"id": "a", "contact_id": "1", "to": PHONE, "price": "0.000001"})
    assert tiny.price == Decimal("0.000001")


@given(st.integers(min_value=-(10**6000), max_value=10**6000))
def test_shown_never_raises(value: int) -> None:
    text = shown(value)
    assert len(text) <= 260
