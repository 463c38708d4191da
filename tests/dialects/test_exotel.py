"""Exotel (seed 001): bounded CDR reading, the report reader, the dashboard export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    Call,
    CallStatus,
    CampaignStatus,
    ContactStatus,
    InvalidConfig,
    InvalidInput,
    Outcome,
    strategies,
)
from campaignkit.dialects import (
    CallReadResult,
    exotel,
)
from campaignkit.engine import CampaignCounts, apply_call_report
from campaignkit.errors import CampaignkitError
from campaignkit.io import DuplicateColumns, MalformedInput, MissingColumns, RejectReason
from campaignkit.statuses import STATS_FIELDS

from .. import seed_vocabulary as seed

moments = strategies.moments()

CDR = seed.SEED_001_CDR  # seed 001's CDR example, one home for the tests
HUGE = "9" * 5000


def _page(*records: dict[str, object]) -> str:
    return json.dumps({"response": list(records)})


def test_the_seed_cdr_reads_through_read_cdrs() -> None:
    result = exotel.read_cdrs(_page(CDR))
    assert isinstance(result, CallReadResult)
    (call,) = result.calls
    assert result.rejected == ()
    assert call.id == "a1b2c3d4e5f6"
    assert call.duration == 43
    assert call.price == Decimal(2)
    assert call.created_at == datetime(2024, 2, 1, 4, 35, 32, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", HUGE),
        ("attempt_number", HUGE),
        ("duration", int(HUGE[:18] + "0")),  # 19 digits: past the bound
    ],
)
def test_huge_counts_reject_the_record_by_name(field: str, value: object) -> None:
    bad = {**CDR, "call_sid": "bad", field: value}
    result = exotel.read_cdrs(_page(CDR, bad))
    assert [c.id for c in result.calls] == ["a1b2c3d4e5f6"]
    (rejected,) = result.rejected
    assert rejected.line == 2
    assert rejected.column == field
    assert rejected.reason is RejectReason.INVALID_VALUE
    with pytest.raises(InvalidInput, match=field):
        exotel.parse_call(bad)


def test_huge_json_integer_literals_are_refused_not_a_bare_value_error() -> None:
    # issue 14: json.loads itself raises ValueError past 4,300 digits
    text = _page(CDR).replace('"duration": 43', f'"duration": {HUGE}')
    result = exotel.read_cdrs(text)
    assert result.calls == ()
    assert result.rejected[0].column == "duration"
    with pytest.raises(InvalidInput, match="duration"):
        exotel.parse_cdr_page(text)
    payload = json.dumps({"To": "+919876543210", "FinalStatus": "busy", "AttemptCount": 1})
    with pytest.raises(InvalidInput, match="AttemptCount"):
        exotel.parse_call_schedule(payload.replace(": 1}", f": {HUGE}}}"))
    stats = '{"CampaignSid": "c", "Status": "Completed", "Stats": {"created": ' + HUGE + "}}"
    with pytest.raises(InvalidInput, match="created"):
        exotel.parse_campaign_status(stats)


def test_a_year_one_placeholder_in_kolkata_is_a_typed_error() -> None:
    # issue 14: 0001-01-01T00:00:00 + 05:30 is before year 1 in UTC (OverflowError)
    bad = {**CDR, "start_time": "0001-01-01T00:00:00"}
    with pytest.raises(InvalidInput, match="start_time"):
        exotel.parse_call(bad)
    result = exotel.read_cdrs(_page(bad, {**CDR, "call_sid": "ok"}))
    assert [c.id for c in result.calls] == ["ok"]
    assert result.rejected[0].column == "start_time"
    late = {**CDR, "end_time": "9999-12-31T23:59:59"}  # the other edge: typed or read, no crash
    try:
        outcome: object = exotel.parse_call(late).ended_at
    except InvalidInput as exc:
        outcome = str(exc)
    assert outcome is not None
    assert not isinstance(outcome, str) or "end_time" in outcome


def test_writing_a_call_at_the_calendar_edge_is_a_typed_error() -> None:
    edge = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    call = Call(
        id="c", contact_id="c", to="+919876543210", status=CallStatus.QUEUED, created_at=edge
    )
    with pytest.raises(InvalidInput, match="start_time"):
        exotel.cdr_record(call)  # +05:30 would be year 10000


@pytest.mark.parametrize("price", ["1e999999999", "1E+16", "1e-99", "NaN", "Infinity", 1e300])
def test_hostile_prices_are_refused_before_any_big_integer(price: object) -> None:
    # issue 14: "1e999999999" built a billion-digit integer in cdr_record
    with pytest.raises(InvalidInput, match="price"):
        exotel.parse_call({**CDR, "price": price})
    result = exotel.read_cdrs(_page({**CDR, "price": price}))
    assert result.calls == ()
    assert result.rejected[0].column == "price"


def test_cdr_record_refuses_a_huge_price_on_a_call_built_by_hand() -> None:
    call = exotel.parse_call(CDR)
    with pytest.raises(InvalidInput):  # the record itself, or cdr_record, refuses it
        exotel.cdr_record(Call.from_dict({**call.to_dict(), "price": "1E+20"}))


def test_cdr_price_round_trips() -> None:
    call = exotel.parse_call({**CDR, "price": "2.5"})
    assert exotel.cdr_record(call)["price"] == "2.5"
    assert exotel.parse_call(exotel.cdr_record(call)) == call


@pytest.mark.parametrize("zone", ["America", "Europe", "x" * 300, "../../etc", ""])
def test_folder_and_overlong_zones_are_invalid_config_without_paths(zone: str) -> None:
    with pytest.raises(InvalidConfig) as caught:
        exotel.read_cdrs(_page(CDR), timezone=zone)
    assert "zoneinfo" not in str(caught.value)
    assert "/usr" not in str(caught.value)
    with pytest.raises(InvalidConfig):
        exotel.parse_campaign({"id": "c", "status": "Completed"}, timezone=zone)


def test_deep_nesting_is_malformed_input_not_recursion_error() -> None:
    # issue 14 item 19: the CLI's json.loads raised RecursionError
    for depth in (65, 5_000, 200_000):
        with pytest.raises(MalformedInput, match="nested deeper"):
            exotel.read_cdrs("[" * depth + "]" * depth)
    with pytest.raises(MalformedInput):
        exotel.parse_cdr_page("[" * 100_000)
    # brackets inside strings are not nesting
    record = {**CDR, "recording_url": "[" * 1000}
    assert exotel.read_cdrs(_page(record)).calls[0].recording_url == "[" * 1000


def test_lone_surrogates_reject_the_record() -> None:
    text = _page(CDR, {**CDR, "call_sid": "x"}).replace('"x"', '"\\ud800"')
    result = exotel.read_cdrs(text)
    assert len(result.calls) == 1
    assert len(result.rejected) == 1
    with pytest.raises(InvalidInput):
        exotel.parse_call_status(
            '{"CallSid": "\\udc00", "To": "+919876543210", "Status": "completed"}'
        )


def test_read_cdrs_takes_pages_arrays_and_arrays_of_pages() -> None:
    two = {**CDR, "call_sid": "b", "attempt_number": 2}
    assert len(exotel.read_cdrs([CDR, two]).calls) == 2
    pages = json.dumps([{"response": [CDR]}, {"response": [{"data": two}]}])
    assert [c.id for c in exotel.read_cdrs(pages).calls] == ["a1b2c3d4e5f6", "b"]
    with pytest.raises(InvalidInput):
        exotel.read_cdrs('{"nothing": 1}')
    with pytest.raises(MalformedInput):
        exotel.read_cdrs("{not json")


def test_read_cdrs_reports_every_bad_record_and_keeps_the_rest() -> None:
    records = [
        CDR,
        {**CDR, "call_sid": "s1", "status": "ringing-ish"},
        {**CDR, "call_sid": "s2", "to": "not a number"},
        "not an object",
        {"to": "+919876543210"},
        {**CDR, "call_sid": "s3"},
    ]
    result = exotel.read_cdrs(records)
    assert [c.id for c in result.calls] == ["a1b2c3d4e5f6", "s3"]
    assert [(r.line, r.column) for r in result.rejected] == [
        (2, "status"),
        (3, "to"),
        (4, None),
        (5, "call_sid"),
    ]
    assert result.report().startswith("2 calls read, 4 rejected of 6 rows")


def test_archived_campaigns_map_both_ways() -> None:
    # seed 004 "Archive the campaign"; Exotel reports Archived campaigns
    assert exotel.campaign_status("Archived") is CampaignStatus.ARCHIVED
    assert exotel.campaign_status("archived") is CampaignStatus.ARCHIVED
    assert exotel.campaign_status_label(CampaignStatus.ARCHIVED) == "Archived"


# --------------------------------------------------------------------------- dashboard export


def _calls() -> list[Call]:
    """Seed 001 shapes: one contact reached at the 2nd attempt, one busy then no answer."""
    a1 = exotel.parse_call({**CDR, "call_sid": "a1", "status": "no-answer", "duration": 0})
    a2 = exotel.parse_call(
        {
            **CDR,
            "call_sid": "a2",
            "attempt_number": 2,
            "start_time": "2024-02-01T12:05:32+05:30",
            "end_time": "2024-02-01T12:06:15+05:30",
        }
    )
    other = {**CDR, "to": "+919876500000", "duration": 0}
    b1 = exotel.parse_call({**other, "call_sid": "b1", "status": "busy"})
    b2 = exotel.parse_call(
        {
            **other,
            "call_sid": "b2",
            "status": "no-answer",
            "attempt_number": 2,
            "start_time": "2024-02-01T12:00:00+05:30",
            "end_time": "2024-02-01T12:00:30+05:30",
        }
    )
    return [a1, b1, b2, a2]


def test_dashboard_export_has_one_row_per_contact() -> None:
    text = exotel.dashboard_export(_calls())
    lines = text.strip().split("\r\n")
    assert lines[0] == ",".join(exotel.DASHBOARD_COLUMNS)
    assert lines[1:] == [
        "+919876543210,completed,2,43,2024-02-01 10:05:32,2024-02-01 12:05:32",
        "+919876500000,no-answer,2,0,2024-02-01 10:05:32,2024-02-01 12:00:00",
    ]


def test_dashboard_export_reads_back_into_contacts() -> None:
    result = exotel.read_dashboard_export(exotel.dashboard_export(_calls()))
    reached, missed = result.contacts
    assert reached.status is ContactStatus.ANSWERED
    assert reached.attempts == 2
    assert reached.attributes["last_call_duration"] == 43
    assert reached.updated_at == datetime(2024, 2, 1, 6, 35, 32, tzinfo=UTC)
    assert missed.status is ContactStatus.FAILED
    assert missed.last_outcome is Outcome.NO_ANSWER
    assert result.rejected == ()


def test_dashboard_export_rows_are_rejected_one_by_one() -> None:
    text = (
        "phone_number,status,attempts,last call duration\n"
        "+919876543210,pending,0,\n"
        "+919876500000,exploded,1,3\n"
        f"+919876500001,failed,{HUGE},3\n"
        "+919876543210,completed,1,3\n"
        "+919876500002,busy,3,0\n"
    )
    result = exotel.read_dashboard_export(text)
    assert [c.status for c in result.contacts] == [ContactStatus.QUEUED, ContactStatus.FAILED]
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, RejectReason.INVALID_VALUE),
        (4, RejectReason.INVALID_VALUE),
        (5, RejectReason.DUPLICATE_PHONE),
    ]
    with pytest.raises(MissingColumns):
        exotel.read_dashboard_export("phone,attempts\n1,2\n")
    with pytest.raises(DuplicateColumns):
        exotel.read_dashboard_export("Phone Number,phone_number,Status\n")


def test_dashboard_export_refuses_labels_exotel_lacks() -> None:
    call = exotel.parse_call(CDR)
    created = Call.from_dict({**call.to_dict(), "status": CallStatus.CREATED.value})
    with pytest.raises(CampaignkitError):
        exotel.dashboard_export([created])


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

# seed 001's CDR with a recording URL the round trip can write back exactly
SEED_CDR = {**CDR, "recording_url": "https://recordings.example/a1b2c3d4e5f6.mp3"}


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


def test_exotel_stats_read_the_metrics_counts() -> None:
    # issue 18: one stats record - CampaignStats.counts is the engine's CampaignCounts,
    # and the wire object converts to and from it
    from campaignkit import CampaignStats

    from ..metrics_data import exotel_contacts

    computed = CampaignStats.from_records(contacts=exotel_contacts()).counts
    assert exotel.Stats.from_counts(computed) == exotel.parse_campaign(SEED_STATS).stats
    assert exotel.parse_campaign(SEED_STATS).stats.to_counts() == computed


@given(strategies.campaign_counts())
def test_stats_and_counts_convert_both_ways(counts: CampaignCounts) -> None:
    wire = exotel.Stats.from_counts(counts)
    assert wire.to_counts() == counts
    assert wire.to_dict() == counts.to_dict()
    assert exotel.Stats.from_dict(json.loads(json.dumps(counts.to_dict()))) == wire


@given(strategies.campaign_counts(), st.sets(st.sampled_from(STATS_FIELDS), min_size=1))
def test_a_partial_stats_object_is_not_counts(counts: CampaignCounts, unknown: set[str]) -> None:
    wire = exotel.Stats.from_counts(counts, unknown=unknown)
    assert all(getattr(wire, k) is None for k in unknown)
    with pytest.raises(InvalidInput, match=sorted(unknown, key=STATS_FIELDS.index)[0]):
        wire.to_counts()


def test_the_campaign_status_webhook_is_not_complete_counts() -> None:
    stats = exotel.Stats(created=2500, completed=1875, failed=425)
    with pytest.raises(InvalidInput, match="lacks pending, in_progress, busy, no_answer"):
        stats.to_counts()
    with pytest.raises(InvalidInput, match="CampaignCounts"):
        exotel.Stats.from_counts(stats)  # type: ignore[arg-type]
    parts = exotel.Stats(
        created=9, completed=1, failed=1, pending=1, in_progress=1, busy=1, no_answer=1
    )
    with pytest.raises(InvalidInput, match="must equal"):
        parts.to_counts()


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


NUMBERS = ["+919876543210", "+919876500000", "+918047090000"]


@given(st.lists(st.tuples(exotel_calls(), st.sampled_from(NUMBERS)), max_size=12))
def test_dashboard_export_has_one_row_per_distinct_number(
    drawn: list[tuple[Call, str]],
) -> None:
    # seed 001: one row per contact, its attempt count, final status and last duration
    calls = [attrs.evolve(c, to=n, contact_id=n, id=f"{i}") for i, (c, n) in enumerate(drawn)]
    result = exotel.read_dashboard_export(exotel.dashboard_export(calls))
    assert result.rejected == ()
    by_phone = {c.phone: c for c in result.contacts}
    assert list(by_phone) == list(dict.fromkeys(c.to for c in calls))
    for number, contact in by_phone.items():
        attempts = [c for c in calls if c.to == number]
        # ties (same attempt number and start) go to the later record
        last = max(reversed(attempts), key=lambda c: (c.attempt, c.created_at))
        assert contact.attempts == len(attempts)
        assert contact.attributes["last_call_duration"] == last.duration
        assert contact.updated_at == max(c.created_at for c in attempts if c.created_at)
