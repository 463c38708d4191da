"""Vendor dialects: every seed label, both directions, and each vendor's records and payloads."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    Call,
    CallStatus,
    CampaignStatus,
    Channel,
    Contact,
    ContactStatus,
    Direction,
    GoalOutcome,
    InvalidConfig,
    InvalidInput,
    Outcome,
    Priority,
    apply_call_report,
)
from campaignkit.dialects import DIALECTS, Vocabulary, altur, exotel, itellico, thinkrr, twilio
from campaignkit.io import MalformedInput, RejectReason

from . import seed_vocabulary as seed
from .records import moments

# --------------------------------------------------------------------------- the seed tables

# (seed table, the dialect's reader for one label)
AGREEMENT: list[tuple[str, Callable[[str], Any]]] = [
    ("ALTUR_CALL_STATUS", altur.call_status),
    ("ALTUR_ANSWERED_BY", altur.answered_by),
    ("ALTUR_CAMPAIGN_STATUS", altur.campaign_status),
    ("EXOTEL_CALL_STATUS", exotel.call_status),
    ("EXOTEL_CAMPAIGN_STATUS", exotel.campaign_status),
    ("ITELLICO_CAMPAIGN_STATUS", itellico.CAMPAIGN_STATUS.parse),
    ("ITELLICO_CONTACT_STATUS", itellico.CONTACT_STATUS.parse),
    ("ITELLICO_LINE_STATUS", itellico.LINE_STATUS.parse),
    ("ITELLICO_GOAL_RESULT", itellico.GOAL_RESULT.parse),
    ("ITELLICO_ROTATION_STRATEGY", itellico.ROTATION_STRATEGY.parse),
    ("ITELLICO_PRIORITY", itellico.PRIORITY.parse),
    ("ITELLICO_ANSWER_STATUS", itellico.ANSWER_STATUS.parse),
    ("THINKRR_CAMPAIGN_STATUS", thinkrr.campaign_status),
    ("THINKRR_OUTCOME", thinkrr.outcome),
    ("TWILIO_CALL_STATUS", twilio.call_status),
    ("TWILIO_ANSWERED_BY", twilio.answered_by),
]


@pytest.mark.parametrize(
    ("table", "label"),
    [(table, label) for table, _ in AGREEMENT for label in seed.ALL_TABLES[table]],
)
def test_dialects_agree_with_the_seed_vocabulary(table: str, label: str) -> None:
    parse = dict(AGREEMENT)[table]
    assert parse(label) is seed.ALL_TABLES[table][label]


def test_every_seed_table_is_checked_by_a_dialect() -> None:
    assert set(seed.ALL_TABLES) - {t for t, _ in AGREEMENT} == {"ALTUR_CONTACT_STATUS"}


@pytest.mark.parametrize("label", list(seed.ALTUR_CONTACT_STATUS))
def test_altur_contact_statuses_agree_with_the_seed_per_channel(label: str) -> None:
    meaning = seed.ALTUR_CONTACT_STATUS[label]
    call_meaning, whatsapp_meaning = meaning if isinstance(meaning, tuple) else (meaning, meaning)
    for channel, expected in ((Channel.CALL, call_meaning), (Channel.WHATSAPP, whatsapp_meaning)):
        vocabulary = (
            altur.CONTACT_STATUS_CALL if channel is Channel.CALL else altur.CONTACT_STATUS_WHATSAPP
        )
        if label in vocabulary:
            assert altur.contact_status(label, channel) is expected
    assert label in altur.CONTACT_STATUS_CALL or label in altur.CONTACT_STATUS_WHATSAPP


def test_altur_sending_depends_on_the_channel() -> None:
    assert altur.contact_status("sending", Channel.CALL) is ContactStatus.DIALING
    assert altur.contact_status("sending", Channel.WHATSAPP) is ContactStatus.SENDING
    assert altur.contact_status_label(ContactStatus.DIALING, Channel.CALL) == "sending"
    assert altur.contact_status_label(ContactStatus.SENDING, Channel.WHATSAPP) == "sending"


def test_altur_channel_specific_statuses_stay_in_their_channel() -> None:
    for label in ("voicemail", "answered"):
        with pytest.raises(InvalidInput, match=f"altur.*{label}"):
            altur.contact_status(label, Channel.WHATSAPP)
    for label in ("sent", "delivered", "read", "accepted", "rejected"):
        with pytest.raises(InvalidInput, match=f"altur.*{label}"):
            altur.contact_status(label, Channel.CALL)


@pytest.mark.parametrize("label", ["no-answer", "busy", "unreachable"])
def test_altur_legacy_labels_read_as_failed_and_are_never_written(label: str) -> None:
    for channel in Channel:
        assert altur.contact_status(label, channel) is ContactStatus.FAILED
    assert altur.contact_status_label(ContactStatus.FAILED) == "failed"


def test_altur_folds_twilio_detail_to_machine() -> None:
    for value in AnsweredBy:
        assert altur.answered_by(altur.answered_by_label(value)) is value.coarse
    assert altur.answered_by_label(AnsweredBy.MACHINE_END_BEEP) == "machine"


def test_altur_display_names_are_read() -> None:
    assert altur.campaign_status("Inactive") is CampaignStatus.PAUSED
    assert altur.campaign_status_label(CampaignStatus.PAUSED) == "inactive"


# --------------------------------------------------------------------------- both directions

VOCABULARIES: list[Vocabulary[Any]] = [
    altur.CONTACT_STATUS_CALL,
    altur.CONTACT_STATUS_WHATSAPP,
    altur.CALL_STATUS,
    altur.ANSWERED_BY,
    altur.CAMPAIGN_STATUS,
    exotel.CALL_STATUS,
    exotel.CAMPAIGN_STATUS,
    itellico.CAMPAIGN_STATUS,
    itellico.CONTACT_STATUS,
    itellico.LINE_STATUS,
    itellico.GOAL_RESULT,
    itellico.ROTATION_STRATEGY,
    itellico.ANSWER_STATUS,
    itellico.PRIORITY,
    thinkrr.CAMPAIGN_STATUS,
    thinkrr.OUTCOME,
    twilio.CALL_STATUS,
    twilio.ANSWERED_BY,
    twilio.DIRECTION,
]
IDS = [f"{v.dialect}-{v.what}" for v in VOCABULARIES]


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=IDS)
def test_current_labels_round_trip(vocabulary: Vocabulary[Any]) -> None:
    for label, member in vocabulary.labels.items():
        assert vocabulary.parse(label) is member
        assert vocabulary.label(member) == label
        assert vocabulary.parse(f"  {label} ") is member


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=IDS)
def test_legacy_labels_are_read_as_a_member_with_a_current_label(
    vocabulary: Vocabulary[Any],
) -> None:
    for label, member in vocabulary.legacy.items():
        assert vocabulary.parse(label) is member
        assert vocabulary.parse(vocabulary.label(member)) is member


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=IDS)
@given(member=st.data())
def test_members_round_trip_where_the_vendor_has_a_label(
    vocabulary: Vocabulary[Any], member: st.DataObject
) -> None:
    enum_type = type(next(iter(vocabulary.labels.values())))
    value = member.draw(st.sampled_from(list(enum_type)))
    if value in set(vocabulary.labels.values()):
        assert vocabulary.parse(vocabulary.label(value)) is value
    else:
        with pytest.raises(InvalidInput, match=vocabulary.dialect):
            vocabulary.label(value)


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=IDS)
@given(label=st.text(max_size=20))
def test_unknown_labels_raise_naming_dialect_and_label(
    vocabulary: Vocabulary[Any], label: str
) -> None:
    if label in vocabulary:
        return
    with pytest.raises(InvalidInput) as info:
        vocabulary.parse(label)
    assert vocabulary.dialect in str(info.value)
    assert repr(label) in str(info.value)


@pytest.mark.parametrize(
    "parse",
    [
        altur.call_status,
        altur.campaign_status,
        lambda label: altur.contact_status(label, Channel.CALL),
        exotel.call_status,
        exotel.campaign_status,
        thinkrr.outcome,
        thinkrr.campaign_status,
        twilio.call_status,
        twilio.answered_by,
    ],
)
def test_no_silent_default_for_an_unknown_label(parse: Callable[[str], enum.Enum]) -> None:
    with pytest.raises(InvalidInput, match="'Mystery'"):
        parse("Mystery")
    with pytest.raises(InvalidInput):
        parse("")


def test_the_package_lists_its_dialects() -> None:
    assert DIALECTS == ("altur", "exotel", "itellico", "thinkrr", "twilio")


# --------------------------------------------------------------------------- Altur records

ALTUR_CONTACT_EXPORT = (
    "campaign_name,campaign_date,id,contact,name,context,status,retries,calls,billed_duration,"
    "last_update,follow_up,interesado,email\n"
    'Cobranza,2026-06-01,123,+525555551234,Juan Pérez,"Amount: $1,500. Due: June 5",answered,'
    "0,1,00:43,2026-06-01 10:05:00,True,True,juan@example.com\n"
    'Cobranza,2026-06-01,124,+525555555678,Ana Gómez,"Amount: $900",no-answer,'
    "2,3,00:00,2025-11-30T09:00:00-06:00,False,False,\n"
    "Cobranza,2026-06-01,125,+525555559012,Carlos Ruiz,x,sending,0,0,00:00,,False,False,\n"
)


def test_altur_contact_export_with_legacy_statuses() -> None:
    result = altur.parse_contact_export(ALTUR_CONTACT_EXPORT, tags=["interesado"], fields=["email"])
    assert result.rejected == ()
    juan, ana, carlos = result.contacts
    assert juan.status is ContactStatus.ANSWERED
    assert juan.tags == {"interesado"}
    assert juan.extracted == {"email": "juan@example.com"}
    assert (juan.attempts, juan.follow_up) == (1, True)
    assert juan.updated_at == datetime(2026, 6, 1, 16, 5, tzinfo=UTC)  # read in Mexico City time
    assert (ana.status, ana.retries, ana.attempts) == (ContactStatus.FAILED, 2, 3)
    assert carlos.status is ContactStatus.DIALING
    whatsapp = altur.parse_contact_export(
        ALTUR_CONTACT_EXPORT.replace("answered,", "read,"),
        channel=Channel.WHATSAPP,
        tags=["interesado"],
        fields=["email"],
    )
    assert [c.status for c in whatsapp.contacts] == [
        ContactStatus.READ,
        ContactStatus.FAILED,
        ContactStatus.SENDING,
    ]


def test_altur_unknown_status_in_an_export_is_a_rejection_naming_altur() -> None:
    result = altur.parse_contact_export(ALTUR_CONTACT_EXPORT.replace("sending", "queued"))
    (bad,) = result.rejected
    assert (bad.line, bad.reason, bad.value) == (4, RejectReason.INVALID_VALUE, "queued")
    assert "altur" in bad.detail


ALTUR_CALL_EXPORT = (
    "campaign_name;campaign_date;id;number_to;contact_name;type;status;answered_by;created_at;"
    "started_at;ended_at;duration;billed_duration;recording_url;interesado\n"
    "Cobranza;2026-06-01;call-2;+525555551234;Juan;outbound;ended;human;2026-06-02T10:00:00-06:00;"
    "2026-06-02T10:00:05-06:00;2026-06-02T10:01:05-06:00;01:00;01:00;https://r/2.mp3;True\n"
    "Cobranza;2026-06-01;call-1;+525555551234;Juan;outbound;ended;machine;2026-06-01T10:00:00-06:00;"
    "2026-06-01T10:00:04-06:00;2026-06-01T10:00:47-06:00;00:43;00:05;;True\n"
    "Cobranza;2026-06-01;call-3;+525555555678;Ana;outbound;no-answer;;2026-06-01T10:02:00-06:00;"
    ";2026-06-01T10:02:30-06:00;00:00;00:00;;False\n"
)


def test_altur_call_export() -> None:
    second, first, missed = altur.parse_call_export(ALTUR_CALL_EXPORT)
    assert first.status is CallStatus.COMPLETED
    assert first.answered_by is AnsweredBy.MACHINE
    assert (first.duration, first.attempt, second.attempt, missed.attempt) == (43, 1, 2, 1)
    assert first.result is Outcome.VOICEMAIL
    assert second.recording_url == "https://r/2.mp3"
    assert missed.answered_by is None
    assert missed.status is CallStatus.NO_ANSWER
    assert first.created_at == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    ids = altur.parse_call_export(ALTUR_CALL_EXPORT, contact_ids={"+525555551234": "123"})
    assert ids[0].contact_id == "123"


def test_altur_call_export_bad_row_names_the_line() -> None:
    with pytest.raises(MalformedInput) as info:
        altur.parse_call_export(ALTUR_CALL_EXPORT.replace("no-answer", "hung"))
    assert info.value.line == 4
    assert "altur" in str(info.value)
    assert "'hung'" in str(info.value)


def test_altur_exports_written_and_read_back() -> None:
    contacts = altur.parse_contact_export(
        ALTUR_CONTACT_EXPORT, tags=["interesado"], fields=["email"]
    ).contacts
    text = altur.write_contact_export(contacts, tags=["interesado"], fields=["email"])
    assert ",answered," in text
    assert ",failed," in text  # legacy no-answer is written as failed
    again = altur.parse_contact_export(text, tags=["interesado"], fields=["email"]).contacts
    assert again == contacts
    results = altur.write_results_export(contacts, tags=["interesado"], fields=["email"])
    assert altur.parse_results_export(results, tags=["interesado"], fields=["email"]).contacts == (
        contacts[0],
    )
    calls = altur.parse_call_export(ALTUR_CALL_EXPORT)
    assert altur.parse_call_export(altur.write_call_export(calls)) == calls


# --------------------------------------------------------------------------- Exotel records

SEED_STATS = """{
"response": [{
"code": 200,
"status": "success",
"data": {
"id": "camp_abc123",
"name": "Payment Reminder Q1",
"status": "Completed",
"stats": {
"created": 2500,
"completed": 1875,
"failed": 425,
"pending": 0,
"in_progress": 0,
"busy": 87,
"no_answer": 113
}
}
}]
}"""

SEED_CDR = {
    "call_sid": "a1b2c3d4e5f6",
    "to": "+919876543210",
    "from": "0XXXXXX4890",
    "status": "completed",
    "start_time": "2024-02-01T10:05:32+05:30",
    "end_time": "2024-02-01T10:06:15+05:30",
    "duration": 43,
    "recording_url": "https://recordings.example/a1b2c3d4e5f6.mp3",
    "attempt_number": 1,
    "price": 2,
}


def test_exotel_campaign_stats() -> None:
    snapshot = exotel.parse_campaign(SEED_STATS)
    assert snapshot.campaign.id == "camp_abc123"
    assert snapshot.campaign.name == "Payment Reminder Q1"
    assert snapshot.campaign.status is CampaignStatus.FINISHED
    assert snapshot.campaign.timezone == "Asia/Kolkata"
    assert snapshot.stats == exotel.Stats(
        created=2500, completed=1875, failed=425, pending=0, in_progress=0, busy=87, no_answer=113
    )
    assert exotel.campaign_document(snapshot) == json.loads(SEED_STATS)
    assert exotel.parse_campaign(json.loads(SEED_STATS)["response"][0]["data"]) == snapshot


def test_exotel_stats_errors() -> None:
    with pytest.raises(InvalidInput, match="'Exploded'"):
        exotel.parse_campaign(SEED_STATS.replace("Completed", "Exploded"))
    with pytest.raises(InvalidInput, match="busy"):
        exotel.parse_campaign(SEED_STATS.replace('"busy": 87', '"busy": -1'))
    failed = {"response": [{"code": 404, "status": "failure", "data": {}, "error_data": "nope"}]}
    with pytest.raises(InvalidInput, match="404"):
        exotel.parse_campaign(failed)
    with pytest.raises(MalformedInput):
        exotel.parse_campaign("{not json")


def test_exotel_stats_read_the_metrics_table() -> None:
    from campaignkit import ExotelStats

    computed = ExotelStats(
        created=2500, completed=1875, failed=425, pending=0, in_progress=0, busy=87, no_answer=113
    )
    assert exotel.Stats.from_dict(computed.to_exotel()) == exotel.parse_campaign(SEED_STATS).stats


def test_exotel_force_complete_counts_pending_as_failed() -> None:
    stats = exotel.Stats(created=10, completed=5, failed=2, pending=3)
    assert exotel.force_complete(stats) == exotel.Stats(
        created=10, completed=5, failed=5, pending=0
    )


def test_exotel_cdr_seed_row() -> None:
    (call,) = exotel.parse_cdr_page(
        {"response": [{"code": 200, "status": "success", "data": SEED_CDR}]}
    )
    assert call == Call(
        id="a1b2c3d4e5f6",
        contact_id="+919876543210",
        to="+919876543210",
        from_number="0XXXXXX4890",  # an ExoPhone, kept as text
        attempt=1,
        status=CallStatus.COMPLETED,
        created_at=datetime(2024, 2, 1, 4, 35, 32, tzinfo=UTC),
        ended_at=datetime(2024, 2, 1, 4, 36, 15, tzinfo=UTC),
        duration=43,
        recording_url="https://recordings.example/a1b2c3d4e5f6.mp3",
        price=Decimal(2),
        price_unit="pulses",
    )
    assert exotel.category(call.status) == "success"
    assert exotel.cdr_record(call) == SEED_CDR
    assert exotel.parse_call(exotel.cdr_record(call)) == call


def test_exotel_cdr_national_numbers_and_naive_times() -> None:
    record = {
        **SEED_CDR,
        "to": "09876543210",
        "start_time": "2024-02-01 10:05:32",
        "price": "1.500",
    }
    call = exotel.parse_call(record, contact_ids={"+919876543210": "c-42"}, campaign_id="camp")
    assert call.to == "+919876543210"
    assert call.contact_id == "c-42"
    assert call.created_at == datetime(2024, 2, 1, 4, 35, 32, tzinfo=UTC)  # read in India time
    assert call.price == Decimal("1.5")
    assert call.campaign_id == "camp"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "vanished"}, "'vanished'"),
        ({"to": "12"}, "to"),
        ({"duration": "forty"}, "duration"),
        ({"price": "two"}, "price"),
        ({"attempt_number": 0}, "attempt"),
        ({"start_time": "yesterday"}, "start_time"),
    ],
)
def test_exotel_bad_cdrs_name_the_record_and_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        exotel.parse_cdr_page([SEED_CDR, {**SEED_CDR, **change}])
    assert "CDR 2" in str(info.value)


def test_exotel_categories_match_the_seed() -> None:
    for label, category in seed.EXOTEL_CATEGORY.items():
        assert exotel.category(label) == category
    with pytest.raises(InvalidInput, match="ringing"):
        exotel.category(CallStatus.RINGING)


@pytest.mark.parametrize(
    ("offset", "limit", "received", "expected"),
    [(0, 100, 100, 100), (100, 100, 100, 200), (200, 100, 37, None), (0, 50, 0, None)],
)
def test_exotel_pagination_keeps_going_while_a_page_is_full(
    offset: int, limit: int, received: int, expected: int | None
) -> None:
    assert exotel.next_offset(offset, limit, received) == expected


def test_exotel_pagination_rejects_impossible_pages() -> None:
    with pytest.raises(InvalidConfig):
        exotel.next_offset(0, 100, 101)
    with pytest.raises(InvalidConfig):
        exotel.next_offset(0, 0, 0)
    with pytest.raises(InvalidConfig):
        exotel.next_offset(-1, 10, 0)


@given(st.integers(0, 450), st.integers(1, 120))
def test_exotel_pagination_reads_every_record_exactly_once(total: int, limit: int) -> None:
    records = [{**SEED_CDR, "call_sid": f"sid{i}"} for i in range(total)]
    seen: list[str] = []
    offset: int | None = 0
    requests = 0
    while offset is not None:
        page = records[offset : offset + limit]  # what the API returns for offset/limit
        requests += 1
        seen.extend(c.id for c in exotel.parse_cdr_page(page))
        offset = exotel.next_offset(offset, limit, len(page))
    assert seen == [r["call_sid"] for r in records]
    assert requests == total // limit + 1


SEED_CALL_STATUS = {
    "CallSid": "a1b2c3d4e5f6",
    "To": "+919876543210",
    "From": "0XXXXXX4890",
    "Status": "completed",
    "Duration": "43",
    "RecordingUrl": "https://recordings.example/a1b2c3d4e5f6.mp3",
    "DateCreated": "2024-02-01T10:05:32+05:30",
}


def test_exotel_call_status_webhook() -> None:
    call = exotel.parse_call_status(json.dumps(SEED_CALL_STATUS))
    assert (call.id, call.to, call.from_number) == ("a1b2c3d4e5f6", "+919876543210", "0XXXXXX4890")
    assert (call.status, call.duration) == (CallStatus.COMPLETED, 43)
    assert call.created_at == datetime(2024, 2, 1, 4, 35, 32, tzinfo=UTC)
    assert exotel.call_status_payload(call) == SEED_CALL_STATUS
    assert exotel.parse_call_status(exotel.call_status_payload(call)) == call


def test_exotel_webhook_reports_merge_like_any_carrier_report() -> None:
    live = Call(id="a1b2c3d4e5f6", contact_id="c1", to="+919876543210", status=CallStatus.RINGING)
    update = exotel.parse_call_status({**SEED_CALL_STATUS, "DateUpdated": "2024-02-01 10:06:16"})
    assert update.updated_at is not None
    done = apply_call_report(live, update.status, at=update.updated_at, duration=update.duration)
    assert done.status is CallStatus.COMPLETED
    assert apply_call_report(done, update.status, at=update.updated_at) is done  # duplicate


def test_exotel_call_schedule_webhook() -> None:
    payload = {
        "To": "+919876543210",
        "FinalStatus": "no-answer",
        "AttemptCount": 3,
        "CampaignSid": "camp_abc123",
    }
    event = exotel.parse_call_schedule(json.dumps(payload))
    assert event == exotel.CallScheduleEvent(
        to="+919876543210",
        final_status=CallStatus.NO_ANSWER,
        attempts=3,
        campaign_id="camp_abc123",
    )
    assert event.outcome is Outcome.NO_ANSWER
    assert event.contact_status is ContactStatus.FAILED
    assert exotel.call_schedule_payload(event) == payload
    with pytest.raises(InvalidInput, match="FinalStatus"):
        exotel.parse_call_schedule({"To": "+919876543210", "AttemptCount": 3})


def test_exotel_campaign_status_webhook() -> None:
    payload = {
        "CampaignSid": "camp_abc123",
        "Status": "Completed",
        "Stats": {"created": 2500, "completed": 1875, "failed": 425},
    }
    event = exotel.parse_campaign_status(json.dumps(payload).encode())
    assert event.status is CampaignStatus.FINISHED
    assert event.stats == exotel.Stats(created=2500, completed=1875, failed=425)
    assert event.stats.pending is None  # not carried by this webhook
    assert exotel.campaign_status_payload(event) == payload
    paused = exotel.parse_campaign_status({**payload, "Status": "Paused"})
    assert paused.status is CampaignStatus.PAUSED


@st.composite
def exotel_calls(draw: st.DrawFn) -> Call:
    created = draw(moments).replace(microsecond=0)
    ended = created + timedelta(seconds=draw(st.integers(0, 3600)))
    return Call(
        id=draw(st.text("abcdef0123456789", min_size=1, max_size=12)),
        contact_id="+919876543210",
        to="+919876543210",
        from_number=draw(st.sampled_from(["0XXXXXX4890", "+918047090000", ""])),
        attempt=draw(st.integers(1, 5)),
        status=draw(st.sampled_from(list(seed.EXOTEL_CALL_STATUS.values()))),
        created_at=created,
        ended_at=ended,
        duration=int((ended - created).total_seconds()),
        recording_url=draw(st.none() | st.just("https://r.example/x.mp3")),
        price=draw(st.none() | st.decimals(0, 1000, places=3).map(lambda d: d.normalize())),
        price_unit=None,
    )


@given(exotel_calls())
def test_exotel_cdr_round_trip(call: Call) -> None:
    if call.price is not None:
        call = attrs.evolve(call, price_unit="pulses")
    assert exotel.parse_call(exotel.cdr_record(call)) == call


# --------------------------------------------------------------------------- Twilio records

TWILIO_FORM = (
    "Called=%2B14155552671&ToState=CA&CallerCountry=US&Direction=outbound-api"
    "&Timestamp=Mon%2C+01+Jun+2026+16%3A00%3A43+%2B0000&CallbackSource=call-progress-events"
    "&SequenceNumber=3&CallSid=CA0123456789abcdef&To=%2B14155552671&From=%2B14155550000"
    "&CallStatus=completed&CallDuration=38&AnsweredBy=machine_end_beep&ApiVersion=2010-04-01"
)


def test_twilio_status_callback() -> None:
    call = twilio.parse_status_callback(TWILIO_FORM)
    assert call.id == "CA0123456789abcdef"
    assert (call.to, call.from_number) == ("+14155552671", "+14155550000")
    assert call.status is CallStatus.COMPLETED
    assert call.answered_by is AnsweredBy.MACHINE_END_BEEP  # the detail is kept
    assert call.answered_by.coarse is AnsweredBy.MACHINE
    assert call.result is Outcome.VOICEMAIL
    assert call.duration == 38
    assert call.direction is Direction.OUTBOUND
    assert call.updated_at == datetime(2026, 6, 1, 16, 0, 43, tzinfo=UTC)
    assert twilio.parse_status_callback(TWILIO_FORM.encode()) == call
    assert twilio.parse_status_callback({"CallSid": ["CA0123456789abcdef"], **_form_dict()}) == call


def _form_dict() -> dict[str, str]:
    from urllib.parse import parse_qsl

    return {k: v for k, v in parse_qsl(TWILIO_FORM) if k != "CallSid"}


def test_twilio_initiated_and_bad_callbacks() -> None:
    initiated = twilio.parse_status_callback("CallSid=CA1&To=%2B14155552671&CallStatus=initiated")
    assert initiated.status is CallStatus.CREATED
    with pytest.raises(InvalidInput, match="'hungup'"):
        twilio.parse_status_callback("CallSid=CA1&To=%2B14155552671&CallStatus=hungup")
    with pytest.raises(InvalidInput, match="'machine'"):
        twilio.parse_status_callback(
            "CallSid=CA1&To=%2B14155552671&CallStatus=completed&AnsweredBy=machine"
        )
    with pytest.raises(InvalidInput, match="CallStatus"):
        twilio.parse_status_callback("CallSid=CA1&To=%2B14155552671")
    with pytest.raises(InvalidInput, match=r"E\.164"):
        twilio.parse_status_callback("CallSid=CA1&To=415&CallStatus=queued")
    with pytest.raises(InvalidInput, match="Timestamp"):
        twilio.parse_status_callback(
            "CallSid=CA1&To=%2B14155552671&CallStatus=queued&Timestamp=soon"
        )


@st.composite
def twilio_calls(draw: st.DrawFn) -> Call:
    return Call(
        id="CA" + draw(st.text("0123456789abcdef", min_size=1, max_size=32)),
        contact_id="+14155552671",
        to="+14155552671",
        from_number=draw(st.sampled_from(["+14155550000", "client:agent", ""])),
        direction=draw(st.sampled_from(Direction)),
        status=draw(st.sampled_from(list(seed.TWILIO_CALL_STATUS.values()))),
        answered_by=draw(st.none() | st.sampled_from(list(seed.TWILIO_ANSWERED_BY.values()))),
        updated_at=draw(st.none() | moments.map(lambda m: m.replace(microsecond=0))),
        duration=draw(st.integers(0, 7200)),
        recording_url=draw(st.none() | st.just("https://api.twilio.example/rec/RE1")),
    )


@given(twilio_calls())
def test_twilio_status_callback_round_trip(call: Call) -> None:
    assert twilio.parse_status_callback(twilio.status_callback_form(call)) == call


# --------------------------------------------------------------------------- thinkrr


@pytest.mark.parametrize(
    ("label", "counts"),
    [
        ("Completed", True),
        ("No Answer", True),
        ("No Message", True),
        ("Left Message", True),
        ("User Hung Up", True),
        ("Callback", True),
        ("Issue Dialing", False),
        ("Failed", False),
    ],
)
def test_thinkrr_time_spent(label: str, counts: bool) -> None:
    assert thinkrr.counts_toward_time_spent(label) is counts


def test_thinkrr_issue_dialing_is_read_as_failed_and_written_as_failed() -> None:
    assert thinkrr.outcome("Issue Dialing") is Outcome.FAILED
    assert thinkrr.outcome_label(Outcome.FAILED) == "Failed"
    with pytest.raises(InvalidInput, match="thinkrr"):
        thinkrr.outcome_label(Outcome.BUSY)
    with pytest.raises(InvalidInput, match="'Voicemail'"):
        thinkrr.counts_toward_time_spent("Voicemail")


@pytest.mark.parametrize("label", list(seed.THINKRR_OUTCOME))
def test_thinkrr_call_log_entries_become_calls_with_their_outcome(label: str) -> None:
    at = datetime(2026, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=-5)))
    call = thinkrr.call_from_outcome(label, id="t1", to="+1 415 555 2671", at=at, duration="01:05")
    assert call.result is seed.THINKRR_OUTCOME[label]
    assert call.to == "+14155552671"
    assert call.ended_at == datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    assert call.duration == 65
    # The carrier view agrees with the outcome wherever the carrier could tell.
    derived = attrs.evolve(call, outcome=None).result
    if derived in (Outcome.NO_ANSWER, Outcome.FAILED, Outcome.VOICEMAIL):
        assert derived is call.result


# --------------------------------------------------------------------------- itellico records

ITELLICO_CSV = (
    "Name,Phone Number,Priority,Status,Tags,Primary Goal,Goal Score,Conversations,"
    "Conversation Duration,Last Called,Company\n"
    'María López,+52 55 5555 1234,High,Called,"vip, callback",Achieved,100,2,03:10,'
    "2026-06-01 10:00,Acme\n"
    "Pedro Núñez,5555555678,Low,Retry,,✗,0,0,00:00,,\n"
    "Bad Status,5555559012,Normal,Ringing,,,,,,,\n"
)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_itellico_contact_export_csv(delimiter: str) -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(ITELLICO_CSV)))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    result = itellico.parse_contact_export(out.getvalue())
    assert result.delimiter == delimiter
    maria, pedro = result.contacts
    assert maria.phone == "+525555551234"
    assert maria.priority is Priority.HIGH
    assert maria.status is ContactStatus.AWAITING_OUTCOME
    assert maria.tags == {"vip", "callback"}
    assert maria.attributes == {
        "primary_goal": "achieved",
        "goal_score": 100,
        "conversations": 2,
        "conversation_seconds": 190,
        "last_called": "2026-06-01T10:00:00-06:00",
        "Company": "Acme",
    }
    assert pedro.status is ContactStatus.RETRYING
    assert pedro.attributes["primary_goal"] == GoalOutcome.NOT_ACHIEVED.value
    (bad,) = result.rejected
    assert (bad.line, bad.reason, bad.column, bad.value) == (
        4,
        RejectReason.INVALID_VALUE,
        "Status",
        "Ringing",
    )
    assert "itellico" in bad.detail


def test_itellico_contact_export_json_with_loose_keys() -> None:
    data = [
        {
            "name": "María",
            "phone_number": "+525555551234",
            "priority": "Normal",
            "status": "Completed",
            "tags": ["vip"],
            "goalScore": "75%",
        },
    ]
    (maria,) = itellico.parse_contact_export(json.dumps(data)).contacts
    assert maria.status is ContactStatus.ANSWERED
    assert maria.tags == {"vip"}
    assert maria.attributes == {"goal_score": 75}


def test_itellico_export_round_trip_csv_and_json() -> None:
    contacts = itellico.parse_contact_export(ITELLICO_CSV).contacts
    for fmt, delimiter in (("csv", ","), ("csv", ";"), ("json", ",")):
        text = itellico.export_contacts(contacts, fmt=fmt, delimiter=delimiter)
        assert itellico.parse_contact_export(text).contacts == contacts
    header = itellico.export_contacts(contacts).splitlines()[0]
    assert header.startswith(",".join(itellico.CONTACT_EXPORT_COLUMNS))
    with pytest.raises(InvalidInput, match="itellico"):
        itellico.export_contacts([attrs.evolve(contacts[0], status=ContactStatus.VOICEMAIL)])


def test_itellico_missing_phone_column() -> None:
    from campaignkit.io import MissingColumns

    with pytest.raises(MissingColumns):
        itellico.parse_contact_export("Name,Status\nAna,Pending\n")


def test_every_dialect_reads_contacts_into_valid_records() -> None:
    records: list[Contact] = [
        *altur.parse_contact_export(ALTUR_CONTACT_EXPORT).contacts,
        *itellico.parse_contact_export(ITELLICO_CSV).contacts,
    ]
    for record in records:
        assert Contact.from_dict(record.to_dict()) == record
