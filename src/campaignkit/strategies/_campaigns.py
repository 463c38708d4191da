"""Strategies for goals, counts, call updates and whole campaign setups."""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypedDict

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..engine import CallUpdate, CampaignCounts
from ..models.goals import Goal, GoalKind, GoalOutcome, GoalResult, GoalSet
from ..models.records import CallerLine, Campaign, Contact
from ..policies.billing import BillingPolicy
from ..policies.compliance import (
    CompliancePolicy,
)
from ..policies.conversion import ConversionRule
from ..policies.cycles import CyclePolicy
from ..policies.messaging import MessagingTier, WhatsAppSettings
from ..policies.pacing import PacingPolicy
from ..policies.retry import RetryPolicy
from ..policies.rotation import RotationPolicy
from ..policies.schedule import Schedule
from ..runner.memory import CampaignRunner
from ..statuses import (
    AnsweredBy,
    CallStatus,
    Priority,
)
from ._common import (
    _EPOCH_MAX,
    _EPOCH_MIN,
    DEFAULT_REGIONS,
    DEFAULT_TIMEZONES,
    _check_choices,
    _check_flag,
    _check_int,
    _check_regions,
    _check_strategy,
    _check_tags,
    _check_window,
    _check_zones,
    _ids,
    _moments,
    _names,
)
from ._policies import (
    _DAY,
    billing_policies,
    compliance_policies,
    cycle_policies,
    pacing_policies,
    retry_policies,
    rotation_policies,
    schedules,
)
from ._records import caller_lines, phone_numbers

# --------------------------------------------------------------------------- goals and counts


def goals(
    *,
    kinds: Collection[GoalKind] = (GoalKind.SECONDARY, GoalKind.PRIMARY),
    archived: bool = True,
) -> st.SearchStrategy[Goal]:
    """`Goal` records of the given ``kinds``, archived or not (only active ones
    unless ``archived``).

    Shrinks towards an active goal of the first kind. Raises `InvalidArgument`
    for an empty or unknown kind list.
    """
    chosen = _check_choices("kinds", kinds, tuple(GoalKind))
    _check_flag("archived", archived)
    return st.builds(
        Goal,
        id=_ids,
        name=_names.filter(bool),
        description=_names,
        kind=st.sampled_from(chosen),
        archived=st.sampled_from([False, True]) if archived else st.just(False),
    )


def goal_sets(*, min_size: int = 1, max_size: int = 5) -> st.SearchStrategy[GoalSet]:
    """`GoalSet` records of ``min_size`` to ``max_size`` goals with distinct ids:
    exactly one active primary goal, the others secondary (some archived) or
    archived primaries.

    Raises `InvalidArgument` unless ``1 <= min_size <= max_size``.
    """
    _check_int("min_size", min_size, 1)
    _check_int("max_size", max_size, min_size)

    @st.composite
    def build(draw: st.DrawFn) -> GoalSet:
        drawn = draw(
            st.lists(goals(), min_size=min_size, max_size=max_size, unique_by=lambda g: g.id)
        )
        primary = draw(st.integers(0, len(drawn) - 1))
        fixed = []
        for i, goal in enumerate(drawn):
            if i == primary:
                goal = attrs.evolve(goal, kind=GoalKind.PRIMARY, archived=False)
            elif goal.is_primary:
                goal = attrs.evolve(goal, archived=True)
            fixed.append(goal)
        return GoalSet(tuple(fixed))

    return build()


def goal_results(
    *,
    goal_ids: Sequence[str] | None = None,
    outcomes: Collection[GoalOutcome] = tuple(GoalOutcome),
) -> st.SearchStrategy[GoalResult]:
    """`GoalResult` records for one of ``goal_ids`` (any id when None) with one of
    ``outcomes``; known results have a score 0-100 or none, unknown ones none.

    Shrinks towards an unscored result with the first outcome. Raises
    `InvalidArgument` for empty ``goal_ids`` or ``outcomes``.
    """
    chosen = _check_choices("outcomes", outcomes, tuple(GoalOutcome))
    if goal_ids is not None:
        ids = _check_tags("goal_ids", goal_ids)
        if not ids:
            raise InvalidArgument("goal_ids must not be empty; pass None for any id")
        id_strategy: st.SearchStrategy[str] = st.sampled_from(ids)
    else:
        id_strategy = _ids

    @st.composite
    def build(draw: st.DrawFn) -> GoalResult:
        outcome = draw(st.sampled_from(chosen))
        score = None if not outcome.known else draw(st.none() | st.integers(0, 100))
        return GoalResult(goal_id=draw(id_strategy), outcome=outcome, score=score)

    return build()


