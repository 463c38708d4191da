"""The decision layer: every campaign rule as a pure step over one contact row.

Theory of operation
-------------------
A service that keeps its contacts in a database stores one `ContactState` per
contact and one `CampaignState` for the campaign (``campaignkit.models.state``),
with the campaign's `CampaignRules`. Everything that changes a status or a
next-attempt time happens in the functions of this module, and nowhere else:
`CampaignRunner` (in memory) and the stores (``campaignkit.stores``) only load
rows, call a step, save what it returns, index the due time and queue the
notifications. The equivalence tests run the same events through the runner and
the SQLite store and compare everything.

Each contact step takes ``(state, ..., campaign, rules)`` and returns a `Step`:
the new contact state, the new campaign state, the notifications to deliver,
and - for `propose` - the `Dial` to place. A step never mutates its arguments,
so one that raises has changed nothing; a store commits what it returns in one
transaction.

Contact steps
~~~~~~~~~~~~~
* `propose` - a due contact (queued, retrying) passes admission: dialled (or,
  on WhatsApp, sent a message), postponed to when the rules allow it, refused
  for good (settled as failed, never re-queued), or the campaign halts (a closed
  window, a full pacing slot: nobody can be admitted now).
* `apply_event` - a `CallUpdate`, `MessageUpdate`, `ConversationResult`,
  `ContactCalledBack` or `ContactConverted` for the contact. Duplicated, stale
  and out-of-order reports change nothing.
* `settle` - a held outcome whose completion window closed, a failed message,
  or a delivered message that got no reply within the response window.
* `close` - the contact side of a force-complete. `requeue` - a new loop.

Campaign steps
~~~~~~~~~~~~~~
* `command` (start, pause, resume, cancel, force-complete), `advance` (a
  scheduled campaign opens, a cooldown ends), `end_cycle` (when nothing is
  pending: cooldown before the next loop, or finish), `open_round` and
  `close_round` (before and after a round of `propose`: a halt that still
  holds, the WhatsApp daily limit and tier), `update_line`.

What a store keeps besides the rows: an index on ``next_attempt_at`` split by
`queue_lane` (the contacts to dial, and the held outcomes to settle), a tally of
contacts by `contact_bucket` for `CampaignCounts`, and - for a WhatsApp tier -
the sends of the last 24 hours.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, NamedTuple, TypedDict, Unpack, cast

import attrs

from .._fields import aware_utc, replacer
from ..errors import InvalidConfig, InvalidInput, shown
from ..machines import CALL_MACHINE, CAMPAIGN_MACHINE, CONTACT_MACHINE, CampaignEvent, ContactEvent
from ..models.goals import GoalResult, GoalSet, combine_goal_results
from ..models.records import Call, CallerLine, Campaign, Contact
from ..models.state import CampaignState, ContactState, Halt
from ..policies.admission import admit
from ..policies.billing import BillingPolicy
from ..policies.compliance import Attempt, CompliancePolicy
from ..policies.conversion import (
    ConversionKind,
    ConversionRule,
    Extraction,
    add_tags,
    is_converted,
    merge_extracted,
    schedule_callback,
)
from ..policies.cycles import CyclePolicy
from ..policies.messaging import (
    SERVICE_WINDOW,
    MessagingTier,
    WhatsAppSettings,
    check_consent,
    check_retry_loops,
    effective_daily_limit,
)
from ..policies.messaging import sends_remaining as _sends_remaining
from ..policies.pacing import PacingPolicy, PacingState, counted_today, daily_send_refusal
from ..policies.refusal import Refusal
from ..policies.retry import RetryPolicy
from ..policies.rotation import RotationPolicy, RotationStrategy, record_line_call
from ..policies.rules import CampaignRules
from ..policies.schedule import Schedule, local_day, zone_of
from ..statuses import CallStatus, CampaignStatus, Channel, ContactStatus, Outcome
from .reducers import (
    CallUpdate,
    CampaignCommand,
    CampaignCounts,
    ContactCalledBack,
    ContactConverted,
    ConversationResult,
    Dial,
    Event,
    MessageUpdate,
    Notification,
    apply_call,
    apply_called_back,
    apply_command,
    apply_message_update,
    close_contact,
    dial,
    enqueue,
    finalize_outcome,
    mark_converted,
    move_campaign,
    open_campaign,
    postpone,
    refuse_contact,
    send_message,
    settle_message,
    settle_no_response,
)

__all__ = [
    "DIAL_LANE",
    "SETTLE_LANE",
    "Round",
    "SetupPolicies",
    "Step",
    "advance",
    "apply_event",
    "check_loading",
    "check_setup",
    "close",
    "close_round",
    "command",
    "cycle_may_end",
    "end_cycle",
    "is_held",
    "load_contact",
    "load_contacts",
    "loop_eligible",
    "open_round",
    "propose",
    "queue_lane",
    "requeue",
    "send_window_start",
    "settle",
    "setup",
    "update_line",
]

_K = ContactStatus
_WAITING = frozenset({_K.QUEUED, _K.RETRYING})
_NOT_LOADABLE = frozenset({_K.DIALING, _K.SENDING})
_AWAITING_REPLY = frozenset({_K.SENT, _K.DELIVERED, _K.READ})
_CONVERTIBLE = frozenset(s for (s, e) in CONTACT_MACHINE.table if e is ContactEvent.CONVERT)
_CALL_ENDED = CALL_MACHINE.terminal
_MICROSECOND = timedelta(microseconds=1)
_EVENTS = frozenset(
    {CallUpdate, MessageUpdate, ConversationResult, ContactCalledBack, ContactConverted}
)
# The time of the fields a contact was loaded with: older than any conversation.
_LOADED_AT = datetime(1970, 1, 1, tzinfo=UTC)
_TEMPLATE_CALL = Call(id="template", contact_id="template", to="+10000000000")
_TEMPLATE_CONTACT = Contact(id="template", phone="+10000000000")
# Call(...) and Call updates with every value already validated (see `propose`).
_new_call = replacer(
    Call, "id", "contact_id", "to", "from_number", "attempt", "created_at", "campaign_id"
)
_reported = replacer(
    Call,
    "status",
    "updated_at",
    "answered_by",
    "outcome",
    "duration",
    "from_number",
    "recording_url",
)
_reported_in_full = replacer(
    Call,
    "status",
    "updated_at",
    "answered_by",
    "outcome",
    "duration",
    "from_number",
    "recording_url",
    "id",
    "started_at",
    "ended_at",
)
_awaiting_reply = replacer(Contact, "next_attempt_at")
# Rows rebuilt with values the reducers and the events already validated: a webhook's
# cost is dominated by record construction, and attrs.evolve re-runs every converter.
_row_contact = replacer(ContactState, "contact")
_LOADED_ROW = ContactState(_TEMPLATE_CONTACT)
_row_call = replacer(ContactState, "call")
_row_dialled = replacer(ContactState, "contact", "call", "line_id", "ended", "before_end")
_row_sent = replacer(ContactState, "contact", "history")
_row_ended = replacer(ContactState, "contact", "call", "line_id", "history", "ended", "before_end")
_with_answerer = replacer(Call, "answered_by")
_row_callback = replacer(ContactState, "callback_at", "callback_reported_at")
_campaign_pacing = replacer(CampaignState, "pacing")
_NO_PACING = PacingState()
_ANY_PACING = PacingPolicy()
_ANY_ROTATION = RotationPolicy()
_NO_COMPLIANCE = CompliancePolicy()

DIAL_LANE: Final = 1
"""`queue_lane` of a contact waiting for its next attempt (queued, retrying)."""
SETTLE_LANE: Final = 0
"""`queue_lane` of a contact whose held outcome settles at ``next_attempt_at``."""


class Step(NamedTuple):
    """What a step decided: the contact's new state, the campaign's, the notifications
    to deliver and, from `propose`, the call to place or message to send.

    ``halted`` (from `propose` only) means nobody can be admitted now: the contact
    is unchanged and the round of proposals ends. A plain named tuple: a step is
    taken per webhook, and building it must cost next to nothing.
    """

    state: ContactState
    """The contact's state after the step (the same object when nothing changed)."""
    campaign: CampaignState
    """The campaign's state after the step (the same object when nothing changed)."""
    notifications: tuple[Notification, ...] = ()
    """Notifications to deliver, oldest first."""
    dial: Dial | None = None
    """The call to place or message to send (`propose`)."""
    halted: bool = False
    """`propose` only: the campaign halted; stop proposing this round."""


