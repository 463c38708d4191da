"""Altur (seeds 000 and 004): the report reader, the recording export, archived campaigns."""

from __future__ import annotations

import json
from datetime import UTC, datetime

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
    Outcome,
)
from campaignkit.dialects import altur
from campaignkit.io import (
    MalformedInput,
    MissingColumns,
    RejectReason,
    export_contacts,
    export_results,
)


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


@given(
    st.lists(
        st.tuples(
            st.none() | st.sampled_from(list(AnsweredBy)),
            st.none() | st.just("https://x.example/r.mp3"),
        ),
        max_size=10,
    )
)
def test_recording_calls_are_exactly_the_human_calls_with_a_recording(
    drawn: list[tuple[AnsweredBy | None, str | None]],
) -> None:
    calls = [_call(f"c{i}", amd, url) for i, (amd, url) in enumerate(drawn)]
    kept = altur.recording_calls(calls)
    expected = [c for c in calls if c.answered_by is AnsweredBy.HUMAN and c.recording_url]
    assert list(kept) == expected


def test_breakdown_labels_fold_both_channels() -> None:
    # seed 000: Altur says "sending" for a call being dialled and a message being sent.
    assert altur.breakdown_label(ContactStatus.DIALING) == "sending"
    assert altur.breakdown_label(ContactStatus.SENDING) == "sending"
    assert altur.breakdown_label(ContactStatus.QUEUED) == "queue"
    assert altur.breakdown_label(ContactStatus.AWAITING_OUTCOME) == "other"
    for status in ContactStatus:
        assert altur.breakdown_label(status) in altur.BREAKDOWN_LABELS
    assert altur.BREAKDOWN_LABELS[-1] == "other"
    assert len(set(altur.BREAKDOWN_LABELS)) == len(altur.BREAKDOWN_LABELS)


def test_altur_writers_take_the_export_options_and_refuse_the_others() -> None:
    # One keyword list (campaignkit.io's export options); Altur's writers fix the
    # labels, write no extended columns and the recording export no tag columns.
    contact = Contact(id="c1", phone="+525512345678", extracted={"paid": True})
    assert altur.write_contact_export([contact], fmt="json") == export_contacts(
        [contact], fmt="json", labels=altur.LABELS
    )
    assert altur.write_results_export([contact], delimiter=";") == export_results(
        [contact], delimiter=";", labels=altur.LABELS
    )
    for call in (
        lambda: altur.write_contact_export([contact], labels=altur.LABELS),  # type: ignore[call-arg]
        lambda: altur.write_contact_export([contact], extended=True),  # type: ignore[call-arg]
        lambda: altur.write_call_export([], labels=altur.LABELS),  # type: ignore[call-arg]
        lambda: altur.write_recording_export([], tags=["vip"]),  # type: ignore[call-arg]
        lambda: altur.write_recording_export([], colour="red"),  # type: ignore[call-arg]
    ):
        with pytest.raises(TypeError):
            call()


def test_iter_calls_streams_what_read_calls_reads() -> None:
    # The command line's streaming reader (issue 18 item 1: moved out of cli.py).
    calls = [_call("h1", AnsweredBy.HUMAN), _call("m1", AnsweredBy.MACHINE)]
    text = altur.write_call_export(calls)
    lines = text.splitlines(keepends=True)
    bad = lines[1].replace(",ended,", ",exploded,")
    source = "".join([lines[0], bad, *lines[1:]])
    stream = altur.iter_calls(source, region=None)
    streamed = list(stream)
    whole = altur.read_calls(source, region=None)
    assert streamed == list(whole.calls)
    assert len(streamed) == 2
    assert [(r.line, r.reason) for r in stream.rejected] == [(2, RejectReason.INVALID_VALUE)]
    assert [(r.line, r.reason) for r in stream.rejected] == [
        (r.line, r.reason) for r in whole.rejected
    ]
    assert not stream.renumbered
