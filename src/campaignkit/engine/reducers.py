"""The reducers: events in, new records and notifications out, one row at a time.

Theory of operation
-------------------
Everything here is a pure function over frozen records. A service that keeps
its contacts in a database loads one row, calls one reducer, stores the new
row and delivers the notifications; nothing needs the whole campaign in memory.
`CampaignRunner` (``campaignkit.runner``) composes the very same functions for
small deployments, simulations and tests.

A contact's life in a call campaign::

    queued --dial--> dialing --call ends--> [awaiting-outcome] --> settled
      ^                                                          |
      +----- retrying <-- (voicemail, busy, ...) <-- RetryPolicy +

* `dial` takes a due contact (``queued``, or ``retrying`` whose wait is over)
  to ``dialing`` and counts the attempt.
* `apply_call` applies the finished attempt: with a completion timeout the
  contact waits in ``awaiting-outcome`` (itellico *Called*) and
  `apply_called_back` may still change the held outcome until `finalize_outcome`
  settles it; otherwise it settles at once. Settling moves the contact to the
  status its outcome leaves (answered, voicemail, no-conversation, failed) and
  asks the `RetryPolicy`: a retry spends a counter and schedules the contact
  (``retrying``, or straight back to ``queued`` for Altur's failed re-queue);
  no retry makes the contact final for the cycle.
* `mark_converted`, `close_contact` (force-complete), `postpone`,
  `refuse_contact` (a contact no wait makes callable) and `CyclePolicy.requeue`
  are the other contact moves; `apply_command`, `open_campaign` and
  `move_campaign` move the campaign.

A contact's life in a WhatsApp campaign::

    queued --send--> sending --status updates--> sent / delivered / read /
      ^                                           accepted / rejected / failed
      +----- (failed, RetryPolicy) <-- settle_message <--+

* `send_message` takes a due contact to ``sending`` and counts the attempt.
* `apply_message_update` applies a provider's status update with
  `apply_message_status` (duplicates and out-of-order updates converge) and
  keeps ``next_attempt_at`` honest: a ``failed`` message holds the failure
  time there, so that `settle_message` asks the `RetryPolicy` once the
  updates have settled (a later ``read`` may still overtake the failure).

Every contact carries ``next_attempt_at``: when the engine must next act on it
- place the next attempt (``queued``, ``retrying``) or settle a held outcome
(``awaiting-outcome``). It is None while a call is in flight and once the
contact is final, so ``WHERE next_attempt_at <= :now`` on an index selects
all the work that is due, and `is_due` tells the dials from the rest.

Duplicated and stale input changes nothing: `apply_call` ignores a call whose
attempt is not the contact's current one, or a contact no longer dialling;
`apply_called_back` ignores call-backs outside the window or older than the
contact's last change; converting twice is converting once.

Notifications mirror Exotel's three callbacks (seed 001) and are records in an
outbox, never delivered here: `CallStatusNotification` after every attempt,
`ContactFinalNotification` when a contact settles with nothing left to try,
`CampaignStatusNotification` when the campaign changes status, carrying its
`CampaignCounts`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypeAlias, cast

import attrs

from .. import _fields as f
from .._fields import Codec, JSONObject, PlainData, Scalar, aware_utc, replacer
from .._frozen import FrozenMap
from ..errors import InvalidInput, shown
from ..machines import (
    CALL_MACHINE,
    CAMPAIGN_MACHINE,
    CONTACT_MACHINE,
    MESSAGE_STATUSES,
    CampaignCommand,
    CampaignEvent,
    ContactEvent,
    attempt_status,
    retry_status,
    settle_event,
)
from ..models.goals import GoalResult
from ..models.records import Call, CallerLine, Campaign, Contact
from ..policies.messaging import MessageTemplate, apply_message_status
from ..policies.retry import RetryCounter, RetryDecision, RetryPolicy
from ..statuses import (
    CONTACT_BUCKETS,
    AnsweredBy,
    CallStatus,
    CampaignStatus,
    ContactStatus,
    Outcome,
    bucket_of,
)
from .lifecycle import CallDetails

__all__ = [
    "CallStatusNotification",
    "CallUpdate",
    "CampaignCommand",
    "CampaignCounts",
    "CampaignStatusNotification",
    "ContactCalledBack",
    "ContactConverted",
    "ContactFinalNotification",
    "ConversationResult",
    "Dial",
    "Event",
    "MessageUpdate",
    "Notification",
    "Send",
    "apply_call",
    "apply_call_back",
    "apply_called_back",
    "apply_command",
    "apply_message_update",
    "close_contact",
    "contact_bucket",
    "dial",
    "enqueue",
    "finalize_outcome",
    "is_due",
    "mark_converted",
    "move_campaign",
    "notification_from_dict",
    "open_campaign",
    "postpone",
    "refuse_contact",
    "send_message",
    "settle_message",
    "settle_no_response",
]

_K = ContactStatus
_WAITING = frozenset({_K.QUEUED, _K.RETRYING})
_AWAITING_REPLY = frozenset({_K.SENT, _K.DELIVERED, _K.READ})
_TABLE = CONTACT_MACHINE.table
_CALL_ENDED = CALL_MACHINE.terminal


# --------------------------------------------------------------------------- fields


def _check_optional_count(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (type(value) is not int or value < 0):
        raise InvalidInput(
            f"{attribute.name} must be a non-negative integer or None; got {shown(value)}"
        )


# --------------------------------------------------------------------------- counts


def contact_bucket(contact: Contact) -> str:
    """The `CampaignCounts` field ``contact`` is counted in (Exotel's stats, seed 001):
    `campaignkit.statuses.bucket_of` its status and last outcome.

    * ``pending``: queued, retrying, or awaiting its outcome;
    * ``in_progress``: a call (or message) in flight;
    * ``completed``: reached - answered, voicemail, no conversation, converted
      (and on WhatsApp sent, delivered, read, accepted, rejected);
    * ``busy`` / ``no_answer``: failed, and the last attempt was busy / not answered;
    * ``failed``: failed for any other reason (including never reached because
      the campaign was force-completed).

    Every contact is in exactly one, so the counts always add up to ``created``.
    """
    return bucket_of(contact.status, contact.last_outcome)


@attrs.frozen(weakref_slot=False)
class CampaignCounts(PlainData):
    """Contacts of a campaign by where they stand: Exotel's ``stats`` object (seed 001).

    The one record of "contacts by bucket" (issue 18): the runner's and every
    store's ``counts``, `CampaignStats.counts`, and the counts a
    `CampaignStatusNotification` carries. ``to_dict()`` is Exotel's ``stats`` JSON
    object, in Exotel's order; the Exotel dialect's wire record
    (``dialects.exotel.Stats``, where a payload may leave counts out) converts with
    ``Stats.from_counts`` / ``Stats.to_counts``; ``metrics.tables.counts_table``
    shows it as a table.

    A partition (see `contact_bucket`): ``created`` always equals the sum of the
    six other fields, e.g. 2500 = 1875 completed + 425 failed + 0 pending + 0 in
    progress + 87 busy + 113 no answer. Construction raises `InvalidInput` when
    the parts do not add up or a count is negative. `merge` adds two counts, so
    partitions of a contact list can be counted separately. The seed's rates
    (`connect_rate`, `answer_rate`, `failure_rate`) are read from `EXOTEL_RATES`.
    """

    created: int = f.count()
    """Total contacts in the campaign."""
    completed: int = f.count()
    """Reached: the call was answered (by a person or a machine)."""
    failed: int = f.count()
    """Not reached after all attempts, other than busy and no answer."""
    pending: int = f.count()
    """Waiting for an attempt, a retry or the outcome of an ended call."""
    in_progress: int = f.count()
    """A call is in flight."""
    busy: int = f.count()
    """Not reached; the last attempt was busy."""
    no_answer: int = f.count()
    """Not reached; the last attempt was not answered."""

    def __attrs_post_init__(self) -> None:
        # CONTACT_BUCKETS spelled out: this runs on every count the runner builds.
        parts = (
            self.completed
            + self.failed
            + self.pending
            + self.in_progress
            + self.busy
            + self.no_answer
        )
        if parts != self.created:
            raise InvalidInput(
                f"CampaignCounts: created ({shown(self.created)}) must equal completed + "
                f"failed + pending + in_progress + busy + no_answer ({shown(parts)})"
            )

    @classmethod
    def of(cls, contacts: Iterable[Contact]) -> Self:
        """The counts of ``contacts``, one pass."""
        tally = dict.fromkeys(CONTACT_BUCKETS, 0)
        created = 0
        for contact in contacts:
            tally[contact_bucket(contact)] += 1
            created += 1
        return cls(created=created, **tally)

    def merge(self, other: CampaignCounts) -> Self:
        """The counts of both contact sets together: associative and commutative, with
        ``CampaignCounts()`` (no contacts) as identity."""
        return type(self)(
            **{a.name: getattr(self, a.name) + getattr(other, a.name) for a in _COUNT_FIELDS}
        )

    @property
    def settled(self) -> int:
        """Contacts with nothing pending and nothing in flight."""
        return self.created - self.pending - self.in_progress

    def _rate(self, name: str) -> float:
        numerator, below = EXOTEL_RATES[name]
        denominator = sum(getattr(self, field) for field in below)
        return getattr(self, numerator) / denominator if denominator else 0.0

    @property
    def connect_rate(self) -> float:
        """completed / created (seed 001; healthy 40-70%); 0.0 without contacts."""
        return self._rate("connect_rate")

    @property
    def answer_rate(self) -> float:
        """completed / (completed + no_answer + busy) (seed 001; healthy 50-80%); 0.0
        when that sum is 0."""
        return self._rate("answer_rate")

    @property
    def failure_rate(self) -> float:
        """failed / created (seed 001; healthy below 15%); 0.0 without contacts."""
        return self._rate("failure_rate")


EXOTEL_RATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "connect_rate": ("completed", ("created",)),
    "answer_rate": ("completed", ("completed", "no_answer", "busy")),
    "failure_rate": ("failed", ("created",)),
}
"""Seed 001's rates over its ``stats`` object: each rate's numerator field and the
fields summed below it. The one home of the formulas, next to the one record they
read (`CampaignCounts`): the health checks (`campaignkit.metrics.campaign_health`)
and `CampaignStats.summary` read them here (``campaignkit.metrics.tables`` re-exports
it)."""

_COUNT_FIELDS = attrs.fields(CampaignCounts)
_COUNTS_CODEC = Codec(lambda c: c.to_dict(), lambda d: CampaignCounts.from_dict(d))


def _counts_field() -> Any:
    return attrs.field(
        validator=attrs.validators.instance_of(CampaignCounts), metadata={"codec": _COUNTS_CODEC}
    )


# --------------------------------------------------------------------------- events


@attrs.frozen(weakref_slot=False)
class CallUpdate(PlainData):
    """A carrier's status report about one call attempt (a call-status webhook).

    ``contact_id`` and ``attempt`` (as in `Dial`) say which attempt it is
    about; reports for any other attempt are ignored. The optional details are
    applied with the status when the report moves the call forward.
    """

    contact_id: str = f.text()
    attempt: int = f.count(default=None, minimum=1)
    status: CallStatus = f.member(CallStatus)
    at: datetime = f.instant()
    """When the carrier reported the status."""
    answered_by: AnsweredBy | None = f.member(AnsweredBy, optional=True)
    outcome: Outcome | None = f.member(Outcome, optional=True)
    """An explicit classification (conversation analysis, a dialect)."""
    duration: int | None = attrs.field(
        default=None, validator=_check_optional_count, metadata={"codec": f.PLAIN}
    )
    call_id: str | None = f.optional_text()
    """The carrier's id for the call (``CallSid``), if it gives one."""
    from_number: str | None = f.optional_text()
    recording_url: str | None = f.optional_text()
    started_at: datetime | None = f.moment()
    ended_at: datetime | None = f.moment()
    callback_at: datetime | None = f.moment()
    """When the callee asked to be called again - a *callback* request, not a call back
    (see the glossary in the concepts docs; thinkrr *Callback*, with outcome
    ``callback-requested``): when the retry policy grants that outcome a retry, the
    runner schedules it then, moved into the calling window, instead of after the
    policy's wait. Not a detail of the call record."""

    def details(self) -> CallDetails:
        """The details given, as keyword arguments of `apply_call_report`."""
        details: dict[str, object] = {}
        for name in _DETAILS:
            value = getattr(self, name)
            if value is not None:
                details[name] = value
        if self.call_id is not None:
            details["id"] = self.call_id
        # The keys are _DETAILS (Call's own field names) and "id", each holding this
        # record's validated value of the Call field's type.
        return cast(CallDetails, details)


_DETAILS = (
    "answered_by",
    "outcome",
    "duration",
    "from_number",
    "recording_url",
    "started_at",
    "ended_at",
)


@attrs.frozen(weakref_slot=False)
class ContactCalledBack(PlainData):
    """The contact called back - phoned us - while its outcome was held (itellico's
    completion timeout, seed 002). Not a *callback* request (``callback_at``).

    ``outcome`` is what the call-back established; it replaces the held outcome.
    """

    contact_id: str = f.text()
    outcome: Outcome = f.member(Outcome)
    at: datetime = f.instant()


@attrs.frozen(weakref_slot=False)
class ContactConverted(PlainData):
    """The campaign's conversion rule holds for the contact (Altur ``converted``)."""

    contact_id: str = f.text()
    at: datetime = f.instant()


def _check_message_status(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in MESSAGE_STATUSES:
        labels = ", ".join(sorted(s.value for s in MESSAGE_STATUSES))
        raise InvalidInput(
            f"{attribute.name} must be a message status ({labels}); got {shown(value)}"
        )


def _message_status() -> Any:
    codec = f.member(ContactStatus).metadata["codec"]
    return attrs.field(validator=_check_message_status, metadata={"codec": codec})


@attrs.frozen(weakref_slot=False)
class MessageUpdate(PlainData):
    """A WhatsApp provider's status update about the message to one contact.

    Updates arrive duplicated and out of order; `apply_message_update` orders them
    by timestamp and lifecycle, never by arrival. Raises `InvalidInput` for a
    status that is not in `MESSAGE_STATUSES` or a naive ``at``.
    """

    contact_id: str = f.text()
    status: ContactStatus = _message_status()
    """sending, sent, delivered, read, accepted, rejected or failed."""
    at: datetime = f.instant()
    """When the provider says the message reached ``status``."""


def _to_goal_results(value: Iterable[GoalResult]) -> tuple[GoalResult, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidInput(f"goal_results must be a collection of GoalResult; got {shown(value)}")
    results = tuple(value)
    for result in results:
        if type(result) is not GoalResult:
            raise InvalidInput(f"goal_results must hold GoalResult records; got {shown(result)}")
    return results


def _load_goal_results(value: Any) -> tuple[GoalResult, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidInput(f"goal_results must be a list of result dicts; got {shown(value)}")
    return tuple(GoalResult.from_dict(item) for item in value)


@attrs.frozen(weakref_slot=False)
class ConversationResult(PlainData):
    """What one conversation with the contact (a call or a chat) left behind, as the
    conversation analysis reports it: goal results, extracted fields and tags.

    The runner merges it into the contact - tags accumulate, extracted fields merge
    by `merge_extracted` (latest non-empty value wins), goal results combine by
    `combine_goal_results` - and fires ``convert`` when the campaign's
    `ConversionRule` holds. Raises `InvalidInput` for bad fields.
    """

    contact_id: str = f.text()
    at: datetime = f.instant()
    """When the conversation took place."""
    conversation_id: str | None = f.optional_text()
    """The call or chat it comes from; None: identified by ``at``."""
    goal_results: tuple[GoalResult, ...] = attrs.field(
        default=(),
        converter=_to_goal_results,
        metadata={"codec": Codec(lambda rs: [r.to_dict() for r in rs], _load_goal_results)},
    )
    """This conversation's result for each goal evaluated."""
    extracted: FrozenMap[str, Scalar] = f.scalar_map()
    """Fields extracted from the conversation (e.g. email, interest, rating)."""
    tags: frozenset[str] = f.tags()
    """Tags the conversation set on the contact."""

    @property
    def source(self) -> str:
        """The conversation's id, or ``at`` in ISO 8601 when it has none."""
        return self.conversation_id or self.at.isoformat()


Event: TypeAlias = (
    CallUpdate | ContactCalledBack | ContactConverted | MessageUpdate | ConversationResult
)
"""What `CampaignRunner.handle` takes."""


# --------------------------------------------------------------------------- outputs


def _is_contact(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not Contact:
        raise InvalidInput(f"{attribute.name} must be a Contact; got {shown(value)}")


def _is_line(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and type(value) is not CallerLine:
        raise InvalidInput(f"{attribute.name} must be a CallerLine or None; got {shown(value)}")


def _is_template(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and type(value) is not MessageTemplate:
        raise InvalidInput(
            f"{attribute.name} must be a MessageTemplate or None; got {shown(value)}"
        )


@attrs.frozen(weakref_slot=False)
class Dial:
    """A call to place now: the contact (already ``dialing``), which attempt, and from where.

    Report the call's progress with `CallUpdate` using ``contact.id`` and ``attempt``.
    On a WhatsApp campaign the runner hands out `Send`, the subclass that names a
    message to send.
    """

    contact: Contact = attrs.field(validator=_is_contact)
    attempt: int = f.count(default=None, minimum=1)
    """1 for the first attempt of the contact's lifetime, 2 for the next, and so on."""
    line: CallerLine | None = attrs.field(default=None, validator=_is_line)
    """The caller line to use; None lets the dialer choose."""
    template: MessageTemplate | None = attrs.field(default=None, validator=_is_template)
    """On a WhatsApp campaign: the template to send (the contact is ``sending``);
    None for a call."""


@attrs.frozen(weakref_slot=False)
class Send(Dial):
    """A WhatsApp message to send now: the contact (already ``sending``), which attempt,
    and ``template``, the message to send (None: the campaign's first template).

    Report its delivery with `MessageUpdate`. A subclass of `Dial` (issue 18: one name
    for "place a call" and another for "send a message"), so code written for dials
    keeps working; ``line`` is always None.
    """


class _Notice(PlainData):
    __slots__ = ()
    kind: ClassVar[str]

    def to_dict(self) -> JSONObject:
        """This notification as plain JSON types, with its ``kind``."""
        return {"kind": self.kind, **f.dump(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Rebuild a notification from `to_dict` output; raises `InvalidInput`."""
        if not isinstance(data, Mapping) or data.get("kind") != cls.kind:
            raise InvalidInput(
                f"{cls.__name__}.from_dict needs kind {shown(cls.kind)}; got {shown(data)}"
            )
        return f.load(cls, {k: v for k, v in data.items() if k != "kind"})


@attrs.frozen(weakref_slot=False)
class CallStatusNotification(_Notice):
    """A call attempt ended (Exotel's *call status callback*: CallSid, To, From, Status,
    Duration, RecordingUrl, DateCreated)."""

    kind: ClassVar[str] = "call-status"
    contact_id: str = f.text()
    call_id: str = f.text()
    to: str = f.e164()
    attempt: int = f.count(default=None, minimum=1)
    status: CallStatus = f.member(CallStatus)
    outcome: Outcome = f.member(Outcome)
    at: datetime = f.instant()
    """When the engine applied the end of the call."""
    from_number: str = f.text(default="")
    duration: int = f.count()
    answered_by: AnsweredBy | None = f.member(AnsweredBy, optional=True)
    recording_url: str | None = f.optional_text()
    created_at: datetime | None = f.moment()
    campaign_id: str | None = f.optional_text()


@attrs.frozen(weakref_slot=False)
class ContactFinalNotification(_Notice):
    """A contact settled with nothing left to try this cycle (Exotel's *call schedule
    callback*: To, FinalStatus, AttemptCount, CampaignSid)."""

    kind: ClassVar[str] = "contact-final"
    contact_id: str = f.text()
    to: str = f.e164()
    status: ContactStatus = f.member(ContactStatus)
    """The contact's final status."""
    at: datetime = f.instant()
    attempts: int = f.count()
    """Attempts over the contact's lifetime (Exotel ``AttemptCount``)."""
    outcome: Outcome | None = f.member(Outcome, optional=True)
    """The last attempt's outcome (Exotel ``FinalStatus``, e.g. ``no-answer``)."""
    cycle: int = f.count()
    exhausted: bool = f.flag()
    """True when the outcome was retriable but the retry limits were used up."""
    campaign_id: str | None = f.optional_text()
    reason: str | None = f.optional_text()
    """Why the contact was settled without another attempt, when a rule refused it
    for good (a do-not-call list, calling windows that never open); None otherwise."""


@attrs.frozen(weakref_slot=False)
class CampaignStatusNotification(_Notice):
    """The campaign changed status (Exotel's *campaign status callback*, with its stats)."""

    kind: ClassVar[str] = "campaign-status"
    campaign_id: str = f.text()
    status: CampaignStatus = f.member(CampaignStatus)
    previous: CampaignStatus = f.member(CampaignStatus)
    counts: CampaignCounts = _counts_field()
    at: datetime = f.instant()
    cycle: int = f.count()


Notification: TypeAlias = (
    CallStatusNotification | ContactFinalNotification | CampaignStatusNotification
)
"""What the reducers emit into the outbox."""

_NOTICE_KINDS: dict[str, type[_Notice]] = {
    cls.kind: cls
    for cls in (CallStatusNotification, ContactFinalNotification, CampaignStatusNotification)
}


def notification_from_dict(data: Mapping[str, object]) -> Notification:
    """Rebuild any notification from its ``to_dict`` output (dispatching on ``kind``).

    Raises `InvalidInput` for an unknown kind or bad data.
    """
    kind = data.get("kind") if isinstance(data, Mapping) else None
    cls = _NOTICE_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidInput(
            f"unknown notification kind {shown(kind)}; expected one of {list(_NOTICE_KINDS)}"
        )
    notice: Notification = cls.from_dict(data)  # type: ignore[assignment]
    return notice


def _final_notice(
    contact: Contact,
    now: datetime,
    exhausted: bool,
    campaign_id: str | None,
    reason: str | None = None,
) -> ContactFinalNotification:
    if reason is None and (campaign_id is None or type(campaign_id) is str):
        # issue 15: every value comes from a validated record (and ``now`` is UTC), so
        # skip the validators; tests/engine/test_steps.py re-validates what steps emit.
        return _new_final(
            _FINAL_TEMPLATE,
            contact.id,
            contact.phone,
            contact.status,
            contact.attempts,
            now,
            contact.last_outcome,
            contact.cycle,
            exhausted,
            campaign_id,
        )
    return ContactFinalNotification(
        contact_id=contact.id,
        to=contact.phone,
        status=contact.status,
        attempts=contact.attempts,
        at=now,
        outcome=contact.last_outcome,
        cycle=contact.cycle,
        exhausted=exhausted,
        campaign_id=campaign_id,
        reason=reason,
    )


# Notifications and dials built from validated records, without re-validation (issue 15).
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FINAL_TEMPLATE = ContactFinalNotification(
    contact_id="template", to="+10000000000", status=ContactStatus.FAILED, at=_EPOCH
)
_new_final = replacer(
    ContactFinalNotification,
    "contact_id",
    "to",
    "status",
    "attempts",
    "at",
    "outcome",
    "cycle",
    "exhausted",
    "campaign_id",
)
_CALL_TEMPLATE = CallStatusNotification(
    contact_id="template",
    call_id="template",
    to="+10000000000",
    attempt=1,
    status=CallStatus.COMPLETED,
    outcome=Outcome.HUMAN_CONVERSATION,
    at=_EPOCH,
)
_new_call_notice = replacer(
    CallStatusNotification, *(a.name for a in attrs.fields(CallStatusNotification))
)
_DIAL_TEMPLATE = Dial(Contact(id="template", phone="+10000000000"), 1)
_new_dial = replacer(Dial, "contact", "attempt", "line")

# --------------------------------------------------------------------------- contact reducers

_moved = replacer(Contact, "status", "next_attempt_at", "updated_at")
_attempted = replacer(Contact, "status", "attempts", "next_attempt_at", "updated_at")
_settled = replacer(
    Contact, "status", "retries", "failed_retries", "next_attempt_at", "updated_at", "last_outcome"
)
_held = replacer(Contact, "status", "next_attempt_at", "updated_at", "last_outcome")
_rescheduled = replacer(Contact, "next_attempt_at")
_recalled = replacer(Contact, "updated_at", "last_outcome")


def enqueue(contact: Contact, *, at: datetime) -> Contact:
    """``contact`` waiting for its first attempt at ``at``, if it waits without a time.

    A queued or retrying contact whose ``next_attempt_at`` is None gets ``at``;
    any other contact is returned as it is. Raises `InvalidInput` for a naive ``at``.
    """
    at = aware_utc(at, "at")
    if contact.status in _WAITING and contact.next_attempt_at is None:
        return _rescheduled(contact, at)
    return contact


def is_due(contact: Contact, now: datetime) -> bool:
    """True if ``contact`` should be dialled at ``now``: queued or retrying, and its
    ``next_attempt_at`` has come. A final contact is never due. Raises `InvalidInput`
    for a naive ``now``."""
    at = contact.next_attempt_at
    return at is not None and contact.status in _WAITING and at <= aware_utc(now)


def dial(contact: Contact, *, now: datetime, line: CallerLine | None = None) -> Dial:
    """The attempt to place for ``contact`` at ``now``: the contact moves to ``dialing``
    (a ``retrying`` one through ``queued``), ``attempts`` grows by one and
    ``next_attempt_at`` clears.

    It does not check the time: a due check is `is_due`, and a manual "retry
    contact" may dial early. Raises `IllegalTransition` unless the contact is
    queued or retrying, and `InvalidInput` for a naive ``now``.
    """
    dialled = _begin_attempt(contact, ContactEvent.DIAL, aware_utc(now))
    if line is not None and type(line) is not CallerLine:
        return Dial(dialled, dialled.attempts, line)  # raises InvalidInput
    return _new_dial(_DIAL_TEMPLATE, dialled, dialled.attempts, line)


def _begin_attempt(contact: Contact, event: ContactEvent, now: datetime) -> Contact:
    """``contact`` after ``event`` (dial or send), a retrying one through queued
    (`attempt_status`): one more attempt, no next attempt time. Raises
    `IllegalTransition`."""
    status = attempt_status(contact.status, event)
    return _attempted(contact, status, contact.attempts + 1, None, now)


def postpone(contact: Contact, *, until: datetime) -> Contact:
    """``contact`` with its next attempt moved to ``until`` (outside a calling window,
    a pacing limit, ...). Status and counters are unchanged.

    Raises `InvalidInput` unless the contact is queued or retrying, or for a naive ``until``.
    """
    until = aware_utc(until, "until")
    if contact.status not in _WAITING:
        raise InvalidInput(
            f"only a queued or retrying contact can be postponed; {shown(contact.id)} is "
            f"{shown(contact.status.value)}"
        )
    return _rescheduled(contact, until)


def _settle(
    contact: Contact,
    outcome: Outcome,
    policy: RetryPolicy,
    now: datetime,
    campaign_id: str | None,
    *,
    retry: bool,
) -> tuple[Contact, tuple[Notification, ...]]:
    landed = CONTACT_MACHINE.next(contact.status, settle_event(outcome))
    decision = policy.decide(contact, outcome) if retry else None
    if decision is None:
        settled = _settled(
            contact, landed, contact.retries, contact.failed_retries, None, now, outcome
        )
        exhausted = retry and policy.rules[outcome].retry
        return settled, (_final_notice(settled, now, exhausted, campaign_id),)
    status, retries, failed_retries = _retried(contact, landed, decision)
    return _settled(contact, status, retries, failed_retries, decision.due(now), now, outcome), ()


def _retried(
    contact: Contact, landed: ContactStatus, decision: RetryDecision
) -> tuple[ContactStatus, int, int]:
    """Where a granted retry takes a contact that landed in ``landed`` (`retry_status`
    decides), and its counters: Altur keeps two per-cycle counters (seed 000) -
    ``retries`` for outcomes that wait in ``retrying``, ``failed_retries`` for failures
    that go straight back to the queue."""
    if decision.counter is RetryCounter.RETRIES:
        return (
            retry_status(landed, requeue=False),
            contact.retries + 1,
            contact.failed_retries,
        )
    return retry_status(landed, requeue=True), contact.retries, contact.failed_retries + 1


def apply_call(
    contact: Contact,
    call: Call,
    policy: RetryPolicy,
    *,
    now: datetime,
    campaign_id: str | None = None,
    retry: bool = True,
) -> tuple[Contact, tuple[Notification, ...]]:
    """``contact`` after the attempt ``call`` ended, and the notifications to send.

    Emits a `CallStatusNotification`; then, with a completion timeout, holds the
    outcome (``awaiting-outcome`` until ``now + completion_timeout``), and
    otherwise settles it by the policy - a retry, or a final status and a
    `ContactFinalNotification`. ``retry=False`` (the campaign was
    force-completed) settles at once and never retries.

    Returns ``(contact, ())`` unchanged when there is nothing to apply: the call
    has not ended, it is not the contact's current attempt, or the contact is
    not dialling (a duplicate or stale report). Raises `InvalidInput` if the
    call is for another contact or ``now`` is naive.
    """
    if call.contact_id != contact.id:
        raise InvalidInput(
            f"call {shown(call.id)} is for contact "
            f"{shown(call.contact_id)}, not {shown(contact.id)}"
        )
    outcome = call.result
    if (
        call.status not in _CALL_ENDED
        or outcome is None
        or contact.status is not _K.DIALING
        or call.attempt != contact.attempts
    ):
        return contact, ()
    now = aware_utc(now)
    if campaign_id is not None and type(campaign_id) is not str:
        raise InvalidInput(f"campaign_id must be a string or None; got {shown(campaign_id)}")
    # issue 15: every value comes from the validated contact and call, so the notice is
    # built without re-running the validators (tests/engine/test_steps.py re-validates).
    notice = _new_call_notice(
        _CALL_TEMPLATE,
        contact.id,
        call.id,
        contact.phone,
        call.attempt,
        call.status,
        outcome,
        now,
        call.from_number,
        call.duration,
        call.answered_by,
        call.recording_url,
        call.created_at,
        campaign_id,
    )
    timeout = policy.completion_timeout
    if timeout and retry:
        status = _TABLE[_K.DIALING, ContactEvent.CALL_ENDED]
        return _held(contact, status, now + timeout, now, outcome), (notice,)
    settled, notes = _settle(contact, outcome, policy, now, campaign_id, retry=retry)
    return settled, (notice, *notes)


def apply_called_back(contact: Contact, outcome: Outcome, *, now: datetime) -> Contact:
    """``contact`` after it called back at ``now`` with ``outcome``, while its outcome is
    held (a `ContactCalledBack` event; named apart from a *callback* request, issue 18).

    Within the completion window (after the contact's last change, before its
    ``next_attempt_at``) the held outcome becomes ``outcome``; otherwise the
    contact is returned unchanged, so repeats and late call-backs do nothing.
    Raises `InvalidInput` for a naive ``now``.
    """
    now = aware_utc(now)
    if contact.status is not _K.AWAITING_OUTCOME:
        return contact
    deadline, last = contact.next_attempt_at, contact.updated_at
    if deadline is None or now >= deadline or (last is not None and now <= last):
        return contact
    return _recalled(contact, now, outcome)


def apply_call_back(contact: Contact, outcome: Outcome, *, now: datetime) -> Contact:
    """Deprecated name of `apply_called_back` ("call back" also reads as a callback
    request; issue 18), kept for one release: warns with a `DeprecationWarning`."""
    warnings.warn(
        "apply_call_back is deprecated; use apply_called_back (the contact called back, "
        "as opposed to a callback request)",
        DeprecationWarning,
        stacklevel=2,
    )
    return apply_called_back(contact, outcome, now=now)


def finalize_outcome(
    contact: Contact,
    policy: RetryPolicy,
    *,
    now: datetime,
    campaign_id: str | None = None,
) -> tuple[Contact, tuple[Notification, ...]]:
    """Settle the outcome ``contact`` has held since its call ended, once its window closed.

    A contact awaiting its outcome whose ``next_attempt_at`` is at or before
    ``now`` is settled at ``now`` by the policy (see `apply_call`); any other
    contact is returned unchanged. Raises `InvalidInput` for a naive ``now`` or
    an awaiting contact with no ``last_outcome``.
    """
    now = aware_utc(now)
    deadline = contact.next_attempt_at
    if contact.status is not _K.AWAITING_OUTCOME or deadline is None or deadline > now:
        return contact, ()
    outcome = contact.last_outcome
    if outcome is None:
        raise InvalidInput(f"contact {shown(contact.id)} awaits an outcome but has no last_outcome")
    return _settle(contact, outcome, policy, now, campaign_id, retry=True)


def mark_converted(
    contact: Contact, *, now: datetime, campaign_id: str | None = None
) -> tuple[Contact, tuple[Notification, ...]]:
    """``contact`` converted at ``now``: final, with a `ContactFinalNotification`.

    Converting a converted contact changes nothing. Raises `IllegalTransition`
    from a status that cannot convert (only awaiting-outcome, answered, read and
    accepted can), and `InvalidInput` for a naive ``now``.
    """
    if contact.status is _K.CONVERTED:
        return contact, ()
    now = aware_utc(now)
    status = CONTACT_MACHINE.next(contact.status, ContactEvent.CONVERT)
    converted = _moved(contact, status, None, now)
    return converted, (_final_notice(converted, now, False, campaign_id),)


def close_contact(
    contact: Contact,
    policy: RetryPolicy,
    *,
    now: datetime,
    campaign_id: str | None = None,
) -> tuple[Contact, tuple[Notification, ...]]:
    """``contact`` when its campaign is force-completed (Exotel: pending contacts become failed).

    A queued or retrying contact becomes ``failed``, its ``last_outcome``
    ``canceled`` (the pending attempt was cancelled, so Exotel counts it as
    failed, not busy or no-answer); a held outcome settles at once without a
    retry. A contact in a call, or already settled, is unchanged (close it again
    when its call ends). Raises `InvalidInput` for a naive ``now``.
    """
    now = aware_utc(now)
    status = contact.status
    if status in _WAITING:
        failed = _settled(
            contact,
            _TABLE[status, ContactEvent.FAIL],
            contact.retries,
            contact.failed_retries,
            None,
            now,
            Outcome.CANCELLED,
        )
        return failed, (_final_notice(failed, now, False, campaign_id),)
    if status is _K.AWAITING_OUTCOME and contact.last_outcome is not None:
        return _settle(contact, contact.last_outcome, policy, now, campaign_id, retry=False)
    return contact, ()


def refuse_contact(
    contact: Contact,
    *,
    now: datetime,
    reason: str,
    campaign_id: str | None = None,
) -> tuple[Contact, tuple[Notification, ...]]:
    """``contact`` settled as ``failed`` because a rule refuses it for good - a
    do-not-call list, calling windows that never open for it - with a
    `ContactFinalNotification` giving ``reason``.

    No attempt was placed, so the last outcome is ``canceled`` (Exotel counts the
    contact as failed) and the counters stay. Raises `InvalidInput` unless the
    contact is queued or retrying, for an empty ``reason`` or a naive ``now``.
    """
    now = aware_utc(now)
    if contact.status not in _WAITING:
        raise InvalidInput(
            f"only a queued or retrying contact can be refused; {shown(contact.id)} is "
            f"{shown(contact.status.value)}"
        )
    if type(reason) is not str or not reason:
        raise InvalidInput(f"reason must be a non-empty string; got {shown(reason)}")
    failed = _settled(
        contact,
        _TABLE[contact.status, ContactEvent.FAIL],
        contact.retries,
        contact.failed_retries,
        None,
        now,
        Outcome.CANCELLED,
    )
    return failed, (_final_notice(failed, now, False, campaign_id, reason),)


# --------------------------------------------------------------------------- WhatsApp reducers


def send_message(
    contact: Contact, *, now: datetime, template: MessageTemplate | None = None
) -> Send:
    """The message to send to ``contact`` at ``now``: the contact moves to ``sending``
    (a ``retrying`` one through ``queued``), ``attempts`` grows by one and
    ``next_attempt_at`` clears. ``template`` is carried on the returned `Send`.

    Raises `IllegalTransition` unless the contact is queued or retrying, and
    `InvalidInput` for a naive ``now`` or a ``template`` that is not a `MessageTemplate`.
    """
    sending = _begin_attempt(contact, ContactEvent.SEND, aware_utc(now))
    return Send(sending, sending.attempts, None, template)


_reported = replacer(Contact, "status", "next_attempt_at", "updated_at")


def apply_message_update(contact: Contact, status: ContactStatus, *, at: datetime) -> Contact:
    """``contact`` after its provider reported the message in ``status`` at ``at``.

    `apply_message_status` decides whether the update is taken (duplicates, stale
    and out-of-order updates converge on the same contact). A taken update also
    sets ``next_attempt_at``: to ``at`` for ``failed`` - the failure waits there
    for `settle_message` to ask the retry policy, so that a later update may
    still overtake it - and to None otherwise (the contact is no longer waiting
    for an attempt). The very same object is returned when nothing changes.

    Raises `InvalidInput` for a naive ``at`` or a status that is not a message
    status, `IllegalTransition` for a contact in a call-only state.
    """
    moved = apply_message_status(contact, status, at=at)
    if moved is contact:
        return contact
    hold = moved.updated_at if moved.status is _K.FAILED else None
    return _reported(moved, moved.status, hold, moved.updated_at)


def settle_message(
    contact: Contact,
    policy: RetryPolicy,
    *,
    now: datetime,
    campaign_id: str | None = None,
    retry: bool = True,
) -> tuple[Contact, tuple[Notification, ...]]:
    """Settle a failed message held by `apply_message_update`, once its time came.

    A ``failed`` contact whose ``next_attempt_at`` is at or before ``now`` gets the
    retry policy's answer for `Outcome.FAILED` (seed 000: "retrying after failed
    status"): a retry goes back to ``queued`` or ``retrying``, due ``wait`` after
    the failure; otherwise the contact is final, with a `ContactFinalNotification`.
    ``retry=False`` (the campaign was force-completed) settles without retry. Any
    other contact is returned unchanged. Raises `InvalidInput` for a naive ``now``.
    """
    now = aware_utc(now)
    held = contact.next_attempt_at
    if contact.status is not _K.FAILED or held is None or held > now:
        return contact, ()
    decision = policy.decide(contact, Outcome.FAILED) if retry else None
    if decision is None:
        settled = _settled(
            contact, _K.FAILED, contact.retries, contact.failed_retries, None, held, Outcome.FAILED
        )
        exhausted = retry and policy.rules[Outcome.FAILED].retry
        return settled, (_final_notice(settled, held, exhausted, campaign_id),)
    status, retries, failed_retries = _retried(contact, _K.FAILED, decision)
    again = _settled(
        contact, status, retries, failed_retries, decision.due(held), held, Outcome.FAILED
    )
    return again, ()


def settle_no_response(
    contact: Contact,
    policy: RetryPolicy,
    *,
    now: datetime,
    campaign_id: str | None = None,
    retry: bool = True,
) -> tuple[Contact, tuple[Notification, ...]]:
    """Settle a message sent, delivered or read that got no reply by its
    ``next_attempt_at`` (the end of the settings' response window).

    Seed 004 retries WhatsApp contacts "in case of no response": the retry policy
    is asked as for an unanswered call (`Outcome.NO_ANSWER`); a retry moves the
    contact to ``retrying``, due ``wait`` after the window closed; otherwise the
    contact stays sent, delivered or read, final, with a `ContactFinalNotification`.
    ``retry=False`` settles without retry. Any other contact is returned unchanged.
    Raises `InvalidInput` for a naive ``now``.
    """
    now = aware_utc(now)
    held = contact.next_attempt_at
    status = contact.status
    if status not in _AWAITING_REPLY or held is None or held > now:
        return contact, ()
    decision = policy.decide(contact, Outcome.NO_ANSWER) if retry else None
    if decision is None:
        settled = _settled(
            contact, status, contact.retries, contact.failed_retries, None, held, Outcome.NO_ANSWER
        )
        exhausted = retry and policy.rules[Outcome.NO_ANSWER].retry
        return settled, (_final_notice(settled, held, exhausted, campaign_id),)
    status, retries, failed_retries = _retried(contact, status, decision)
    again = _settled(
        contact, status, retries, failed_retries, decision.due(held), held, Outcome.NO_ANSWER
    )
    return again, ()


# --------------------------------------------------------------------------- campaign reducers


def move_campaign(
    campaign: Campaign, event: CampaignEvent, *, now: datetime, counts: CampaignCounts
) -> tuple[Campaign, tuple[Notification, ...]]:
    """``campaign`` after ``event``, with a `CampaignStatusNotification` if its status
    changed. ``START_CYCLE`` also counts the new cycle in ``campaign.cycle``.

    Raises `IllegalTransition` if the campaign machine refuses the event and
    `InvalidInput` for a naive ``now``.
    """
    now = aware_utc(now)
    status = CAMPAIGN_MACHINE.next(campaign.status, event)
    cycle = campaign.cycle + 1 if event is CampaignEvent.START_CYCLE else campaign.cycle
    if status is campaign.status and cycle == campaign.cycle:
        return campaign, ()
    moved = attrs.evolve(campaign, status=status, cycle=cycle)
    notice = CampaignStatusNotification(
        campaign_id=campaign.id,
        status=status,
        previous=campaign.status,
        counts=counts,
        at=now,
        cycle=cycle,
    )
    return moved, (notice,)


def open_campaign(
    campaign: Campaign, *, now: datetime, counts: CampaignCounts
) -> tuple[Campaign, tuple[Notification, ...]]:
    """A scheduled ``campaign`` opened (``active``) once its ``start_at`` has come;
    anything else unchanged. Raises `InvalidInput` for a naive ``now``."""
    now = aware_utc(now)
    if campaign.status is not CampaignStatus.SCHEDULED:
        return campaign, ()
    if campaign.start_at is not None and campaign.start_at > now:
        return campaign, ()
    return move_campaign(campaign, CampaignEvent.OPEN, now=now, counts=counts)


def apply_command(
    campaign: Campaign, command: CampaignCommand, *, now: datetime, counts: CampaignCounts
) -> tuple[Campaign, tuple[Notification, ...]]:
    """``campaign`` after a user's ``command``, with one notification per status change.

    ``START`` launches a ready campaign and opens it at once when its
    ``start_at`` is None or past. The contact side of ``FORCE_COMPLETE`` is
    `close_contact`. Raises `IllegalTransition` when the command is not allowed
    in the campaign's status and `InvalidInput` for a naive ``now``.
    """
    event = CampaignEvent.for_command(command)
    if command is CampaignCommand.START:
        launched, first = move_campaign(campaign, event, now=now, counts=counts)
        opened, second = open_campaign(launched, now=now, counts=counts)
        return opened, first + second
    return move_campaign(campaign, event, now=now, counts=counts)