@attrs.frozen(weakref_slot=False)
class Round:
    """The start of a round of `propose` (`open_round`): the campaign's state, how many
    proposals it may make (None: no limit) and whether it is blocked (no proposal)."""

    campaign: CampaignState
    """The campaign's state (a halt cleared or set)."""
    room: int | None
    """At most this many proposals this round; None for no limit."""
    blocked: bool
    """True: propose nothing this round."""


# --------------------------------------------------------------------------- set-up


def check_setup(
    campaign: CampaignState, rules: CampaignRules, *, rng: random.Random | None = None
) -> None:
    """Check that ``rules`` fit the campaign: a WhatsApp campaign has settings with
    consent, no cycles and no caller lines; a call campaign has no WhatsApp options;
    a Weighted rotation over lines has ``rng``.

    Raises `InvalidInput` for a WhatsApp campaign without settings or a Weighted
    rotation without ``rng``, `InvalidConfig` for the other mismatches.
    """
    record = campaign.campaign
    if record.channel is Channel.WHATSAPP:
        settings = rules.whatsapp
        if settings is None:
            raise InvalidInput(
                "CampaignRunner drives call campaigns, and WhatsApp campaigns given "
                f"whatsapp=WhatsAppSettings(...); {shown(record.id)} is "
                f"{shown(record.channel.value)} and has none"
            )
        check_consent(settings)
        # seed 004: one daily send limit, WhatsAppSettings.daily_limit; a deprecated
        # pacing.whatsapp_daily_limit that differs is refused (issue 18)
        effective_daily_limit(settings, rules.pacing)
        check_retry_loops(record.channel, enabled=rules.cycles is not None)
        if campaign.lines is not None:
            raise InvalidConfig(
                "lines",
                "None for a WhatsApp campaign (it sends from its WhatsApp line)",
                list(campaign.lines),
            )
    elif rules.whatsapp is not None or rules.tier is not None:
        raise InvalidConfig(
            "whatsapp",
            "None for a call campaign",
            rules.whatsapp if rules.tier is None else rules.tier,
        )
    rotation = rules.rotation or _ANY_ROTATION
    weighted = rotation.strategy is RotationStrategy.WEIGHTED
    if weighted and campaign.lines is not None and rng is None:
        raise InvalidInput("the weighted rotation strategy needs rng=random.Random(seed)")


class SetupPolicies(TypedDict, total=False):
    """The policies `setup` takes as keywords instead of ``rules``: the fields of
    `CampaignRules`, each of which may be left out or None (``retry`` then defaults to
    ``RetryPolicy()``, ``do_not_call`` to nobody)."""

    retry: RetryPolicy | None
    cycles: CyclePolicy | None
    schedule: Schedule | None
    pacing: PacingPolicy | None
    rotation: RotationPolicy | None
    compliance: CompliancePolicy | None
    do_not_call: Iterable[str] | None
    whatsapp: WhatsAppSettings | None
    tier: MessagingTier | None
    conversion: ConversionRule | None
    goals: GoalSet | None
    billing: BillingPolicy | None


