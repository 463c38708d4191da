"""The dialects' shared vendor-table reading (issue 18 item 2: one home for the
delimiter, header and ragged-row rules every call-log reader used to repeat)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit.dialects import _bounds as b
from campaignkit.io import MissingColumns, Rejection, RejectReason

cells = st.text(alphabet="ab ;,", max_size=4)


@given(st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=8), st.booleans())
def test_every_row_either_fits_the_header_or_is_rejected_as_ragged(
    table: list[list[str]], blank_is_empty: bool
) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(table)
    rows = list(b.csv_rows(out.getvalue(), ","))
    width = 3
    rejected: list[Rejection] = []
    kept = list(b.fitting_rows(rows, width, ",", rejected, blank_is_empty=blank_is_empty))
    assert len(kept) + len(rejected) == len(rows)
    assert all(r.reason is RejectReason.RAGGED_ROW for r in rejected)
    for _, row in kept:
        assert len(row) >= width
        extra = row[width:]
        assert not any(c.strip() for c in extra) if blank_is_empty else not any(extra)


@given(st.text(alphabet="ab;,\r\n", max_size=30))
def test_the_delimiter_is_the_commoner_of_the_first_lines_two(text: str) -> None:
    first = text.lstrip("\r\n").split("\n", 1)[0]
    expected = ";" if first.count(";") > first.count(",") else ","
    assert b.sniff_delimiter(text) == expected


def test_open_table_matches_aliases_and_names_what_is_missing() -> None:
    aliases = {"callsid": "sid", "sid": "sid", "to": "to"}
    names, where, rows = b.open_table("Call Sid, To \n1,+1\n", ",", aliases, ("sid", "to"))
    assert names == ("Call Sid", "To")
    assert where == {"sid": 0, "to": 1}
    assert list(rows) == [(2, ["1", "+1"])]
    with pytest.raises(MissingColumns) as info:
        b.open_table("sid,from\n", ",", aliases, ("sid", "to"))
    assert info.value.missing == ("to",)
    with pytest.raises(MissingColumns) as info:
        b.open_table("", ",", aliases, ("sid", "to"), no_header=("Call Sid", "To"))
    assert info.value.missing == ("Call Sid", "To")


def test_page_records_reads_a_page_an_array_or_pages() -> None:
    def read(data: object) -> list[object]:
        return b.page_records(data, "calls", not_a_page="no page", not_pages="no pages")

    assert read({"calls": [1, 2]}) == [1, 2]
    assert read([{"calls": [1]}, 2, {"calls": [3]}]) == [1, 2, 3]
    with pytest.raises(ValueError, match="no page"):
        read({"other": []})
    with pytest.raises(ValueError, match="no pages"):
        read("text")
