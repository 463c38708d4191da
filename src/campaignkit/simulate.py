"""Discrete-event simulation of whole campaigns, for notebooks and policy studies.

The simulation drives the real engine - the same reducers and policies a
service uses - with call outcomes drawn from a pluggable `OutcomeModel`. All
randomness comes from one seeded `random.Random`, so the same seed gives the
same run.

The default model is calibrated to seed 001's retry-effectiveness example:
60% of contacts connect on the first attempt, 25% of those retried connect on
the first retry, and about 17% on the second; later attempts decay further.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import attrs

from ._fields import aware_utc, replacer
from ._fields import zone as lookup_zone
from .billing import BillingPolicy
from .engine import CallUpdate
from .errors import InvalidConfig
from .metrics import CampaignStats
from .metrics._html import cell_text, html_table, text_table
from .models import Call, Campaign, Contact
from .policies.cycles import CyclePolicy
from .policies.refusal import Refusal
from .policies.retry import RetryPolicy
from .policies.schedule import contact_time_zones
from .runner import CampaignRunner
from .statuses import AnsweredBy, CallStatus, Outcome

__all__ = [
    "DEFAULT_BILLING",
    "Comparison",
    "OutcomeDraw",
    "OutcomeModel",
    "OutcomeSource",
    "SimulationResult",
    "compare",
    "simulate",
]


@attrs.frozen
class OutcomeDraw:
    """One simulated attempt's result: what happened, how long it lasted, who answered."""

    outcome: Outcome
    duration: int
    """Seconds from answer to hang-up (0 when nothing connected)."""
    answered_by: AnsweredBy | None
    ring_seconds: int
    """Seconds the phone rang (or the attempt took) before the outcome."""


class OutcomeSource(Protocol):
    """Anything that can draw an attempt's outcome: plug your own model in here."""

    def draw(self, rng: random.Random, *, attempt: int, local_time: datetime) -> OutcomeDraw:
        """The result of attempt number ``attempt`` placed at the callee's ``local_time``."""
        ...


def _probability(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise InvalidConfig(name, "a probability from 0 to 1", value)


# Relative answer propensity by local hour: low at dawn and late evening, peaks
# late morning and early evening. Normalised so business hours average 1.0.
_HOURS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.6, 0.8, 0.95, 1.1, 1.15,
    1.0, 0.9, 0.95, 1.0, 1.1, 1.15, 1.1, 0.95, 0.8, 0.6, 0.4, 0.3,
)  # fmt: skip
_WEEKDAYS = (1.0, 1.02, 1.02, 1.0, 0.96, 0.8, 0.7)  # Monday .. Sunday


def _business_mean(hours: Sequence[float], weekdays: Sequence[float]) -> float:
    day = sum(hours[9:18]) / 9
    week = sum(weekdays[:5]) / 5
    return day * week


