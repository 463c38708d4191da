"""A campaign on a SQLite file survives SIGKILL at any point (issue 12, item 8).

A child process runs a deterministic campaign (`store_crash_driver`: 60
contacts, 2 retries, outcomes by a hash of contact id and attempt, a clock that
follows `next_wakeup`); the parent kills it with SIGKILL after a number of
committed calls, at least 20 times over the run, restarting it on the same file
each time, then lets it finish. The contacts, counts and every notification
(drained or not, in outbox order) equal those of an uninterrupted run: nothing
lost, nothing duplicated.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from campaignkit import CampaignStatus, InvalidInput
from campaignkit.stores.sqlite import SQLiteCampaign

from .. import store_crash_driver as driver

DRIVER = Path(driver.__file__)
KILLS = 24


def _result(path: Path) -> dict[str, Any]:
    """Everything the campaign left in ``path``: contacts, counts, campaign row, and
    every notification in outbox order (drained or not)."""
    with SQLiteCampaign.open(path) as store:
        result = {
            "contacts": [c.to_dict() for c in store.contacts.values()],
            "states": store.snapshot()["contacts"],
            "counts": store.counts,
            "campaign": store.campaign_state.to_dict(),
            "undrained": len(store.outbox),
        }
    with sqlite3.connect(path) as db:
        result["notes"] = [
            json.loads(n) for (n,) in db.execute("SELECT note FROM outbox ORDER BY seq")
        ]
    return result


def _child(path: Path, kill_after: int | None) -> tuple[int, int]:
    """Run the driver on ``path``; SIGKILL it once it reported ``kill_after`` committed
    calls. Returns its exit code and how many lines it printed."""
    child = subprocess.Popen(
        [sys.executable, str(DRIVER), str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(DRIVER.parents[1] / "src")},
    )
    assert child.stdout is not None
    seen = 0
    for line in child.stdout:
        if line.strip() == "done":
            break
        seen += 1
        if kill_after is not None and seen >= kill_after:
            child.send_signal(signal.SIGKILL)
            break
    child.stdout.close()
    return child.wait(timeout=120), seen


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_twenty_times_the_campaign_ends_as_if_never_interrupted(tmp_path: Path) -> None:
    calls = 0

    def count() -> None:
        nonlocal calls
        calls += 1

    reference = tmp_path / "reference.db"
    driver.drive(str(reference), count).close()
    expected = _result(reference)
    assert expected["campaign"]["campaign"]["status"] == CampaignStatus.FINISHED.value
    assert expected["counts"].pending == 0
    assert expected["counts"].created == driver.CONTACTS

    crashed = tmp_path / "crashed.db"
    step = max(1, calls // (KILLS + 2))
    kills = 0
    for _ in range(KILLS):
        code, _seen = _child(crashed, kill_after=step)
        if code == 0:
            break  # finished before it could be killed
        assert code == -signal.SIGKILL
        kills += 1
    assert kills >= 20
    code, _seen = _child(crashed, kill_after=None)
    assert code == 0
    assert _result(crashed) == expected
    notes = expected["notes"]
    finals = [n for n in notes if n["kind"] == "contact-final"]
    assert len({n["contact_id"] for n in finals}) == len(finals) == driver.CONTACTS


def test_open_refuses_what_is_not_a_campaign(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no campaign file"):
        SQLiteCampaign.open(tmp_path / "missing.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InvalidInput):
        SQLiteCampaign.open(junk)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(InvalidInput, match="holds no campaignkit campaign"):
        SQLiteCampaign.open(empty)
