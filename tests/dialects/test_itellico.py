"""itellico (seed 002): linear tag splitting, duplicate and unnamed columns, bounds, xlsx."""

from __future__ import annotations

import io
import json

import attrs
import pytest

from campaignkit import (
    AnsweredBy,
    Contact,
    ContactStatus,
    InvalidConfig,
    InvalidInput,
    Outcome,
    Priority,
)
from campaignkit.dialects import itellico
from campaignkit.io import DuplicateColumns, RejectReason
from campaignkit.models import GoalOutcome

HEADER = "Name,Phone Number,Status,Tags,Goal Score,Conversations,Conversation Duration\n"


def test_tags_split_on_any_separator_and_are_stripped() -> None:
    text = HEADER + 'Ana,+525555551234,Pending,"vip ; callback|  hot ,, ",,,\n'
    (contact,) = itellico.parse_contact_export(text).contacts
    assert contact.tags == {"vip", "callback", "hot"}


def test_a_long_space_run_in_a_tag_cell_is_read_in_linear_time() -> None:
    # issue 14: r"\s*[,;|]\s*" backtracked (40 KB: 8-11 s); the split is now on the
    # separators alone. Timing is measured in benchmarks/bench_hostile*.py, not here.
    cell = "a" + " " * 100_000 + "b"
    text = HEADER + f'Ana,+525555551234,Pending,"{cell}",,,\n'
    (contact,) = itellico.parse_contact_export(text).contacts
    assert contact.tags == {cell}
    assert itellico._TAG_SPLIT.pattern == "[,;|]"  # no quantifier left to backtrack


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Goal Score", "9" * 5000),
        ("Conversations", "9" * 5000),
        ("Conversation Duration", "9" * 5000),
        ("Conversation Duration", "1:" + "9" * 5000),
        ("Goal Score", "101"),
    ],
)
def test_huge_counts_reject_the_row_by_name(column: str, value: str) -> None:
    cells = {"Goal Score": "", "Conversations": "", "Conversation Duration": ""}
    cells[column] = value
    row = f"Bad,+525555559999,Pending,,{cells['Goal Score']},{cells['Conversations']},"
    row += cells["Conversation Duration"]
    text = HEADER + "Ana,+525555551234,Pending,,50,1,01:00\n" + row + "\n"
    result = itellico.parse_contact_export(text)
    assert [c.name for c in result.contacts] == ["Ana"]
    (rejected,) = result.rejected
    assert rejected.line == 3
    assert rejected.column == column
    assert rejected.reason is RejectReason.INVALID_VALUE


@pytest.mark.parametrize(
    "header",
    ["Name,Phone Number,phone_number\n", "Name,Phone Number,PHONE-NUMBER\n", "Tags,tags ,Phone\n"],
)
def test_headers_that_normalise_alike_are_duplicate_columns(header: str) -> None:
    # issue 14: 'Phone Number' and 'phone_number' silently kept the last
    with pytest.raises(DuplicateColumns):
        itellico.parse_contact_export(header + "Ana,+525555551234,+525555551235\n")


def test_json_keys_that_normalise_alike_are_duplicate_columns() -> None:
    records = [{"name": "Ana", "Name": "Eve", "Phone Number": "+525555551234"}]
    with pytest.raises(DuplicateColumns):
        itellico.parse_contact_export(json.dumps(records))
    with pytest.raises(DuplicateColumns):
        itellico.parse_contact_export(records)  # type: ignore[arg-type]


def test_a_value_under_an_empty_header_is_reported() -> None:
    text = "Name,Phone Number,\nAna,+525555551234,\nEve,+525555551235,lost?\n"
    result = itellico.parse_contact_export(text)
    assert [c.name for c in result.contacts] == ["Ana"]
    (rejected,) = result.rejected
    assert rejected.reason is RejectReason.UNNAMED_COLUMN
    assert rejected.value == "lost?"
    two_empty = "Name,,Phone Number,\nEve,lost?,+525555551235,\n"  # one dict key for both
    assert itellico.parse_contact_export(two_empty).rejected[0].value == "lost?"
    records = [{"Phone Number": "+525555551234", "": "lost?"}]
    assert itellico.parse_contact_export(records).rejected[0].reason is RejectReason.UNNAMED_COLUMN


def test_json_lone_surrogates_reject_the_record() -> None:
    text = (
        '[{"Phone Number": "+525555551234", "Name": "\\ud800"}, {"Phone Number": "+525555551235"}]'
    )
    result = itellico.parse_contact_export(text)
    assert [c.phone for c in result.contacts] == ["+525555551235"]
    assert result.rejected[0].line == 1