def setup(
    campaign: Campaign,
    *,
    rules: CampaignRules | None = None,
    lines: Sequence[CallerLine] | None = None,
    rng: random.Random | None = None,
    **policies: Unpack[SetupPolicies],
) -> tuple[CampaignRules, CampaignState]:
    """The rules and the first campaign row of a new campaign, checked together.

    ``rules`` is a `CampaignRules`; or leave it None and give the policies as
    keywords (``retry``, ``cycles``, ``schedule``, ``pacing``, ``rotation``,
    ``compliance``, ``do_not_call``, ``whatsapp``, ``tier``, ``conversion``,
    ``goals``, ``billing``), which build it. ``lines`` are the caller lines to
    rotate (None: the dialer chooses). Raises `InvalidInput` for arguments of the
    wrong type or rules given twice, and what `check_setup` raises.
    """
    if type(campaign) is not Campaign:
        raise InvalidInput(f"campaign must be a Campaign; got {shown(campaign)}")
    given = {k: v for k, v in policies.items() if v is not None and v != frozenset()}
    if rules is None:
        if policies.get("retry") is None:
            policies["retry"] = RetryPolicy()
        if policies.get("do_not_call") is None:
            policies.pop("do_not_call", None)
        # None was just replaced or dropped for the two fields that refuse it; the
        # rest are None-or-policy, and CampaignRules' validators check each one.
        rules = CampaignRules(**cast(dict[str, Any], policies))
    elif type(rules) is not CampaignRules:
        raise InvalidInput(f"rules must be a CampaignRules; got {shown(rules)}")
    elif given:
        raise InvalidInput("give either rules= or the policies as keywords, not both")
    if rng is not None and not isinstance(rng, random.Random):
        raise InvalidInput(f"rng must be a Random or None; got {shown(rng)}")
    if lines is not None and (isinstance(lines, str) or not isinstance(lines, Iterable)):
        raise InvalidInput(f"lines must be a sequence of CallerLine; got {shown(lines)}")
    state = CampaignState(campaign, lines=None if lines is None else tuple(lines))
    check_setup(state, rules, rng=rng)
    return rules, state


def send_window_start(now: datetime) -> datetime:
    """The oldest send that still counts against the messaging tier at ``now``: the
    tier caps unique recipients over a rolling 24 hours (sends at or before the
    returned time no longer count)."""
    return now - SERVICE_WINDOW


def load_contact(
    contact: Contact, *, now: datetime, campaign: Campaign | None = None
) -> ContactState:
    """The state of a contact being loaded at ``now`` (into ``campaign``, when given):
    queued and retrying ones without a time become due at ``now``.

    Raises `InvalidInput` for a non-`Contact`, a contact in a call (no call to
    follow) or an awaiting contact without its held outcome and deadline;
    `InvalidConfig` for a contact the campaign refuses (`Campaign.check_contact`:
    a voice override on a WhatsApp campaign, seed 004).
    """
    if type(contact) is not Contact:
        raise InvalidInput(f"contacts must be Contact records; got {shown(contact)}")
    if contact.status in _NOT_LOADABLE:
        raise InvalidInput(
            f"contact {shown(contact.id)} is {shown(contact.status.value)}: load contacts "
            "that are not in a call"
        )
    if contact.status is _K.AWAITING_OUTCOME and (
        contact.last_outcome is None or contact.next_attempt_at is None
    ):
        raise InvalidInput(
            f"contact {shown(contact.id)} awaits an outcome: it needs "
            f"last_outcome and next_attempt_at"
        )
    if campaign is not None:
        campaign.check_contact(contact)
    # issue 15: the contact is checked above and every other field is its default, so
    # the row is built without re-running ContactState's validators and converters.
    return _row_contact(_LOADED_ROW, enqueue(contact, at=now))


def queue_lane(contact: Contact, *, messages: bool = False) -> int | None:
    """Which due index holds ``contact`` at its ``next_attempt_at``: `DIAL_LANE`
    (queued, retrying), `SETTLE_LANE` (a held outcome; on a WhatsApp campaign,
    ``messages``, also a failed message or one waiting for a reply) or None (nothing
    to do on time)."""
    if contact.next_attempt_at is None:
        return None
    status = contact.status
    if status in _WAITING:
        return DIAL_LANE
    if status is _K.AWAITING_OUTCOME or (
        messages and (status is _K.FAILED or status in _AWAITING_REPLY)
    ):
        return SETTLE_LANE
    return None


def is_held(contact: Contact) -> bool:
    """True for a message contact whose outcome waits to be settled (a failed message,
    a delivered one waiting for a reply): the cycle is not over while one is held."""
    return contact.next_attempt_at is not None and (
        contact.status is _K.FAILED or contact.status in _AWAITING_REPLY
    )


# --------------------------------------------------------------------------- proposals


@functools.lru_cache(maxsize=64)
def _open_schedule(timezone: str) -> Schedule:
    return Schedule(timezone=timezone)


def _schedule(campaign: CampaignState, rules: CampaignRules) -> Schedule:
    return rules.schedule or _open_schedule(campaign.campaign.timezone)


def _timed(campaign: CampaignState, rules: CampaignRules) -> bool:
    return campaign.lines is not None or rules.time_policies


def propose(
    state: ContactState,
    campaign: CampaignState,
    rules: CampaignRules,
    now: datetime,
    *,
    rng: random.Random | None = None,
) -> Step:
    """A due contact through admission at ``now``: dialled (``Step.dial``; on WhatsApp a
    message sent), postponed to when the rules allow it, refused for good (settled as
    failed, with the reason), or ``Step.halted`` (nobody can be admitted now).

    ``rng`` drives the Weighted rotation (its state advances). Raises
    `IllegalTransition` unless the contact is queued or retrying, `InvalidInput`
    for a naive ``now``.
    """
    now = aware_utc(now)
    contact = state.contact
    if not _timed(campaign, rules):
        return _place(state, campaign, rules, now, None)
    admission = admit(
        contact,
        now,
        schedule=_schedule(campaign, rules),
        pacing=rules.pacing or _ANY_PACING,
        pacing_state=_NO_PACING if rules.pacing is None else campaign.pacing,
        rotation=rules.rotation or _ANY_ROTATION,
        compliance=rules.compliance or _NO_COMPLIANCE,
        lines=campaign.lines,
        history=state.history,
        do_not_call=rules.do_not_call,
        channel=campaign.campaign.channel,
        previous_line_id=campaign.previous_line_id,
        rng=rng,
    )
    if admission.allowed:
        return _place(state, campaign, rules, now, admission.line)
    refusals = admission.refusals
    if admission.campaign_wide:
        until = admission.campaign_retry_at
        if until is not None and until <= now:
            until = now + _MICROSECOND
        wide = tuple(r for r in refusals if r.campaign_wide)
        halt = Halt(until, wide)
        return Step(state, attrs.evolve(campaign, halt=halt), halted=True)
    if admission.retry_at is None:
        reason = "; ".join(admission.reasons)
        refused, notes = refuse_contact(
            contact, now=now, reason=reason, campaign_id=campaign.campaign.id
        )
        return Step(attrs.evolve(state, contact=refused, refused=reason), campaign, notes)
    later = admission.retry_at if admission.retry_at > now else now + _MICROSECOND
    return Step(_row_contact(state, postpone(contact, until=later)), campaign)


