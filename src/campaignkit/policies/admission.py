"""`admit`: the one question the engine asks - may this contact be called now, and from
which line?

It combines every time policy: the compliance rules (contact-specific), the
campaign's `Schedule` and the contact's local window, `PacingPolicy` (with the
campaign's `PacingState`) and caller-ID rotation. The answer, an `Admission`,
is either *allowed* with the caller line to use, or *refused* with every
reason and the earliest instant at which all of them would allow the call.

How the engine uses it (``CampaignRunner.due(now)``), for each due contact in
order::

    admission = admit(contact, now, schedule=..., pacing=..., pacing_state=state,
                      rotation=..., compliance=..., lines=lines,
                      history=calls_of(contact), previous_line_id=last_line, rng=rng)
    if admission:                     # place the call from admission.line
        state = state.started(now, timezone=schedule.timezone)
        line = record_line_call(admission.line, now, timezone=schedule.timezone)
    elif admission.campaign_wide:     # schedule/pacing/lines: nobody can go now
        wake up at admission.campaign_retry_at (or on the next call ending)
    else:                             # this contact only: move it to retry_at
        contact.next_attempt_at = admission.retry_at   (None: leave it / settle it)

A retry whose delay lands outside a window is therefore moved to the next
opening rather than lost: pass the contact to `admit` at its due time and use
``retry_at``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Container, Sequence
from datetime import datetime
from typing import TypeAlias

import attrs

from .._fields import aware_utc
from ..errors import InvalidInput, shown
from ..models.records import CallerLine, Contact
from ..statuses import Channel
from .compliance import CompliancePolicy, History, earliest_clear, facts_for
from .pacing import PacingPolicy, PacingState
from .refusal import Refusal
from .rotation import RotationPolicy, RotationStrategy
from .schedule import Schedule, describe_windows, earliest_common, search_limit

__all__ = ["Admission", "admit"]

_RefusalsAt: TypeAlias = Callable[[datetime], list[Refusal]]
_DEFAULT_SCHEDULE = Schedule()
_DEFAULT_PACING = PacingPolicy()
_NO_PACING_STATE = PacingState()
_DEFAULT_ROTATION = RotationPolicy()
_NO_COMPLIANCE = CompliancePolicy()
_NOBODY: frozenset[str] = frozenset()


@attrs.frozen(weakref_slot=False)
class Admission:
    """The answer of `admit`: allowed with a caller line, or refused with reasons.

    Truthy exactly when allowed. When refused, ``refusals`` lists every rule
    that said no at ``now`` and ``retry_at`` is the earliest instant at which
    all of them (and every other rule) would allow the call, assuming nothing
    else changes; None when waiting alone never gets there (do-not-call, no
    usable line, every concurrent-call slot busy, windows that never overlap).
    """

    allowed: bool
    """True: place the call now."""
    line: CallerLine | None = None
    """The caller line to place it from (None when refused, or when no lines were given)."""
    refusals: tuple[Refusal, ...] = ()
    """Every refusal at ``now``; empty when allowed."""
    retry_at: datetime | None = None
    """When refused: the earliest instant every rule allows the call; None if never."""
    zones: tuple[str, ...] = ()
    """The contact's candidate time zones used for its local windows."""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def reasons(self) -> tuple[str, ...]:
        """The refusals' explanations, in words."""
        return tuple(r.reason for r in self.refusals)

    @property
    def campaign_wide(self) -> bool:
        """True when some refusal blocks every contact (schedule, pacing, caller lines):
        the engine need not try other contacts now."""
        return any(r.campaign_wide for r in self.refusals)

    @property
    def campaign_retry_at(self) -> datetime | None:
        """The latest ``retry_at`` among the campaign-wide refusals: no contact can be
        admitted before it. None when there are none or one has no ``retry_at``."""
        wide = [r.retry_at for r in self.refusals if r.campaign_wide]
        if not wide or any(t is None for t in wide):
            return None
        return max(t for t in wide if t is not None)


