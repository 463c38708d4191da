"""Running one simulated campaign through the real engine: `simulate`, `SimulationResult`."""

from __future__ import annotations

import heapq
import random
import warnings
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast
from zoneinfo import ZoneInfo

import attrs

from .._fields import aware_utc, replacer
from .._fields import zone as lookup_zone
from .._frames import frame
from .._render import cell_text, html_table, text_table
from ..engine import CallUpdate
from ..errors import InvalidConfig
from ..metrics import CampaignStats, Cell
from ..models.records import Call, Campaign, Contact
from ..policies.billing import BillingPolicy
from ..policies.cycles import CyclePolicy
from ..policies.refusal import Refusal
from ..policies.retry import RetryPolicy
from ..policies.schedule import contact_time_zones
from ..runner.memory import CampaignRunner
from ..statuses import CallStatus, Outcome
from ._model import OutcomeModel, OutcomeSource

if TYPE_CHECKING:  # hypothesis is only needed to type-check; RunnerOptions is a TypedDict
    from ..strategies import RunnerOptions

__all__ = ["DEFAULT_BILLING", "SimulationResult", "simulate"]

SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("contacts", "int"),
    ("calls", "int"),
    ("connect_rate", "rate"),
    ("attempts_per_contact", "float"),
    ("cost", "money"),
    ("cost_per_connected_contact", "money"),
    ("elapsed_hours", "float"),
)
# The figures of `SimulationResult.summary` shown in tables, with how each is printed.

_CALL_COLUMNS = (
    "id",
    "contact_id",
    "to",
    "from_number",
    "attempt",
    "status",
    "answered_by",
    "outcome",
    "created_at",
    "started_at",
    "ended_at",
    "duration",
    "cost",
)


# --------------------------------------------------------------------------- the run


_STATUS_OF_OUTCOME = {
    Outcome.HUMAN_CONVERSATION: CallStatus.COMPLETED,
    Outcome.VOICEMAIL: CallStatus.COMPLETED,
    Outcome.BUSY: CallStatus.BUSY,
    Outcome.NO_ANSWER: CallStatus.NO_ANSWER,
    Outcome.FAILED: CallStatus.FAILED,
}


_ZONE_PREFIX = 7  # "+" and six digits: country code and area code
_CALL_TEMPLATE = Call(id="template", contact_id="template", to="+10000000000")
_new_call = replacer(
    Call,
    "id",
    "contact_id",
    "to",
    "from_number",
    "attempt",
    "status",
    "answered_by",
    "outcome",
    "created_at",
    "started_at",
    "ended_at",
    "updated_at",
    "duration",
    "campaign_id",
)

DEFAULT_BILLING = BillingPolicy.altur(price_per_second=Decimal("0.002"), unit="USD")
"""The simulator's default billing: Altur's rules at an illustrative USD 0.12 a minute."""


def _attempt_rng(seed: int, contact_id: str, attempt: int) -> random.Random:
    # One generator per (seed, contact, attempt): a contact's n-th attempt draws the
    # same numbers under every policy compared (common random numbers), whatever
    # order the engine places calls in.
    return random.Random(f"{seed}:{contact_id}:{attempt}")


