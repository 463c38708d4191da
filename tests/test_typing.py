"""The documented examples type-check (issue 18 item 6): ``mypy --strict`` accepts a
record built as the docs write it - ``Contact(tags={"vip"}, extracted={...})`` - because
the collection fields name their converters in the class bodies, and mypy's attrs plugin
types ``__init__`` by the converters' parameters (``Iterable[str]``, ``Mapping``).

Skipped when mypy is missing (it is in the ``test`` extra).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

# Constructors as the docs and README write them: sets, lists and dicts for the
# collection fields; the policies; a runner fed its events.
CONSTRUCTORS = """
from datetime import UTC, date, datetime, time, timedelta

from campaignkit import (
    CallingWindow,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignRunner,
    Contact,
    ContactStatus,
    CyclePolicy,
    RetryPolicy,
    Schedule,
)
from campaignkit.policies import (
    BillingPolicy,
    CampaignRules,
    DoNotCall,
    Extraction,
    Region,
)

now = datetime(2026, 6, 1, 15, tzinfo=UTC)
ana = Contact(
    id="c1",
    phone="+525555551234",
    tags={"vip"},
    extracted={"email": "ana@example.com", "score": 4},
    attributes={"plan": "gold", "age": 31, "opted_in": True, "note": None},
)
luis = Contact(id="c2", phone="+525555551235", tags=["vip", "new"])
campaign = Campaign(id="spring", name="Spring", settings={"voice": "ana", "max": 3})
cycles = CyclePolicy(status_filters={ContactStatus.FAILED}, tag_filters={"vip"})
schedule = Schedule(
    timezone="America/Mexico_City",
    windows=[CallingWindow(time(9), time(18), {0, 1, 2, 3, 4})],
    closed_dates={date(2026, 12, 25)},
)
do_not_call = DoNotCall(numbers={"+525555550000"}, tags={"opted-out"})
rules = CampaignRules(retry=RetryPolicy(max_retries=2), do_not_call={"+525555550000"})
mexico = Region("Mexico", countries={"MX"}, prefixes={"+52"})
billing = BillingPolicy(billed_outcomes=set())
extraction = Extraction("conv-1", now, {"email": "ana@example.com"})
retry = RetryPolicy(max_retries=2)
runner = CampaignRunner(campaign, retry=retry, schedule=schedule, cycles=cycles)
runner.add_contacts([ana, luis], now=now)
runner.start(now)
for dial in runner.due(now):
    runner.handle(
        CallUpdate(
            contact_id=dial.contact.id, attempt=dial.attempt, status=CallStatus.BUSY, at=now
        )
    )
wakeup: datetime | None = runner.next_wakeup()
gap: timedelta = RetryPolicy().max_attempts_per_cycle() * timedelta(hours=1)
"""

# Pages whose Python blocks type-check as written. The other pages reuse a name for
# values of different types from block to block (``now``, ``decision``) or read an
# Optional without narrowing it, as examples do; they run in test_docs.py.
PAGES = (
    "README.md",
    "docs/index.md",
    "docs/concepts.md",
    "docs/service.md",
    "docs/billing-and-metrics.md",
    "docs/goals-and-analyses.md",
)

# The examples are snippets, not a typed code base: they may leave functions
# unannotated (``def retry_policy(self):``). Every call is still checked strictly.
SNIPPETS = [
    "--allow-untyped-defs",
    "--allow-incomplete-defs",
    "--allow-untyped-calls",
    "--allow-untyped-decorators",
]


def _mypy(tmp_path: Path, files: list[Path], *extra: str) -> None:
    out, err, status = api.run(
        [
            "--strict",
            "--python-version",
            "3.11",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            *extra,
            *map(str, files),
        ]
    )
    assert status == 0, out + err


def test_documented_constructors_pass_mypy_strict(tmp_path: Path) -> None:
    module = tmp_path / "constructors.py"
    module.write_text(CONSTRUCTORS, encoding="utf-8")
    _mypy(tmp_path, [module])


def test_documented_examples_pass_mypy_strict(tmp_path: Path) -> None:
    files = []
    for page in PAGES:
        blocks = FENCE.findall((ROOT / page).read_text(encoding="utf-8"))
        assert blocks, page
        name = re.sub(r"\W", "_", page.removesuffix(".md")).lower()
        path = tmp_path / f"{name}.py"
        # One module per page: its blocks share a namespace, as test_docs.py runs them.
        path.write_text("\n\n".join(blocks), encoding="utf-8")
        files.append(path)
    _mypy(tmp_path, files, *SNIPPETS)
