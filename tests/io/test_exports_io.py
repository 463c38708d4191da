"""Result exports (seed 000): columns and order, formula neutralisation, lossless round trips."""

from __future__ import annotations

import csv
import functools
import io
import json
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    BillingPolicy,
    Call,
    CallStatus,
    Campaign,
    Channel,
    Contact,
    ContactStatus,
    InvalidConfig,
    InvalidInput,
    Outcome,
    Priority,
    strategies,
)
from campaignkit.dialects import altur
from campaignkit.io import (
    CALL_EXPORT_COLUMNS,
    CONTACT_EXPORT_COLUMNS,
    DuplicateColumns,
    MalformedInput,
    export_calls,
    export_contact_list,
    export_contacts,
    export_results,
    format_altur_duration,
    import_contacts,
    is_formula,
    iter_call_export,
    neutralise,
    read_call_export,
    read_contact_export,
    unneutralise,
)
from campaignkit.statuses import ContactStatus as _ContactStatus
from campaignkit.statuses import Direction

contacts = functools.partial(strategies.contacts, statuses=tuple(_ContactStatus))
ids = strategies.identifiers()
moments = strategies.moments()


T0 = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)  # 10:00 in Mexico City
CAMPAIGN = Campaign(id="cmp1", name="Payment Reminder Q1", created_at=T0)

JUAN = Contact(
    id="123",
    phone="+525555551234",
    name="Juan Pérez",
    context="Amount: $1,500. Due: June 5",
    external_id="123",
    tags={"interested"},
    extracted={"email": "juan@example.com", "rating": 5},
    status=ContactStatus.CONVERTED,
    retries=1,
    attempts=2,
    updated_at=T0 + timedelta(hours=1),
    follow_up=True,
)
ANA = Contact(id="124", phone="+525555555678", name="Ana Gómez", external_id="124")

MACHINE_CALL = Call(
    id="CA1",
    contact_id="123",
    to="+525555551234",
    status=CallStatus.COMPLETED,
    answered_by=AnsweredBy.MACHINE,
    created_at=T0,
    started_at=T0 + timedelta(seconds=10),
    ended_at=T0 + timedelta(seconds=53),
    duration=43,
)
HUMAN_CALL = Call(
    id="CA2",
    contact_id="123",
    to="+525555551234",
    attempt=2,
    status=CallStatus.COMPLETED,
    answered_by=AnsweredBy.HUMAN,
    created_at=T0 + timedelta(hours=1),
    started_at=T0 + timedelta(hours=1, seconds=5),
    ended_at=T0 + timedelta(hours=2, seconds=7),
    duration=3602,
    recording_url="https://rec.example/CA2.mp3",
)


def rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


# --------------------------------------------------------------------------- columns


def test_contact_export_columns_are_altur_s_in_order() -> None:
    assert CONTACT_EXPORT_COLUMNS == (
        "campaign_name",
        "campaign_date",
        "id",
        "contact",
        "name",
        "context",
        "status",
        "retries",
        "calls",
        "billed_duration",
        "last_update",
        "follow_up",
    )


def test_call_export_columns_are_altur_s_in_order() -> None:
    assert CALL_EXPORT_COLUMNS == (
        "campaign_name",
        "campaign_date",
        "id",
        "number_to",
        "contact_name",
        "type",
        "status",
        "answered_by",
        "created_at",
        "started_at",
        "ended_at",
        "duration",
        "billed_duration",
        "recording_url",
    )


def test_contact_export_rows() -> None:
    text = export_contacts(
        [JUAN, ANA],
        campaign=CAMPAIGN,
        calls=[MACHINE_CALL, HUMAN_CALL],
        tags=["interested", "invalid_number"],
        fields=["email", "interest", "rating"],
    )
    header, juan, ana = rows(text)
    assert header == [
        *CONTACT_EXPORT_COLUMNS,
        "interested",
        "invalid_number",
        "email",
        "interest",
        "rating",
    ]
    assert juan == [
        "Payment Reminder Q1",
        "2026-06-01",
        "123",
        "+525555551234",
        "Juan Pérez",
        "Amount: $1,500. Due: June 5",
        "converted",
        "1",
        "2",
        "60:07",  # machine call capped at 5 s + 3602 s human call; MM:SS (issue 13 item 7)
        "2026-06-01T11:00:00-06:00",
        "True",
        "True",
        "False",
        "juan@example.com",
        "",
        "5",
    ]
    assert ana[6:12] == ["queued", "0", "0", "00:00", "", "False"]
    assert ana[12:] == ["False", "False", "", "", ""]


