"""Altur (seeds 000 and 004): the report reader, the recording export, archived campaigns."""

from __future__ import annotations

import json

import pytest

from campaignkit import AnsweredBy, Call, CallStatus, CampaignStatus
from campaignkit.dialects import altur
from campaignkit.io import MissingColumns, RejectReason


def _call(sid: str, amd: AnsweredBy | None, url: str | None = "https://x.example/r.mp3") -> Call:
    return Call(
        id=sid,
        contact_id="c",
        to="+525555551234",
        status=CallStatus.COMPLETED if amd else CallStatus.NO_ANSWER,
        answered_by=amd,
        recording_url=url,
    )


def test_recording_export_holds_only_calls_answered_by_a_human() -> None:
    # seed 000: "Only calls with answered_by: human are included in the recording export."
    calls = [
        _call("human", AnsweredBy.HUMAN),
        _call("machine", AnsweredBy.MACHINE),
        _call("beep", AnsweredBy.MACHINE_END_BEEP),
        _call("unknown", AnsweredBy.UNKNOWN),
        _call("unanswered", None),
        _call("no-recording", AnsweredBy.HUMAN, None),
    ]
    assert [c.id for c in altur.recording_calls(calls)] == ["human"]
    text = altur.write_recording_export(calls)
    assert [c.id for c in altur.parse_call_export(text)] == ["human"]
    records = json.loads(altur.write_recording_export(calls, fmt="json"))
    assert [r["answered_by"] for r in records] == ["human"]


def test_read_calls_rejects_bad_rows_and_keeps_the_rest() -> None:
    calls = [_call(f"c{i}", AnsweredBy.HUMAN) for i in range(3)]
    lines = altur.write_call_export(calls).split("\r\n")
    header, rows = lines[0], [line for line in lines[1:] if line]
    bad_status = rows[1].replace(",ended,", ",exploded,")
    ragged = "c9,+525555551234"
    text = "\r\n".join([header, rows[0], bad_status, ragged, rows[2], ""])
    result = altur.read_calls(text)
    assert [c.id for c in result.calls] == ["c0", "c2"]
    assert [c.attempt for c in result.calls] == [1, 2]  # numbered among the rows kept
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, RejectReason.INVALID_VALUE),
        (4, RejectReason.RAGGED_ROW),
    ]
    clean = altur.read_calls(altur.write_call_export(calls))
    assert clean.rejected == ()
    assert clean.calls == altur.parse_call_export(altur.write_call_export(calls))


def test_read_calls_json_records_are_rejected_one_by_one() -> None:
    calls = [_call("c0", AnsweredBy.HUMAN), _call("c1", AnsweredBy.MACHINE)]
    records = json.loads(altur.write_call_export(calls, fmt="json"))
    records.insert(1, {**records[0], "id": "bad", "status": "exploded"})
    result = altur.read_calls(json.dumps(records))
    assert [c.id for c in result.calls] == ["c0", "c1"]
    assert [r.line for r in result.rejected] == [2]
    with pytest.raises(MissingColumns):
        altur.read_calls("id,status\n1,ended\n")


def test_archived_campaign_status() -> None:
    # seed 004: "Archive the campaign if no further actions are needed"
    assert altur.campaign_status("archived") is CampaignStatus.ARCHIVED
    assert altur.campaign_status("Archived") is CampaignStatus.ARCHIVED
    assert altur.campaign_status_label(CampaignStatus.ARCHIVED) == "archived"