def test_folder_zones_are_refused() -> None:
    with pytest.raises(InvalidConfig):
        itellico.parse_contact_export(HEADER, timezone="Europe")


def test_csv_header_cells_are_neutralised() -> None:
    # issue 14: an attribute named like a formula went into the header as is
    contact = Contact(
        id="c", phone="+525555551234", attributes={'=HYPERLINK("http://evil.example","x")': "1"}
    )
    header = itellico.export_contacts([contact]).split("\r\n")[0]
    assert '"\'=HYPERLINK(""http://evil.example"",""x"")"' in header


# --------------------------------------------------------------------------- xlsx

openpyxl = pytest.importorskip("openpyxl")


def _contacts() -> list[Contact]:
    return [
        Contact(
            id="c1",
            phone="+525555551234",
            name="=cmd|' /C calc'!A0",
            status=ContactStatus.ANSWERED,
            tags={"vip", "callback"},
            attributes={"goal_score": 80, "conversations": 2, "conversation_seconds": 190},
        ),
        Contact(id="c2", phone="+525555551235", name="Pedro", attributes={"@Company": "+Acme"}),
    ]


def test_xlsx_export_has_the_csv_columns_and_no_formulas() -> None:
    data = itellico.export_contacts_xlsx(_contacts())
    assert isinstance(data, bytes)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    csv_header = itellico.export_contacts(_contacts()).split("\r\n")[0].split(",")
    assert rows[0] == csv_header
    assert rows[0][-1] == "'@Company"  # header cells neutralised like the CSV's
    by_name = dict(zip(rows[0], rows[1], strict=True))
    assert by_name["Name"] == "'=cmd|' /C calc'!A0"
    assert by_name["Phone Number"] == "+525555551234"
    assert by_name["Status"] == "Completed"
    assert by_name["Tags"] == "callback, vip"
    assert by_name["Goal Score"] == 80
    assert by_name["Conversation Duration"] == "03:10"
    assert dict(zip(rows[0], rows[2], strict=True))["'@Company"] == "'+Acme"
    for row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row)


def test_xlsx_export_refuses_what_excel_cannot_hold() -> None:
    bad = Contact(id="c", phone="+525555551234", name="bell\x07")
    with pytest.raises(InvalidInput, match="Name"):
        itellico.export_contacts_xlsx([bad])
    with pytest.raises(InvalidConfig):
        itellico.export_contacts_xlsx([], sheet="a/b")
    with pytest.raises(InvalidInput):  # a status itellico cannot express
        itellico.export_contacts_xlsx(
            [Contact(id="c", phone="+525555551234", status=ContactStatus.SENT)]
        )


def test_xlsx_export_without_openpyxl_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InvalidConfig, match=r"campaignkit\[xlsx\]"):
        itellico.export_contacts_xlsx(_contacts())


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


def test_breakdown_labels_are_seed_002s() -> None:
    # seed 002: "contact status breakdown (pending, dialing, called, retry, completed,
    # failed, no conversation)".
    assert itellico.BREAKDOWN_LABELS == (
        "pending",
        "dialing",
        "called",
        "retry",
        "completed",
        "failed",
        "no conversation",
        "other",
    )
    assert itellico.breakdown_label(ContactStatus.CONVERTED) == "completed"
    assert itellico.breakdown_label(ContactStatus.VOICEMAIL) == "no conversation"
    assert itellico.breakdown_label(ContactStatus.READ) == "other"
    for status in ContactStatus:
        assert itellico.breakdown_label(status) in itellico.BREAKDOWN_LABELS


@pytest.mark.parametrize(
    ("outcome", "answered_by", "row"),
    [
        (Outcome.HUMAN_CONVERSATION, None, "human"),
        (Outcome.HUNG_UP, None, "human"),
        (Outcome.CALLBACK_REQUESTED, None, "human"),
        (Outcome.VOICEMAIL, None, "machine"),
        (Outcome.NO_CONVERSATION, AnsweredBy.MACHINE_END_BEEP, "machine"),
        (Outcome.NO_CONVERSATION, None, "other"),
        (Outcome.BUSY, None, "no answer"),
        (Outcome.NO_ANSWER, None, "no answer"),
        (Outcome.REJECTED, None, "rejection"),
        (Outcome.FAILED, None, "other"),
        (Outcome.CANCELLED, None, "other"),
    ],
)
def test_answer_status_rows(outcome: Outcome, answered_by: AnsweredBy | None, row: str) -> None:
    # seed 002: answer-status rates (human, machine, no answer, rejection)
    assert itellico.answer_status(outcome, answered_by) == row
    assert row in itellico.ANSWER_STATUSES
    assert itellico.ANSWER_STATUSES[:4] == ("human", "machine", "no answer", "rejection")