def test_dynamic_columns_default_to_the_names_found() -> None:
    header = rows(export_contacts([JUAN, ANA]))[0]
    assert header[len(CONTACT_EXPORT_COLUMNS) :] == ["interested", "email", "rating"]


def test_billed_duration_is_empty_without_calls_and_for_whatsapp() -> None:
    assert rows(export_contacts([JUAN]))[1][9] == ""
    whatsapp = attrs.evolve(CAMPAIGN, channel=Channel.WHATSAPP)
    juan = attrs.evolve(JUAN, status=ContactStatus.READ)
    row = rows(export_contacts([juan], campaign=whatsapp, calls=[MACHINE_CALL]))[1]
    assert row[6:10] == ["read", "1", "", ""]


def test_a_billing_policy_can_be_given() -> None:
    twilio = BillingPolicy.twilio()
    row = rows(export_contacts([JUAN], calls=[MACHINE_CALL], billing=twilio))[1]
    assert row[9] == "00:43"  # no machine cap under Twilio-style billing


def test_results_export_keeps_only_contacts_with_extracted_data() -> None:
    empty = attrs.evolve(ANA, extracted={"email": " "})
    text = export_results([JUAN, ANA, empty], campaign=CAMPAIGN)
    table = rows(text)
    assert [r[2] for r in table[1:]] == ["123"]
    assert table[0] == rows(export_contacts([JUAN], campaign=CAMPAIGN))[0]  # same columns


def test_call_export_rows() -> None:
    text = export_calls([MACHINE_CALL, HUMAN_CALL], contacts=[JUAN], campaign=CAMPAIGN)
    header, machine, human = rows(text)
    assert header == [*CALL_EXPORT_COLUMNS, "interested", "email", "rating"]
    assert machine[:14] == [
        "Payment Reminder Q1",
        "2026-06-01",
        "CA1",
        "+525555551234",
        "Juan Pérez",
        "outbound",
        "completed",
        "machine",
        "2026-06-01T10:00:00-06:00",
        "2026-06-01T10:00:10-06:00",
        "2026-06-01T10:00:53-06:00",
        "00:43",
        "00:05",  # seed 000: machine-answered calls bill at most 5 seconds
        "",
    ]
    # seed 000 / issue 13 item 7: Altur writes MM:SS even past an hour
    assert human[11:14] == ["60:02", "60:02", "https://rec.example/CA2.mp3"]
    assert human[14:] == ["True", "juan@example.com", "5"]


def test_call_export_in_altur_labels() -> None:
    detail = attrs.evolve(MACHINE_CALL, answered_by=AnsweredBy.MACHINE_END_BEEP)
    row = rows(altur.write_call_export([detail]))[1]
    assert (row[6], row[7]) == ("ended", "machine")
    canceled = attrs.evolve(MACHINE_CALL, status=CallStatus.CANCELLED)
    with pytest.raises(InvalidInput, match="altur"):
        altur.write_call_export([canceled])


def test_semicolon_and_json() -> None:
    text = export_contacts([JUAN], campaign=CAMPAIGN, delimiter=";")
    assert rows(text, ";")[1][5] == "Amount: $1,500. Due: June 5"
    data = json.loads(export_contacts([JUAN], campaign=CAMPAIGN, fmt="json"))
    assert data[0]["retries"] == 1
    assert data[0]["follow_up"] is True
    assert data[0]["interested"] is True
    assert data[0]["rating"] == 5
    assert list(data[0])[: len(CONTACT_EXPORT_COLUMNS)] == list(CONTACT_EXPORT_COLUMNS)
    with pytest.raises(InvalidConfig):
        export_contacts([JUAN], fmt="xlsx")  # type: ignore[arg-type]
    with pytest.raises(InvalidConfig):
        export_contacts([JUAN], delimiter="")


def test_column_clashes_raise() -> None:
    with pytest.raises(InvalidInput, match="status"):
        export_contacts([JUAN], tags=["Status"])
    with pytest.raises(InvalidInput, match="email"):
        export_contacts([JUAN], tags=["email"], fields=["email"])


