"""The documented examples type-check (issue 18 item 6): ``mypy --strict`` accepts a
record built as the docs write it - ``Contact(tags={"vip"}, extracted={...})`` - because
the collection fields name their converters in the class bodies, and mypy's attrs plugin
types ``__init__`` by the converters' parameters (``Iterable[str]``, ``Mapping``).

Skipped when mypy is missing (it is in the ``test`` extra).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import warnings
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


# issue 18 item 6: to_dict returns the public JSON types, from_dict takes any mapping,
# and a generated setup's runner options are a TypedDict CampaignRunner accepts.
PLAIN_DATA = """
import json
import random
from datetime import UTC, datetime

from campaignkit import Campaign, CampaignRunner, CompliancePolicy, RetryPolicy
from campaignkit.models import JSON, CampaignState, JSONObject
from campaignkit.policies import CampaignRules, QuietHours
from campaignkit.strategies import CampaignSetup, RunnerOptions

campaign = Campaign(id="spring", name="Spring")
data: JSONObject = campaign.to_dict()
text: str = json.dumps(data)
loaded: dict[str, object] = json.loads(text)
again: Campaign = Campaign.from_dict(loaded)
state: JSONObject = CampaignState(campaign).to_dict()
rules: JSONObject = CampaignRules(retry=RetryPolicy()).to_dict()
policy = CompliancePolicy.from_dict({"rules": [QuietHours().to_dict()]})
value: JSON = data["name"]


def run(setup: CampaignSetup) -> CampaignRunner:
    options: RunnerOptions = setup.runner_options(rng=random.Random(1))
    return CampaignRunner(campaign, retry=setup.retry, cycles=setup.cycles, **options)
"""


def test_plain_data_and_runner_options_are_typed(tmp_path: Path) -> None:
    module = tmp_path / "plain_data.py"
    module.write_text(PLAIN_DATA, encoding="utf-8")
    _mypy(tmp_path, [module])


# The engine's notifications and call details, metrics' rows and plain data, the
# simulation's options and the dialects' payloads, as a service or a notebook uses them.
RESULTS = """
from datetime import UTC, datetime, timedelta

from campaignkit import CallStatus, CampaignStats, Contact, RetryPolicy
from campaignkit.dialects import exotel, twilio
from campaignkit.engine import CallDetails, CallUpdate, apply_call_report, notification_from_dict
from campaignkit.engine.steps import setup
from campaignkit.metrics import Cell, campaign_health
from campaignkit.models import Campaign, JSONObject
from campaignkit.models.records import Call
from campaignkit.policies import PacingPolicy
from campaignkit.simulate import OutcomeModel, SimulateOptions, compare, simulate

now = datetime(2026, 6, 1, 15, tzinfo=UTC)
call = Call(id="CA1", contact_id="c1", to="+525555551234")
update = CallUpdate(contact_id="c1", attempt=1, status=CallStatus.COMPLETED, at=now, duration=30)
details: CallDetails = update.details()
after: Call = apply_call_report(call, CallStatus.COMPLETED, at=now, **details)
rules, state = setup(Campaign(id="spring", name="Spring"), retry=RetryPolicy(max_retries=2))

stats = CampaignStats()
rows: list[dict[str, Cell]] = stats.to_records()
stored: JSONObject = stats.to_dict()
again: CampaignStats = CampaignStats.from_dict(stored)
health = campaign_health(stats.counts)
pacing: JSONObject = PacingPolicy().to_dict()
model: JSONObject = OutcomeModel().to_dict()
payload: JSONObject = exotel.cdr_record(call)
parsed: Call = exotel.parse_call(payload)
form: Call = twilio.parse_status_callback(
    {"CallSid": "CA1", "CallStatus": "ringing", "To": "+15005550006"}
)

contacts = [Contact(id="c1", phone="+525555551234")]
shared: SimulateOptions = {"max_concurrent": 2, "horizon": timedelta(days=2)}
run = simulate(contacts, start=now, **shared)
summary: dict[str, Cell] = run.summary()
table = compare({"two": RetryPolicy(max_retries=2)}, contacts, start=now, max_concurrent=2)
"""


def test_engine_metrics_simulate_and_dialects_are_typed(tmp_path: Path) -> None:
    module = tmp_path / "results.py"
    module.write_text(RESULTS, encoding="utf-8")
    _mypy(tmp_path, [module])


# The layers whose public signatures are free of Any (issue 18 item 6): records, policies,
# machines, vocabulary, strategies, the engine, the errors, metrics, the simulation and
# the Exotel and Twilio dialects.
TYPED_PACKAGES = (
    "campaignkit.machines",
    "campaignkit.statuses",
    "campaignkit.models",
    "campaignkit.policies",
    "campaignkit.strategies",
    "campaignkit.engine",
    "campaignkit.errors",
    "campaignkit.metrics",
    "campaignkit.simulate",
    "campaignkit.dialects.exotel",
    "campaignkit.dialects.twilio",
    "campaignkit.runner",
    "campaignkit.stores",
)
UNTYPED_YET: tuple[str, ...] = ()
"""Modules of those packages owned elsewhere and not yet converted."""
PANDAS_OR_MATPLOTLIB = frozenset({"to_frame", "plot"})
"""Methods that return a pandas DataFrame or draw on a matplotlib Axes: both are optional
extras (pandas has no type information mypy reads), so these keep Any."""


def _public_callables() -> dict[str, object]:
    """Functions and classes in the ``__all__`` of the typed packages and their public
    submodules, with every public method (inherited ones under their defining class)."""
    found: dict[str, object] = {}
    modules = []
    for root in TYPED_PACKAGES:
        module = importlib.import_module(root)
        modules.append(module)
        for info in pkgutil.walk_packages(getattr(module, "__path__", []), root + "."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                # A moved module's old path warns on import; its names are re-exports,
                # checked where they are defined.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    modules.append(importlib.import_module(info.name))
    for module in modules:
        for name in module.__all__:
            obj = getattr(module, name)
            if not getattr(obj, "__module__", "").startswith(TYPED_PACKAGES):
                continue  # re-exported from another layer (FrozenMap, the JSON aliases)
            if inspect.isfunction(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
            elif inspect.isclass(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
                for attr in dir(obj):
                    owner = next((c for c in obj.__mro__ if attr in vars(c)), None)
                    if owner is None or attr.startswith("_"):
                        continue  # private, or from the metaclass (an enum's members)
                    if not owner.__module__.startswith("campaignkit"):
                        continue  # Hypothesis's RuleBasedStateMachine, attrs, enum
                    value = vars(owner)[attr]
                    if isinstance(value, classmethod | staticmethod):
                        value = value.__func__
                    elif isinstance(value, property):
                        value = value.fget
                    if inspect.isfunction(value):
                        found[f"{owner.__module__}.{owner.__qualname__}.{attr}"] = value
    return found


def test_the_typed_layers_have_no_any_in_public_signatures() -> None:
    offenders = []
    for name, fn in _public_callables().items():
        if UNTYPED_YET and name.startswith(UNTYPED_YET):
            continue
        if name.rpartition(".")[2] in PANDAS_OR_MATPLOTLIB:
            continue
        try:
            signature = inspect.signature(fn)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        annotations = [p.annotation for p in signature.parameters.values()]
        annotations.append(signature.return_annotation)
        if any(re.search(r"\bAny\b", str(a)) for a in annotations):
            offenders.append(name)
    assert offenders == []
