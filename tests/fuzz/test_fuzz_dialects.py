"""Standing guard (issue 14): every public dialect parser and reader on hostile input.

The generators are shaped by the bounds issue 14 found: integers past 4,300
digits (as text and as JSON literals), dates at the calendar's edges, deep
nesting, long runs of spaces, lone surrogates, folder-named zones, Decimal
exponents. The properties: only `CampaignkitError` subclasses escape (or the
value is read), and in the row readers every valid row mixed with bad ones is
still read - a bad row is rejected, never the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit.dialects import CallReadResult, altur, exotel, itellico, thinkrr, twilio
from campaignkit.errors import CampaignkitError, InvalidConfig

from ..seed_vocabulary import SEED_001_CDR

# --------------------------------------------------------------------------- hostile values

huge_digits = st.integers(4_290, 4_400).map(lambda n: "9" * n)
edge_dates = st.sampled_from(
    [
        "0001-01-01T00:00:00",
        "0001-01-01 00:00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59",
        "9999-12-31T23:59:59-12:00",
        "Mon, 01 Jan 0001 00:00:00 +1400",
        "Fri, 31 Dec 9999 23:59:59 -1200",
        "yesterday",
        "12",
        "9" * 80,
    ]
)
space_runs = st.integers(1_000, 20_000).map(lambda n: "a" + " " * n + ",b")
surrogates = st.sampled_from(["\ud800", "x\udfff", "\udc00y"])
folder_zones = st.sampled_from(["America", "Europe", "Asia", "", "x" * 300, "../etc", "UTC/"])
prices = st.sampled_from(["1e999999999", "1E+16", "-1e-999999", "NaN", "Infinity", "1e-30"])
hostile = st.one_of(
    huge_digits,
    edge_dates,
    space_runs,
    prices,
    st.integers(10**18, 10**40),
    st.floats(),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.text(max_size=30),
)
hostile_text = st.one_of(huge_digits, edge_dates, space_runs, prices, st.text(max_size=30))


def typed(call: Callable[[], Any]) -> Any:
    """Run ``call``: a result, or None when it raised one of campaignkit's typed errors."""
    try:
        return call()
    except CampaignkitError:
        return None


def deep(depth: int, opener: str = "[") -> str:
    closer = {"[": "]", "{": "}"}[opener]
    if opener == "{":
        return '{"a":' * depth + "1" + closer * depth
    return opener * depth + closer * depth


def _csv(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO(newline="")
    # CRLF, as vendors write: the writer then quotes any cell holding \r or \n
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# --------------------------------------------------------------------------- exotel

# seed 001's CDR without its recording
CDR = {**{k: v for k, v in SEED_001_CDR.items() if k != "recording_url"}, "call_sid": "sid"}
CDR_FIELDS = sorted(CDR)


@given(
    st.lists(st.tuples(st.booleans(), st.sampled_from(CDR_FIELDS), hostile), min_size=1, max_size=8)
)
def test_exotel_read_cdrs_rejects_bad_records_and_keeps_valid_ones(
    plan: list[tuple[bool, str, Any]],
) -> None:
    records = []
    valid = set()
    for i, (spoil, field, value) in enumerate(plan):
        record = {**CDR, "call_sid": f"c{i}"}
        if spoil:
            record[field] = value
        else:
            valid.add(f"c{i}")
        records.append(record)
    text = json.dumps(records)
    result = exotel.read_cdrs(text)
    assert isinstance(result, CallReadResult)
    assert result.rows == len(records)
    assert valid <= {c.id for c in result.calls}
    for call in result.calls:  # whatever was read can be written back
        typed(lambda c=call: exotel.cdr_record(c))


@given(huge_digits, st.sampled_from(["duration", "attempt_number", "price"]))
def test_exotel_json_integer_literals_past_the_limit(digits: str, field: str) -> None:
    text = json.dumps([CDR]).replace(f'"{field}": {CDR[field]}', f'"{field}": {digits}')
    result = exotel.read_cdrs(text)
    assert result.calls == ()
    assert len(result.rejected) == 1


@given(st.dictionaries(st.sampled_from([*CDR_FIELDS, "data", "code"]), hostile, max_size=6))
def test_exotel_single_record_parsers_raise_only_typed_errors(payload: dict[str, Any]) -> None:
    record = {**CDR, **payload}
    typed(lambda: exotel.parse_call(record))
    typed(lambda: exotel.parse_cdr_page(json.dumps({"response": [record]}, default=str)))
    form = {"CallSid": "s", "To": "+919876543210", "Status": "completed"}
    form.update({k.title().replace("_", ""): v for k, v in payload.items()})
    typed(lambda: exotel.parse_call_status(json.dumps(form, default=str)))
    typed(
        lambda: exotel.parse_call_schedule(
            {"To": "+919876543210", "FinalStatus": "busy", "AttemptCount": payload.get("duration")}
        )
    )
    stats = {k: v for k, v in payload.items() if k in ("duration", "price")}
    typed(
        lambda: exotel.parse_campaign_status(
            {"CampaignSid": "c", "Status": "Paused", "Stats": stats}
        )
    )
    typed(lambda: exotel.Stats.from_dict({"created": payload.get("price")}))


@given(st.integers(65, 3_000), st.sampled_from(["[", "{"]))
def test_exotel_deep_json_is_malformed_input(depth: int, opener: str) -> None:
    for read in (exotel.read_cdrs, exotel.parse_cdr_page, exotel.parse_campaign):
        assert typed(lambda r=read: r(deep(depth, opener))) is None


@given(surrogates, st.sampled_from(["call_sid", "from", "status", "recording_url"]))
def test_exotel_lone_surrogates_reject_the_record(bad: str, field: str) -> None:
    records = [{**CDR, "call_sid": "ok"}, {**CDR, "call_sid": "bad", field: bad}]
    text = json.dumps(records)  # ensure_ascii: the surrogate travels as a \\ud800 escape
    result = exotel.read_cdrs(text)
    assert [c.id for c in result.calls] == ["ok"]


@given(folder_zones)
def test_every_exotel_zone_parameter_refuses_folders(zone: str) -> None:
    with pytest.raises(InvalidConfig):
        exotel.read_cdrs([CDR], timezone=zone)
    with pytest.raises(InvalidConfig):
        exotel.parse_call(CDR, timezone=zone)
    with pytest.raises(InvalidConfig):
        exotel.read_dashboard_export("Phone Number,Status\n", timezone=zone)
    with pytest.raises(InvalidConfig):
        exotel.dashboard_export([], timezone=zone)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5), hostile_text), max_size=6))
