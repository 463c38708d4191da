"""The command line's options, streams and exits (issues 13-15): every value checked,
JSON alone on stdout, notes and progress on stderr, clean exits on closed streams and Ctrl-C."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from campaignkit import cli

from .cli_runner import run_cli

SEED_004 = """contact,name,context,id
+5215555551234,Juan Pérez,"Amount: $1,500. Due: June 5",123
+5215555555678,Ana Gómez,"Amount: $900. Due: June 7",124
+5215555559012,Carlos Ruiz,"Amount: $2,300. Due: June 6",125
"""


run = run_cli


def call(*argv: str) -> tuple[int, str, str]:
    """``main`` in process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        code = cli.main(list(argv), stdout=out, stderr=err)
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    source = tmp_path / "contacts.csv"
    source.write_text(SEED_004 + "not a phone,Bad Row,x,126\n", encoding="utf-8")
    return source


# ---------------------------------------------------------------- issue 14 item 22


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--lines", "0"],
        ["demo", "--contacts", "-5"],
        ["demo", "--contacts", "0"],
        ["demo", "--concurrent", "0"],
        ["demo", "--retries", "-1"],
        ["demo", "--seed", "x"],
        ["demo", "--lines", "9" * 5000],
        ["import", "c.csv", "--show", "-5"],
        ["import", "c.csv", "--max-bytes", "0"],
        ["import", "c.csv", "--max-bytes", "5Q"],
        ["import", "c.csv", "--region", "Mexico"],
        ["report", "e.json", "--show", "-1"],
        ["simulate", "--contacts", "c.csv", "--seeds", "0"],
        ["simulate", "--contacts", "c.csv", "--interval", "0"],
        ["simulate", "--contacts", "c.csv", "--lines", "-3"],
        ["simulate", "--contacts", "c.csv", "--compare", "-2"],
        ["simulate", "--contacts", "c.csv", "--interval", "999999999999"],
        ["simulate", "--contacts", "c.csv", "--preset", "itellico", "--interval", "99999999"],
    ],
)
def test_every_numeric_option_is_checked(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, own = call(*argv)
    err = own + capsys.readouterr().err  # argparse writes to sys.stderr
    assert code == 2
    assert out == ""
    assert "invalid" in err or "expected" in err or "--interval" in err
    assert "Traceback" not in err


def test_the_help_shows_each_presets_own_range(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"], stdout=io.StringIO())
    text = " ".join(capsys.readouterr().out.split())
    assert "exotel 0-3" in text
    assert "itellico 0-10" in text


@pytest.mark.parametrize(
    ("preset", "retries", "ok"),
    [("exotel", 3, True), ("exotel", 4, False), ("itellico", 10, True), ("itellico", 11, False)],
)
def test_retries_are_checked_against_the_preset(preset: str, retries: int, ok: bool) -> None:
    if ok:
        assert cli._retry_policy(preset, retries, 60).max_retries == retries
    else:
        with pytest.raises(cli.Usage, match=f"{preset} preset takes 0-"):
            cli._retry_policy(preset, retries, 60)


def test_demo_refuses_retries_outside_the_exotel_range() -> None:
    code, out, err = call("demo", "--retries", "4")
    assert code == 2
    assert out == ""
    assert (
        err.strip()
        == "campaignkit demo: error: --retries: the exotel preset takes 0-3 retries; got 4"
    )


def test_bad_timezone_and_encoding_are_usage_errors(
    contacts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["report", str(contacts), "--timezone", "America"],
        ["report", str(contacts), "--timezone", "Europe/" + "x" * 300],
        ["import", str(contacts), "--encoding", "hex"],
        ["import", str(contacts), "--encoding", "rot13"],
        ["import", str(contacts), "--encoding", "no-such-codec"],
    ):
        code, _, _ = call(*argv)
        err = capsys.readouterr().err
        assert code == 2, argv
        assert "zoneinfo" not in err  # the tzdata install path is not leaked
        assert "Traceback" not in err


# ---------------------------------------------------------------- issue 13 item 16


def test_exotel_reads_indian_national_numbers_by_default(tmp_path: Path) -> None:
    page = {"response": [{"data": _cdr("sid-1", "09876543210", "completed", 43)}]}
    export = tmp_path / "cdr.json"
    export.write_text(json.dumps(page), encoding="utf-8")
    code, out, err = call("report", str(export), "--dialect", "exotel", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["calls"] == 1
    assert data["heatmap"]["timezone"] == "Asia/Kolkata"
    # An explicit --region still wins.
    code, _, err = call("report", str(export), "--dialect", "exotel", "--region", "MX")
    assert code == 1
    assert "09876543210" in err


def _cdr(sid: str, to: str, status: str, duration: int, attempt: int = 1) -> dict[str, Any]:
    return {
        "call_sid": sid,
        "to": to,
        "from": "0XXXXXX4890",
        "status": status,
        "start_time": "2024-02-01T10:05:32+05:30",
        "end_time": "2024-02-01T10:06:15+05:30",
        "duration": duration,
        "attempt_number": attempt,
        "price": 2,
    }


# ---------------------------------------------------------------- issue 13 item 14


def test_every_command_prints_only_json(contacts: Path, tmp_path: Path) -> None:
    export = tmp_path / "cdr.json"
    export.write_text(
        json.dumps({"response": [{"data": _cdr("s1", "+919876543210", "completed", 43)}]}),
        encoding="utf-8",
    )
    commands = {
        "demo": ["demo", "--contacts", "60", "--format", "json"],
        "import": ["import", str(contacts), "-o", str(tmp_path / "o.csv"), "--format", "json"],
        "report": ["report", str(export), "--dialect", "exotel", "--format", "json"],
        "simulate": ["simulate", "--contacts", str(contacts), "--compare", "0", "--format", "json"],
    }
    for name, argv in commands.items():
        result = run(*argv)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["command"] == name
    imported = json.loads(run(*commands["import"]).stdout)
    assert imported["rejected"] == 1
    assert imported["rejections"][0]["line"] == 5
    assert imported["rejections"][0]["reason"] == "invalid-phone"
    simulated = run(*commands["simulate"])
    assert "1 rows rejected on import" in simulated.stderr  # the note goes to stderr
    records = json.loads(simulated.stdout)["policies"]
    assert {r["policy"] for r in records} == {"2 retries", "0 retries"}
    assert isinstance(records[0]["connect_rate"], float)
    assert isinstance(records[0]["cost"], str)  # money is a decimal string (documented)


# ---------------------------------------------------------------- issue 13 item 15


def test_itellico_report_lists_rejected_rows_and_goes_on(tmp_path: Path) -> None:
    export = tmp_path / "itellico.csv"
    export.write_text(
        "Phone Number,Name,Status\n"
        "+5215555551234,Juan,Completed\n"
        "not a phone,Bad,Completed\n"
        "+5215555551234,Dup,Completed\n",
        encoding="utf-8",
    )
    code, out, err = call("report", str(export), "--dialect", "itellico")
    assert code == 0, err
    assert "1 contacts, 2 rows rejected" in out
    assert "line 3" in out
    assert "line 4" in out
    code, out, err = call("report", str(export), "--dialect", "itellico", "--format", "json")
    data = json.loads(out)
    assert data["rejected"] == 2
    assert [r["line"] for r in data["rejections"]] == [3, 4]


# ---------------------------------------------------------------- issue 14 item 20


def test_closed_stdout_is_one_line_not_a_traceback() -> None:
    result = subprocess.run(
        f"{sys.executable} -m campaignkit demo --contacts 20 >&-",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == "campaignkit: error: standard output is closed"


def test_ctrl_c_during_a_command_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "simulate", interrupted)
    code, _, err = call("demo", "--contacts", "5")
    assert code == 130
    assert err == ""


def test_ctrl_c_while_modules_load_exits_130() -> None:
    # A finder that interrupts the import of the command line's module, as a Ctrl-C
    # arriving while it loads would.
    script = textwrap.dedent(
        """
        import runpy, sys
        import campaignkit

        class Interrupt:
            def find_spec(self, name, path=None, target=None):
                if name == "campaignkit.cli":
                    raise KeyboardInterrupt
                return None

        sys.meta_path.insert(0, Interrupt())
        sys.argv = ["campaignkit", "demo"]
        runpy.run_module("campaignkit", run_name="__main__")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 130
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- issue 14 item 21


def test_the_size_is_checked_before_reading(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.csv"
    with sparse.open("wb") as handle:
        handle.truncate(1024**3)  # 1 GiB, no blocks: reading it would take a second or more
    code, _, err = call("import", str(sparse))
    assert code == 1
    # The whole size is named: it came from os.stat, not from reading 5 MB + 1.
    assert "read 1,073,741,824" in err
    assert "--max-bytes" in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_read_only_up_to_the_limit() -> None:
    code, _, err = call("import", "/dev/zero", "--max-bytes", "64K")
    assert code == 1
    assert "limit of 65,536 bytes (read 65,537)" in err


def test_max_bytes_lifts_the_limit(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    rows = "".join(f"+52155{n:08d},P{n},x\n" for n in range(2000))
    source.write_text("contact,name,context\n" + rows, encoding="utf-8")
    code, _, err = call("import", str(source), "--max-bytes", "10K")
    assert code == 1
    assert "limit of 10,240 bytes" in err
    code, out, err = call("import", str(source), "--max-bytes", "1M", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["imported"] == 2000
    code, out, err = call("import", str(source), "--max-bytes", "none", "--format", "json")
    assert code == 0, err


@pytest.mark.parametrize(
    ("text", "size"), [("5000000", 5_000_000), ("200M", 200 * 1024**2), ("2g", 2 * 1024**3)]
)
def test_sizes(text: str, size: int) -> None:
    assert cli._size(text) == size


# ---------------------------------------------------------------- issue 13 item 17


@pytest.mark.parametrize(
    ("elapsed", "text"),
    [
        (timedelta(days=9, minutes=2, seconds=10), "9 d 0 h 2 min"),
        (timedelta(hours=5, minutes=3), "5 h 3 min"),
        (timedelta(minutes=4, seconds=10), "4 min 10 s"),
        (timedelta(0), "0 min 0 s"),
    ],
)
def test_durations_read_as_days_hours_minutes(elapsed: timedelta, text: str) -> None:
    assert cli.human_duration(elapsed) == text


def test_the_demo_names_units_and_calls_the_price_illustrative() -> None:
    code, out, err = call("demo", "--contacts", "40")
    assert code == 0, err
    assert "of simulated time" in out
    assert " d " in out or " min" in out
    assert "day" not in out.split("calls in", 1)[1].split("\n", 1)[0]  # not a raw timedelta
    assert "prices are illustrative" in out
    assert "USD" in out
    assert "conversion_rate: unknown" in out


def test_low_heatmap_counts_are_readable() -> None:
    low = cli._shaded("1", 0.05)
    high = cli._shaded("90", 1.0)
    assert low.startswith("[bright_white on ")  # light text on the dark end of the ramp
    assert high.startswith("[black on ")
    assert cli._shaded("0", 0.0) == "0"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_goes_to_a_terminal_stderr_only() -> None:
    pytest.importorskip("rich")
    piped = cli.Output(io.StringIO(), err=io.StringIO())
    with piped.progress("x", 10) as update:
        update(5)
    assert piped.err.getvalue() == ""  # type: ignore[attr-defined]
    terminal = cli.Output(io.StringIO(), err=_Terminal())
    with terminal.progress("x", 10) as update:
        update(5)
    assert terminal.stream.getvalue() == ""  # type: ignore[attr-defined]
    assert terminal.err.getvalue() != ""  # type: ignore[attr-defined]


def test_the_simulate_progress_bar_moves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contacts = tmp_path / "contacts.csv"
    rows = "".join(f"+52155{n:08d},P{n},x\n" for n in range(300))
    contacts.write_text("contact,name,context\n" + rows, encoding="utf-8")
    seen: list[int] = []

    class Recording(cli.Output):
        def progress(self, label: str, total: int) -> Any:
            from contextlib import contextmanager

            @contextmanager
            def bar() -> Any:
                def update(done: int) -> None:
                    assert 0 <= done <= total
                    if label == "simulating":  # not the bytes read on import
                        seen.append(done)

                yield update

            return bar()

    monkeypatch.setattr(cli, "Output", Recording)
    code, _, err = call(
        "simulate", "--contacts", str(contacts), "--compare", "0", "1", "--seeds", "2"
    )
    assert code == 0, err
    assert seen == sorted(seen)  # never goes back
    assert len(set(seen)) > 3  # moves during the runs, not only at the end
    assert seen[-1] == 3 * 2 * 300  # 3 policies x 2 seeds x 300 contacts


def test_run_progress_spans_runs() -> None:
    marks: list[int] = []
    update: Callable[[int], None] = marks.append
    progress = cli._RunProgress(update, 10)
    for settled in (0, 4, 10, 0, 3, 10):
        progress(settled)
    assert marks == [0, 4, 10, 10, 13, 20]


# ---------------------------------------------------------------- issue 13 item 2


def _seed_001_cdrs() -> str:
    """Seed 001's worked example as CDRs: 2,500 numbers; 1,500 reached on the first
    attempt, 250 on the first retry, 125 on the second (1,875 in all)."""
    records = []
    for n in range(2500):
        to = f"+9198765{n:05d}"
        reached_at = 1 if n < 1500 else 2 if n < 1750 else 3 if n < 1875 else None
        for attempt in range(1, (reached_at or 3) + 1):
            status = "completed" if attempt == reached_at else "no-answer"
            duration = 40 if status == "completed" else 0
            records.append({"data": _cdr(f"s{n}-{attempt}", to, status, duration, attempt)})
    return json.dumps({"response": records})


def test_report_builds_contacts_from_the_calls(tmp_path: Path) -> None:
    export = tmp_path / "cdr.json"
    export.write_text(_seed_001_cdrs(), encoding="utf-8")
    code, out, err = call("report", str(export), "--dialect", "exotel", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["calls"], data["contacts"], data["contacts_from"]) == (4250, 2500, "calls")
    figures = {row["metric"]: row for row in data["summary"]}
    assert figures["created"]["value"] == 2500
    assert figures["completed"]["value"] == 1875
    assert figures["connect_rate"]["value"] == pytest.approx(0.75)
    # What calls cannot say is unknown with a reason, never a misleading 0.
    assert figures["pending"]["value"] is None
    assert figures["pending"]["note"]
    assert figures["conversion_rate"]["value"] is None
    assert "conversion_rate" in data["unknown"]
    retry = [(r["contacts"], r["connected"]) for r in data["retry_effectiveness"]]
    assert retry == [(2500, 1500), (1000, 250), (750, 125), (2500, 1875)]
    assert {c["rate"] for c in data["health"]} >= {"connect_rate", "failure_rate"}
    code, out, err = call("report", str(export), "--dialect", "exotel")
    assert code == 0, err
    assert "connect_rate" in out
    assert "75.0%" in out
    assert "4,250 calls, 2,500 contacts (rebuilt from the calls)" in out
    assert "pending: unknown" in out


# ---------------------------------------------------------------- issue 15 item 1


def test_import_and_report_show_progress_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "contacts.csv"
    rows = "".join(f"+52155{n:08d},P{n},x\n" for n in range(20_000))
    source.write_text("contact,name,context\n" + rows, encoding="utf-8")
    size = source.stat().st_size
    marks: dict[str, list[tuple[int, int]]] = {}

    class Recording(cli.Output):
        def progress(self, label: str, total: int) -> Any:
            from contextlib import contextmanager

            @contextmanager
            def bar() -> Any:
                yield lambda done: marks.setdefault(label, []).append((done, total))

            return bar()

    monkeypatch.setattr(cli, "Output", Recording)
    code, _, err = call("import", str(source), "-o", str(tmp_path / "out.csv"))
    assert code == 0, err
    done = [d for d, _ in marks["importing"]]
    assert done == sorted(done)
    assert len(done) > 3  # read a chunk at a time, not all at once
    assert done[-1] == size
    assert {total for _, total in marks["importing"]} == {size}


def test_an_encoding_reaches_every_reader(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_bytes(
        "id,phone,outcome,duration,timestamp\nñ1,+12015527765,Completed,10,\n".encode("latin-1")
    )
    code, out, err = call("report", str(log), "--dialect", "thinkrr", "--encoding", "latin-1")
    assert code == 0, err
    assert "1 calls" in out
    code, _, err = call("report", str(log), "--dialect", "thinkrr")
    assert code == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("extra", ["", ",segment"])
def test_the_streamed_clean_file_is_the_whole_export(tmp_path: Path, extra: str) -> None:
    from campaignkit.io import export_contact_list, import_contacts

    source = tmp_path / "contacts.csv"
    cell = ",vip" if extra else ""
    rows = "".join(f"+52155{n:08d},P{n},x{cell}\n" for n in range(cli._BATCH * 2 + 7))
    rows += "not a phone,Bad,x" + cell + "\n"
    source.write_text(f"contact,name,context{extra}\n" + rows, encoding="utf-8")
    target = tmp_path / "clean.csv"
    code, out, err = call("import", str(source), "-o", str(target), "--max-bytes", "none")
    assert code == 0, err
    assert f"{cli._BATCH * 2 + 8:,} rows read: {cli._BATCH * 2 + 7:,} imported, 1 rejected" in out
    expected = export_contact_list(import_contacts(source.read_bytes(), max_bytes=None).contacts)
    assert target.read_bytes().decode("utf-8") == expected


def test_no_clean_file_without_a_valid_contact(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text("contact,name,context\nnot a phone,Bad,x\n", encoding="utf-8")
    target = tmp_path / "clean.csv"
    code, _, err = call("import", str(source), "-o", str(target))
    assert code == 1
    assert "no valid contacts" in err
    assert list(tmp_path.iterdir()) == [source]  # nothing written, no partial file left


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("altur", "America/Mexico_City"),
        ("exotel", "Asia/Kolkata"),  # seed 001: an Indian vendor
        ("itellico", "America/Mexico_City"),
        ("thinkrr", "UTC"),  # as thinkrr.read_call_log reads naive times
        ("twilio", "America/Mexico_City"),
    ],
)
def test_report_reads_naive_times_in_the_dialects_own_zone(name: str, zone: str) -> None:
    # One home for a vendor's default zone: the dialect module (the CLI asks it).
    assert sorted(cli.DIALECT_REGION) == ["altur", "exotel", "itellico", "thinkrr", "twilio"]
    assert cli.dialect_timezone(name) == zone


def test_a_thinkrr_report_reads_and_lays_out_naive_times_in_utc(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "id,phone,outcome,duration,timestamp\n1,+12015527765,Completed,10,2026-06-01T10:00:00\n"
    )
    code, out, err = call("report", str(log), "--dialect", "thinkrr", "--format", "json")
    assert code == 0, err
    heatmap = json.loads(out)["heatmap"]
    assert heatmap["timezone"] == "UTC"
    assert heatmap["counts"]["Mon"][10] == 1  # 2026-06-01 is a Monday; 10:00 UTC