def _place(
    state: ContactState,
    campaign: CampaignState,
    rules: CampaignRules,
    now: datetime,
    line: CallerLine | None,
) -> Step:
    contact = state.contact
    record = campaign.campaign
    zone = _schedule(campaign, rules).timezone
    if record.channel is Channel.WHATSAPP:
        settings = rules.whatsapp
        assert settings is not None  # check_setup
        templates = settings.templates
        # Templates alternate by attempt: a retry goes out with the second one (seed 004).
        sent = send_message(contact, now=now, template=templates[contact.attempts % len(templates)])
        pacing = campaign.pacing
        started = pacing.started(now, timezone=zone)
        # A message holds no call slot: only the start and the day's count change.
        campaign = attrs.evolve(campaign, pacing=attrs.evolve(started, in_flight=pacing.in_flight))
        history = state.history
        if rules.compliance is not None:
            history = _remember(history, Attempt(at=now), rules.compliance)
        return Step(_row_sent(state, sent.contact, history), campaign, dial=sent)
    placed = dial(contact, now=now, line=line)
    contact_id = contact.id
    call = _new_call(
        _TEMPLATE_CALL,
        f"{record.id}/{contact_id}/{placed.attempt}",
        contact_id,
        contact.phone,
        "" if line is None else line.number,
        placed.attempt,
        now,
        record.id,
    )
    line_id = None
    if _timed(campaign, rules):
        changes: dict[str, object] = {}
        if rules.pacing is not None:
            changes["pacing"] = campaign.pacing.started(now, timezone=zone)
        lines = campaign.lines
        if line is not None and lines is not None:
            for at, known in enumerate(lines):
                if known.id == line.id:
                    counted = record_line_call(known, now, timezone=zone)
                    changes["lines"] = (*lines[:at], counted, *lines[at + 1 :])
                    changes["previous_line_id"] = line.id
                    line_id = line.id
                    break
        if changes:
            campaign = attrs.evolve(campaign, **changes)  # type: ignore[arg-type]
    return Step(
        _row_dialled(state, placed.contact, call, line_id, None, None), campaign, dial=placed
    )


def _remember(
    history: tuple[Attempt, ...], attempt: Attempt, policy: CompliancePolicy
) -> tuple[Attempt, ...]:
    """``history`` with ``attempt``, forgetting what no rule can look back on."""
    horizon = attempt.at - policy.lookback
    return (*(a for a in history if a.over_at >= horizon), attempt)


# --------------------------------------------------------------------------- rounds


def open_round(
    campaign: CampaignState,
    rules: CampaignRules,
    now: datetime,
    *,
    sent_to: int = 0,
    oldest_send: datetime | None = None,
) -> Round:
    """Before a round of `propose` at ``now``: a halt that still holds blocks the round
    (one that has lifted is cleared); on WhatsApp the daily send limit and the
    messaging tier cap the round (``sent_to``: distinct recipients of the sends in
    the last 24 hours, ``oldest_send`` the oldest of them).
    """
    campaign = _date_counts(campaign, rules, now)
    halt = campaign.halt
    if halt is not None:
        if halt.until is None or now < halt.until:
            return Round(campaign, 0, True)
        campaign = attrs.evolve(campaign, halt=None)
    if campaign.campaign.channel is not Channel.WHATSAPP:
        return Round(campaign, None, False)
    campaign, left = _message_room(campaign, rules, now, sent_to, oldest_send)
    return Round(campaign, left, left == 0 and campaign.halt is not None)


def _date_counts(campaign: CampaignState, rules: CampaignRules, now: datetime) -> CampaignState:
    """The campaign with every undated daily count (a caller line's ``calls_today`` or
    the sends of the pacing state, loaded without ``counted_on``) dated today.

    An undated count is taken as today's so a cap is never exceeded for want of a
    date (`rotation.line_calls_today`); dating it on the first round that sees it
    lets it reset on the next campaign day. Left undated, a line loaded over its cap
    stayed refused "until tomorrow" every day and the campaign never finished
    (found by `CampaignStateMachine`'s liveness check).
    """
    lines, pacing = campaign.lines, campaign.pacing
    undated_lines = lines is not None and any(x.calls_today and x.counted_on is None for x in lines)
    undated_sends = bool(pacing.sent_today) and pacing.counted_on is None
    if not (undated_lines or undated_sends):
        return campaign
    today = local_day(now, zone_of(_schedule(campaign, rules).timezone))
    if undated_lines:
        assert lines is not None
        lines = tuple(
            attrs.evolve(x, counted_on=today) if x.calls_today and x.counted_on is None else x
            for x in lines
        )
    if undated_sends:
        pacing = attrs.evolve(pacing, counted_on=today)
    return attrs.evolve(campaign, lines=lines, pacing=pacing)


def close_round(
    campaign: CampaignState,
    rules: CampaignRules,
    now: datetime,
    *,
    proposed: int,
    sent_to: int = 0,
    oldest_send: datetime | None = None,
) -> CampaignState:
    """After a round that placed ``proposed`` attempts: on WhatsApp, a send limit just
    reached halts the campaign from now on."""
    if campaign.campaign.channel is not Channel.WHATSAPP or not proposed or campaign.halt:
        return campaign
    return _message_room(campaign, rules, now, sent_to, oldest_send)[0]