def admit(
    contact: Contact,
    now: datetime,
    *,
    schedule: Schedule = _DEFAULT_SCHEDULE,
    pacing: PacingPolicy = _DEFAULT_PACING,
    pacing_state: PacingState = _NO_PACING_STATE,
    rotation: RotationPolicy = _DEFAULT_ROTATION,
    compliance: CompliancePolicy = _NO_COMPLIANCE,
    lines: Sequence[CallerLine] | None = None,
    history: History = (),
    do_not_call: Container[str] = _NOBODY,
    channel: Channel = Channel.CALL,
    previous_line_id: str | None = None,
    rng: random.Random | None = None,
    zones: Sequence[str] | None = None,
) -> Admission:
    """May ``contact`` be called (or messaged) at ``now``, and from which line?

    Checks, all at ``now``: ``compliance`` (with the contact's past attempts
    ``history`` - `Call` or `Attempt` records - and the caller's ``do_not_call``
    set of E.164 numbers, always honoured); the campaign's ``schedule`` and its
    contact windows in every zone of the contact's number (``zones`` overrides
    them; the schedule's time zone is the fallback); ``pacing`` with the
    campaign's ``pacing_state`` (call interval and concurrency for calls, the
    daily send limit for WhatsApp); and caller lines. ``lines=None`` means the
    caller does not rotate lines (no line is assigned); a sequence - even
    empty - must yield a usable line under ``rotation``, with the daily cap
    ``pacing.max_calls_per_number_per_day`` counted in the schedule's time zone.

    When allowed, the line is chosen by ``rotation``: Round Robin continues
    after ``previous_line_id``, a sticky policy prefers ``contact.line_id``, and
    Weighted draws from ``rng``. Nothing is counted: after placing the call,
    the caller applies ``PacingState.started`` and `record_line_call`.

    Raises `InvalidInput` for a naive ``now``, malformed history or zones,
    duplicate line ids, or a Weighted rotation without ``rng``.
    """
    t = aware_utc(now)
    if type(channel) is not Channel:
        raise InvalidInput(f"channel must be a Channel; got {shown(channel)}")
    facts = facts_for(
        contact,
        history,
        zones=zones,
        fallback_timezone=schedule.timezone,
        do_not_call=do_not_call,
    )
    if lines is not None:
        lines = tuple(lines)
        if len({x.id for x in lines}) != len(lines):
            raise InvalidInput(f"caller lines must have distinct ids; got {[x.id for x in lines]}")
        if rotation.strategy is RotationStrategy.WEIGHTED and rng is None:
            raise InvalidInput("the weighted rotation strategy needs rng=random.Random(seed)")
    campaign_gate = schedule._gate()
    contact_gates = schedule._contact_gates_in(facts.zones)
    timezone = schedule.timezone
    cap = pacing.max_calls_per_number_per_day

    def refusals_at(u: datetime, with_lines: bool = True) -> list[Refusal]:
        out = list(compliance.refusals_at(facts, u))
        if not campaign_gate.is_open(u):
            opening = campaign_gate.next_change(
                u, True, search_limit(u, len(schedule.closed_dates))
            )
            if schedule.start_at is not None and u < schedule.start_at:
                why = f"the campaign starts at {schedule.start_at.isoformat()}"
            else:
                why = f"the campaign's hours ({schedule.describe()}, {timezone}) are closed"
            out.append(Refusal("schedule-closed", why, opening, campaign_wide=True))
        closed = [g.zone.key for g in contact_gates if not g.is_open(u)]
        if closed:
            out.append(
                Refusal(
                    "contact-window",
                    "outside the contact's local window "
                    f"({describe_windows(schedule.contact_windows)}) in {', '.join(closed)}",
                    earliest_common(contact_gates, u, search_limit(u)),
                )
            )
        out.extend(pacing.check(pacing_state, u, channel=channel, timezone=timezone))
        if with_lines and lines is not None:
            refusal = rotation.unavailable(lines, u, daily_cap=cap, timezone=timezone)
            if refusal is not None:
                out.append(refusal)
        return out

    refusals = refusals_at(t, with_lines=False)
    line = None
    if lines is not None:
        if refusals:  # explain the lines too, without drawing from rng
            refusal = rotation.unavailable(lines, t, daily_cap=cap, timezone=timezone)
            if refusal is not None:
                refusals.append(refusal)
        else:
            chosen = rotation.select(
                lines,
                t,
                daily_cap=cap,
                timezone=timezone,
                previous_line_id=previous_line_id,
                sticky_line_id=contact.line_id,
                rng=rng,
            )
            if isinstance(chosen, Refusal):
                refusals.append(chosen)
            else:
                line = chosen
    if not refusals:
        return Admission(True, line, (), None, facts.zones)
    return Admission(
        False, None, tuple(refusals), earliest_clear(refusals_at, t, refusals), facts.zones
    )