def test_statuses_altur_cannot_express_raise() -> None:
    with pytest.raises(InvalidInput, match="altur"):
        altur.write_contact_export([attrs.evolve(ANA, status=ContactStatus.AWAITING_OUTCOME)])


# --------------------------------------------------------------------------- neutralisation


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "'=x"])
def test_formula_cells_are_neutralised(cell: str) -> None:
    contact = attrs.evolve(ANA, name=cell, extracted={"note": cell})
    row = rows(export_contacts([contact]))[1]
    assert row[4] == "'" + cell
    assert row[-1] == "'" + cell


def test_e164_phone_numbers_stay_exact() -> None:
    contact = attrs.evolve(ANA, attributes={"alt": "+525555559999"})
    row = rows(export_contacts([contact], extended=True))[1]
    assert row[3] == "+525555551234" or row[3] == "+525555555678"
    assert row[3].startswith("+")
    assert row[-1] == "'+525555559999"  # only the phone columns are known to be E.164
    call_row = rows(export_calls([MACHINE_CALL]))[1]
    assert call_row[3] == "+525555551234"


@given(st.text())
def test_neutralise_round_trips_and_never_leaves_a_trigger(value: str) -> None:
    safe = neutralise(value)
    assert unneutralise(safe) == value
    assert safe[:1] not in {"=", "+", "-", "@", "\t", "\r"}


def test_is_formula() -> None:
    assert is_formula("=1")
    assert is_formula("-cmd|x")
    assert is_formula("\t@x")
    assert not is_formula("-150")
    assert not is_formula("+52 55 5555 1234")
    assert not is_formula("a=b")


# --------------------------------------------------------------------------- round trips

text_values = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=10
)
json_scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    text_values,
)
keys = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).map(lambda k: "x_" + k)


@st.composite
def exportable(draw: st.DrawFn, values: st.SearchStrategy[object]) -> list[Contact]:
    """Contacts with E.164 numbers that stay themselves, and maps of the given values."""
    phones = draw(st.lists(st.sampled_from(PHONES), unique=True, max_size=len(PHONES)))
    out = []
    optional = st.none() | text_values  # CSV has no way to tell "" from None
    for i, phone in enumerate(phones):
        contact = draw(contacts())
        out.append(
            attrs.evolve(
                contact,
                id=f"c{i}-{contact.id}",
                phone=phone,
                agent_name=draw(optional),
                voice_id=draw(optional),
                line_id=draw(optional),
                tags=draw(st.frozensets(keys.map(lambda k: "tag_" + k), max_size=3)),
                extracted=draw(st.dictionaries(keys.map(lambda k: "f_" + k), values, max_size=3)),
                attributes=draw(st.dictionaries(keys.map(lambda k: "a_" + k), values, max_size=3)),
                external_id=draw(st.none() | ids.map(lambda x, i=i: f"x{i}-{x}")),
                status=draw(st.sampled_from(list(ContactStatus))),
            )
        )
    return out


PHONES = ["+525555551234", "+525555555678", "+14155552671", "+919876543210", "+442071838750"]


@given(exportable(text_values), st.sampled_from([",", ";"]))
def test_extended_csv_export_then_import_is_lossless(cs: list[Contact], sep: str) -> None:
    tags = sorted({t for c in cs for t in c.tags})
    fields = sorted({k for c in cs for k in c.extracted})
    text = export_contacts(cs, tags=tags, fields=fields, delimiter=sep, extended=True)
    result = read_contact_export(text, tags=tags, fields=fields, delimiter=sep)
    assert result.rejected == ()
    assert result.contacts == tuple(cs)


@given(exportable(json_scalars))
def test_extended_json_export_then_import_is_lossless(cs: list[Contact]) -> None:
    tags = sorted({t for c in cs for t in c.tags})
    fields = sorted({k for c in cs for k in c.extracted})
    text = export_contacts(cs, tags=tags, fields=fields, fmt="json", extended=True)
    result = read_contact_export(text, tags=tags, fields=fields)
    assert result.rejected == ()
    assert result.contacts == tuple(cs)


ALTUR_CALL_STATUSES = [s for s in ContactStatus if s in altur.CONTACT_STATUS_CALL.labels.values()]