def campaign_counts(*, max_value: int = 100_000) -> st.SearchStrategy[CampaignCounts]:
    """`CampaignCounts` (Exotel's stats): six parts, each up to ``max_value``, and
    ``created`` their sum. Shrinks towards no contacts. Raises `InvalidArgument`
    for a negative ``max_value``."""
    _check_int("max_value", max_value, 0)
    part = st.integers(0, max_value)

    def build(parts: tuple[int, int, int, int, int, int]) -> CampaignCounts:
        completed, failed, pending, in_progress, busy, no_answer = parts
        return CampaignCounts(
            created=sum(parts),
            completed=completed,
            failed=failed,
            pending=pending,
            in_progress=in_progress,
            busy=busy,
            no_answer=no_answer,
        )

    return st.tuples(part, part, part, part, part, part).map(build)


def call_updates(
    *,
    contact_ids: Sequence[str] | None = None,
    max_attempt: int = 5,
    statuses: Collection[CallStatus] = tuple(CallStatus),
    min_value: datetime = _EPOCH_MIN,
    max_value: datetime = _EPOCH_MAX,
) -> st.SearchStrategy[CallUpdate]:
    """`CallUpdate` events (call-status webhooks) for one of ``contact_ids`` (any id
    when None), attempt 1 to ``max_attempt``, with a status from ``statuses``, an
    answered-by and duration when the status is completed.

    Raises `InvalidArgument` for empty ids or statuses, ``max_attempt < 1`` or a
    bad time window.
    """
    chosen = _check_choices("statuses", statuses, tuple(CallStatus))
    _check_int("max_attempt", max_attempt, 1)
    _check_window(min_value, max_value)
    ids: st.SearchStrategy[str] = _ids
    if contact_ids is not None:
        names = _check_tags("contact_ids", contact_ids)
        if not names:
            raise InvalidArgument("contact_ids must not be empty; pass None for any id")
        ids = st.sampled_from(names)

    @st.composite
    def build(draw: st.DrawFn) -> CallUpdate:
        status = draw(st.sampled_from(chosen))
        completed = status is CallStatus.COMPLETED
        return CallUpdate(
            contact_id=draw(ids),
            attempt=draw(st.integers(1, max_attempt)),
            status=status,
            at=draw(_moments(min_value, max_value)),
            answered_by=draw(st.sampled_from(AnsweredBy)) if completed else None,
            duration=draw(st.integers(0, 600)) if completed else None,
        )

    return build()


# --------------------------------------------------------------------------- whole campaigns

_TIME_POLICY_OPTIONS = ("schedule", "pacing", "rotation", "compliance", "lines")