def _message_room(
    campaign: CampaignState,
    rules: CampaignRules,
    now: datetime,
    recipients: int,
    oldest_send: datetime | None,
) -> tuple[CampaignState, int | None]:
    """How many messages may still go out now (None: no limit); 0 sets a halt."""
    settings = rules.whatsapp
    assert settings is not None  # check_setup
    tier = rules.tier or MessagingTier.UNLIMITED
    name = _schedule(campaign, rules).timezone
    zone = zone_of(name)
    pacing = campaign.pacing
    sent = counted_today(pacing.sent_today, pacing.counted_on, local_day(now, zone))
    left = _sends_remaining(settings, tier, sent_today=sent, recipients=recipients)
    if left is None or left > 0:
        return campaign, left
    refusals: list[Refusal] = []
    lifts: list[datetime] = []
    daily = daily_send_refusal(sent, settings.daily_limit, now, zone, name)
    if daily is not None and daily.retry_at is not None:
        lifts.append(daily.retry_at)
        refusals.append(daily)
    if tier.limit is not None and recipients >= tier.limit:
        lift = oldest_send + SERVICE_WINDOW if oldest_send is not None else now + _MICROSECOND
        lifts.append(lift)
        refusals.append(
            Refusal(
                "messaging-tier",
                f"messaging tier reached: {recipients} of {tier.limit} unique recipients "
                "in the last 24 hours",
                lift,
                campaign_wide=True,
            )
        )
    halt = Halt(max(lifts) if lifts else now + _MICROSECOND, tuple(refusals))
    return attrs.evolve(campaign, halt=halt), 0


# --------------------------------------------------------------------------- events


def apply_event(
    state: ContactState, event: Event, campaign: CampaignState, rules: CampaignRules
) -> Step:
    """``state`` after one event about its contact: a `CallUpdate`, `MessageUpdate`,
    `ConversationResult`, `ContactCalledBack` or `ContactConverted`.

    Duplicates, stale reports and reports about other attempts change nothing.
    Raises `InvalidInput` for an event about another contact, of an unknown type or
    of the other channel, or one whose times fall off the calendar;
    `IllegalTransition` for a conversion the contact's status does not allow. A
    step that raises has changed nothing.
    """
    if type(event) not in _EVENTS:
        raise InvalidInput(f"not an event: {shown(event)}")
    if event.contact_id != state.contact.id:
        raise InvalidInput(
            f"event for contact {shown(event.contact_id)} applied to {shown(state.contact.id)}"
        )
    messages = campaign.campaign.channel is Channel.WHATSAPP
    try:
        if type(event) is CallUpdate:
            if messages:
                raise InvalidInput(
                    f"campaign {shown(campaign.campaign.id)} sends messages, not calls"
                )
            return _on_call_update(state, event, campaign, rules)
        if type(event) is MessageUpdate:
            if not messages:
                raise InvalidInput(
                    f"campaign {shown(campaign.campaign.id)} places calls; message updates are "
                    "for WhatsApp campaigns"
                )
            return _on_message_update(state, event, campaign, rules)
        if type(event) is ConversationResult:
            return _on_conversation(state, event, campaign, rules)
        if type(event) is ContactCalledBack:
            contact = state.contact
            new = apply_called_back(contact, event.outcome, now=event.at)
            return Step(_with(state, new), campaign)
        if type(event) is ContactConverted:
            converted, notes = mark_converted(
                state.contact, now=event.at, campaign_id=campaign.campaign.id
            )
            return Step(_with(state, converted), campaign, notes)
    except OverflowError:
        # A time at the edge of the calendar (year 9999) plus a retry wait.
        raise InvalidInput(
            f"event {shown(event)} leads to a time beyond the calendar (year 9999)"
        ) from None
    raise InvalidInput(f"not an event: {shown(event)}")


def _with(state: ContactState, contact: Contact) -> ContactState:
    return state if contact is state.contact else _row_contact(state, contact)


def report_call(call: Call, event: CallUpdate) -> Call:
    """``call`` after the report ``event``: `apply_call_report`, without re-validating
    what the event's own validation checked; the same object when nothing changes.
    Raises `InvalidInput` when the report's times run backwards against the call's."""
    at = event.at
    status = CALL_MACHINE.reconcile(
        call.status, event.status, current_at=call.updated_at, reported_at=at
    )
    if status is call.status:
        return call
    answered_by = call.answered_by if event.answered_by is None else event.answered_by
    outcome = call.outcome if event.outcome is None else event.outcome
    duration = call.duration if event.duration is None else event.duration
    from_number = call.from_number if event.from_number is None else event.from_number
    recording = call.recording_url if event.recording_url is None else event.recording_url
    if event.started_at is None and event.ended_at is None and event.call_id is None:
        return _reported(call, status, at, answered_by, outcome, duration, from_number, recording)
    # A real webhook carries the carrier's id and timestamps: the same fast path, and
    # only the one check that spans fields - created <= started <= ended - run again
    # (it was 1.5x the cost of a minimal report through attrs.evolve; issue 15).
    reported = _reported_in_full(
        call,
        status,
        at,
        answered_by,
        outcome,
        duration,
        from_number,
        recording,
        call.id if event.call_id is None else event.call_id,
        call.started_at if event.started_at is None else event.started_at,
        call.ended_at if event.ended_at is None else event.ended_at,
    )
    reported.__attrs_post_init__()
    return reported


