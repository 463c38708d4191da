"""The command line through its real entry point (a subprocess), good input and bad."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .cli_runner import run_cli
from .seed_vocabulary import SEED_001_CDR
from .seed_vocabulary import SEED_004_UPLOAD as SEED_004

run = run_cli


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("campaignkit: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_demo_prints_the_whole_dashboard() -> None:
    result = run("demo", "--contacts", "400")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for section in (
        "== Import",
        "3,000 rows read",
        "rejected",
        "== Campaign",
        "connect_rate",
        "== Retry effectiveness",
        "1st attempt",
        "Total",
        "== Human answers by weekday and hour",
        "Mon",
        "== Cost audit by answered-by",
        "machine",
    ):
        assert section in out, section
    assert "\x1b[" not in out  # piped: no colour codes


def test_demo_is_deterministic_and_speaks_json() -> None:
    first = run("demo", "--contacts", "200", "--format", "json")
    second = run("demo", "--contacts", "200", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    # issue 13 item 14: nothing but the JSON document on stdout
    data = json.loads(first.stdout)
    assert {"summary", "retry_effectiveness", "advice", "heatmap", "cost_audit"} <= set(data)
    assert data["command"] == "demo"
    assert data["import"]["rows"] == 3000
    assert data["simulation"]["contacts"] == 200
    assert isinstance(data["simulation"]["elapsed_seconds"], float)
    assert "illustrative" in data["simulation"]["price_note"]
    rates = {row["metric"]: row for row in data["summary"]}
    assert isinstance(rates["connect_rate"]["value"], float)
    assert rates["connect_rate"]["unit"] == "%"
    assert rates["cost_per_connected_contact"]["unit"] == "USD"
    # issue 13 item 4: figures the simulation does not model are unknown, not 0.0%
    for metric in ("conversion_rate", "extracted_rate", "abandonment_rate"):
        assert rates[metric]["value"] is None
        assert rates[metric]["note"]


def test_import_writes_a_clean_file_and_reports_rejections(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(SEED_004 + "not a phone,Bad Row,x,126,,\n", encoding="utf-8")
    result = run("import", str(source), "--region", "MX")
    assert result.returncode == 0, result.stderr
    assert "4 rows read: 3 imported, 1 rejected" in result.stdout
    assert "line 5" in result.stdout
    clean = (tmp_path / "contacts.clean.csv").read_text(encoding="utf-8")
    assert clean.count("\n") >= 4
    assert "Juan Pérez" in clean
    assert "Bad Row" not in clean
    # The clean file imports again without a single rejection.
    again = run("import", str(tmp_path / "contacts.clean.csv"), "-o", str(tmp_path / "again.csv"))
    assert "3 rows read: 3 imported, 0 rejected" in again.stdout


def test_import_missing_columns(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("phone,name\n+5215555551234,Juan\n", encoding="utf-8")
    assert_one_line_error(run("import", str(source)), "contact")


def test_import_wrong_encoding(tmp_path: Path) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes(SEED_004.encode("latin-1", errors="replace").replace(b"\xe9", b"\xe9\xff"))
    assert_one_line_error(run("import", str(source)))


def test_import_empty_file(tmp_path: Path) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("", encoding="utf-8")
    assert_one_line_error(run("import", str(source)))


def test_import_too_large(tmp_path: Path) -> None:
    source = tmp_path / "huge.csv"
    row = "+5215555551234,Juan Pérez,Amount: $1500,1\n"
    with source.open("w", encoding="utf-8") as handle:
        handle.write("contact,name,context,id\n")
        handle.write(row * (5 * 1024 * 1024 // len(row) + 10))
    assert_one_line_error(run("import", str(source)), "5", "--max-bytes")


def test_missing_file_is_one_line() -> None:
    assert_one_line_error(run("import", "/no/such/file.csv"), "no such file")


def test_report_on_an_exotel_cdr_page(tmp_path: Path) -> None:
    page = {
        "response": [
            {
                "code": 200,
                "status": "success",
                "data": SEED_001_CDR,
            }
        ]
    }
    export = tmp_path / "cdr.json"
    export.write_text(json.dumps(page), encoding="utf-8")
    text = run("report", str(export), "--dialect", "exotel", "--timezone", "Asia/Kolkata")
    assert text.returncode == 0, text.stderr
    assert "1 calls" in text.stdout
    assert "Retry effectiveness" in text.stdout
    as_json = run("report", str(export), "--dialect", "exotel", "--format", "json")
    assert json.loads(as_json.stdout)["retry_effectiveness"][0]["connected"] == 1
    as_csv = run("report", str(export), "--dialect", "exotel", "--format", "csv")
    assert as_csv.stdout.splitlines()[0] == "metric,value,unit"


def test_report_on_garbage_is_one_line(tmp_path: Path) -> None:
    export = tmp_path / "cdr.json"
    export.write_text("{not json", encoding="utf-8")
    assert_one_line_error(run("report", str(export), "--dialect", "exotel"), "exotel")


def test_simulate_compares_policies(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    lines = ["contact,name,context"] + [f"+52155{i:08d},P{i},x" for i in range(150)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("simulate", "--contacts", str(source), "--retries", "2", "--compare", "0", "3")
    assert result.returncode == 0, result.stderr
    for label in ("2 retries", "0 retries", "3 retries", "connect_rate"):
        assert label in result.stdout


def test_simulate_refuses_out_of_range_retries(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text("contact,name,context\n+5215500000001,P,x\n", encoding="utf-8")
    result = run("simulate", "--contacts", str(source), "--retries", "4")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "exotel preset takes 0-3 retries; got 4" in result.stderr
    assert (
        run(
            "simulate", "--contacts", str(source), "--preset", "itellico", "--retries", "11"
        ).returncode
        == 2
    )


def test_no_command_prints_usage() -> None:
    result = run()
    assert result.returncode == 2
    assert "usage" in result.stderr


@pytest.mark.parametrize("flag", ["--version"])
def test_version(flag: str) -> None:
    assert run(flag).stdout.startswith("campaignkit ")
