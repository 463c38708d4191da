"""Strategies for the engine's events, notifications and dials, the ledgers and the
state rows (`ContactState`, `CampaignState`) a service stores."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..engine import (
    CallStatusNotification,
    CallUpdate,
    CampaignStatusNotification,
    ContactCalledBack,
    ContactConverted,
    ContactFinalNotification,
    ConversationResult,
    Dial,
    Event,
    MessageUpdate,
    Notification,
    Round,
    Send,
    dial,
    send_message,
)
from ..machines import MESSAGE_STATUSES
from ..models.goals import GoalResult
from ..models.records import Call
from ..models.state import CampaignState, ContactState, Halt
from ..policies.admission import Admission
from ..policies.compliance import Attempt
from ..policies.conversion import Extraction
from ..policies.pacing import PacingState
from ..policies.refusal import Refusal
from ..statuses import (
    CallStatus,
    CampaignStatus,
    Channel,
    ContactStatus,
    Outcome,
)
from ._campaigns import call_updates, campaign_counts, goal_results
from ._common import (
    _EPOCH_MAX,
    _EPOCH_MIN,
    DEFAULT_REGIONS,
    _check_choices,
    _check_flag,
    _check_int,
    _check_regions,
    _check_tags,
    _check_window,
    _ids,
    _moments,
    _names,
    _scalar_maps,
    _tags,
)
from ._records import caller_lines, calls, campaigns, contacts
from ._settings import message_templates

EVENT_KINDS: tuple[type[Event], ...] = (
    CallUpdate,
    MessageUpdate,
    ContactCalledBack,
    ContactConverted,
    ConversationResult,
)
"""The event records `CampaignRunner.handle` takes, in the order `events` shrinks through."""

NOTIFICATION_KINDS: tuple[type[Notification], ...] = (
    CallStatusNotification,
    ContactFinalNotification,
    CampaignStatusNotification,
)
"""The notification records the steps emit, in the order `notifications` shrinks through."""

_reasons = _names.filter(str.strip)
_rule_codes = st.sampled_from(
    ["schedule-closed", "quiet-hours", "frequency-cap", "pacing", "do-not-call", "no-line"]
)


def _contact_ids(contact_ids: Sequence[str] | None) -> st.SearchStrategy[str]:
    if contact_ids is None:
        return _ids
    names = _check_tags("contact_ids", contact_ids)
    if not names:
        raise InvalidArgument("contact_ids must not be empty; pass None for any id")
    return st.sampled_from(names)


# --------------------------------------------------------------------------- events


def events(
    *,
    kinds: Collection[type[Event]] = EVENT_KINDS,
    contact_ids: Sequence[str] | None = None,
    min_value: datetime = _EPOCH_MIN,
    max_value: datetime = _EPOCH_MAX,
) -> st.SearchStrategy[Event]:
    """The events a runner handles, of the given ``kinds`` (`CallUpdate`, `MessageUpdate`,
    `ContactCalledBack`, `ContactConverted`, `ConversationResult`), for one of
    ``contact_ids`` (any id when None), happening between ``min_value`` and ``max_value``.

    Call updates are `call_updates`; message updates carry a message status;
    conversation results carry goal results with distinct goal ids, JSON-scalar
    extracted fields and tags every export accepts. Shrinks towards the first
    kind. Raises `InvalidArgument` for an empty or unknown kind list, empty ids
    or a bad time window.
    """
    chosen = _check_choices("kinds", kinds, EVENT_KINDS)
    _check_window(min_value, max_value)
    ids = _contact_ids(contact_ids)
    at = _moments(min_value, max_value)
    builders: dict[type[Event], st.SearchStrategy[Event]] = {
        CallUpdate: call_updates(contact_ids=contact_ids, min_value=min_value, max_value=max_value),
        MessageUpdate: st.builds(
            MessageUpdate,
            contact_id=ids,
            status=st.sampled_from(sorted(MESSAGE_STATUSES, key=list(ContactStatus).index)),
            at=at,
        ),
        ContactCalledBack: st.builds(
            ContactCalledBack, contact_id=ids, outcome=st.sampled_from(Outcome), at=at
        ),
        ContactConverted: st.builds(ContactConverted, contact_id=ids, at=at),
        ConversationResult: st.builds(
            ConversationResult,
            contact_id=ids,
            at=at,
            conversation_id=st.none() | _ids,
            goal_results=st.lists(goal_results(), max_size=3, unique_by=lambda r: r.goal_id).map(
                tuple
            ),
            extracted=_scalar_maps,
            tags=st.frozensets(_tags, max_size=3),
        ),
    }
    ordered = sorted(chosen, key=EVENT_KINDS.index)
    return st.one_of([builders[kind] for kind in ordered])


# --------------------------------------------------------------------------- notifications


@st.composite
def _call_notice(draw: st.DrawFn, regions: tuple[str, ...]) -> CallStatusNotification:
    call = draw(calls(regions=regions))
    status = call.status
    outcome = call.result
    assert outcome is not None  # calls() draws ended calls only
    return CallStatusNotification(
        contact_id=call.contact_id,
        call_id=call.id,
        to=call.to,
        attempt=call.attempt,
        status=status,
        outcome=outcome,
        at=call.updated_at or draw(_moments(_EPOCH_MIN, _EPOCH_MAX)),
        duration=call.duration,
        answered_by=call.answered_by,
        created_at=call.created_at,
        campaign_id=draw(st.none() | _ids),
    )


@st.composite
def _final_notice(draw: st.DrawFn, regions: tuple[str, ...]) -> ContactFinalNotification:
    contact = draw(contacts(regions=regions))
    return ContactFinalNotification(
        contact_id=contact.id,
        to=contact.phone,
        status=draw(st.sampled_from(ContactStatus)),
        at=draw(_moments(_EPOCH_MIN, _EPOCH_MAX)),
        attempts=contact.attempts,
        outcome=draw(st.none() | st.sampled_from(Outcome)),
        cycle=draw(st.integers(0, 3)),
        exhausted=draw(st.booleans()),
        campaign_id=draw(st.none() | _ids),
        reason=draw(st.none() | _reasons),
    )


@st.composite
def _campaign_notice(draw: st.DrawFn) -> CampaignStatusNotification:
    status, previous = draw(st.lists(st.sampled_from(CampaignStatus), min_size=2, max_size=2))
    return CampaignStatusNotification(
        campaign_id=draw(_ids),
        status=status,
        previous=previous,
        counts=draw(campaign_counts(max_value=1000)),
        at=draw(_moments(_EPOCH_MIN, _EPOCH_MAX)),
        cycle=draw(st.integers(0, 5)),
    )


def notifications(
    *,
    kinds: Collection[type[Notification]] = NOTIFICATION_KINDS,
    regions: Sequence[str] = DEFAULT_REGIONS,
) -> st.SearchStrategy[Notification]:
    """The notifications the steps emit, of the given ``kinds``
    (`CallStatusNotification`, `ContactFinalNotification`,
    `CampaignStatusNotification`), with numbers from ``regions``; every one
    round-trips through ``to_dict`` and `notification_from_dict`.

    A call notification describes an ended `calls` record (its outcome is the
    call's result). Shrinks towards the first kind. Raises `InvalidArgument`
    for an empty or unknown kind list or bad regions.
    """
    chosen = _check_choices("kinds", kinds, NOTIFICATION_KINDS)
    places = _check_regions(regions)
    builders: dict[type[Notification], st.SearchStrategy[Notification]] = {
        CallStatusNotification: _call_notice(places),
        ContactFinalNotification: _final_notice(places),
        CampaignStatusNotification: _campaign_notice(),
    }
    return st.one_of([builders[kind] for kind in sorted(chosen, key=NOTIFICATION_KINDS.index)])


def dials(*, regions: Sequence[str] = DEFAULT_REGIONS) -> st.SearchStrategy[Dial]:
    """`Dial` records made by `campaignkit.engine.dial` itself: a contact in status
    dialing whose lifetime ``attempts`` is the dial's ``attempt``, from a caller
    line or none. Raises `InvalidArgument` for bad regions."""
    return st.builds(
        dial,
        contacts(regions=_check_regions(regions), max_attempts=9),
        now=_moments(_EPOCH_MIN, _EPOCH_MAX),
        line=st.none() | caller_lines(),
    )


def sends(*, regions: Sequence[str] = DEFAULT_REGIONS) -> st.SearchStrategy[Send]:
    """`Send` records made by `campaignkit.engine.send_message` itself: a WhatsApp
    message to a contact now ``sending``, with a template or none (the campaign's
    first). Raises `InvalidArgument` for bad regions."""
    return st.builds(
        send_message,
        contacts(regions=_check_regions(regions), max_attempts=9),
        now=_moments(_EPOCH_MIN, _EPOCH_MAX),
        template=st.none() | message_templates(),
    )


# --------------------------------------------------------------------------- ledgers


def attempts(
    *, min_value: datetime = _EPOCH_MIN, max_value: datetime = _EPOCH_MAX
) -> st.SearchStrategy[Attempt]:
    """Compliance ledger `Attempt` records placed between ``min_value`` and
    ``max_value``: an outcome or none, an end up to an hour after the start or
    none, abandoned or not. Shrinks towards an attempt of unknown outcome.
    Raises `InvalidArgument` for a bad time window."""
    _check_window(min_value, max_value)

    @st.composite
    def build(draw: st.DrawFn) -> Attempt:
        at = draw(_moments(min_value, max_value))
        length = draw(st.none() | st.integers(0, 3600))
        return Attempt(
            at=at,
            outcome=draw(st.none() | st.sampled_from(Outcome)),
            ended_at=None if length is None else at + timedelta(seconds=length),
            abandoned=draw(st.booleans()),
        )

    return build()


def extractions(
    *, min_value: datetime = _EPOCH_MIN, max_value: datetime = _EPOCH_MAX
) -> st.SearchStrategy[Extraction]:
    """`Extraction` records: a conversation id, when it took place and up to four
    JSON-scalar fields. Raises `InvalidArgument` for a bad time window."""
    _check_window(min_value, max_value)
    return st.builds(
        Extraction,
        conversation_id=_ids,
        at=_moments(min_value, max_value),
        fields=_scalar_maps,
    )


def pacing_states(*, max_in_flight: int = 100) -> st.SearchStrategy[PacingState]:
    """`PacingState` records: up to ``max_in_flight`` calls in flight, the last start
    and today's count on its day (or a fresh state). Shrinks towards
    ``PacingState()``. Raises `InvalidArgument` for a negative ``max_in_flight``."""
    _check_int("max_in_flight", max_in_flight, 0)

    @st.composite
    def build(draw: st.DrawFn) -> PacingState:
        last = draw(st.none() | _moments(_EPOCH_MIN, _EPOCH_MAX))
        return PacingState(
            in_flight=draw(st.integers(0, max_in_flight)),
            last_started_at=last,
            sent_today=draw(st.integers(0, 10_000)) if last is not None else 0,
            counted_on=last.date() if last is not None else None,
        )

    return st.one_of(st.just(PacingState()), build())


def refusals(*, campaign_wide: bool | None = None) -> st.SearchStrategy[Refusal]:
    """`Refusal` records: a rule code, a reason in words, an optional retry time;
    campaign-wide or about one contact (either when ``campaign_wide`` is None)."""
    if campaign_wide is not None and type(campaign_wide) is not bool:
        raise InvalidArgument(f"campaign_wide must be True, False or None; got {campaign_wide!r}")
    wide = st.booleans() if campaign_wide is None else st.just(campaign_wide)
    return st.builds(
        Refusal,
        rule=_rule_codes,
        reason=_reasons,
        retry_at=st.none() | _moments(_EPOCH_MIN, _EPOCH_MAX),
        campaign_wide=wide,
    )


def halts() -> st.SearchStrategy[Halt]:
    """`Halt` records: a time (or none: until an event) and 1-2 campaign-wide refusals
    whose latest retry time is the halt's."""

    @st.composite
    def build(draw: st.DrawFn) -> Halt:
        found = draw(st.lists(refusals(campaign_wide=True), min_size=1, max_size=2))
        times = [r.retry_at for r in found]
        until = None if None in times else max(t for t in times if t is not None)
        return Halt(until, tuple(found))

    return build()


def admissions() -> st.SearchStrategy[Admission]:
    """`Admission` answers as `admit` gives them: allowed (with a caller line or
    none, no refusals) or refused (1-3 refusals, no line, the latest of their
    retry times or none when one never lifts)."""

    @st.composite
    def build(draw: st.DrawFn) -> Admission:
        zones = tuple(draw(st.lists(st.sampled_from(["America/Mexico_City", "UTC"]), max_size=1)))
        if draw(st.booleans()):
            return Admission(True, line=draw(st.none() | caller_lines()), zones=zones)
        found = tuple(draw(st.lists(refusals(), min_size=1, max_size=3)))
        times = [r.retry_at for r in found]
        until = None if None in times else max(t for t in times if t is not None)
        return Admission(False, refusals=found, retry_at=until, zones=zones)

    return build()


# --------------------------------------------------------------------------- state rows

_LIVE = (CallStatus.QUEUED, CallStatus.RINGING, CallStatus.IN_PROGRESS)


@st.composite
def _contact_state(draw: st.DrawFn, regions: tuple[str, ...], ledger: bool) -> ContactState:
    contact = draw(contacts(regions=regions, statuses=tuple(ContactStatus)))
    call: Call | None = None
    line_id = None
    if contact.status is ContactStatus.DIALING:
        # A dialling contact has its call in flight, for its current attempt.
        contact = attrs.evolve(contact, attempts=max(contact.attempts, 1), next_attempt_at=None)
        placed = draw(calls(statuses=_LIVE, regions=regions, max_attempt=contact.attempts))
        call = attrs.evolve(
            placed, contact_id=contact.id, to=contact.phone, attempt=contact.attempts
        )
        line_id = draw(st.none() | _ids)
    callback = draw(st.none() | _moments(_EPOCH_MIN, _EPOCH_MAX)) if ledger else None
    reported = None if callback is None else draw(_moments(_EPOCH_MIN, _EPOCH_MAX))
    results: list[GoalResult] = (
        draw(st.lists(goal_results(), max_size=2, unique_by=lambda r: r.goal_id)) if ledger else []
    )
    return ContactState(
        contact,
        call=call,
        line_id=line_id,
        callback_at=callback,
        callback_reported_at=reported,
        history=tuple(draw(st.lists(attempts(), max_size=3))) if ledger else (),
        extractions=tuple(draw(st.lists(extractions(), max_size=2))) if ledger else (),
        goals={r.goal_id: r for r in results},
        refused=draw(st.none() | _reasons) if ledger else None,
    )


def contact_states(
    *, regions: Sequence[str] = DEFAULT_REGIONS, ledger: bool = True
) -> st.SearchStrategy[ContactState]:
    """`ContactState` rows: a `contacts` record in any status - a dialling one with its
    call in flight for its current attempt - and, with ``ledger``, a pending
    callback request, past attempts, conversations' extractions, goal results and
    a refusal reason. Every row round-trips through ``to_dict``/``from_dict``.

    Shrinks towards a bare ``ContactState(contact)``. Raises `InvalidArgument`
    for bad regions.
    """
    places = _check_regions(regions)
    _check_flag("ledger", ledger)
    return _contact_state(places, ledger)


def campaign_states(*, max_lines: int = 3) -> st.SearchStrategy[CampaignState]:
    """`CampaignState` rows: a `campaigns` record, no caller lines or (not on WhatsApp) up
    to ``max_lines`` with distinct ids (the last used one of them), a `pacing_states`
    record, loop start times in order, the next loop time and a `halts` record or
    none. Round-trips through ``to_dict``/``from_dict``. Raises `InvalidArgument`
    for a negative ``max_lines``."""
    _check_int("max_lines", max_lines, 0)

    @st.composite
    def build(draw: st.DrawFn) -> CampaignState:
        campaign = draw(campaigns())
        # A WhatsApp campaign sends from its WhatsApp line: `setup` refuses caller lines.
        lines = (
            None
            if campaign.channel is Channel.WHATSAPP
            else draw(
                st.none()
                | st.lists(caller_lines(), max_size=max_lines, unique_by=lambda x: x.id).map(tuple)
            )
        )
        previous = draw(st.none() | st.sampled_from([x.id for x in lines])) if lines else None
        starts = sorted(draw(st.lists(_moments(_EPOCH_MIN, _EPOCH_MAX), max_size=2)))
        return CampaignState(
            campaign,
            lines=lines,
            pacing=draw(pacing_states()),
            previous_line_id=previous,
            loop_starts=tuple(starts),
            next_loop_at=draw(st.none() | _moments(_EPOCH_MIN, _EPOCH_MAX)),
            halt=draw(st.none() | halts()),
        )

    return build()


def rounds() -> st.SearchStrategy[Round]:
    """`Round` records as `open_round` gives them: a campaign state, room for some
    proposals (None: no limit; 0 when blocked) and whether the round is blocked."""

    @st.composite
    def build(draw: st.DrawFn) -> Round:
        blocked = draw(st.booleans())
        room = 0 if blocked else draw(st.none() | st.integers(0, 100))
        return Round(draw(campaign_states()), room, blocked)

    return build()