def _on_call_update(
    state: ContactState, event: CallUpdate, campaign: CampaignState, rules: CampaignRules
) -> Step:
    call = state.call
    if call is None or call.attempt != event.attempt:
        return _late_report(state, event, campaign, rules)
    requested = event.callback_at
    if requested is not None:
        seen, asked = state.callback_reported_at, state.callback_at
        if seen is None or asked is None or (event.at, requested) > (seen, asked):
            # The callback time of the latest report asking for one.
            state = _row_callback(state, requested, event.at)
    updated = report_call(call, event)
    if updated is call:
        return Step(state, campaign)
    if updated.status not in _CALL_ENDED:
        return Step(_row_call(state, updated), campaign)
    at = event.at
    history = state.history
    if _timed(campaign, rules):
        changes: dict[str, object] = {}
        if rules.pacing is not None:
            changes["pacing"] = campaign.pacing.ended()
        if campaign.halt is not None and campaign.halt.until is None:
            changes["halt"] = None  # a call slot freed: admission may say yes again
        if changes:
            campaign = attrs.evolve(campaign, **changes)  # type: ignore[arg-type]
        if rules.compliance is not None:
            history = _remember(history, _attempt_of(updated, at), rules.compliance)
    return _end_call(state, updated, history, campaign, rules, at)


def _attempt_of(call: Call, at: datetime) -> Attempt:
    """The attempt the compliance rules remember for ``call``, over at ``at``."""
    attempt = Attempt.from_call(call)
    if attempt.ended_at is None and at >= attempt.at:
        # The report's time is when the call was over, for the cooldowns.
        attempt = Attempt(attempt.at, attempt.outcome, at, attempt.abandoned)
    return attempt


def _end_call(
    state: ContactState,
    ended: Call,
    history: tuple[Attempt, ...],
    campaign: CampaignState,
    rules: CampaignRules,
    at: datetime,
) -> Step:
    """Settle (or hold) the contact whose call ``ended`` at ``at``."""
    before = state.contact
    record = campaign.campaign
    new, notes = apply_call(
        before,
        ended,
        rules.retry,
        now=at,
        campaign_id=record.id,
        retry=record.status is not CampaignStatus.FINISHED,  # no retry once finished
    )
    line_id = state.line_id
    result = ended.result
    if line_id is not None and new.line_id is None and result is not None and result.connected:
        new = attrs.evolve(new, line_id=line_id)  # the line that first reached the contact
    # A completed call with nobody known to have answered settles as a conversation, but
    # Twilio may send the answering-machine verdict on an in-progress report that arrives
    # after the completed one: keep what is needed to settle it again (issue 14 item 18).
    late = ended.status is CallStatus.COMPLETED and ended.answered_by is None
    late = late and ended.outcome is None
    state = _row_ended(
        state, new, None, None, history, ended if late else None, before if late else None
    )
    state, more = _after_outcome(state, campaign, rules, at)
    return Step(state, campaign, notes + more)


# The statuses a contact can be left in by settling a call: a late verdict may still
# settle it again from there; once it converted, or dialled again, it is too late.
_SETTLED_BY_A_CALL = frozenset(
    {
        _K.ANSWERED,
        _K.VOICEMAIL,
        _K.NO_CONVERSATION,
        _K.FAILED,
        _K.RETRYING,
        _K.QUEUED,
        _K.AWAITING_OUTCOME,
    }
)


def _late_report(
    state: ContactState, event: CallUpdate, campaign: CampaignState, rules: CampaignRules
) -> Step:
    """A report about a call that already ended: only the answerer it may carry
    matters, when the call ended without one (issue 14 item 18); the contact is then
    settled again, from where it stood when the call ended, as if the reports had
    arrived in order - with a corrected `CallStatusNotification`. Once the campaign
    has finished (the contact looked settled and nothing else was pending), the
    outcome is still corrected but no retry is granted, as for any call that ends
    after the finish."""
    ended, before = state.ended, state.before_end
    if (
        ended is None
        or before is None
        or event.attempt != ended.attempt
        or event.answered_by is None
        or event.status in _CALL_ENDED
    ):
        return Step(state, campaign)
    merged = _with_answerer(ended, event.answered_by)
    contact = state.contact
    forget = _row_ended(state, contact, None, None, state.history, None, None)
    if merged.result == ended.result:
        return Step(forget, campaign)  # the verdict changes nothing: nothing left to wait for
    if (
        contact.attempts != ended.attempt
        or contact.status not in _SETTLED_BY_A_CALL
        or contact.last_outcome is not ended.result
    ):
        return Step(forget, campaign)  # the contact moved on: too late to change
    at = ended.updated_at or event.at
    history = state.history
    if rules.compliance is not None and history:
        # the attempt remembered for the call, now with its answerer
        history = (*history[:-1], _attempt_of(merged, at))
    sticky = contact.line_id if before.line_id is None else None
    again = _row_ended(state, before, None, sticky, history, None, None)
    return _end_call(again, merged, history, campaign, rules, at)


def _after_outcome(
    state: ContactState, campaign: CampaignState, rules: CampaignRules, at: datetime
) -> tuple[ContactState, tuple[Notification, ...]]:
    """After an outcome settled at ``at``: a requested callback or a retry moved into the
    calling window, or a conversion when the rule holds."""
    contact = state.contact
    status = contact.status
    if status is _K.AWAITING_OUTCOME or status is _K.DIALING:
        return _maybe_convert(state, campaign, rules, at)  # a held outcome keeps its callback
    requested = state.callback_at
    if requested is not None:
        state = _row_callback(state, None, None)
    if status not in _WAITING:
        return _maybe_convert(state, campaign, rules, at)
    schedule = rules.schedule
    adjust: Callable[[datetime], datetime] | None = None
    if schedule is not None:

        def adjust(t: datetime) -> datetime:
            return schedule.next_opening_for(contact.phone, t) or t

    if requested is not None and contact.last_outcome is Outcome.CALLBACK_REQUESTED:
        # Seed 003 "Callback": called at the requested time, moved into the window.
        moved = schedule_callback(contact, requested, now=at, adjust=adjust)
    elif adjust is not None and contact.next_attempt_at is not None:
        # A retry outside the calling window waits for its next opening.
        moved = postpone(contact, until=adjust(contact.next_attempt_at))
    else:
        return state, ()
    return (state if moved == contact else _row_contact(state, moved)), ()


