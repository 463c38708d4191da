"""The standing guard for `campaignkit.io` (issue 14): hostile input gives only typed errors.

Every public reader is driven with generators that include the bounds found
by fuzzing - integers over 4,300 digits, dates on the calendar's first and
last day, deep JSON nesting, long runs of spaces, lone surrogates, tzdata
folder names, bytes codecs, cells over the cell limit, formulas behind
whitespace. Two properties hold for each:

* it returns, or raises a `CampaignkitError` (never a bare ``ValueError``,
  ``OverflowError``, ``OSError``, ``LookupError`` or ``RecursionError``);
* a row-level problem rejects its row only: valid rows mixed with hostile
  ones all come through.

Longer sessions: ``HYPOTHESIS_PROFILE=ci`` (200 examples) or see
docs/import-export.md for a many-thousand-example run.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from campaignkit import CampaignkitError, Contact, InvalidConfig
from campaignkit.io import (
    CELL_LIMIT,
    PhoneNormaliser,
    Rejection,
    export_calls,
    import_contacts,
    is_formula,
    iter_call_export,
    iter_contacts,
    neutralise,
    read_call_export,
    read_contact_export,
    to_e164,
    unneutralise,
)

# --------------------------------------------------------------------------- generators

huge_integers = st.integers(4_301, 6_000).map(lambda n: "9" * n)
edge_dates = st.sampled_from(
    [
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+05:30",
        "0001-01-01",
        "9999-12-31T23:59:59",
        "9999-12-31T23:59:59-06:00",
        "9999-12-31",
        "0001-01-02T00:00:00+14:00",
        "9999-12-30T23:59:59-12:00",
    ]
)
space_runs = st.tuples(
    st.integers(1, 5_000), st.sampled_from(["", "=1+1", "x", "1", "\xa0@x"])
).map(lambda t: " " * t[0] + t[1])
lone_surrogates = st.sampled_from(["\ud800", "\udfff", "a\udc80b", "\ud83d"])
folder_zones = st.sampled_from(
    ["America", "Europe", "Etc", "posix", "right", "x" * 300, "../../etc/passwd", "zone.tab", ""]
)
bytes_codecs = st.sampled_from(["hex", "base64", "rot13", "zlib", "bz2", "uu", "quopri", "idna"])
formulas = st.sampled_from([" =HYPERLINK(1)", "\xa0=1", "\t=1", "@SUM(A1)", "-cmd|x", "'=x"])
oversized_cells = st.just("x" * (CELL_LIMIT + 1))

# Hostile cells that a CSV file can carry (lone surrogates cannot come out of a
# decoded file; a str holding them is refused whole, tested below).
hostile_cells = st.one_of(
    huge_integers,
    edge_dates,
    space_runs,
    formulas,
    oversized_cells,
    st.sampled_from(["", '"', "\r", "\ufeff", "\x00", ";", ","]),
    st.text(max_size=20),
)
json_values = st.one_of(
    st.integers(4_301, 6_000).map(lambda n: f"__INT{n}__"),  # a literal, see _dumps
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    hostile_cells,
    lone_surrogates,
    st.lists(st.integers(), max_size=3),
)
deep_json = st.integers(1, 50_000).map(lambda n: "[" * n + "]" * n)

VALID = ["+525555551234", "+14155552671", "+919876543210", "+442071838750", "+34612345678"]
OTHER = ["+525555555678", "+14155550100", "+919876500000"]  # disjoint from VALID

CONTACT_COLUMNS = ["contact", "name", "context", "retries", "last_update", "status", "extra"]
CALL_COLUMNS = ["id", "number_to", "status", "created_at", "started_at", "duration", "type"]


def _dumps(data: object) -> str:
    """JSON text; "__INT5000__" becomes an integer literal of 5,000 digits
    (json.dumps cannot write one), lone surrogates become "\\ud800" escapes."""
    text = json.dumps(data)
    return re.sub(r'"__INT(\d+)__"', lambda m: "9" * int(m[1]), text)


def _csv(header: list[str], rows: list[list[str]], sep: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _typed(run: object, *args: object, **kwargs: object) -> object:
    """``run(*args, **kwargs)``, or None when it raised a typed error."""
    try:
        result = run(*args, **kwargs)  # type: ignore[operator]
        if not isinstance(result, tuple | Contact) and hasattr(result, "__next__"):
            result = list(result)
        return result
    except CampaignkitError:
        return None


# --------------------------------------------------------------------------- only typed errors


@given(st.lists(st.lists(hostile_cells, min_size=3, max_size=3), max_size=6), st.sampled_from(",;"))
def test_import_contacts_raises_only_typed_errors(rows: list[list[str]], sep: str) -> None:
    text = _csv(["contact", "name", "context"], rows, sep)
    _typed(import_contacts, text, max_bytes=None)
    _typed(import_contacts, text.encode("utf-8", "surrogatepass"), max_bytes=None)
    _typed(iter_contacts, text.splitlines(keepends=True), max_bytes=None)


@given(st.lists(st.lists(hostile_cells, min_size=7, max_size=7), max_size=5), folder_zones)
@example([["9" * 5000] * 7], "America")
def test_read_contact_export_raises_only_typed_errors(rows: list[list[str]], bad_zone: str) -> None:
    text = _csv(CONTACT_COLUMNS, rows)
    _typed(read_contact_export, text, tags=["extra"])
    with pytest.raises(InvalidConfig) as error:
        read_contact_export(text, timezone=bad_zone)
    assert "site-packages" not in str(error.value)
    assert "/usr/" not in str(error.value)


@given(st.lists(st.dictionaries(st.sampled_from(CONTACT_COLUMNS), json_values), max_size=5))
def test_read_contact_export_json_raises_only_typed_errors(
    records: list[dict[str, object]],
) -> None:
    text = _dumps(records)
    _typed(read_contact_export, text)
    _typed(read_contact_export, text.encode("utf-8"))


@given(
    st.lists(st.lists(hostile_cells, min_size=7, max_size=7), max_size=5),
    st.sampled_from(["csv", "json"]),
)
@example([["CA1", "+525555551234", "completed", "9999-12-31T23:59:59", "", "00:10", ""]], "csv")
@example([["CA1", "+525555551234", "completed", "", "", "9" * 5000, ""]], "csv")
def test_call_export_readers_raise_only_typed_errors(rows: list[list[str]], fmt: str) -> None:
    if fmt == "csv":
        text = _csv(CALL_COLUMNS, rows)
    else:
        text = _dumps([dict(zip(CALL_COLUMNS, row, strict=True)) for row in rows])
    _typed(read_call_export, text)
    _typed(iter_call_export, io.BytesIO(text.encode("utf-8", "surrogatepass")))


@given(deep_json)
def test_deep_nesting_is_a_typed_error(text: str) -> None:
    _typed(read_contact_export, text)
    _typed(read_call_export, text)


@given(st.text(max_size=50), lone_surrogates)
def test_lone_surrogates_in_text_sources_are_typed_errors(head: str, surrogate: str) -> None:
    text = "contact,name,context\n+525555551234," + head.replace("\n", " ") + surrogate + ",x\n"
    assert _typed(import_contacts, text) is None
    assert _typed(read_contact_export, text) is None
    assert (
        _typed(read_call_export, "id,number_to,status\n" + surrogate + ",+525555551234,x\n") is None
    )


@given(bytes_codecs, st.binary(max_size=50))
def test_bytes_codecs_are_config_errors(codec: str, data: bytes) -> None:
    for read in (import_contacts, read_contact_export, read_call_export, iter_contacts):
        try:
            read(data, encoding=codec)  # type: ignore[operator]
        except InvalidConfig:
            continue
        except CampaignkitError:
            assert codec == "idna"  # idna is a text codec: bytes may just be bad
            continue
        assert codec == "idna"


@given(st.one_of(hostile_cells, lone_surrogates, st.text()))
def test_phone_helpers_never_raise_untyped(raw: str) -> None:
    assert _typed(to_e164, raw) is None or isinstance(to_e164(raw), str)
    PhoneNormaliser("MX").normalise(raw)


@given(st.one_of(hostile_cells, lone_surrogates, st.text()))
def test_neutralise_round_trips_hostile_text(value: str) -> None:
    safe = neutralise(value)
    assert unneutralise(safe) == value
    assert not is_formula(safe)


# --------------------------------------------------------------------------- nothing valid lost


def _is_valid_number(cell: str) -> bool:
    return PhoneNormaliser("MX").normalise(cell.strip()) in VALID


def _valid_rows(phones: list[str]) -> list[list[str]]:
    return [
        [p, f"Name {i}", "ctx", "1", "2026-06-01T10:00:00", "", ""] for i, p in enumerate(phones)
    ]


@given(
    st.lists(st.sampled_from(VALID), unique=True, min_size=1),
    st.lists(st.tuples(st.integers(0, 6), hostile_cells, st.sampled_from(OTHER)), max_size=5),
    st.randoms(use_true_random=False),
)
def test_hostile_rows_never_cost_a_valid_row(
    valid: list[str], hostile: list[tuple[int, str, str]], rng: random.Random
) -> None:
    rows = _valid_rows(valid)
    for column, cell, phone in hostile:
        row = [phone, "Bad", "ctx", "1", "", "", ""]
        row[column] = cell
        if column == 0 and _is_valid_number(cell):
            continue  # a hostile row may not use a valid row's number
        rows.append(row)
    rng.shuffle(rows)
    result = read_contact_export(_csv(CONTACT_COLUMNS, rows), max_bytes=None)
    assert set(valid) <= {c.phone for c in result.contacts}
    assert result.rows == len(rows)


@given(
    st.lists(st.sampled_from(VALID), unique=True, min_size=1),
    st.lists(st.tuples(st.sampled_from(["name", "retries", "cycle"]), json_values), max_size=5),
    st.randoms(use_true_random=False),
)
def test_hostile_json_records_never_cost_a_valid_one(
    valid: list[str], hostile: list[tuple[str, object]], rng: random.Random
) -> None:
    records: list[dict[str, object]] = [
        {"contact": p, "name": f"N{i}", "context": ""} for i, p in enumerate(valid)
    ]
    for (key, value), phone in zip(hostile, OTHER * 2, strict=False):
        records.append({"contact": phone, "name": "Bad", "context": "", key: value})
    rng.shuffle(records)
    result = read_contact_export(_dumps(records))
    assert set(valid) <= {c.phone for c in result.contacts}
    assert result.rows == len(records)


@given(
    st.lists(st.sampled_from(VALID), unique=True, min_size=1),
    st.lists(st.tuples(hostile_cells, hostile_cells), max_size=5),
    st.randoms(use_true_random=False),
)
def test_hostile_upload_rows_never_cost_a_valid_row(
    valid: list[str], hostile: list[tuple[str, str]], rng: random.Random
) -> None:
    rows = [[p, f"Name {i}", "ctx"] for i, p in enumerate(valid)]
    rows += [
        [phone if not _is_valid_number(phone) else "x", name, "ctx"] for phone, name in hostile
    ]
    rng.shuffle(rows)
    stream = iter_contacts(_csv(["contact", "name", "context"], rows), max_bytes=None)
    items = list(stream)
    kept = {i.phone for i in items if isinstance(i, Contact)}
    assert set(valid) <= kept
    assert len(items) == len(rows)
    assert all(isinstance(i, Contact | Rejection) for i in items)


def test_call_exports_written_by_campaignkit_always_read_back() -> None:
    assert read_call_export(export_calls([])) == ()