@given(exportable(text_values), st.sampled_from(ALTUR_CALL_STATUSES))
def test_altur_export_round_trips_every_field_it_carries(
    cs: list[Contact], status: ContactStatus
) -> None:
    cs = [attrs.evolve(c, status=status) for c in cs]
    tags = sorted({t for c in cs for t in c.tags})
    fields = sorted({k for c in cs for k in c.extracted})
    text = altur.write_contact_export(cs, campaign=CAMPAIGN, tags=tags, fields=fields)
    result = altur.parse_contact_export(text, tags=tags, fields=fields)
    carried = ("phone", "name", "context", "external_id", "tags", "extracted", "status", "retries",
               "attempts", "updated_at", "follow_up")  # fmt: skip
    assert result.rejected == ()
    for got, want in zip(result.contacts, cs, strict=True):
        for field in carried:
            assert getattr(got, field) == getattr(want, field), field
        assert got.id == (want.external_id or want.phone)


@given(exportable(text_values))
def test_contact_list_export_then_import_contacts_is_lossless(cs: list[Contact]) -> None:
    fresh = [
        Contact(
            id=c.external_id or c.phone,
            phone=c.phone,
            name=c.name,
            context=c.context,
            external_id=c.external_id,
            agent_name=c.agent_name or None,
            voice_id=c.voice_id or None,
            priority=c.priority,
            attributes=c.attributes,
        )
        for c in cs
    ]
    result = import_contacts(export_contact_list(fresh), formulas="reject")
    assert result.rejected == ()
    assert result.contacts == tuple(fresh)


def test_seed_004_file_survives_import_export_import() -> None:
    from .test_contacts import SEED_004, SEED_004_CONTACTS

    first = import_contacts(SEED_004).contacts
    again = import_contacts(export_contact_list(first)).contacts
    assert first == again == SEED_004_CONTACTS
    assert export_contact_list(first).splitlines()[0] == (
        "contact,name,context,id,override_agent_name,override_agent_voice_id,priority"
    )


@st.composite
def exportable_calls(draw: st.DrawFn) -> list[Call]:
    out: list[Call] = []
    cursor = draw(moments).replace(microsecond=0)
    for i, phone in enumerate(draw(st.lists(st.sampled_from(PHONES), max_size=6))):
        created = cursor + timedelta(seconds=draw(st.integers(1, 86_400)))
        started = created + timedelta(seconds=draw(st.integers(0, 60)))
        ended = started + timedelta(seconds=draw(st.integers(0, 7200)))
        cursor = ended  # later attempts start later
        out.append(
            Call(
                id=f"CA{i}",
                contact_id=phone,
                to=phone,
                attempt=1 + sum(1 for c in out if c.to == phone),
                direction=draw(st.sampled_from(Direction)),
                status=draw(st.sampled_from(CallStatus)),
                answered_by=draw(st.none() | st.sampled_from(AnsweredBy)),
                created_at=created,
                started_at=started,
                ended_at=ended,
                duration=int((ended - started).total_seconds()),
                recording_url=draw(st.none() | st.just("https://rec.example/x.mp3")),
            )
        )
    return out


@given(exportable_calls(), st.sampled_from(["csv", "json"]))
def test_call_export_round_trips_every_field_it_carries(calls: list[Call], fmt: str) -> None:
    back = read_call_export(export_calls(calls, fmt=fmt))  # type: ignore[arg-type]
    assert back == tuple(calls)


def test_read_contact_export_rejects_bad_values_by_line() -> None:
    text = export_contacts([JUAN, ANA], extended=True)
    lines = text.splitlines()
    lines[2] = lines[2].replace(",queued,", ",gone,")
    result = read_contact_export("\n".join(lines), tags=["interested"], fields=["email", "rating"])
    assert [c.id for c in result.contacts] == ["123"]
    (bad,) = result.rejected
    assert (bad.line, bad.column, bad.value) == (3, "status", "gone")
    assert "canonical" in bad.detail
    assert "gone" in bad.detail


def test_last_outcome_and_priority_travel_in_extended_exports() -> None:
    contact = attrs.evolve(ANA, last_outcome=Outcome.NO_ANSWER, priority=Priority.LOW, line_id="L1")
    (back,) = read_contact_export(export_contacts([contact], extended=True)).contacts
    assert back == contact