def _maybe_convert(
    state: ContactState, campaign: CampaignState, rules: CampaignRules, at: datetime
) -> tuple[ContactState, tuple[Notification, ...]]:
    """Fire ``convert`` when the conversion rule holds and the status allows it."""
    rule = rules.conversion
    contact = state.contact
    if rule is None or contact.status not in _CONVERTIBLE:
        return state, ()
    primary: GoalResult | None = None
    if rule.kind is ConversionKind.PRIMARY_GOAL:
        assert rules.goals is not None  # CampaignRules checks it
        primary = state.goals.get(rules.goals.primary.id)
    if not is_converted(rule, contact, primary_goal=primary):
        return state, ()
    converted, notes = mark_converted(contact, now=at, campaign_id=campaign.campaign.id)
    return _row_contact(state, converted), notes


def _on_message_update(
    state: ContactState, event: MessageUpdate, campaign: CampaignState, rules: CampaignRules
) -> Step:
    contact = state.contact
    new = apply_message_update(contact, event.status, at=event.at)
    if new is contact:
        return Step(state, campaign)
    settings = rules.whatsapp
    if new.status in _AWAITING_REPLY and settings is not None and settings.response_window:
        # Seed 004: retried "in case of no response" - wait for a reply this long.
        assert new.updated_at is not None
        new = _awaiting_reply(new, new.updated_at + settings.response_window)
    state = _row_contact(state, new)
    if new.status is _K.FAILED:
        if campaign.campaign.status is CampaignStatus.FINISHED:  # no retry once finished
            settled, notes = settle_message(
                new, rules.retry, now=event.at, campaign_id=campaign.campaign.id, retry=False
            )
            return Step(_with(state, settled), campaign, notes)
        return Step(state, campaign)
    state, notes = _maybe_convert(state, campaign, rules, event.at)
    return Step(state, campaign, notes)


def _on_conversation(
    state: ContactState, event: ConversationResult, campaign: CampaignState, rules: CampaignRules
) -> Step:
    contact = state.contact
    new = add_tags(contact, event.tags) if event.tags else contact
    extractions, goals = state.extractions, state.goals
    if event.extracted:
        if not extractions and contact.extracted:
            # What the contact was loaded with counts as the oldest extraction.
            extractions = (Extraction("loaded", _LOADED_AT, contact.extracted),)
        extraction = Extraction(conversation_id=event.source, at=event.at, fields=event.extracted)
        if extraction not in extractions:
            extractions = (*extractions, extraction)
            merged = merge_extracted(extractions)
            if merged != new.extracted:
                new = attrs.evolve(new, extracted=merged)
    if event.goal_results:
        goals = combine_goal_results([*goals.values(), *event.goal_results])
    if new.status in _AWAITING_REPLY and new.next_attempt_at is not None:
        # The contact answered: the message no longer waits for a reply.
        new = _awaiting_reply(new, None)
    if new is not contact or extractions is not state.extractions or goals is not state.goals:
        state = attrs.evolve(state, contact=new, extractions=extractions, goals=goals)
    state, notes = _maybe_convert(state, campaign, rules, event.at)
    return Step(state, campaign, notes)


# --------------------------------------------------------------------------- settling


def settle(
    state: ContactState, campaign: CampaignState, rules: CampaignRules, now: datetime
) -> Step:
    """Settle what ``state`` holds once its time came (its ``next_attempt_at`` at or
    before ``now``), at that time: an outcome held through the completion window, a
    failed message, or a delivered message nobody answered within the response
    window. Anything else is returned unchanged. Raises `InvalidInput` for a naive
    ``now``."""
    now = aware_utc(now)
    contact = state.contact
    at = contact.next_attempt_at
    if at is None or at > now:
        return Step(state, campaign)
    campaign_id = campaign.campaign.id
    status = contact.status
    if status is _K.AWAITING_OUTCOME:
        settled, notes = finalize_outcome(contact, rules.retry, now=at, campaign_id=campaign_id)
    elif campaign.campaign.channel is not Channel.WHATSAPP:
        return Step(state, campaign)
    elif status is _K.FAILED:
        settled, notes = settle_message(contact, rules.retry, now=at, campaign_id=campaign_id)
    elif status in _AWAITING_REPLY:
        retry = campaign.campaign.status is not CampaignStatus.FINISHED
        settled, notes = settle_no_response(
            contact, rules.retry, now=at, campaign_id=campaign_id, retry=retry
        )
    else:
        return Step(state, campaign)
    state = _with(state, settled)
    state, more = _after_outcome(state, campaign, rules, at)
    return Step(state, campaign, notes + more)


def close(
    state: ContactState, campaign: CampaignState, rules: CampaignRules, now: datetime
) -> Step:
    """The contact side of a force-complete at ``now`` (Exotel): a pending contact
    fails, a held outcome (a failed or unanswered message) settles without retry; a
    contact in a call settles the same way when its call ends."""
    now = aware_utc(now)
    contact = state.contact
    campaign_id = campaign.campaign.id
    if campaign.campaign.channel is Channel.WHATSAPP and is_held(contact):
        if contact.status is _K.FAILED:
            settled, notes = settle_message(
                contact, rules.retry, now=now, campaign_id=campaign_id, retry=False
            )
        else:
            settled, notes = settle_no_response(
                contact, rules.retry, now=now, campaign_id=campaign_id, retry=False
            )
    else:
        settled, notes = close_contact(contact, rules.retry, now=now, campaign_id=campaign_id)
    new = _with(state, settled)
    if state.callback_at is not None and settled.status is not _K.DIALING:
        new = attrs.evolve(new, callback_at=None, callback_reported_at=None)
    return Step(new, campaign, notes)


# --------------------------------------------------------------------------- cycles


def loop_eligible(state: ContactState, rules: CampaignRules) -> bool:
    """True if the contact returns to the queue at the next loop: the cycle policy
    takes it, it has lifetime attempts left, and no rule refused it for good (a
    do-not-call number is settled once, never re-queued)."""
    cycles = rules.cycles
    return (
        cycles is not None
        and state.refused is None
        and cycles.eligible(state.contact)
        and rules.retry.attempts_left(state.contact)
    )