def test_exotel_dashboard_export_rows(plan: list[tuple[bool, int, str]]) -> None:
    header = list(exotel.DASHBOARD_COLUMNS)
    rows, valid = [], set()
    for i, (spoil, column, value) in enumerate(plan):
        phone = f"+9198765{i:05d}"
        row = [phone, "completed", "2", "43", "2024-02-01 10:05:32", "2024-02-01 12:05:32"]
        if spoil:
            row[column] = value
        else:
            valid.add(phone)
        rows.append(row)
    result = exotel.read_dashboard_export(_csv(header, rows))
    assert result.rows == len(rows)
    assert valid <= {c.phone for c in result.contacts}


# --------------------------------------------------------------------------- twilio

FORM = {
    "CallSid": "CA1",
    "To": "+14155550100",
    "CallStatus": "completed",
    "CallDuration": "16",
    "Timestamp": "Tue, 31 Aug 2010 20:36:28 +0000",
}


@given(st.dictionaries(st.sampled_from(sorted({*FORM, "AnsweredBy", "Direction"})), hostile_text))
def test_twilio_status_callbacks_raise_only_typed_errors(change: dict[str, str]) -> None:
    call = typed(lambda: twilio.parse_status_callback({**FORM, **change}))
    if call is not None:
        assert typed(lambda: twilio.status_callback_form(call)) is not None


@given(st.sampled_from(sorted(FORM)), surrogates)
def test_twilio_lone_surrogates_are_refused_up_front(field: str, bad: str) -> None:
    assert typed(lambda: twilio.parse_status_callback({**FORM, field: bad})) is None


LOG_CALL = {
    "sid": "CA1",
    "to": "+14155550100",
    "from": "+14155550101",
    "status": "completed",
    "start_time": "Tue, 31 Aug 2010 20:36:28 +0000",
    "duration": "16",
    "price": "-0.03",
    "price_unit": "USD",
    "answered_by": "human",
}


@given(
    st.lists(st.tuples(st.booleans(), st.sampled_from(sorted(LOG_CALL)), hostile), max_size=6),
    st.booleans(),
)
def test_twilio_call_logs_keep_every_valid_call(
    plan: list[tuple[bool, str, Any]], as_csv: bool
) -> None:
    records, valid = [], set()
    for i, (spoil, field, value) in enumerate(plan):
        record: dict[str, Any] = {**LOG_CALL, "sid": f"CA{i}"}
        if spoil and field != "sid":
            record[field] = value
        else:
            valid.add(f"CA{i}")
        records.append(record)
    if as_csv:
        header = sorted(LOG_CALL)
        text = _csv(header, [["" if r[h] is None else str(r[h]) for h in header] for r in records])
    else:
        text = json.dumps({"calls": records})
    result = twilio.read_call_log(text)
    assert result.rows == len(records)
    assert valid <= {c.id for c in result.calls}