# ------------------------------------------------------------------ hostile input (issue 14)

CALL_HEADER = "id,number_to,status,created_at,duration\n"


def test_altur_durations_are_minutes_and_seconds_past_an_hour() -> None:
    # seed 000 / issue 13 item 7: 3,725 s is 62:05, and reading takes both forms
    assert format_altur_duration(3725) == "62:05"
    assert format_altur_duration(43) == "00:43"
    assert format_altur_duration(0) == "00:00"
    with pytest.raises(InvalidInput):
        format_altur_duration(-1)
    calls = read_call_export(CALL_HEADER + "CA1,+525555551234,completed,,62:05\n")
    again = read_call_export(CALL_HEADER + "CA1,+525555551234,completed,,1:02:05\n")
    assert calls[0].duration == again[0].duration == 3725


@pytest.mark.parametrize(
    ("moment", "timezone"),
    [("9999-12-31T23:59:59", "America/Mexico_City"), ("0001-01-01T00:00:00", "Asia/Kolkata")],
)
def test_calendar_edge_dates_are_typed_errors(moment: str, timezone: str) -> None:
    # issue 14 item 2: these gave OverflowError
    with pytest.raises(MalformedInput, match="calendar"):
        read_call_export(
            CALL_HEADER + f"CA1,+525555551234,completed,{moment},00:10\n", timezone=timezone
        )
    text = (
        "contact,name,context,last_update\n"
        f"+525555551234,Juan,a,{moment}\n"
        "+14155552671,Ann,b,2026-06-01T10:00:00\n"
    )
    result = read_contact_export(text, timezone=timezone)
    assert [c.phone for c in result.contacts] == ["+14155552671"]
    assert [(r.line, r.column) for r in result.rejected] == [(2, "last_update")]


def test_integers_over_4300_digits_are_row_rejections_or_typed_errors() -> None:
    # issue 14 item 1
    huge = "9" * 5000
    text = f"contact,name,context,retries\n+525555551234,Juan,a,{huge}\n+14155552671,Ann,b,2\n"
    result = read_contact_export(text)
    assert [c.retries for c in result.contacts] == [2]
    assert [(r.line, r.column) for r in result.rejected] == [(2, "retries")]
    records = f'[{{"contact": "+525555551234", "name": "J", "context": "", "cycle": {huge}}},'
    records += '{"contact": "+14155552671", "name": "A", "context": "", "cycle": 3}]'
    result = read_contact_export(records)
    assert [c.cycle for c in result.contacts] == [3]
    assert [r.line for r in result.rejected] == [1]
    with pytest.raises(MalformedInput):
        read_call_export(CALL_HEADER + f"CA1,+525555551234,completed,,{huge}\n")
    with pytest.raises(MalformedInput):
        read_call_export(f'[{{"id": {huge}, "number_to": "+525555551234", "status": "completed"}}]')


@pytest.mark.parametrize("name", ["America", "Europe", "x" * 5000, "../../etc/passwd", "zone.tab"])
def test_zone_names_that_are_not_zones_are_config_errors_without_paths(name: str) -> None:
    # issue 14 item 3: tzdata folders gave IsADirectoryError with the install path
    for read in (read_call_export, read_contact_export):
        with pytest.raises(InvalidConfig) as error:
            read(CALL_HEADER, timezone=name)  # type: ignore[operator]
        assert "zoneinfo" not in str(error.value)
        assert "site-packages" not in str(error.value)
        assert len(str(error.value)) < 400


@pytest.mark.parametrize("encoding", ["hex", "base64", "rot13", "zlib"])
def test_export_readers_take_only_text_encodings(encoding: str) -> None:
    # issue 14 item 4
    with pytest.raises(InvalidConfig):
        read_call_export(CALL_HEADER.encode(), encoding=encoding)
    with pytest.raises(InvalidConfig):
        read_contact_export(b"contact,name,context\n", encoding=encoding)


def test_lone_surrogates_in_json_are_refused() -> None:
    # issue 14 item 6: "\ud800" escapes crashed later, when the text was encoded
    records = '[{"contact": "+525555551234", "name": "\\ud800", "context": ""},'
    records += '{"contact": "+14155552671", "name": "Ann \\ud83d\\ude00", "context": ""}]'
    result = read_contact_export(records)
    assert [c.name for c in result.contacts] == ["Ann \U0001f600"]
    assert [(r.line, r.column) for r in result.rejected] == [(1, "name")]
    with pytest.raises(MalformedInput, match="surrogate"):
        read_call_export('[{"id": "\\udfff", "number_to": "+525555551234", "status": "completed"}]')


