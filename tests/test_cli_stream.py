"""`campaignkit report` streams an Altur call export (issue 15 item 1): the figures,
the rejected rows and the exit code are those of reading the whole file first."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import cli

HEADER = "id,contact_id,number_to,number_from,status,answered_by,created_at,duration"
NUMBERS = ("+525555550001", "5555550002", "+1 415 555 2671", "+525555550004")
OUTCOMES = (
    ("ended", "human", "01:10"),
    ("ended", "machine", "00:20"),
    ("ended", "", "00:05"),
    ("no-answer", "", ""),
    ("busy", "", ""),
    ("in-progress", "human", ""),
)
BAD = (
    "b,x,+525555550001,+52,not-a-status,human,2026-06-01 10:05:00,00:10",  # bad value
    "b,x,12,+52,ended,human,2026-06-01 10:05:00,00:10",  # bad number
    "b,x,+525555550001,+52",  # ragged
    "b,x,+525555550001,+52,ended,human,2026-06-01 10:05:00,00:10,extra",  # ragged
)


def _report(path: Path, *, stream: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[int, Any]:
    out, err = io.StringIO(), io.StringIO()
    with monkeypatch.context() as patch:
        if not stream:  # the whole-file path: what a pipe gets
            patch.setattr(cli, "_streamable", lambda path, dialect: False)
        code = cli.main(
            ["report", str(path), "--dialect", "altur", "--format", "json", "--show", "50"],
            stdout=out,
            stderr=err,
        )
    return code, json.loads(out.getvalue()) if code == 0 else err.getvalue()


def _check_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    streamed = _report(path, stream=True, monkeypatch=monkeypatch)
    whole = _report(path, stream=False, monkeypatch=monkeypatch)
    assert streamed == whole


@st.composite
def exports(draw: st.DrawFn) -> str:
    lines = [HEADER]
    minutes = draw(st.lists(st.integers(0, 40), max_size=14))
    if draw(st.booleans()):
        minutes.sort()  # Altur's own order: oldest first (then nothing is renumbered)
    for i, minute in enumerate(minutes):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(BAD)))
            continue
        status, answered, duration = draw(st.sampled_from(OUTCOMES))
        number = draw(st.sampled_from(NUMBERS))
        created = "" if draw(st.integers(0, 7)) == 0 else f"2026-06-01 10:{minute:02d}:00"
        lines.append(f"c{i},,{number},+52,{status},{answered},{created},{duration}")
    return "\n".join(lines) + "\n"


@given(exports())
def test_streamed_report_equals_the_whole_file_report(text: str) -> None:
    # Files in order, out of order (read again as a whole), with bad rows, or with
    # nothing valid at all: the same JSON (figures, rejections) and exit code.
    with pytest.MonkeyPatch.context() as monkeypatch:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "calls.csv"
            path.write_text(text, encoding="utf-8")
            _check_same(path, monkeypatch)


def test_a_bad_row_is_rejected_and_the_stream_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "c1,,+525555550001,+52,no-answer,,2026-06-01 10:00:00,",
                BAD[0],
                BAD[2],
                "c2,,+525555550001,+52,ended,human,2026-06-01 10:10:00,01:00",
            ]
        ),
        encoding="utf-8",
    )
    code, data = _report(path, stream=True, monkeypatch=monkeypatch)
    assert code == 0
    assert (data["calls"], data["contacts"], data["rejected"]) == (2, 1, 2)
    assert [r["line"] for r in data["rejections"]] == [3, 4]
    assert [r["reason"] for r in data["rejections"]] == ["invalid-value", "ragged-row"]
    # the retry after the rejected rows is still the second attempt
    assert data == _report(path, stream=False, monkeypatch=monkeypatch)[1]


def test_out_of_order_rows_are_numbered_by_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stream numbers attempts in file order; a file that is not oldest first is
    # read again as a whole, so the attempts (and the retry table) follow the times.
    path = tmp_path / "calls.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "c2,,+525555550001,+52,ended,human,2026-06-01 10:10:00,01:00",
                "c1,,+525555550001,+52,no-answer,,2026-06-01 10:00:00,",
            ]
        ),
        encoding="utf-8",
    )
    _check_same(path, monkeypatch)
    code, data = _report(path, stream=True, monkeypatch=monkeypatch)
    assert code == 0
    assert data["contacts"] == 1
    assert data["summary"] == _report(path, stream=False, monkeypatch=monkeypatch)[1]["summary"]


_R1 = "c1,,+525555550001,+52,no-answer,,2026-06-01 10:00:00,"
_R2 = "c2,,+525555550001,+52,ended,human,2026-06-01 10:10:00,01:00"
EDGES = {
    "byte-order mark": ("\ufeff" + "\n".join([HEADER, _R1, _R2]) + "\n").encode("utf-8"),
    "semicolons": ("\n".join(x.replace(",", ";") for x in [HEADER, _R1, _R2]) + "\n").encode(),
    "CR only": ("\r".join([HEADER, _R1, _R2]) + "\r").encode(),
    "header only": (HEADER + "\n").encode(),
    "empty": b"",
    "quoted newline": "\n".join([HEADER, _R1, '"c\n2"' + _R2[2:]]).encode(),
    "NUL in a row": "\n".join([HEADER, _R1, "c\x003" + _R2[2:], _R2]).encode(),
    "missing column": b"id,number_to\nc1,+525555550001\n",
    "not UTF-8": "\n".join([HEADER, _R1]).encode() + b"\n\xff\xfe,,\n",
    "cell over the limit": "\n".join([HEADER, _R1, _R2 + "9" * 200_000, _R2]).encode(),
}


@pytest.mark.parametrize("name", list(EDGES))
def test_streamed_report_on_awkward_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Whatever the stream cannot take is read again whole: same output, same exit code.
    path = tmp_path / "calls.csv"
    path.write_bytes(EDGES[name])
    _check_same(path, monkeypatch)