@given(st.integers(65, 3_000))
def test_twilio_deep_call_logs_are_typed(depth: int) -> None:
    assert typed(lambda: twilio.read_call_log(deep(depth))) is None


# --------------------------------------------------------------------------- thinkrr


@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.sampled_from(["phone", "outcome", "duration", "timestamp"]),
            hostile_text,
        ),
        max_size=8,
    )
)
def test_thinkrr_call_log_keeps_every_valid_row(plan: list[tuple[bool, str, str]]) -> None:
    header = ["id", "phone", "outcome", "duration", "timestamp"]
    rows, valid = [], set()
    for i, (spoil, column, value) in enumerate(plan):
        row = {"id": f"c{i}", "phone": "+14155550100", "outcome": "Completed"}
        row |= {"duration": "01:05", "timestamp": "2024-02-01 10:00:00"}
        if spoil:
            row[column] = value
        else:
            valid.add(f"c{i}")
        rows.append([row[h] for h in header])
    result = thinkrr.read_call_log(_csv(header, rows), timezone="America/New_York")
    assert result.rows == len(rows)
    assert valid <= {c.id for c in result.calls}


@given(hostile_text, hostile_text, folder_zones)
def test_thinkrr_call_from_outcome_raises_only_typed_errors(
    stamp: str, duration: str, zone: str
) -> None:
    typed(lambda: thinkrr.call_from_outcome("Completed", id="c", to="+14155550100", at=stamp))
    typed(lambda: thinkrr.call_from_outcome("Callback", id="c", to="+1415555", duration=duration))
    with pytest.raises(InvalidConfig):
        thinkrr.call_from_outcome("Completed", id="c", to="+14155550100", timezone=zone)
    with pytest.raises(InvalidConfig):
        thinkrr.read_call_log("id,phone,outcome\n", timezone=zone)


# --------------------------------------------------------------------------- itellico

IT_HEADER = ["Name", "Phone Number", "Status", "Tags", "Goal Score", "Conversations",
             "Conversation Duration", "Last Called"]  # fmt: skip


@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 7), hostile_text), max_size=6),
    st.booleans(),
)
def test_itellico_contact_export_keeps_every_valid_row(
    plan: list[tuple[bool, int, str]], as_json: bool
) -> None:
    rows, valid = [], set()
    for i, (spoil, column, value) in enumerate(plan):
        phone = f"+5255555{i:05d}"
        row = [f"N{i}", phone, "Pending", "vip, new", "50", "2", "01:05", "2026-06-01 10:00"]
        if spoil and column != 1:
            row[column] = value
        else:
            valid.add(phone)
        rows.append(row)
    if as_json:
        result = itellico.parse_contact_export(
            json.dumps([dict(zip(IT_HEADER, r, strict=True)) for r in rows])
        )
    else:
        result = itellico.parse_contact_export(_csv(IT_HEADER, rows, ";"), delimiter=";")
    assert result.rows == len(rows)
    assert valid <= {c.phone for c in result.contacts}


@given(space_runs)
def test_itellico_tags_with_long_space_runs(cell: str) -> None:
    text = _csv(IT_HEADER[:4], [["Ana", "+525555551234", "Pending", cell]])
    (contact,) = itellico.parse_contact_export(text).contacts
    assert contact.tags == {"a", "b"}


@given(surrogates, st.integers(65, 1_000), folder_zones)
def test_itellico_whole_input_refusals_are_typed(bad: str, depth: int, zone: str) -> None:
    assert typed(lambda: itellico.parse_contact_export(f"Name,Phone Number\n{bad},+5255\n")) is None
    assert typed(lambda: itellico.parse_contact_export(deep(depth))) is None
    with pytest.raises(InvalidConfig):
        itellico.parse_contact_export("Name,Phone Number\n", timezone=zone)


# --------------------------------------------------------------------------- altur


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 6), hostile_text), max_size=5))
def test_altur_read_calls_keeps_every_valid_row(plan: list[tuple[bool, int, str]]) -> None:
    header = ["id", "number_to", "status", "answered_by", "created_at", "duration", "ended_at"]
    rows, valid = [], set()
    for i, (spoil, column, value) in enumerate(plan):
        row = [f"c{i}", "+525555551234", "ended", "human", "2026-06-01T10:00:00-06:00", "01:05"]
        row.append("2026-06-01T10:01:05-06:00")
        if spoil and column != 0:
            row[column] = value
        else:
            valid.add(f"c{i}")
        rows.append(row)
    result = typed(lambda: altur.read_calls(_csv(header, rows)))
    if result is not None:  # a whole-input refusal is typed; otherwise nothing valid is lost
        assert result.rows == len(rows)
        assert valid <= {c.id for c in result.calls}