def test_json_key_collection_is_linear() -> None:
    # issue 14 item 9: 40k distinct keys took 9-12 s
    records = [
        {
            "contact": "+525555551234",
            "name": "J",
            "context": "",
            **{f"k{i}": "v" for i in range(40_000)},
        }
    ]
    result = read_contact_export(json.dumps(records))
    assert len(result.columns) == 40_003
    assert len(result.contacts[0].attributes) == 40_000


def test_keys_differing_only_in_case_are_duplicate_columns() -> None:
    # issue 14 item 14: JSON "name" and "Name" silently kept the last
    with pytest.raises(DuplicateColumns):
        read_contact_export(
            '[{"contact": "+525555551234", "name": "a", "Name": "b", "context": ""}]'
        )
    with pytest.raises(DuplicateColumns):
        read_call_export(
            '[{"id": "a", "ID": "b", "number_to": "+525555551234", "status": "completed"}]'
        )
    with pytest.raises(DuplicateColumns):
        read_call_export("id,number_to,status, ID\n")


def test_header_cells_are_neutralised_in_every_writer() -> None:
    # issue 14 item 11: names of attributes, tags and extracted fields reach the header
    evil = '=HYPERLINK("http://evil.example","x")'
    mallory = Contact(
        id="m", phone="+14155552671", attributes={evil: "a"}, tags={"@tag"}, extracted={"-f": "v"}
    )
    listing = export_contact_list([mallory])
    header = next(csv.reader(io.StringIO(listing)))
    assert f"'{evil}" in header
    assert not any(is_formula(cell) for cell in header)
    assert dict(import_contacts(listing).contacts[0].attributes) == {evil: "a"}
    exported = export_contacts([mallory], extended=True)
    header = next(csv.reader(io.StringIO(exported)))
    assert {"'@tag", "'-f", f"'{evil}"} <= set(header)
    assert not any(is_formula(cell) for cell in header)
    back = read_contact_export(exported, tags=["@tag"], fields=["-f"])
    assert back.contacts[0].attributes == mallory.attributes


@pytest.mark.parametrize("sep", [",", ";"])
def test_cells_holding_either_delimiter_are_quoted(sep: str) -> None:
    # issue 14 item 12: "x;=cmd|' /C calc'!A0" went out unquoted in a comma file
    juan = attrs.evolve(JUAN, name="x;=cmd|' /C calc'!A0", context="a,b")
    text = export_contacts([juan], delimiter=sep)
    row = text.splitlines()[1]
    assert "\"x;=cmd|' /C calc'!A0\"" in row
    assert '"a,b"' in row
    assert read_contact_export(text, delimiter=sep).contacts[0].name == juan.name


def test_whitespace_before_a_trigger_is_neutralised() -> None:
    # issue 14 item 12: " =HYPERLINK(1)" is a formula once trimmed
    for value in (" =HYPERLINK(1)", "\xa0@x", "  -cmd"):
        assert neutralise(value) == "'" + value
        assert unneutralise(neutralise(value)) == value
        assert is_formula(value)
    assert not is_formula(" -150")
    assert not is_formula("  ")


# ---------------------------------------------------------------------- streaming (issue 15)


def _export_lines(count: int) -> str:
    lines = [CALL_HEADER]
    for i in range(count):
        number = f"+52555555{i % 7:04d}"
        at = f"2026-06-01T10:{i // 60 % 60:02d}:{i % 60:02d}"
        lines.append(f"CA{i},{number},completed,{at},00:{i % 60:02d}\n")
    return "".join(lines)


def test_iter_call_export_streams_and_numbers_attempts_in_file_order() -> None:
    text = _export_lines(300)
    seen: list[int] = []
    streamed = list(iter_call_export(io.BytesIO(text.encode()), progress=seen.append))
    assert tuple(streamed) == read_call_export(text)
    assert seen[-1] == len(text)
    assert [c.attempt for c in streamed[:8]] == [1, 1, 1, 1, 1, 1, 1, 2]