def requeue(
    state: ContactState, rules: CampaignRules, *, cycle: int, now: datetime
) -> ContactState:
    """The contact back in the queue for loop ``cycle`` at ``now`` if `loop_eligible`;
    otherwise unchanged."""
    if rules.cycles is None or not loop_eligible(state, rules):
        return state
    return _with(state, rules.cycles.requeue(state.contact, cycle=cycle, now=now))


def cycle_may_end(
    campaign: CampaignState, *, created: int, pending: int, in_progress: int, held: int
) -> bool:
    """True when the cycle of the campaign may be over: it is active, has contacts, and
    none is pending, in a call or held (`is_held`). Stores ask it before `end_cycle`,
    which needs the whole `CampaignCounts`."""
    return (
        campaign.campaign.status is CampaignStatus.ACTIVE
        and created > 0
        and not (pending or in_progress or held)
    )


def end_cycle(
    campaign: CampaignState,
    rules: CampaignRules,
    counts: CampaignCounts,
    now: datetime,
    *,
    held: int,
    any_eligible: Callable[[], bool],
) -> tuple[CampaignState, tuple[Notification, ...]]:
    """End the cycle of an active campaign once nothing is pending, in a call or
    ``held`` (`is_held`): with a `CyclePolicy` and a loop left for which some contact
    is eligible (``any_eligible()``, asked only then), the campaign cools down until
    the next loop; otherwise it finishes. Anything else changes nothing."""
    record = campaign.campaign
    if not cycle_may_end(
        campaign,
        created=counts.created,
        pending=counts.pending,
        in_progress=counts.in_progress,
        held=held,
    ):
        return campaign, ()
    cycles = rules.cycles
    if cycles is not None and cycles.loops_left(record.cycle):
        next_loop_at = campaign.next_loop_at
        if next_loop_at is None and any_eligible():
            next_loop_at = cycles.next_loop_at(
                ended_at=now, loop_starts=campaign.loop_starts, timezone=record.timezone
            )
        if next_loop_at is not None:
            moved, notes = move_campaign(record, CampaignEvent.END_CYCLE, now=now, counts=counts)
            return attrs.evolve(campaign, campaign=moved, next_loop_at=next_loop_at), notes
    moved, notes = move_campaign(record, CampaignEvent.FINISH, now=now, counts=counts)
    return attrs.evolve(campaign, campaign=moved), notes


def advance(
    campaign: CampaignState, counts: CampaignCounts, now: datetime
) -> tuple[CampaignState, tuple[Notification, ...], datetime | None]:
    """Open a scheduled campaign once its start time came, or start the next loop once
    the cooldown is over. Returns the new state, the notifications and, when a loop
    started, its start time: `requeue` every contact then (for the new
    ``campaign.cycle``)."""
    record = campaign.campaign
    if record.status is CampaignStatus.SCHEDULED:
        opened, notes = open_campaign(record, now=now, counts=counts)
        if opened is record:
            return campaign, (), None
        return attrs.evolve(campaign, campaign=opened), notes, None
    at = campaign.next_loop_at
    if record.status is not CampaignStatus.COOLDOWN or at is None or at > now:
        return campaign, (), None
    moved, notes = move_campaign(record, CampaignEvent.START_CYCLE, now=at, counts=counts)
    campaign = attrs.evolve(
        campaign, campaign=moved, next_loop_at=None, loop_starts=(*campaign.loop_starts, at)
    )
    return campaign, notes, at


def command(
    campaign: CampaignState, order: CampaignCommand, counts: CampaignCounts, now: datetime
) -> tuple[CampaignState, tuple[Notification, ...]]:
    """The campaign after a user's command (start, pause, resume, cancel,
    force-complete); for a force-complete, `close` every contact after it. Raises
    `IllegalTransition` when the command is not allowed in the campaign's status."""
    now = aware_utc(now)
    record, notes = apply_command(campaign.campaign, order, now=now, counts=counts)
    changes: dict[str, object] = {"campaign": record}
    if record.status in CAMPAIGN_MACHINE.terminal:
        changes["next_loop_at"] = None
    return attrs.evolve(campaign, **changes), notes  # type: ignore[arg-type]


def load_contacts(
    campaign: CampaignState, counts: CampaignCounts, now: datetime
) -> tuple[CampaignState, tuple[Notification, ...]]:
    """The campaign after contacts were loaded (pending -> ready). Raises
    `IllegalTransition` when it takes no more contacts (finished, cancelled)."""
    record, notes = move_campaign(
        campaign.campaign, CampaignEvent.LOAD_CONTACTS, now=now, counts=counts
    )
    return _with_record(campaign, record), notes


def check_loading(campaign: CampaignState) -> None:
    """Raise `IllegalTransition` unless the campaign takes more contacts."""
    CAMPAIGN_MACHINE.next(campaign.campaign.status, CampaignEvent.LOAD_CONTACTS)


def _with_record(campaign: CampaignState, record: Campaign) -> CampaignState:
    return campaign if record is campaign.campaign else attrs.evolve(campaign, campaign=record)


def update_line(campaign: CampaignState, line: CallerLine) -> CampaignState:
    """The campaign with caller line ``line.id`` replaced (disabled or enabled by hand, a
    new spam score) or added; any halt is lifted so admission asks the rotation again.
    Raises `InvalidInput` for a non-`CallerLine` or a campaign that assigns no lines."""
    if type(line) is not CallerLine:
        raise InvalidInput(f"line must be a CallerLine; got {shown(line)}")
    lines = campaign.lines
    if lines is None:
        raise InvalidInput("this campaign assigns no caller lines (built with lines=None)")
    for at, known in enumerate(lines):
        if known.id == line.id:
            lines = (*lines[:at], line, *lines[at + 1 :])
            break
    else:
        lines = (*lines, line)
    return attrs.evolve(campaign, lines=lines, halt=None)