def _distinct_ids(inst: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    ids = [item.id for item in value]
    if len(set(ids)) != len(ids):
        raise InvalidArgument(f"{attribute.name} must have distinct ids; got {ids}")


class RunnerOptions(TypedDict, total=False):
    """The keywords of `CampaignRunner` besides the campaign, ``retry`` and ``cycles``:
    what `CampaignSetup.runner_options` returns and `CampaignStateMachine.runner_options`
    and ``simulate(runner_options=...)`` take. Every key may be left out."""

    schedule: Schedule
    pacing: PacingPolicy
    rotation: RotationPolicy
    compliance: CompliancePolicy
    lines: Sequence[CallerLine]
    do_not_call: Iterable[str]
    rng: random.Random
    whatsapp: WhatsAppSettings
    tier: MessagingTier
    conversion: ConversionRule
    goals: GoalSet


@attrs.frozen(weakref_slot=False)
class CampaignSetup:
    """A whole campaign as a test needs it: the `Campaign` (pending, calls), its fresh
    contacts and every policy, generated together by `campaign_setups`.

    Raises `InvalidArgument` for repeated contact or line ids.
    """

    campaign: Campaign
    contacts: tuple[Contact, ...] = attrs.field(validator=_distinct_ids)
    retry: RetryPolicy
    cycles: CyclePolicy | None
    schedule: Schedule
    """In the campaign's time zone."""
    pacing: PacingPolicy | None
    """None: no call interval or concurrency cap."""
    rotation: RotationPolicy
    compliance: CompliancePolicy
    billing: BillingPolicy
    lines: tuple[CallerLine, ...] = attrs.field(validator=_distinct_ids)
    """The caller lines; empty: the dialer chooses."""

    def runner_options(self, *, rng: random.Random | None = None) -> RunnerOptions:
        """The time policies as keyword arguments of `CampaignRunner` (and of
        ``simulate(runner_options=...)``): ``schedule``, ``rotation``,
        ``compliance``, ``pacing`` and the ``lines`` when there are any (no
        lines: the dialer chooses), and ``rng`` (the Weighted rotation draws
        from it; default ``random.Random(0)``)."""
        options: RunnerOptions = {
            "schedule": self.schedule,
            "rotation": self.rotation,
            "compliance": self.compliance,
            "rng": random.Random(0) if rng is None else rng,
        }
        if self.pacing is not None:
            options["pacing"] = self.pacing
        if self.lines:
            options["lines"] = self.lines
        return options

    def runner(self, now: datetime, *, rng: random.Random | None = None) -> CampaignRunner:
        """A `CampaignRunner` for this setup with the contacts loaded at ``now`` (the
        campaign is then ready: call ``start``). Raises `InvalidInput` for a naive ``now``."""
        runner = CampaignRunner(
            self.campaign, retry=self.retry, cycles=self.cycles, **self.runner_options(rng=rng)
        )
        runner.add_contacts(self.contacts, now=now)
        return runner


def _numbered_contacts(specs: list[tuple[str, Priority, frozenset[str]]]) -> list[Contact]:
    """Fresh queued contacts ``c0``, ``c1``, ... from (phone, priority, tags) triples."""
    return [
        Contact(id=f"c{i}", phone=phone, priority=priority, tags=tags)
        for i, (phone, priority, tags) in enumerate(specs)
    ]


def _fresh_contacts(
    min_size: int, max_size: int, regions: tuple[str, ...]
) -> st.SearchStrategy[list[Contact]]:
    """Queued contacts never called, ids ``c0``, ``c1``, ... in order."""
    person = st.tuples(
        phone_numbers(regions=regions),
        st.sampled_from([Priority.NORMAL, Priority.HIGH, Priority.LOW]),
        st.frozensets(st.sampled_from(["vip", "invalid"]), max_size=1),
    )
    return st.lists(person, min_size=min_size, max_size=max_size).map(_numbered_contacts)


def campaign_setups(
    *,
    min_contacts: int = 1,
    max_contacts: int = 10,
    regions: Sequence[str] = DEFAULT_REGIONS,
    timezones: Collection[str] = DEFAULT_TIMEZONES,
    retry: st.SearchStrategy[RetryPolicy] | None = None,
    cycles: st.SearchStrategy[CyclePolicy | None] | None = None,
    time_policies: bool = True,
    max_lines: int = 3,
) -> st.SearchStrategy[CampaignSetup]:
    """Whole campaigns (`CampaignSetup`): a pending call `Campaign`, ``min_contacts`` to
    ``max_contacts`` fresh queued contacts with numbers from ``regions``, and a
    policy of every kind. ``retry`` and ``cycles`` replace the default strategies
    (`retry_policies` with small limits and waits up to a day; no loops or
    `cycle_policies` with up to 3 loops). Without ``time_policies`` the
    schedule, rotation and compliance are the defaults (always open, no rules)
    and there is no pacing; up to ``max_lines`` caller lines either way. The
    campaign's time zone is the schedule's, from ``timezones``.

    Raises `InvalidArgument` for bad sizes, regions or time zones, or
    ``retry`` / ``cycles`` that are not strategies.
    """
    _check_int("min_contacts", min_contacts, 0)
    _check_int("max_contacts", max_contacts, min_contacts)
    chosen = _check_regions(regions)
    zones = _check_zones("timezones", timezones)
    retry_strategy = _check_strategy("retry", retry)
    if retry_strategy is None:
        retry_strategy = retry_policies(
            max_retries=3, max_failed_retries=2, max_attempts=10, max_wait=_DAY
        )
    cycles_strategy = _check_strategy("cycles", cycles)
    if cycles_strategy is None:
        cycles_strategy = st.none() | cycle_policies(max_loops=3, max_cooldown=timedelta(hours=6))
    _check_flag("time_policies", time_policies)
    _check_int("max_lines", max_lines, 0)

    @st.composite
    def build(draw: st.DrawFn) -> CampaignSetup:
        if time_policies:
            schedule = draw(schedules(timezones=zones))
            pacing, rotation, compliance = (
                draw(st.none() | pacing_policies()),
                draw(rotation_policies()),
                draw(compliance_policies(regions=chosen)),
            )
        else:
            schedule = Schedule(timezone=draw(st.sampled_from(zones)))
            pacing, rotation, compliance = None, RotationPolicy(), CompliancePolicy()
        campaign = Campaign(
            id=draw(_ids),
            name=draw(_names.filter(bool)),
            timezone=schedule.timezone,
        )
        return CampaignSetup(
            campaign=campaign,
            contacts=tuple(draw(_fresh_contacts(min_contacts, max_contacts, chosen))),
            retry=draw(retry_strategy),
            cycles=draw(cycles_strategy),
            schedule=schedule,
            pacing=pacing,
            rotation=rotation,
            compliance=compliance,
            billing=draw(billing_policies()),
            lines=tuple(
                draw(st.lists(caller_lines(), max_size=max_lines, unique_by=lambda x: x.id))
            ),
        )

    return build()