def test_read_call_export_ranks_out_of_order_rows_by_created_at() -> None:
    text = CALL_HEADER + (
        "CA2,+525555551234,completed,2026-06-01T11:00:00,00:10\n"
        "CA3,+525555551234,completed,,00:10\n"
        "CA1,+525555551234,completed,2026-06-01T10:00:00,00:10\n"
        "CA4,+14155552671,completed,2026-06-01T09:00:00,00:10\n"
    )
    calls = read_call_export(text)
    assert [(c.id, c.attempt) for c in calls] == [("CA2", 2), ("CA3", 3), ("CA1", 1), ("CA4", 1)]
    assert [c.attempt for c in iter_call_export(text)] == [1, 2, 3, 1]


@given(exportable_calls(), st.sampled_from(["csv", "json"]))
def test_calls_read_fast_equal_validated_calls(calls: list[Call], fmt: str) -> None:
    # the reader fills a validated template instead of running Call's validators
    for call in read_call_export(export_calls(calls, fmt=fmt)):  # type: ignore[arg-type]
        assert call == Call(**{a.name: getattr(call, a.name) for a in attrs.fields(Call)})


def test_readers_take_lists_of_lines_and_keep_their_own_errors() -> None:
    lines = ["id,number_to,status", "CA1,+525555551234,completed"]
    assert [c.id for c in iter_call_export(lines)] == ["CA1"]
    assert [
        c.phone for c in read_contact_export(["contact,name,context", "+525555551234,J,"]).contacts
    ] == ["+525555551234"]
    with pytest.raises(MalformedInput) as error:
        read_call_export([{"id": "CA1", "number_to": "+525555551234", "status": "completed"}, 5])
    assert str(error.value) == "line 2: not a JSON object"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["+525555551234", "+14155552671", "+919876543210"]),
            st.none() | st.integers(0, 5),
        ),
        max_size=12,
    )
)
def test_attempts_are_ranks_by_created_at_in_any_file_order(
    rows: list[tuple[str, int | None]],
) -> None:
    # reference: rank among calls to one number by created_at, undated last, then file order
    text = CALL_HEADER + "".join(
        f"CA{i},{to},completed,{'' if m is None else f'2026-06-01T10:0{m}:00'},00:01\n"
        for i, (to, m) in enumerate(rows)
    )
    order = sorted(
        range(len(rows)), key=lambda i: (rows[i][0], rows[i][1] is None, rows[i][1] or 0, i)
    )
    expected = [0] * len(rows)
    counts: dict[str, int] = {}
    for i in order:
        counts[rows[i][0]] = counts.get(rows[i][0], 0) + 1
        expected[i] = counts[rows[i][0]]
    assert [c.attempt for c in read_call_export(text)] == expected
    streamed = [c.attempt for c in iter_call_export(text)]
    file_order: dict[str, int] = {}
    for i, (to, _) in enumerate(rows):
        file_order[to] = file_order.get(to, 0) + 1
        assert streamed[i] == file_order[to]


def test_export_options_are_one_keyword_list_and_unknown_keywords_are_refused() -> None:
    # issue 18 item 2: the options are declared once (ContactExportOptions /
    # CallExportOptions); **options still refuses what a signature would.
    from campaignkit.io import CallExportOptions, ContactExportOptions, ExportOptions

    assert ExportOptions.__optional_keys__ == {"campaign", "fmt", "delimiter", "billing"}
    assert ContactExportOptions.__optional_keys__ == {
        *ExportOptions.__optional_keys__,
        "calls",
        "tags",
        "fields",
    }
    assert CallExportOptions.__optional_keys__ == {
        *ExportOptions.__optional_keys__,
        "contacts",
        "tags",
        "fields",
    }
    contact = Contact(id="c1", phone="+525512345678")
    with pytest.raises(TypeError, match=r"export_contacts.*'colour'"):
        export_contacts([contact], colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"export_results.*'region'"):
        export_results([contact], region="MX")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"export_calls.*'extended'"):
        export_calls([], extended=True)  # type: ignore[call-arg]
    options: ContactExportOptions = {"campaign": CAMPAIGN, "fmt": "json", "tags": ["vip"]}
    assert export_contacts([contact], **options) == export_contacts(
        [contact], campaign=CAMPAIGN, fmt="json", tags=["vip"]
    )