@attrs.frozen
class OutcomeModel:
    """A parametric outcome model: connect probability by attempt, hour and weekday.

    The chance that attempt *n* connects is ``connect_by_attempt[n-1]`` (past the
    end of the tuple, the last value times ``later_decay`` per extra attempt),
    scaled by the callee's local hour and weekday weights, relative to the
    average weekday business hour (9:00-18:00), and capped at 0.95. A connected
    call is a person with probability ``human_share`` and voicemail otherwise;
    a call that does not connect is busy, unanswered or failed in the given
    proportions. Raises `InvalidConfig` for probabilities outside 0..1 or
    weights of the wrong length.
    """

    connect_by_attempt: tuple[float, ...] = (0.60, 0.25, 0.17)
    later_decay: float = 0.7
    human_share: float = 0.8
    busy_share: float = 0.2
    no_answer_share: float = 0.65
    failed_share: float = 0.15
    hour_weights: tuple[float, ...] = _HOURS
    weekday_weights: tuple[float, ...] = _WEEKDAYS
    human_seconds: tuple[int, int] = (20, 240)
    """Uniform range of a conversation's length."""
    voicemail_seconds: tuple[int, int] = (8, 40)

    def __attrs_post_init__(self) -> None:
        if not self.connect_by_attempt:
            raise InvalidConfig("connect_by_attempt", "at least one probability", ())
        for value in self.connect_by_attempt:
            _probability("connect_by_attempt", value)
        for name in ("later_decay", "human_share", "busy_share", "no_answer_share", "failed_share"):
            _probability(name, getattr(self, name))
        if abs(self.busy_share + self.no_answer_share + self.failed_share - 1.0) > 1e-9:
            raise InvalidConfig(
                "busy_share + no_answer_share + failed_share",
                "1.0",
                self.busy_share + self.no_answer_share + self.failed_share,
            )
        if len(self.hour_weights) != 24 or min(self.hour_weights) < 0:
            raise InvalidConfig("hour_weights", "24 non-negative weights", self.hour_weights)
        if len(self.weekday_weights) != 7 or min(self.weekday_weights) < 0:
            raise InvalidConfig("weekday_weights", "7 non-negative weights", self.weekday_weights)
        for name in ("human_seconds", "voicemail_seconds"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise InvalidConfig(name, "a range 0 <= low <= high", (low, high))

    def connect_probability(self, attempt: int, local_time: datetime) -> float:
        """The chance that attempt number ``attempt`` placed at ``local_time`` connects."""
        if attempt < 1:
            raise InvalidConfig("attempt", "an integer >= 1", attempt)
        table = self.connect_by_attempt
        if attempt <= len(table):
            base = table[attempt - 1]
        else:
            base = table[-1] * self.later_decay ** (attempt - len(table))
        scale = (
            self.hour_weights[local_time.hour]
            * self.weekday_weights[local_time.weekday()]
            / _business_mean(self.hour_weights, self.weekday_weights)
        )
        return min(0.95, base * scale)

    def draw(self, rng: random.Random, *, attempt: int, local_time: datetime) -> OutcomeDraw:
        """Draw one attempt's result with ``rng`` (three draws per attempt, always)."""
        connect, kind, length = rng.random(), rng.random(), rng.random()
        if connect < self.connect_probability(attempt, local_time):
            ring = 3 + int(length * 17)
            if kind < self.human_share:
                low, high = self.human_seconds
                return OutcomeDraw(
                    Outcome.HUMAN_CONVERSATION,
                    low + int(length * (high - low)),
                    AnsweredBy.HUMAN,
                    ring,
                )
            low, high = self.voicemail_seconds
            return OutcomeDraw(
                Outcome.VOICEMAIL, low + int(length * (high - low)), AnsweredBy.MACHINE, ring
            )
        if kind < self.busy_share:
            return OutcomeDraw(Outcome.BUSY, 0, None, 2)
        if kind < self.busy_share + self.no_answer_share:
            return OutcomeDraw(Outcome.NO_ANSWER, 0, None, 30)
        return OutcomeDraw(Outcome.FAILED, 0, None, 1)


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

    def summary(self) -> dict[str, Any]:
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

    def __repr__(self) -> str:
        row = self.summary()
        cells = [cell_text(row[name], kind) for name, kind in _COLUMNS[1:]]
        return text_table(f"Simulation (seed {self.seed})", [n for n, _ in _COLUMNS[1:]], [cells])

    def _repr_html_(self) -> str:
        row = self.summary()
        cells = [cell_text(row[name], kind) for name, kind in _COLUMNS[1:]]
        return html_table(f"Simulation (seed {self.seed})", [n for n, _ in _COLUMNS[1:]], [cells])


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
    runner_options: Mapping[str, Any] | None = None,
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
    runner = CampaignRunner(campaign, retry=retry, cycles=cycles, **dict(runner_options or {}))
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


# --------------------------------------------------------------------------- comparing


_COLUMNS = (
    ("policy", "text"),
    ("contacts", "int"),
    ("calls", "int"),
    ("connect_rate", "rate"),
    ("attempts_per_contact", "float"),
    ("cost", "money"),
    ("cost_per_connected_contact", "money"),
    ("elapsed_hours", "float"),
)


@attrs.frozen
class Comparison:
    """Several policies simulated on the same contacts and outcome draws, one row each.

    Each row averages the runs over the seeds given to `compare`.
    """

    rows: tuple[Mapping[str, Any], ...]
    seeds: tuple[int, ...]

    def to_records(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (``pandas.DataFrame(comparison.to_records())`` works)."""
        return [dict(row) for row in self.rows]

    def _cells(self) -> list[list[str]]:
        return [[cell_text(row[name], kind) for name, kind in _COLUMNS] for row in self.rows]

    def __repr__(self) -> str:
        title = f"Policy comparison (seeds {', '.join(map(str, self.seeds))})"
        return text_table(title, [name for name, _ in _COLUMNS], self._cells())

    def _repr_html_(self) -> str:
        title = f"Policy comparison (seeds {', '.join(map(str, self.seeds))})"
        return html_table(title, [name for name, _ in _COLUMNS], self._cells())


def _average(rows: Sequence[Mapping[str, Any]], name: str) -> Any:
    values = [row[name] for row in rows]
    if isinstance(values[0], Decimal):
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.0001"))
    if isinstance(values[0], bool):
        return all(values)
    mean = sum(values) / len(values)
    if isinstance(values[0], int):
        # Counts stay whole when every run agrees, else one decimal is plenty.
        return int(mean) if mean == int(mean) else round(mean, 1)
    return mean


def compare(
    policies: Mapping[str, RetryPolicy | Mapping[str, Any]],
    contacts: Iterable[Contact],
    *,
    start: datetime,
    model: OutcomeSource | None = None,
    seeds: Sequence[int] = (0,),
    **options: Any,
) -> Comparison:
    """Simulate each named policy on the same contacts and outcome draws, and tabulate.

    A policy is a `RetryPolicy`, or a mapping of `simulate` keyword arguments
    (``retry``, ``cycles``, ``runner_options``, ...). ``options`` are shared by
    every run (``billing``, ``max_concurrent``, ``horizon``, ``campaign``). A
    contact's n-th attempt draws the same random numbers under every policy, so
    differences come from the policies, not from luck. Answers "is a third
    retry worth it?" in one call. Raises `InvalidConfig` for no policies or no seeds.
    """
    if not policies:
        raise InvalidConfig("policies", "at least one named policy", policies)
    if not seeds:
        raise InvalidConfig("seeds", "at least one seed", seeds)
    people = tuple(contacts)
    rows = []
    for name, policy in policies.items():
        kwargs = {"retry": policy} if isinstance(policy, RetryPolicy) else dict(policy)
        runs = [
            simulate(people, start=start, model=model, seed=seed, **options, **kwargs).summary()
            for seed in seeds
        ]
        row: dict[str, Any] = {"policy": name}
        for column, _ in _COLUMNS[1:]:
            row[column] = _average(runs, column)
        rows.append(row)
    return Comparison(rows=tuple(rows), seeds=tuple(seeds))