@attrs.frozen
class SimulationResult:
    """What a simulated campaign produced: every call, the final contacts, the stats,
    the cost under the chosen billing policy and how long it took in simulated time."""

    calls: tuple[Call, ...]
    contacts: tuple[Contact, ...]
    stats: CampaignStats
    billing: BillingPolicy
    cost: Decimal
    started_at: datetime
    ended_at: datetime
    finished: bool
    """True if every contact settled (none pending or in progress) before the horizon."""
    seed: int
    stuck: bool = False
    """True if the run stopped before the horizon with contacts unsettled because nothing
    could be dialled and nothing would change that (no caller line, a closed schedule
    that never reopens, ...); `blocked` says why."""
    blocked: tuple[Refusal, ...] = ()
    """The runner's campaign-wide refusals when the run stopped (`CampaignRunner.blocked`):
    why a stuck campaign dials nobody."""
    unsettled: int = 0
    """Contacts still pending or in progress when the run stopped."""
    notifications: int = 0
    """Notifications the runner emitted (drained from its outbox as the run went)."""

    @property
    def status(self) -> str:
        """How the run ended, in words: settled, stuck (with the reasons) or out of time."""
        if self.finished:
            return "all contacts settled"
        if self.stuck:
            why = "; ".join(r.reason for r in self.blocked) or "nothing left that can be dialled"
            return f"stuck with {self.unsettled:,} contacts unsettled: {why}"
        return f"horizon reached with {self.unsettled:,} contacts unsettled"

    @property
    def elapsed(self) -> timedelta:
        """Simulated time from the first call to the last event."""
        return self.ended_at - self.started_at

    def summary(self) -> dict[str, Cell]:
        """The headline figures as plain data (one row of `compare`)."""
        stats = self.stats
        return {
            "contacts": stats.contacts,
            "calls": stats.calls,
            "connect_rate": stats.connect_rate,
            "attempts_per_contact": stats.saturation,
            "cost": self.cost,
            "cost_per_connected_contact": stats.cost_per_connected_contact(self.billing),
            "elapsed_hours": round(self.elapsed.total_seconds() / 3600, 2),
            "finished": self.finished,
            "stuck": self.stuck,
        }

    def to_dict(self) -> dict[str, Cell | datetime]:
        """Deprecated name of `overview` (issue 18: ``to_dict`` is a record's reversible
        JSON form, which a simulated run does not have); warns with a
        `DeprecationWarning` and goes in the next release."""
        warnings.warn(
            "SimulationResult.to_dict() is deprecated: use overview() (the same plain "
            "data); to_dict() is a record's reversible JSON form, which a run does not "
            "have, and goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.overview()

    def overview(self) -> dict[str, Cell | datetime]:
        """The run as plain data to read: `summary`, how it ended (``status``), the
        seed, the start and end (datetimes) and the billing policy's name and unit."""
        return {
            **self.summary(),
            "status": self.status,
            "seed": self.seed,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "unsettled": self.unsettled,
            "billing": self.billing.name,
            "currency": self.billing.unit,
        }

    def to_records(self) -> list[dict[str, Cell | datetime]]:
        """One row per simulated call: ids, numbers, attempt, status, answered-by and
        outcome (their string values), the datetimes (UTC ``datetime``), the
        duration in seconds and the call's ``cost`` (`Decimal`) under `billing`."""
        rows: list[dict[str, Cell | datetime]] = []
        for call in self.calls:
            rows.append(
                {
                    "id": call.id,
                    "contact_id": call.contact_id,
                    "to": call.to,
                    "from_number": call.from_number,
                    "attempt": call.attempt,
                    "status": call.status.value,
                    "answered_by": call.answered_by.value if call.answered_by else None,
                    "outcome": call.result.value if call.result else None,
                    "created_at": call.created_at,
                    "started_at": call.started_at,
                    "ended_at": call.ended_at,
                    "duration": call.duration,
                    "cost": self.billing.cost(call),
                }
            )
        return rows

    def to_frame(self) -> Any:
        """`to_records` as a ``pandas.DataFrame``: ``datetime64[ns, UTC]`` times, ``int64``
        attempt and duration, ``cost`` as ``float64``. Raises `MissingDependency` without
        pandas."""
        return frame(self.to_records(), _CALL_COLUMNS)

    def plot(self, kind: str = "timeline", *, ax: Any = None, **options: Any) -> Any:
        """Draw the run: ``"timeline"`` (calls placed over time, connected ones apart; see
        `campaignkit.plot.calls_over_time`) or ``"status"`` (contacts by status).
        Draws on ``ax``, a matplotlib ``Axes`` (None: a new figure's); ``options`` go
        to that plot function. Returns the ``Axes``. Raises `MissingDependency` without
        matplotlib, `InvalidConfig` for another ``kind``."""
        from .. import plot

        if kind == "timeline":
            return plot.calls_over_time(self.calls, ax=ax, **options)
        if kind == "status":
            return plot.breakdown(self.stats.status_breakdown(), ax=ax, **options)
        raise InvalidConfig("kind", "'timeline' or 'status'", kind)

    def __repr__(self) -> str:
        row = self.summary()
        cells = [cell_text(row[name], kind) for name, kind in SUMMARY_COLUMNS]
        return text_table(
            f"Simulation (seed {self.seed})", [n for n, _ in SUMMARY_COLUMNS], [cells]
        )

    def _repr_html_(self) -> str:
        row = self.summary()
        cells = [cell_text(row[name], kind) for name, kind in SUMMARY_COLUMNS]
        return html_table(
            f"Simulation (seed {self.seed})", [n for n, _ in SUMMARY_COLUMNS], [cells]
        )


class SimulateOptions(TypedDict, total=False):
    """The keywords of `simulate` that `compare` passes on - shared by every run, or
    one policy's own (a policy given as a mapping). Every key may be left out."""

    campaign: Campaign | None
    retry: RetryPolicy | None
    cycles: CyclePolicy | None
    billing: BillingPolicy | None
    max_concurrent: int
    horizon: timedelta
    runner_options: RunnerOptions | None
    progress: Callable[[int], None] | None


def simulate(
    contacts: Iterable[Contact],
    *,
    start: datetime,
    campaign: Campaign | None = None,
    retry: RetryPolicy | None = None,
    cycles: CyclePolicy | None = None,
    model: OutcomeSource | None = None,
    billing: BillingPolicy | None = None,
    seed: int = 0,
    max_concurrent: int = 10,
    horizon: timedelta = timedelta(days=30),
    runner_options: RunnerOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Run a whole campaign through the real `CampaignRunner` and return what happened.

    From ``start``, up to ``max_concurrent`` calls are in flight at once; each
    dial's result is drawn from ``model`` (default `OutcomeModel`) at the
    callee's local time (the first zone of its number, else the campaign's) and
    reported back to the runner as a carrier would, when the call ends. The run
    stops when the campaign has nothing left to do or at ``start + horizon``.
    ``runner_options`` are passed on to `CampaignRunner` (schedule, pacing,
    rotation, compliance, ... where the runner takes them). ``progress``, if
    given, is called now and then with the number of contacts settled so far
    (for a progress bar). The runner's outbox is drained as the run goes, so
    memory stays bounded; `SimulationResult.notifications` counts what it held.

    A run that stops with contacts unsettled because nothing can be dialled (no
    caller lines, every line disabled, ...) is reported ``stuck`` with the
    runner's reasons in ``blocked``, never ``finished``. Figures the simulation
    does not model - conversion and extracted data, and hang-ups under the
    built-in `OutcomeModel` - are unknown in ``stats`` (None, shown as ``-``).
    Deterministic for a ``seed``. Raises `InvalidInput` for a naive ``start``,
    `InvalidConfig` for ``max_concurrent < 1``.
    """
    start = aware_utc(start, "start")
    if type(max_concurrent) is not int or max_concurrent < 1:
        raise InvalidConfig("max_concurrent", "an integer >= 1", max_concurrent)
    campaign = campaign or Campaign(id="simulation", name="Simulation")
    model = model or OutcomeModel()
    billing = billing or DEFAULT_BILLING
    # A copy, as before; its keys are RunnerOptions' and CampaignRunner checks the values.
    options = cast("RunnerOptions", dict(runner_options or {}))
    runner = CampaignRunner(campaign, retry=retry, cycles=cycles, **options)
    runner.add_contacts(contacts, now=start)
    runner.start(start)
    zones: dict[str, ZoneInfo] = {}
    fallback = lookup_zone(campaign.timezone, "campaign.timezone")
    notifications = 0
    ends: list[tuple[datetime, int, CallUpdate, Call]] = []
    calls: list[Call] = []
    sequence = 0
    now = start
    deadline = start + horizon
    last = start
    while now <= deadline:
        free = max_concurrent - len(ends)
        if free > 0:
            for placed in runner.due(now, limit=free):
                contact = placed.contact
                # The outcome model only needs the callee's hour of day, so numbers
                # sharing their first digits (country and area code) share a lookup;
                # calling windows and compliance use the exact zones, in the runner.
                prefix = contact.phone[:_ZONE_PREFIX]
                zone = zones.get(prefix)
                if zone is None:
                    names = contact_time_zones(contact.phone, fallback=campaign.timezone)
                    zone = zones[prefix] = lookup_zone(names[0]) if names else fallback
                draw = model.draw(
                    _attempt_rng(seed, contact.id, placed.attempt),
                    attempt=placed.attempt,
                    local_time=now.astimezone(zone),
                )
                answered = now + timedelta(seconds=draw.ring_seconds)
                ended = answered + timedelta(seconds=draw.duration)
                connected = draw.outcome.connected
                status = _STATUS_OF_OUTCOME.get(draw.outcome, CallStatus.COMPLETED)
                call_id = f"SIM-{contact.id}-{placed.attempt}"
                update = CallUpdate(
                    contact_id=contact.id,
                    attempt=placed.attempt,
                    status=status,
                    at=ended,
                    answered_by=draw.answered_by,
                    outcome=draw.outcome,
                    duration=draw.duration,
                    call_id=call_id,
                    from_number=placed.line.number if placed.line else None,
                    started_at=answered if connected else None,
                    ended_at=ended,
                )
                # Built without re-validation: every value above is valid by
                # construction (ids, the contact's E.164 number, UTC datetimes).
                call = _new_call(
                    _CALL_TEMPLATE,
                    call_id,
                    contact.id,
                    contact.phone,
                    placed.line.number if placed.line else "",
                    placed.attempt,
                    status,
                    draw.answered_by,
                    draw.outcome,
                    now,
                    answered if connected else None,
                    ended,
                    ended,
                    draw.duration,
                    campaign.id,
                )
                sequence += 1
                heapq.heappush(ends, (ended, sequence, update, call))
        wakeup = runner.next_wakeup() if len(ends) < max_concurrent else None
        next_end = ends[0][0] if ends else None
        candidates = [t for t in (wakeup, next_end) if t is not None]
        if not candidates:
            break
        now = max(now, min(candidates))
        while ends and ends[0][0] <= now:
            _, _, update, call = heapq.heappop(ends)
            runner.handle(update)
            calls.append(call)
            last = max(last, call.ended_at or now)
            if progress is not None and len(calls) % 256 == 0:
                counts = runner.counts
                progress(counts.created - counts.pending - counts.in_progress)
        # issue 15: nobody reads the notifications here, so take them out as they come
        notifications += len(runner.drain())
        if wakeup is not None and wakeup <= now and not (ends and ends[0][0] <= now):
            last = max(last, now)
    notifications += len(runner.drain())
    final_contacts = tuple(runner.contacts.values())
    stats = CampaignStats.from_records(calls, final_contacts).with_unknown(_not_modelled(model))
    counts = runner.counts
    unsettled = counts.pending + counts.in_progress
    finished = unsettled == 0 and not ends
    # Stopped early (before the horizon) with contacts left: nothing can be dialled and
    # no wake-up is due - e.g. no caller lines (issue 14: this was reported "finished").
    stuck = not finished and not ends and runner.next_wakeup() is None
    return SimulationResult(
        calls=tuple(calls),
        contacts=final_contacts,
        stats=stats,
        billing=billing,
        cost=stats.cost(billing),
        started_at=start,
        ended_at=last,
        finished=finished,
        seed=seed,
        stuck=stuck,
        blocked=runner.blocked if stuck else (),
        unsettled=unsettled,
        notifications=notifications,
    )


_NO_CONVERSATIONS = "the simulation does not model conversations"


def _not_modelled(model: OutcomeSource) -> dict[str, str]:
    """The figures a simulation with ``model`` cannot give (issue 13: not shown as 0.0%)."""
    reasons = {
        "conversion_rate": f"{_NO_CONVERSATIONS} (conversion)",
        "extracted_rate": f"{_NO_CONVERSATIONS} (extracted data)",
    }
    if isinstance(model, OutcomeModel):
        reasons["abandonment_rate"] = "the outcome model does not draw hang-ups"
    return reasons
