"""thinkrr (seed 003): the call-log reader, lenient timestamps, bounded durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from campaignkit import (
    CallStatus,
    InvalidConfig,
    InvalidInput,
    Outcome,
)
from campaignkit.dialects import thinkrr
from campaignkit.io import DuplicateColumns, MissingColumns, RejectReason

from .. import seed_vocabulary as seed

LOG = (
    "id,phone,outcome,duration,timestamp\n"
    "c1,+14155550100,Completed,01:05,2024-02-01 10:00:00\n"
    "c2,+14155550101,Left Message,0:20,2024-02-01T10:05:00-05:00\n"
    "c3,+14155550102,Issue Dialing,0,\n"
)


def test_the_call_log_reads_with_naive_times_in_the_given_zone() -> None:
    result = thinkrr.read_call_log(LOG, timezone="America/New_York")
    first, second, third = result.calls
    assert result.rejected == ()
    assert first.outcome is Outcome.HUMAN_CONVERSATION
    assert first.duration == 65
    assert first.ended_at == datetime(2024, 2, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York
    assert second.ended_at == datetime(2024, 2, 1, 15, 5, tzinfo=UTC)  # its own offset wins
    assert third.status is CallStatus.FAILED
    assert third.ended_at is None
    utc = thinkrr.read_call_log(LOG)  # UTC by default
    assert utc.calls[0].ended_at == datetime(2024, 2, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "stamp",
    [
        "02/01/2024 10:00 AM",
        "Feb 1 2024 10:00",
        "2024-02-01T10:00:00Z",
        "Thu, 01 Feb 2024 10:00:00",
    ],
)
def test_lenient_timestamps_via_dateutil(stamp: str) -> None:
    call = thinkrr.call_from_outcome("Completed", id="c", to="+14155550100", at=stamp)
    assert call.ended_at == datetime(2024, 2, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "stamp",
    ["yesterday", "12", "10:00", "0001-01-01 00:00 +05:00", "2024-02-01 10:00 XYZT", "9" * 99],
)
def test_timestamps_that_are_not_a_whole_date_are_typed_errors(stamp: str) -> None:
    # issue 13: 'yesterday' gave a traceback; a bare day must not take today's month
    with pytest.raises(InvalidInput, match="timestamp"):
        thinkrr.call_from_outcome("Completed", id="c", to="+14155550100", at=stamp)


def test_rows_are_rejected_with_line_and_reason() -> None:
    text = LOG + (
        "c4,+14155550103,Completed,1,yesterday\n"
        f"c5,+14155550104,Completed,{'9' * 5000},\n"
        "c6,+14155550105,Exploded,1,\n"
        "c7,12,Completed,1,\n"
        "c8,+14155550106\n"
        f'c9,+14155550107,Completed,1,"{"x" * (200 * 1024)}"\n'
        "c10,+14155550108,Callback,2:00,2024-02-02 09:00\n"
    )
    result = thinkrr.read_call_log(text)
    assert [c.id for c in result.calls] == ["c1", "c2", "c3", "c10"]
    assert [(r.line, r.reason, r.column) for r in result.rejected] == [
        (5, RejectReason.INVALID_VALUE, "timestamp"),
        (6, RejectReason.INVALID_VALUE, "duration"),
        (7, RejectReason.INVALID_VALUE, "outcome"),
        (8, RejectReason.INVALID_VALUE, "phone"),
        (9, RejectReason.RAGGED_ROW, None),
        (10, RejectReason.RAGGED_ROW, None),  # a cell over 128 KiB: no _csv.Error
    ]


def test_whole_input_errors_are_typed() -> None:
    with pytest.raises(MissingColumns):
        thinkrr.read_call_log("id,phone\n1,+14155550100\n")
    with pytest.raises(MissingColumns):
        thinkrr.read_call_log("")
    with pytest.raises(DuplicateColumns):
        thinkrr.read_call_log("id,Phone Number,phone_number,outcome\n")
    with pytest.raises(InvalidConfig):
        thinkrr.read_call_log(LOG, timezone="America")
    with pytest.raises(InvalidInput):
        thinkrr.read_call_log(LOG.replace("c1", "c\ud800"))


def test_headers_are_matched_loosely() -> None:
    text = (
        "Call ID;Phone Number;Status;Call Duration;Date\nc1;+14155550100;No Answer;0;2024-02-01\n"
    )
    (call,) = thinkrr.read_call_log(text).calls
    assert call.outcome is Outcome.NO_ANSWER
    assert call.ended_at == datetime(2024, 2, 1, tzinfo=UTC)


def test_call_from_outcome_bounds_durations() -> None:
    with pytest.raises(InvalidInput, match="duration"):
        thinkrr.call_from_outcome("Completed", id="c", to="+14155550100", duration="9" * 5000)
    aware = datetime(2024, 2, 1, 10, 0, tzinfo=UTC)
    call = thinkrr.call_from_outcome("Completed", id="c", to="+14155550100", at=aware)
    assert call.ended_at == aware


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
