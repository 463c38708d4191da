"""Every command on a battery of hostile files (issue 14 items 1, 19-22): huge integers,
calendar-edge dates, deep JSON, oversized cells, folder-named zones, bytes-to-bytes
codecs. Each ends with exit code 1 or 2 and one line on stderr, never a traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .cli_runner import run_cli
from .seed_vocabulary import SEED_001_CDR

HUGE = "9" * 5000  # past Python's 4,300-digit int() limit
CALL_HEADER = "id,contact_id,number_to,number_from,status,answered_by,created_at,duration"
CALL_GOOD = "c0,+525555550000,+525555550000,+525500000000,ended,human,2026-06-01 10:00:00,00:43"


def _cdr(**fields: object) -> dict[str, object]:
    # seed 001's CDR without its recording, as sid-1
    record = {k: v for k, v in SEED_001_CDR.items() if k != "recording_url"}
    return {**record, "call_sid": "sid-1", **fields}


def _page(*records: dict[str, object]) -> str:
    return json.dumps({"response": [{"data": r} for r in records]})


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


THINKRR_HEADER = "id,phone,outcome,duration,timestamp"
TWILIO = "CallSid=CA1&To=%2B12015527765&CallStatus=completed&Direction=outbound-api"

# (name, dialect, file content) for `report`
REPORTS = [
    (
        "altur huge duration",
        "altur",
        f"{CALL_HEADER}\nc1,+5255,+525555550001,+52,ended,human,,{HUGE}\n",
    ),
    (
        "altur year 9999",
        "altur",
        f"{CALL_HEADER}\nc1,x,+525555550001,+52,ended,human,9999-12-31T23:59:59,00:10\n",
    ),
    (
        "altur year 1",
        "altur",
        f"{CALL_HEADER}\nc1,x,+525555550001,+52,ended,human,0001-01-01T00:00:00,00:10\n",
    ),
    ("altur garbage", "altur", "\x00\x01\x02 not a csv at all"),
    ("exotel deep", "exotel", _deep(100_000)),
    ("exotel deep object", "exotel", '{"a":' * 50_000 + "1" + "}" * 50_000),
    (
        "exotel huge duration",
        "exotel",
        _page(_cdr()).replace('"duration": 43', f'"duration": {HUGE}'),
    ),
    (
        "exotel huge attempt",
        "exotel",
        _page(_cdr()).replace('"attempt_number": 1', f'"attempt_number": {HUGE}'),
    ),
    ("exotel year 1", "exotel", _page(_cdr(start_time="0001-01-01T00:00:00"))),
    ("exotel year 9999", "exotel", _page(_cdr(end_time="9999-12-31T23:59:59-12:00"))),
    ("exotel price", "exotel", _page(_cdr(price="1e999999999"))),
    ("exotel surrogate", "exotel", _page(_cdr(call_sid="x")).replace('"x"', '"\\ud800"')),
    ("exotel not json", "exotel", "{not json"),
    ("exotel empty", "exotel", ""),
    ("thinkrr huge duration", "thinkrr", f"{THINKRR_HEADER}\n1,+12015527765,Completed,{HUGE},\n"),
    ("thinkrr yesterday", "thinkrr", f"{THINKRR_HEADER}\n1,+12015527765,Completed,10,yesterday\n"),
    (
        "thinkrr year 9999",
        "thinkrr",
        # past year 9999 in UTC (thinkrr reads times without an offset as UTC)
        f"{THINKRR_HEADER}\n1,+12015527765,Completed,10,9999-12-31T23:59:59-12:00\n",
    ),
    ("thinkrr big field", "thinkrr", f'{THINKRR_HEADER}\n1,+12015527765,"{"x" * 300_000}",10,\n'),
    ("thinkrr no header", "thinkrr", "just,some,columns\n1,2,3\n"),
    ("twilio huge duration", "twilio", f"{TWILIO}&CallDuration={HUGE}\n"),
    ("twilio year 9999", "twilio", f"{TWILIO}&Timestamp=Fri,+31+Dec+9999+23:59:59+-1200\n"),
    ("twilio bad stamp", "twilio", f"{TWILIO}&Timestamp=yesterday\n"),
    (
        "itellico huge score",
        "itellico",
        f"Phone Number,Name,Goal Score\n+5215555551234,Juan,{HUGE}\n",
    ),
    (
        "itellico year 1",
        "itellico",
        "Phone Number,Name,Last Called\n+5215555551234,Juan,0001-01-01T00:00:00+14:00\n",
    ),
    ("itellico bad bytes", "itellico", "Phone Number,Name\n+5215555551234,Ju\udcffan\n"),
]

CONTACTS = [
    ("huge phone", f"contact,name,context\n{HUGE},Juan,x\n"),
    ("huge priority", f"contact,name,context,priority\n+5215555551234,Juan,x,{HUGE}\n"),
    ("only header", "contact,name,context\n"),
    ("no columns", "phone,name\n+5215555551234,Juan\n"),
    ("binary", "\x00\x01\x02\x03"),
    ("huge cell", f"contact,name,context\n+5215555551234,Juan,{'x' * 300_000}\n"),
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, errors="replace")  # hostile bytes may come back on stderr


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode in (1, 2), (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "an error says what went wrong"
    assert lines[-1].startswith(("campaignkit: error", "campaignkit ", "usage:")), lines
    assert "internal error" not in result.stderr


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    return path


@pytest.mark.parametrize(("name", "dialect", "content"), REPORTS, ids=[r[0] for r in REPORTS])
def test_report_on_hostile_files(tmp_path: Path, name: str, dialect: str, content: str) -> None:
    path = _write(tmp_path, "export", content)
    assert_clean_failure(run("report", str(path), "--dialect", dialect, "--max-bytes", "none"))


@pytest.mark.parametrize(("name", "content"), CONTACTS, ids=[c[0] for c in CONTACTS])
def test_import_and_simulate_on_hostile_files(tmp_path: Path, name: str, content: str) -> None:
    path = _write(tmp_path, "contacts.csv", content)
    assert_clean_failure(run("import", str(path), "-o", str(tmp_path / "out.csv")))
    assert_clean_failure(run("simulate", "--contacts", str(path)))


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "{path}", "--timezone", "America"],
        ["report", "{path}", "--timezone", "Europe"],
        ["report", "{path}", "--timezone", "../../etc/passwd"],
        ["report", "{path}", "--encoding", "hex"],
        ["import", "{path}", "--encoding", "base64"],
        ["import", "{path}", "--encoding", "zlib"],
        ["simulate", "--contacts", "{path}", "--encoding", "rot13"],
        ["demo", "--lines", "0"],
        ["demo", "--contacts", "-5"],
        ["import", "{path}", "--show", "-5"],
        ["demo", "--retries", HUGE],
    ],
)
def test_hostile_options(tmp_path: Path, argv: list[str]) -> None:
    path = _write(tmp_path, "contacts.csv", "contact,name,context\n+5215555551234,Juan,x\n")
    result = run(*(a.replace("{path}", str(path)) for a in argv))
    assert_clean_failure(result)
    assert "zoneinfo" not in result.stderr  # no install path


def test_a_bad_row_among_good_ones_is_rejected_not_fatal(tmp_path: Path) -> None:
    # Issue 13 item 15 / issue 14 standing guard: nothing valid lost.
    page = json.dumps(
        {
            "response": [
                {"data": _cdr(call_sid="good-1", to="+919876543210")},
                {"data": _cdr(call_sid="bad", start_time="0001-01-01T00:00:00")},
                {"data": _cdr(call_sid="good-2", to="+919876543211")},
            ]
        }
    )
    path = _write(tmp_path, "cdr.json", page)
    result = run("report", str(path), "--dialect", "exotel", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["calls"] == 2
    assert data["rejected"] == 1
    assert data["rejections"][0]["line"] == 2
    log = _write(
        tmp_path,
        "log.csv",
        f"{THINKRR_HEADER}\n1,+12015527765,Completed,10,\n2,+12015527766,Completed,10,yesterday\n",
    )
    result = run("report", str(log), "--dialect", "thinkrr")
    assert result.returncode == 0, result.stderr
    assert "1 calls" in result.stdout
    assert "line 3" in result.stdout


def test_one_bad_altur_row_does_not_abort_the_report(tmp_path: Path) -> None:
    # Issue 13 item 15: an Altur call export with one bad row is reported, the row listed.
    export = _write(
        tmp_path,
        "calls.csv",
        f"{CALL_HEADER}\n"
        f"{CALL_GOOD}\n"
        "c1,x,+525555550001,+52,not-a-status,human,2026-06-01 10:05:00,00:10\n"
        "c2,+525555550002,+525555550002,+52,ended,human,2026-06-01 10:10:00,01:00\n",
    )
    result = run("report", str(export), "--dialect", "altur", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["calls"], data["rejected"]) == (2, 1)
    assert data["rejections"][0]["line"] == 3
    assert "not-a-status" in json.dumps(data["rejections"][0])
