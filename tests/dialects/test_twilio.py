"""Twilio: bounded status callbacks, call logs (REST JSON and console CSV), logged callbacks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import AnsweredBy, Call, CallStatus, InvalidInput, Outcome, strategies
from campaignkit.dialects import twilio
from campaignkit.io import DuplicateColumns, MalformedInput, MissingColumns, RejectReason
from campaignkit.statuses import Direction

from .. import seed_vocabulary as seed

moments = strategies.moments()

FORM = {
    "CallSid": "CA1",
    "To": "+14155550100",
    "From": "+14155550101",
    "CallStatus": "completed",
    "CallDuration": "16",
    "Timestamp": "Tue, 31 Aug 2010 20:36:28 +0000",
}
# The REST API's Calls list resource, as Twilio documents a Call.
REST_CALL = {
    "sid": "CA0123456789abcdef0123456789abcdef",
    "to": "+14155550100",
    "from": "+14155550101",
    "status": "completed",
    "start_time": "Tue, 31 Aug 2010 20:36:28 +0000",
    "end_time": "Tue, 31 Aug 2010 20:36:44 +0000",
    "duration": "16",
    "price": "-0.03000",
    "price_unit": "USD",
    "direction": "outbound-api",
    "answered_by": "machine_end_beep",
    "date_created": "Tue, 31 Aug 2010 20:36:28 +0000",
    "date_updated": "Tue, 31 Aug 2010 20:36:44 +0000",
}
CONSOLE_CSV = (
    "Call Sid,From,To,Direction,Status,Start Time,End Time,Duration,Price,Price Unit,Answered By\n"
    "CA1,+14155550101,+14155550100,Outbound API,Completed,2024-02-01 10:00:00,"
    "2024-02-01 10:01:05,65,-0.0140,USD,Human\n"
    "CA2,+14155550101,+14155550102,Outbound API,No Answer,2024-02-01 10:02:00,,0,,,\n"
)


def test_huge_call_duration_is_a_typed_error() -> None:
    with pytest.raises(InvalidInput, match="CallDuration"):
        twilio.parse_status_callback({**FORM, "CallDuration": "9" * 5000})


@pytest.mark.parametrize(
    "stamp", ["Sat, 01 Jan 10000 00:00:00 +0000", "Fri, 31 Dec 9999 23:59:59 -0100", "Mon, 99"]
)
def test_timestamps_at_the_calendar_edges_are_typed(stamp: str) -> None:
    # issue 14: OverflowError when the moment leaves the calendar in UTC
    with pytest.raises(InvalidInput, match="Timestamp"):
        twilio.parse_status_callback({**FORM, "Timestamp": stamp})


def test_lone_surrogates_are_refused_up_front() -> None:
    # issue 14: JSON '\ud800' was accepted and status_callback_form crashed later
    with pytest.raises(InvalidInput, match="CallSid"):
        twilio.parse_status_callback({**FORM, "CallSid": "CA\ud800"})
    with pytest.raises(InvalidInput):
        twilio.parse_status_callback("CallSid=CA\udc00&To=%2B14155550100&CallStatus=completed")
    call = Call(id="CA\ud800", contact_id="c", to="+14155550100", status=CallStatus.COMPLETED)
    with pytest.raises(InvalidInput, match="CallSid"):
        twilio.status_callback_form(call)


def test_rest_calls_page_reads_into_calls() -> None:
    page = {"calls": [REST_CALL], "next_page_uri": None, "page": 0}
    result = twilio.read_call_log(json.dumps(page))
    (call,) = result.calls
    assert call.id == REST_CALL["sid"]
    assert call.status is CallStatus.COMPLETED
    assert call.answered_by is AnsweredBy.MACHINE_END_BEEP
    assert call.direction is Direction.OUTBOUND
    assert call.duration == 16
    assert call.price == Decimal("0.03000")
    assert call.price_unit == "USD"
    assert call.started_at == datetime(2010, 8, 31, 20, 36, 28, tzinfo=UTC)
    assert call.ended_at == datetime(2010, 8, 31, 20, 36, 44, tzinfo=UTC)
    assert twilio.read_call_log([REST_CALL]).calls == result.calls
    assert twilio.read_call_log([page, page]).rows == 2


def test_console_csv_reads_into_calls() -> None:
    result = twilio.read_call_log(CONSOLE_CSV)
    first, second = result.calls
    assert first.status is CallStatus.COMPLETED
    assert first.answered_by is AnsweredBy.HUMAN
    assert first.duration == 65
    assert first.price == Decimal("0.0140")
    assert first.started_at == datetime(2024, 2, 1, 10, 0, tzinfo=UTC)  # UTC when no offset
    assert second.status is CallStatus.NO_ANSWER
    assert second.price is None
    assert second.ended_at is None


def test_call_log_rows_are_rejected_one_by_one() -> None:
    bad_rows = (
        "CA3,+1,+14155550100,Outbound API,Completed,2024-02-01 10:00:00,,1,,,\n"
        "CA4,+14155550101,+14155550100,Outbound API,Exploded,,,1,,,\n"
        f"CA5,+14155550101,+14155550100,Outbound API,Completed,,,{'9' * 5000},,,\n"
        "CA6,+14155550101,+14155550100,Outbound API,Completed,yesterday,,1,,,\n"
        "CA7,too,few\n"
    )
    result = twilio.read_call_log(CONSOLE_CSV + bad_rows)
    assert [c.id for c in result.calls] == ["CA1", "CA2", "CA3"]  # From is kept as text
    assert [(r.line, r.column) for r in result.rejected] == [
        (5, "status"),
        (6, "duration"),
        (7, "start_time"),
        (8, None),
    ]
    assert result.rejected[-1].reason is RejectReason.RAGGED_ROW
    json_result = twilio.read_call_log([REST_CALL, {**REST_CALL, "to": "nobody"}, 7])
    assert [(r.line, r.column) for r in json_result.rejected] == [(2, "to"), (3, None)]


def test_call_log_whole_input_errors() -> None:
    with pytest.raises(MissingColumns):
        twilio.read_call_log("From,To\n+1,+2\n")
    with pytest.raises(DuplicateColumns):
        twilio.read_call_log("Call Sid,call_sid,To,Status\n")
    with pytest.raises(MalformedInput):
        twilio.read_call_log("[" * 10_000)
    with pytest.raises(InvalidInput):
        twilio.read_call_log('{"no": "calls"}')


def test_logged_status_callbacks_keep_the_latest_per_call() -> None:
    ringing = {**FORM, "CallStatus": "ringing", "Timestamp": "Tue, 31 Aug 2010 20:36:20 +0000"}
    lines = "\n".join(
        [
            twilio.status_callback_form(twilio.parse_status_callback(FORM)),
            twilio.status_callback_form(twilio.parse_status_callback(ringing)),  # stale
            "CallSid=CA9&To=nobody&CallStatus=completed",
            "",
        ]
    )
    result = twilio.read_status_callbacks(lines)
    (call,) = result.calls
    assert call.status is CallStatus.COMPLETED
    assert [(r.line, r.column) for r in result.rejected] == [(3, None)]


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


def test_lines_of_text_are_a_source_not_json_data() -> None:
    # as in campaignkit.io: a list of strings is a file's lines
    lines = CONSOLE_CSV.splitlines(keepends=True)
    assert twilio.read_call_log(lines).calls == twilio.read_call_log(CONSOLE_CSV).calls
    page = json.dumps({"calls": [REST_CALL]})
    assert len(twilio.read_call_log([page]).calls) == 1


def test_read_calls_tells_logged_callbacks_from_a_call_log() -> None:
    # The command line's reader (issue 18 item 1: the sniffing moved out of cli.py).
    callbacks = twilio.status_callback_form(twilio.parse_status_callback(FORM)) + "\n"
    as_callbacks = twilio.read_calls(callbacks.encode())
    assert as_callbacks == twilio.read_status_callbacks(callbacks)
    page = {"calls": [REST_CALL]}
    assert twilio.read_calls(json.dumps(page)) == twilio.read_call_log(json.dumps(page))
    assert twilio.read_calls(page) == twilio.read_call_log(page)
    csv_text = "Call Sid,To,Status\nCA1,+14155550100,completed\n"
    assert twilio.read_calls(csv_text) == twilio.read_call_log(csv_text)
    # a CallSid= beyond the first 4 KiB does not make a call log into callbacks
    late = csv_text + "x" * 5000 + ",CallSid=CA2,busy\n"
    assert twilio.read_calls(late) == twilio.read_call_log(late)
