"""`CampaignRunner`: the reducers of `campaignkit.engine` composed in memory.

For small deployments, simulations, notebooks and tests. The runner holds one
campaign, its contacts and the calls in flight; it reads no clock (every
method takes ``now`` or an event carrying ``at``) and delivers nothing
(notifications wait in `CampaignRunner.outbox`). Its state is plain data:
`CampaignRunner.snapshot` and `CampaignRunner.restore` round-trip exactly.

Theory of operation
-------------------
* `add_contacts` loads contacts (queued ones become due at once), `start`
  launches the campaign (it opens at ``start_at``).
* `due` (``now``) returns the `Dial` records to place - contact, attempt
  number, caller line - and marks those contacts ``dialing``; on the way it
  settles held outcomes whose completion window closed.
* `handle` applies an `Event`: call progress (`CallUpdate`), a call-back
  within the completion window (`ContactCalledBack`), a conversion
  (`ContactConverted`), a conversation's results (`ConversationResult`) or,
  on a WhatsApp campaign, a message-status update (`MessageUpdate`).
  Duplicated, stale and out-of-order reports change nothing.
* When no contact is pending or in a call, the cycle is over: with a
  `CyclePolicy` and a loop left the campaign cools down and, at the next
  `due` after the cooldown, re-queues the eligible contacts; otherwise it
  finishes. `next_wakeup` says when the runner next has work to do.
* `counts` (Exotel's stats) is kept up to date on every change, in O(1).

The seam for the time policies
------------------------------
`due` never scans the contacts. Every contact the engine must act on later -
queued, retrying, or awaiting its outcome - has an entry in a priority queue
keyed by ``(next_attempt_at, priority rank, loading order)``: earliest first,
and among contacts due at the same time high before normal before low, then
first-loaded first. Entries are never removed, only skipped when they no
longer match the contact (lazy deletion), so every change is O(log n). The
queue is a calendar queue of packed ``int`` keys (``_due_queue``): a lane per
priority, buckets of about a minute, and only the earliest bucket loaded, so
the cost of a selected call stays nearly flat from ten thousand to a million
contacts. Contacts waiting only to be *settled* (a held outcome, a failed
message) have a queue of their own, settled first in every `due`, so nothing
that blocks calling delays them.

Each due contact popped from the queue passes through exactly one private
step, ``CampaignRunner._admit(contact, now)``, which returns an ``_Admission``
with one of four answers: admitted, with the caller line to dial from (None:
the dialer's choice); refused for this contact until a later time (it is
`postpone`d and re-enters the queue there, costing nothing until then);
refused for this contact for good (a do-not-call number, windows that never
open: it is settled as failed by `refuse_contact`, with the reason in its
`ContactFinalNotification`); or refused for everybody (``halt``: a closed
calling window, a full pacing slot, no usable caller line), which puts the
contact back unchanged and ends this round of `due`. A halt that knows when
it lifts makes every `due` before then return at once, and `next_wakeup`
waits for it; one that does not (every concurrent-call slot busy, every line
disabled) waits for an event - a call ending, `update_line` - and
`CampaignRunner.blocked` says why nothing is dialled.

The time policies plug in there, through `campaignkit.policies.admission.admit`:
`Schedule` (the campaign's hours and the contact's local window), `PacingPolicy`
(call interval, concurrency, WhatsApp daily limit, with the runner's
`PacingState`), `RotationPolicy` over the runner's `CallerLine` records (their
daily counts kept by `record_line_call`, sticky by ``Contact.line_id``, set
when a line first reaches the contact), `CompliancePolicy` with each contact's
past attempts, and the caller's do-not-call set. With none of them given, every
contact is admitted with no line. A retry (or a requested callback) that falls
outside the calling window is moved to the window's next opening when it is
scheduled, so it is never lost.

WhatsApp and conversations
--------------------------
On a WhatsApp campaign (given `WhatsAppSettings` with consent) `due` proposes
messages: the `Dial` carries the template and the contact is ``sending``;
the daily send limit and the messaging tier cap how many go out
(`sends_remaining`). `MessageUpdate` events are applied with
`apply_message_update`, so any arrival order converges; a failed message is
settled by the retry policy at the next `due`. A `ConversationResult` merges
tags, extracted fields and goal results into the contact, and with a
`ConversionRule` fires ``convert`` as soon as the rule holds in a status that
can convert (awaiting outcome, answered, read, accepted). A call ending in
``callback-requested`` with `CallUpdate.callback_at` is retried at that time,
moved into the calling window (`schedule_callback`).
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, ValuesView
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

import attrs

from . import _runner_data
from ._due_queue import _INDEX_MASK, _DueQueue, _key, _key_limit
from ._fields import aware_utc, replacer
from ._frozen import EMPTY
from ._runner_data import SNAPSHOT_FORMAT, _Conversations, _Halt
from .conversion import (
    ConversionKind,
    ConversionRule,
    Extraction,
    add_tags,
    is_converted,
    merge_extracted,
    schedule_callback,
)
from .engine import (
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
    apply_call_back,
    apply_command,
    apply_message_update,
    close_contact,
    contact_bucket,
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
)
from .errors import InvalidConfig, InvalidInput
from .goals import GoalResult, GoalSet, combine_goal_results
from .lifecycle import apply_call_report
from .machines import CALL_MACHINE, CAMPAIGN_MACHINE, CONTACT_MACHINE, CampaignEvent, ContactEvent
from .models import Call, CallerLine, Campaign, Contact
from .policies.admission import admit
from .policies.compliance import Attempt, CompliancePolicy
from .policies.cycles import CyclePolicy
from .policies.pacing import PacingPolicy, PacingState, counted_today
from .policies.refusal import Refusal
from .policies.retry import RetryPolicy
from .policies.rotation import RotationPolicy, RotationStrategy, record_line_call
from .policies.schedule import Schedule, day_start_after, local_day, zone_of
from .statuses import CampaignStatus, Channel, ContactStatus, Outcome
from .whatsapp import (
    SERVICE_WINDOW,
    MessagingTier,
    WhatsAppSettings,
    check_consent,
    check_retry_loops,
    sends_remaining,
)

__all__ = ["SNAPSHOT_FORMAT", "CampaignRunner"]

_Q = ContactStatus
_WAITING = frozenset({_Q.QUEUED, _Q.RETRYING})
_NOT_LOADABLE = frozenset({_Q.DIALING, _Q.SENDING})
_CONVERTIBLE = frozenset(s for (s, e) in CONTACT_MACHINE.table if e is ContactEvent.CONVERT)
_CALL_ENDED = CALL_MACHINE.terminal
_TEMPLATE_CALL = Call(id="template", contact_id="template", to="+10000000000")
_MICROSECOND = timedelta(microseconds=1)
_LOADED_AT = datetime(1970, 1, 1, tzinfo=UTC)  # the time of fields a contact was loaded with
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
_BUCKETS = tuple(a.name for a in attrs.fields(CampaignCounts) if a.name != "created")
_NO_PACING = PacingState()
_NOBODY: frozenset[str] = frozenset()


class _Admission(NamedTuple):
    """What the admission step decided for one due contact."""

    line: CallerLine | None = None
    """The line to dial from; None lets the dialer choose."""
    later: datetime | None = None
    """Not this contact now: `postpone` it to this time (strictly after ``now``)."""
    halt: bool = False
    """Nobody now (schedule closed, pacing full): put the contact back as it was and
    stop this round of `CampaignRunner.due`."""
    until: datetime | None = None
    """With ``halt``: nobody can be admitted before this time (None: not known)."""
    stuck: bool = False
    """With ``halt``: nothing is admitted until an event (a call ending, a line
    update) changes the campaign's state; waiting alone does not help."""
    never: str | None = None
    """Not this contact, ever: settle it as failed, for this reason."""
    refusals: tuple[Refusal, ...] = ()
    """The refusals behind the answer."""


_ADMITTED = _Admission()


class _ContactsView(Mapping[str, Contact]):
    """A read-only view of the runner's contacts by id, in loading order."""

    __slots__ = ("_order", "_slots")

    def __init__(self, order: dict[str, int], slots: list[Contact]) -> None:
        self._order = order
        self._slots = slots

    def __getitem__(self, contact_id: str) -> Contact:
        return self._slots[self._order[contact_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._slots)

    def values(self) -> ValuesView[Contact]:
        """The contacts, in loading order."""
        return _SlotValues(self)

    def __repr__(self) -> str:
        return f"<contacts: {len(self._slots)}>"


class _SlotValues(ValuesView[Contact]):
    __slots__ = ()
    _mapping: _ContactsView

    def __iter__(self) -> Iterator[Contact]:
        return iter(self._mapping._slots)


class CampaignRunner:
    """One campaign in memory: contacts, calls in flight, cycles, counts and an outbox.

    Built from a `Campaign`, a `RetryPolicy` (default: `RetryPolicy()`), an
    optional `CyclePolicy` and the optional time policies: ``schedule``
    (default: open around the clock in the campaign's time zone), ``pacing``
    (None: no call interval or concurrency cap), ``rotation`` over ``lines``
    (None: no line is assigned; a list, even empty, must yield a usable line),
    ``compliance``, a ``do_not_call`` set of E.164 numbers, and ``rng`` for the
    Weighted rotation. A WhatsApp campaign needs ``whatsapp`` settings with
    consent and takes an optional messaging ``tier``; ``conversion`` (with
    ``goals`` for a primary-goal rule) marks contacts converted from
    `ConversationResult` events.

    Raises `InvalidInput` for arguments of the wrong type, duplicate line ids,
    a Weighted rotation without ``rng``, or a WhatsApp campaign without
    settings; `InvalidConfig` for a WhatsApp campaign without consent, with
    cycles (retry loops are phone calls only) or with caller lines, WhatsApp
    options on a call campaign, or a primary-goal conversion rule without ``goals``.
    """

    __slots__ = (
        "_call_lines",
        "_callbacks",
        "_calls",
        "_campaign",
        "_compliance",
        "_conversations",
        "_conversion",
        "_cycles",
        "_dnc",
        "_goals",
        "_halt",
        "_held",
        "_history",
        "_hooks",
        "_keys",
        "_line_at",
        "_lines",
        "_loop_starts",
        "_messages",
        "_next_loop_at",
        "_order",
        "_outbox",
        "_pacing",
        "_pacing_state",
        "_policy_compliance",
        "_policy_pacing",
        "_policy_rotation",
        "_policy_schedule",
        "_previous_line_id",
        "_queue",
        "_recipients",
        "_retry",
        "_rng",
        "_rotation",
        "_schedule",
        "_sends",
        "_settling",
        "_slots",
        "_tally",
        "_tier",
        "_timed",
        "_whatsapp",
        "_zone",
    )

    def __init__(
        self,
        campaign: Campaign,
        *,
        retry: RetryPolicy | None = None,
        cycles: CyclePolicy | None = None,
        schedule: Schedule | None = None,
        pacing: PacingPolicy | None = None,
        rotation: RotationPolicy | None = None,
        compliance: CompliancePolicy | None = None,
        lines: Sequence[CallerLine] | None = None,
        do_not_call: Iterable[str] = _NOBODY,
        rng: random.Random | None = None,
        whatsapp: WhatsAppSettings | None = None,
        tier: MessagingTier | None = None,
        conversion: ConversionRule | None = None,
        goals: GoalSet | None = None,
    ) -> None:
        if type(campaign) is not Campaign:
            raise InvalidInput(f"campaign must be a Campaign; got {campaign!r}")
        messages = campaign.channel is Channel.WHATSAPP
        if messages and whatsapp is None:
            raise InvalidInput(
                "CampaignRunner drives call campaigns, and WhatsApp campaigns given "
                f"whatsapp=WhatsAppSettings(...); {campaign.id!r} is "
                f"{campaign.channel.value!r} and has none"
            )
        if retry is not None and type(retry) is not RetryPolicy:
            raise InvalidInput(f"retry must be a RetryPolicy; got {retry!r}")
        if cycles is not None and type(cycles) is not CyclePolicy:
            raise InvalidInput(f"cycles must be a CyclePolicy or None; got {cycles!r}")
        for name, value, cls in (
            ("schedule", schedule, Schedule),
            ("pacing", pacing, PacingPolicy),
            ("rotation", rotation, RotationPolicy),
            ("compliance", compliance, CompliancePolicy),
            ("rng", rng, random.Random),
            ("whatsapp", whatsapp, WhatsAppSettings),
            ("tier", tier, MessagingTier),
            ("conversion", conversion, ConversionRule),
            ("goals", goals, GoalSet),
        ):
            if value is not None and not isinstance(value, cls):
                raise InvalidInput(f"{name} must be a {cls.__name__} or None; got {value!r}")
        if messages:
            assert whatsapp is not None
            check_consent(whatsapp)
            check_retry_loops(campaign.channel, enabled=cycles is not None)
            if lines is not None:
                raise InvalidConfig(
                    "lines", "None for a WhatsApp campaign (it sends from its WhatsApp line)", lines
                )
        elif whatsapp is not None or tier is not None:
            raise InvalidConfig(
                "whatsapp", "None for a call campaign", whatsapp if tier is None else tier
            )
        primary = conversion is not None and conversion.kind is ConversionKind.PRIMARY_GOAL
        if primary and goals is None:
            raise InvalidConfig("goals", "a GoalSet for a primary-goal conversion rule", None)
        if isinstance(do_not_call, str) or not isinstance(do_not_call, Iterable):
            raise InvalidInput(f"do_not_call must be a collection of numbers; got {do_not_call!r}")
        dnc = frozenset(do_not_call)
        if not all(type(n) is str and n for n in dnc):
            raise InvalidInput(f"do_not_call must hold E.164 numbers; got {do_not_call!r}")
        line_list: list[CallerLine] | None = None
        if lines is not None:
            if isinstance(lines, str) or not isinstance(lines, Iterable):
                raise InvalidInput(f"lines must be a sequence of CallerLine; got {lines!r}")
            line_list = list(lines)
            if not all(type(x) is CallerLine for x in line_list):
                raise InvalidInput(f"lines must hold CallerLine records; got {lines!r}")
            if len({x.id for x in line_list}) != len(line_list):
                raise InvalidInput(
                    f"caller lines must have distinct ids; got {[x.id for x in line_list]}"
                )
        policy_rotation = rotation or RotationPolicy()
        weighted = policy_rotation.strategy is RotationStrategy.WEIGHTED
        if weighted and lines is not None and rng is None:
            raise InvalidInput("the weighted rotation strategy needs rng=random.Random(seed)")
        self._campaign = campaign
        self._retry = RetryPolicy() if retry is None else retry
        self._cycles = cycles
        self._schedule = schedule
        self._pacing = pacing
        self._rotation = rotation
        self._compliance = compliance
        self._dnc = dnc
        self._rng = rng
        self._whatsapp = whatsapp
        self._tier = tier
        self._conversion = conversion
        self._goals = goals
        self._messages = messages
        self._lines = line_list
        self._line_at = {x.id: i for i, x in enumerate(line_list or ())}
        self._policy_schedule = schedule or Schedule(timezone=campaign.timezone)
        self._policy_pacing = pacing or PacingPolicy()
        self._policy_rotation = policy_rotation
        self._policy_compliance = compliance or CompliancePolicy()
        self._zone = self._policy_schedule.timezone
        self._timed = (
            schedule is not None
            or pacing is not None
            or rotation is not None
            or compliance is not None
            or lines is not None
            or bool(dnc)
        )
        # Work after an outcome settles: retries into the window, callbacks, conversion.
        self._hooks = schedule is not None or conversion is not None
        self._order: dict[str, int] = {}  # contact id -> loading index
        self._slots: list[Contact] = []  # loading index -> the contact as it stands
        self._keys: list[int | None] = []  # loading index -> its latest queue key
        self._queue = _DueQueue()  # queued and retrying contacts: packed keys, see _key
        self._settling = _DueQueue()  # held outcomes and failed messages to settle
        self._calls: dict[str, Call] = {}
        self._tally: dict[str, int] = dict.fromkeys(_BUCKETS, 0)
        self._outbox: list[Notification] = []
        self._loop_starts: list[datetime] = []
        self._next_loop_at: datetime | None = None
        self._pacing_state = PacingState()
        self._previous_line_id: str | None = None
        self._call_lines: dict[str, str] = {}  # contact id -> the line of its call in flight
        self._history: dict[str, list[Attempt]] = {}  # contact id -> past attempts
        self._callbacks: dict[str, tuple[datetime, datetime]] = {}  # id -> (reported, requested)
        self._halt: _Halt | None = None
        self._sends: deque[tuple[datetime, str]] = deque()  # the last 24 h, for the tier
        self._recipients: Counter[str] = Counter()
        self._held: set[int] = set()  # failed messages waiting to be settled
        self._conversations: dict[str, _Conversations] = {}

    def __repr__(self) -> str:
        return (
            f"<CampaignRunner {self._campaign.id!r} {self._campaign.status.value} "
            f"cycle {self._campaign.cycle}: {len(self._slots)} contacts, "
            f"{len(self._calls)} calls in flight>"
        )

    # ------------------------------------------------------------------ reading

    @property
    def campaign(self) -> Campaign:
        """The campaign record as it stands."""
        return self._campaign

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy."""
        return self._retry

    @property
    def cycles(self) -> CyclePolicy | None:
        """The cycle policy, or None for a single pass."""
        return self._cycles

    @property
    def schedule(self) -> Schedule | None:
        """The calling schedule given, or None (open around the clock)."""
        return self._schedule

    @property
    def pacing(self) -> PacingPolicy | None:
        """The pacing policy given, or None (no interval or concurrency cap)."""
        return self._pacing

    @property
    def rotation(self) -> RotationPolicy | None:
        """The caller-ID rotation policy given, or None (Round Robin over ``lines``)."""
        return self._rotation

    @property
    def compliance(self) -> CompliancePolicy | None:
        """The compliance policy given, or None."""
        return self._compliance

    @property
    def do_not_call(self) -> frozenset[str]:
        """The numbers never to call or message."""
        return self._dnc

    @property
    def whatsapp(self) -> WhatsAppSettings | None:
        """A WhatsApp campaign's settings; None for a call campaign."""
        return self._whatsapp

    @property
    def tier(self) -> MessagingTier | None:
        """The WhatsApp messaging tier, or None (no tier limit)."""
        return self._tier

    @property
    def conversion(self) -> ConversionRule | None:
        """The conversion rule, or None (conversions come only as `ContactConverted`)."""
        return self._conversion

    @property
    def goals(self) -> GoalSet | None:
        """The campaign's goals, or None."""
        return self._goals

    @property
    def lines(self) -> tuple[CallerLine, ...] | None:
        """The caller lines as they stand (today's counts included); None when the
        runner assigns no lines."""
        return None if self._lines is None else tuple(self._lines)

    @property
    def pacing_state(self) -> PacingState:
        """Calls in flight, the last start and today's count, as pacing sees them."""
        return self._pacing_state

    @property
    def blocked(self) -> tuple[Refusal, ...]:
        """Why the last `due` admitted nobody - the campaign-wide refusals (a closed
        schedule, pacing, no usable caller line) - while that holds; empty otherwise.
        With ``next_wakeup() is None`` and contacts pending, nothing will be dialled
        until something changes (a line is enabled, a call ends)."""
        return () if self._halt is None else self._halt.refusals

    def history(self, contact_id: str) -> tuple[Attempt, ...]:
        """The contact's past attempts as the compliance rules see them (kept only with
        a compliance policy). Raises `InvalidInput` for an unknown contact."""
        self.contact(contact_id)
        return tuple(self._history.get(contact_id, ()))

    def goal_results(self, contact_id: str) -> Mapping[str, GoalResult]:
        """The contact's goal results combined over its conversations, by goal id.
        Raises `InvalidInput` for an unknown contact."""
        self.contact(contact_id)
        conversations = self._conversations.get(contact_id)
        return EMPTY if conversations is None else conversations.goals

    @property
    def counts(self) -> CampaignCounts:
        """Contacts by where they stand (Exotel's stats), kept up to date on every change."""
        return CampaignCounts(created=len(self._slots), **self._tally)

    @property
    def contacts(self) -> Mapping[str, Contact]:
        """A read-only view of the contacts by id, in the order they were added."""
        return _ContactsView(self._order, self._slots)

    def contact(self, contact_id: str) -> Contact:
        """The contact ``contact_id``; raises `InvalidInput` if there is none."""
        try:
            return self._slots[self._order[contact_id]]
        except (KeyError, TypeError):
            raise InvalidInput(
                f"no contact {contact_id!r} in campaign {self._campaign.id!r}"
            ) from None

    @property
    def in_flight(self) -> Mapping[str, Call]:
        """The calls placed and not yet ended, by contact id."""
        return MappingProxyType(self._calls)

    @property
    def outbox(self) -> tuple[Notification, ...]:
        """Notifications emitted and not yet drained, oldest first."""
        return tuple(self._outbox)

    def drain(self) -> list[Notification]:
        """Take the notifications out of the outbox (to deliver them), oldest first."""
        drained, self._outbox = self._outbox, []
        return drained

    @property
    def loop_starts(self) -> tuple[datetime, ...]:
        """When each loop after the first pass started."""
        return tuple(self._loop_starts)

    @property
    def next_loop_at(self) -> datetime | None:
        """When the next loop starts, while the campaign cools down."""
        return self._next_loop_at

    # ------------------------------------------------------------------ contacts

    def add_contacts(self, contacts: Iterable[Contact], *, now: datetime) -> None:
        """Load ``contacts``; queued and retrying ones without a time become due at ``now``.

        Raises `InvalidInput` for a duplicate id, a contact in a call (no call to
        follow), or an awaiting contact without its held outcome and deadline;
        `IllegalTransition` when the campaign takes no more contacts (finished,
        cancelled). Nothing is added when it raises.
        """
        now = aware_utc(now)
        batch = list(contacts)
        seen: set[str] = set()
        for contact in batch:
            if type(contact) is not Contact:
                raise InvalidInput(f"contacts must be Contact records; got {contact!r}")
            if contact.id in self._order or contact.id in seen:
                raise InvalidInput(f"duplicate contact id {contact.id!r}")
            seen.add(contact.id)
            if contact.status in _NOT_LOADABLE:
                raise InvalidInput(
                    f"contact {contact.id!r} is {contact.status.value!r}: load contacts "
                    "that are not in a call"
                )
            if contact.status is _Q.AWAITING_OUTCOME and (
                contact.last_outcome is None or contact.next_attempt_at is None
            ):
                raise InvalidInput(
                    f"contact {contact.id!r} awaits an outcome: it needs last_outcome "
                    "and next_attempt_at"
                )
        if not batch:
            return
        CAMPAIGN_MACHINE.next(self._campaign.status, CampaignEvent.LOAD_CONTACTS)  # may raise
        for contact in batch:
            self._add(enqueue(contact, at=now))
        self._move(CampaignEvent.LOAD_CONTACTS, now)

    def update_line(self, line: CallerLine) -> None:
        """Replace the caller line with ``line.id`` - disabled or enabled by hand, a new
        spam score - or add it. The next `due` asks the rotation again.

        Raises `InvalidInput` for a non-`CallerLine` or when the runner assigns no
        lines (it was built with ``lines=None``).
        """
        if type(line) is not CallerLine:
            raise InvalidInput(f"line must be a CallerLine; got {line!r}")
        if self._lines is None:
            raise InvalidInput("this runner assigns no caller lines (built with lines=None)")
        index = self._line_at.get(line.id)
        if index is None:
            self._line_at[line.id] = len(self._lines)
            self._lines.append(line)
        else:
            self._lines[index] = line
        self._halt = None

    # ------------------------------------------------------------------ commands

    def start(self, now: datetime) -> None:
        """Launch the campaign; it opens at its ``start_at`` (at once when None or past).

        Raises `IllegalTransition` unless the campaign is ready (has contacts).
        """
        self._command(CampaignCommand.START, now)

    def pause(self, now: datetime) -> None:
        """Pause: `due` places no calls; calls in flight still report.

        Raises `IllegalTransition` unless the campaign can pause.
        """
        self._command(CampaignCommand.PAUSE, now)

    def resume(self, now: datetime) -> None:
        """Resume a paused campaign. Raises `IllegalTransition` unless paused."""
        self._command(CampaignCommand.RESUME, now)

    def cancel(self, now: datetime) -> None:
        """Cancel: no further calls; contacts stay as they are. Raises `IllegalTransition`."""
        self._command(CampaignCommand.CANCEL, now)

    def force_complete(self, now: datetime) -> None:
        """Finish now (Exotel): pending contacts become failed, held outcomes (and failed
        messages) settle without retry, and calls in flight settle the same way when
        they end.

        Raises `IllegalTransition` from a status that cannot finish.
        """
        self._command(CampaignCommand.FORCE_COMPLETE, now)

    def _command(self, command: CampaignCommand, now: datetime) -> None:
        now = aware_utc(now)
        campaign, notes = apply_command(self._campaign, command, now=now, counts=self.counts)
        self._campaign = campaign
        self._outbox.extend(notes)
        if command is CampaignCommand.FORCE_COMPLETE:
            for contact in list(self._slots):
                self._close(contact, now)
        if campaign.status in CAMPAIGN_MACHINE.terminal:
            self._next_loop_at = None
        self._check_cycle_end(now)

    # ------------------------------------------------------------------ due calls

    def due(self, now: datetime, *, limit: int | None = None) -> list[Dial]:
        """The calls to place (or messages to send) at ``now``, at most ``limit``:
        earliest due first, then by priority (high, normal, low), then in loading order.

        Each returned contact is already ``dialing`` (``sending``) with its attempt
        counted; report the call with `CallUpdate` (the message with `MessageUpdate`).
        Every proposal passed the time policies at ``now`` and carries its caller
        line. On the way, a scheduled campaign opens at its start time, a cooldown
        ends with the next loop, and held outcomes whose window closed are settled.
        Returns an empty list unless the campaign is active. Raises `InvalidInput`
        for a naive ``now`` or a bad ``limit``.
        """
        now = aware_utc(now)
        if limit is not None and (type(limit) is not int or limit < 0):
            raise InvalidInput(f"limit must be a non-negative integer or None; got {limit!r}")
        self._advance(now)
        dials: list[Dial] = []
        if self._campaign.status is not CampaignStatus.ACTIVE:
            return dials
        until = _key_limit(now)
        self._settle_due(until)
        halt = self._halt
        if halt is not None:
            if halt.until is None or now < halt.until:
                self._check_cycle_end(now)
                return dials
            self._halt = None
        room = limit
        if self._messages:
            room = self._message_room(now, room)
            if room == 0 and self._halt is not None:
                self._check_cycle_end(now)
                return dials
        queue, slots, calls, keys = self._queue, self._slots, self._calls, self._keys
        campaign_id = self._campaign.id
        timed, messages = self._timed, self._messages
        while (key := queue.peek()) is not None and key <= until:
            if room is not None and len(dials) >= room:
                break
            queue.pop()
            index = key & _INDEX_MASK
            if keys[index] is not key:  # the very object _push_at stored, or stale
                continue  # a stale entry: the contact was rescheduled since
            contact = slots[index]
            if contact.status not in _WAITING:
                continue  # a stale entry: the contact moved on since it was pushed
            admission = self._admit(contact, now)
            if admission.halt:
                self._push_at(index, contact)
                if admission.stuck or admission.until is not None:
                    resume_at = admission.until
                    if resume_at is not None and resume_at <= now:
                        resume_at = now + _MICROSECOND
                    self._halt = _Halt(resume_at, admission.refusals)
                break
            if admission.never is not None:
                self._apply_at(
                    index,
                    contact,
                    refuse_contact(
                        contact, now=now, reason=admission.never, campaign_id=campaign_id
                    ),
                )
                continue
            if admission.later is not None:
                later = admission.later if admission.later > now else now + _MICROSECOND
                self._replace_at(index, contact, postpone(contact, until=later))
                continue
            if messages:
                dials.append(self._send(index, contact, now))
                continue
            placed = dial(contact, now=now, line=admission.line)
            self._replace_at(index, contact, placed.contact)
            line = admission.line
            contact_id = contact.id
            # Call(...) with every value already validated: the contact's id and
            # phone, the line's number, the counted attempt, an aware ``now``.
            calls[contact_id] = _new_call(
                _TEMPLATE_CALL,
                f"{campaign_id}/{contact_id}/{placed.attempt}",
                contact_id,
                contact.phone,
                "" if line is None else line.number,
                placed.attempt,
                now,
                campaign_id,
            )
            if timed:
                self._count_call(contact_id, line, now)
            dials.append(placed)
        if messages and dials and self._halt is None:
            self._message_room(now, None)  # a limit just reached halts from now on
        self._check_cycle_end(now)
        return dials

    def _admit(self, contact: Contact, now: datetime) -> _Admission:
        """The admission step every due contact passes, once per pop (see the module docs).

        Without time policies: always admitted, no caller line. Otherwise `admit`
        decides: ``_Admission(line=...)`` admits, ``_Admission(later=t)`` (``t``
        strictly after ``now``) defers this contact, ``_Admission(never=why)``
        settles it as failed, ``_Admission(halt=True, until=t)`` defers everybody.
        """
        if not self._timed:
            return _ADMITTED
        admission = admit(
            contact,
            now,
            schedule=self._policy_schedule,
            pacing=self._policy_pacing,
            pacing_state=_NO_PACING if self._pacing is None else self._pacing_state,
            rotation=self._policy_rotation,
            compliance=self._policy_compliance,
            lines=self._lines,
            history=self._history.get(contact.id, ()),
            do_not_call=self._dnc,
            channel=self._campaign.channel,
            previous_line_id=self._previous_line_id,
            rng=self._rng,
        )
        if admission.allowed:
            return _ADMITTED if admission.line is None else _Admission(line=admission.line)
        refusals = admission.refusals
        if admission.campaign_wide:
            until = admission.campaign_retry_at
            wide = tuple(r for r in refusals if r.campaign_wide)
            return _Admission(halt=True, until=until, stuck=until is None, refusals=wide)
        if admission.retry_at is None:
            return _Admission(never="; ".join(admission.reasons), refusals=refusals)
        return _Admission(later=admission.retry_at, refusals=refusals)

    def _count_call(self, contact_id: str, line: CallerLine | None, now: datetime) -> None:
        """Count a call just placed: pacing, the line's daily count, the line in flight."""
        if self._pacing is not None:
            self._pacing_state = self._pacing_state.started(now, timezone=self._zone)
        if line is None or self._lines is None:
            return
        at = self._line_at.get(line.id)
        if at is None:
            return
        self._lines[at] = record_line_call(self._lines[at], now, timezone=self._zone)
        self._previous_line_id = line.id
        self._call_lines[contact_id] = line.id

    def _settle_due(self, until: int) -> None:
        """Settle every held outcome and failed message whose time has come."""
        queue, slots, keys = self._settling, self._slots, self._keys
        campaign_id = self._campaign.id
        while (key := queue.peek()) is not None and key <= until:
            queue.pop()
            index = key & _INDEX_MASK
            if keys[index] is not key:
                continue
            contact = slots[index]
            at = contact.next_attempt_at
            if at is None:
                continue  # a stale entry: the contact settled since
            if contact.status is _Q.AWAITING_OUTCOME:
                result = finalize_outcome(contact, self._retry, now=at, campaign_id=campaign_id)
            elif contact.status is _Q.FAILED and self._messages:
                result = settle_message(contact, self._retry, now=at, campaign_id=campaign_id)
            else:
                continue
            self._apply_at(index, contact, result)
            if self._hooks or self._callbacks:
                self._after_outcome(index, at)

    # ------------------------------------------------------------------ WhatsApp sends

    def _message_room(self, now: datetime, room: int | None) -> int | None:
        """``room`` capped by what the daily limit and the tier leave; 0 halts."""
        settings = self._whatsapp
        assert settings is not None
        tier = self._tier or MessagingTier.UNLIMITED
        window_start = now - SERVICE_WINDOW
        sends, recipients = self._sends, self._recipients
        while sends and sends[0][0] <= window_start:
            _, phone = sends.popleft()
            recipients[phone] -= 1
            if not recipients[phone]:
                del recipients[phone]
        state = self._pacing_state
        zone = zone_of(self._zone)
        sent = counted_today(state.sent_today, state.counted_on, local_day(now, zone))
        left = sends_remaining(settings, tier, sent_today=sent, recipients=len(recipients))
        if left is None:
            return room
        if left == 0:
            refusals: list[Refusal] = []
            lifts: list[datetime] = []
            if settings.daily_limit is not None and sent >= settings.daily_limit:
                lift = day_start_after(now, zone)
                lifts.append(lift)
                refusals.append(
                    Refusal(
                        "daily-send-limit",
                        f"WhatsApp daily send limit reached: {sent} of "
                        f"{settings.daily_limit} messages sent today ({self._zone})",
                        lift,
                        campaign_wide=True,
                    )
                )
            if tier.limit is not None and len(recipients) >= tier.limit:
                lift = sends[0][0] + SERVICE_WINDOW if sends else now + _MICROSECOND
                lifts.append(lift)
                refusals.append(
                    Refusal(
                        "messaging-tier",
                        f"messaging tier reached: {len(recipients)} of {tier.limit} unique "
                        "recipients in the last 24 hours",
                        lift,
                        campaign_wide=True,
                    )
                )
            self._halt = _Halt(max(lifts) if lifts else now + _MICROSECOND, tuple(refusals))
            return 0
        return left if room is None else min(room, left)

    def _send(self, index: int, contact: Contact, now: datetime) -> Dial:
        settings = self._whatsapp
        assert settings is not None
        templates = settings.templates
        placed = send_message(
            contact, now=now, template=templates[contact.attempts % len(templates)]
        )
        self._replace_at(index, contact, placed.contact)
        state = self._pacing_state
        started = state.started(now, timezone=self._zone)
        self._pacing_state = attrs.evolve(started, in_flight=state.in_flight)
        tier = self._tier
        if tier is not None and tier.limit is not None:
            self._sends.append((now, contact.phone))
            self._recipients[contact.phone] += 1
        if self._compliance is not None:
            self._history.setdefault(contact.id, []).append(Attempt(at=now))
        return placed

    def next_wakeup(self) -> datetime | None:
        """When the runner next has work: the scheduled start, the end of a cooldown, the
        earliest held outcome to settle, or the earliest due attempt - not before the
        calling window opens or a pacing slot frees (see `blocked`). None when nothing
        is waiting on time (paused, finished, cancelled, every contact in a call or
        settled, or calling blocked until an event)."""
        status = self._campaign.status
        if status is CampaignStatus.SCHEDULED:
            return self._campaign.start_at
        if status is CampaignStatus.COOLDOWN:
            return self._next_loop_at
        if status is not CampaignStatus.ACTIVE:
            return None
        settle = self._head(self._settling, True)
        head = self._head(self._queue, False)
        halt = self._halt
        if head is not None and halt is not None:
            head = None if halt.until is None else max(head, halt.until)
        if settle is None or (head is not None and head < settle):
            return head
        return settle

    def _head(self, queue: _DueQueue, settling: bool) -> datetime | None:
        """The time of the first live entry of ``queue``, dropping stale ones."""
        keys, slots = self._keys, self._slots
        while (key := queue.peek()) is not None:
            index = key & _INDEX_MASK
            if keys[index] is key:
                contact = slots[index]
                status = contact.status
                at = contact.next_attempt_at
                if at is not None and (
                    status in _WAITING
                    if not settling
                    else status is _Q.AWAITING_OUTCOME or (status is _Q.FAILED and self._messages)
                ):
                    return at
            queue.pop()
        return None

    # ------------------------------------------------------------------ events

    def handle(self, event: Event) -> None:
        """Apply one event. Duplicates, stale reports and reports about other attempts
        change nothing.

        Raises `InvalidInput` for an unknown contact or event type, or an event of
        the other channel (a `MessageUpdate` on a call campaign, a `CallUpdate` on a
        WhatsApp one), and `IllegalTransition` for a conversion the contact's status
        does not allow.
        """
        if type(event) is CallUpdate:
            if self._messages:
                raise InvalidInput(f"campaign {self._campaign.id!r} sends messages, not calls")
            self._on_call_update(event)
        elif type(event) is MessageUpdate:
            self._on_message_update(event)
        elif type(event) is ConversationResult:
            self._on_conversation(event)
        elif type(event) is ContactCalledBack:
            contact = self.contact(event.contact_id)
            self._replace(contact, apply_call_back(contact, event.outcome, now=event.at))
        elif type(event) is ContactConverted:
            contact = self.contact(event.contact_id)
            result = mark_converted(contact, now=event.at, campaign_id=self._campaign.id)
            self._apply(contact, result)
            self._check_cycle_end(event.at)
        else:
            raise InvalidInput(f"not an event: {event!r}")

    def _on_call_update(self, event: CallUpdate) -> None:
        contact_id = event.contact_id
        contact = self.contact(contact_id)
        call = self._calls.get(contact_id)
        if call is None or call.attempt != event.attempt:
            return
        if event.callback_at is not None:
            self._note_callback(contact_id, event.at, event.callback_at)
        updated = _report(call, event)
        if updated is call:
            return
        if updated.status not in _CALL_ENDED:
            self._calls[contact_id] = updated
            return
        del self._calls[contact_id]
        line_id = self._call_ended(contact_id, updated, event.at) if self._timed else None
        campaign = self._campaign
        new, notes = apply_call(
            contact,
            updated,
            self._retry,
            now=event.at,
            campaign_id=campaign.id,
            retry=campaign.status is not CampaignStatus.FINISHED,
        )
        result = updated.result
        if line_id is not None and new.line_id is None and result is not None and result.connected:
            new = attrs.evolve(new, line_id=line_id)  # the line that first reached the contact
        index = self._order[contact_id]
        self._replace_at(index, contact, new)
        self._outbox.extend(notes)
        if self._hooks or self._callbacks:
            self._after_outcome(index, event.at)
        self._check_cycle_end(event.at)

    def _call_ended(self, contact_id: str, call: Call, at: datetime) -> str | None:
        """Pacing, history and the line of a call that ended; returns its line id."""
        if self._pacing is not None:
            self._pacing_state = self._pacing_state.ended()
        if self._halt is not None and self._halt.until is None:
            self._halt = None  # a call slot freed: admission may say yes again
        if self._compliance is not None:
            attempt = Attempt.from_call(call)
            if attempt.ended_at is None and at >= attempt.at:
                attempt = Attempt(attempt.at, attempt.outcome, at, attempt.abandoned)
            self._history.setdefault(contact_id, []).append(attempt)
        return self._call_lines.pop(contact_id, None)

    def _note_callback(self, contact_id: str, at: datetime, requested: datetime) -> None:
        """Keep the callback time of the latest report asking for one."""
        seen = self._callbacks.get(contact_id)
        if seen is None or (at, requested) > seen:
            self._callbacks[contact_id] = (at, requested)

    def _after_outcome(self, index: int, at: datetime) -> None:
        """After an outcome settled at ``at``: a callback or retry moved into the calling
        window, or a conversion when the rule holds."""
        contact = self._slots[index]
        status = contact.status
        if status is _Q.AWAITING_OUTCOME or status is _Q.DIALING:
            self._maybe_convert(index, at)
            return  # a held outcome keeps its callback until it settles
        callback = self._callbacks.pop(contact.id, None)
        if status in _WAITING:
            adjust = self._opening(contact)
            if callback is not None and contact.last_outcome is Outcome.CALLBACK_REQUESTED:
                moved = schedule_callback(contact, callback[1], now=at, adjust=adjust)
            elif adjust is not None and contact.next_attempt_at is not None:
                moved = postpone(contact, until=adjust(contact.next_attempt_at))
            else:
                return
            if moved != contact:
                self._replace_at(index, contact, moved)
            return
        self._maybe_convert(index, at)

    def _opening(self, contact: Contact) -> Callable[[datetime], datetime] | None:
        """The first instant at or after a time when the schedule (and the contact's
        window) is open; None without a schedule."""
        schedule = self._schedule
        if schedule is None:
            return None

        def opening(t: datetime) -> datetime:
            return schedule.next_opening_for(contact.phone, t) or t

        return opening

    def _maybe_convert(self, index: int, at: datetime) -> None:
        """Fire ``convert`` when the conversion rule holds and the status allows it."""
        rule = self._conversion
        contact = self._slots[index]
        if rule is None or contact.status not in _CONVERTIBLE:
            return
        primary: GoalResult | None = None
        if rule.kind is ConversionKind.PRIMARY_GOAL:
            assert self._goals is not None
            conversations = self._conversations.get(contact.id)
            if conversations is not None:
                primary = conversations.goals.get(self._goals.primary.id)
        if is_converted(rule, contact, primary_goal=primary):
            self._apply_at(
                index, contact, mark_converted(contact, now=at, campaign_id=self._campaign.id)
            )

    def _on_message_update(self, event: MessageUpdate) -> None:
        if not self._messages:
            raise InvalidInput(
                f"campaign {self._campaign.id!r} places calls; message updates are for "
                "WhatsApp campaigns"
            )
        contact = self.contact(event.contact_id)
        new = apply_message_update(contact, event.status, at=event.at)
        if new is contact:
            return
        index = self._order[contact.id]
        self._replace_at(index, contact, new)
        if new.status is _Q.FAILED:
            if self._campaign.status is CampaignStatus.FINISHED:  # no retry once finished
                result = settle_message(
                    new, self._retry, now=event.at, campaign_id=self._campaign.id, retry=False
                )
                self._apply_at(index, new, result)
        else:
            self._maybe_convert(index, event.at)
        self._check_cycle_end(event.at)

    def _on_conversation(self, event: ConversationResult) -> None:
        contact = self.contact(event.contact_id)
        conversations = self._conversations.get(contact.id)
        if conversations is None:
            conversations = self._conversations[contact.id] = _Conversations()
            if contact.extracted:  # what the contact was loaded with counts as oldest
                conversations.extractions.append(
                    Extraction(conversation_id="loaded", at=_LOADED_AT, fields=contact.extracted)
                )
        new = add_tags(contact, event.tags) if event.tags else contact
        if event.extracted:
            extraction = Extraction(
                conversation_id=event.source, at=event.at, fields=event.extracted
            )
            if extraction not in conversations.extractions:
                conversations.extractions.append(extraction)
                merged = merge_extracted(conversations.extractions)
                if merged != new.extracted:
                    new = attrs.evolve(new, extracted=merged)
        if event.goal_results:
            conversations.goals = combine_goal_results(
                [*conversations.goals.values(), *event.goal_results]
            )
        index = self._order[contact.id]
        self._replace_at(index, contact, new)
        self._maybe_convert(index, event.at)
        self._check_cycle_end(event.at)

    # ------------------------------------------------------------------ internals

    def _add(self, contact: Contact) -> None:
        index = len(self._slots)
        if index > _INDEX_MASK:
            raise InvalidInput(f"a runner holds at most {_INDEX_MASK + 1:,} contacts")
        self._order[contact.id] = index
        self._slots.append(contact)
        self._keys.append(None)
        self._tally[contact_bucket(contact)] += 1
        if self._messages and contact.status is _Q.FAILED and contact.next_attempt_at:
            self._held.add(index)
        self._push_at(index, contact)

    def _push_at(self, index: int, contact: Contact) -> None:
        at = contact.next_attempt_at
        if at is None:
            return
        status = contact.status
        if status in _WAITING:
            queue = self._queue
        elif status is _Q.AWAITING_OUTCOME or (status is _Q.FAILED and self._messages):
            queue = self._settling
        else:
            return
        key = _key(at, contact.priority.rank, index)
        self._keys[index] = key  # the same object as the queue's entry: see `due`
        queue.push(key)

    def _replace(self, old: Contact, new: Contact) -> None:
        if new is not old:
            self._replace_at(self._order[old.id], old, new)

    def _replace_at(self, index: int, old: Contact, new: Contact) -> None:
        if new is old:
            return
        before, after = contact_bucket(old), contact_bucket(new)
        if before != after:
            self._tally[before] -= 1
            self._tally[after] += 1
        self._slots[index] = new
        if self._messages:
            if new.status is _Q.FAILED and new.next_attempt_at is not None:
                self._held.add(index)
            else:
                self._held.discard(index)
        if new.next_attempt_at != old.next_attempt_at or new.status is not old.status:
            self._push_at(index, new)

    def _apply(self, old: Contact, result: tuple[Contact, tuple[Notification, ...]]) -> None:
        new, notes = result
        self._replace(old, new)
        self._outbox.extend(notes)

    def _apply_at(
        self, index: int, old: Contact, result: tuple[Contact, tuple[Notification, ...]]
    ) -> None:
        new, notes = result
        self._replace_at(index, old, new)
        self._outbox.extend(notes)

    def _close(self, contact: Contact, now: datetime) -> None:
        campaign_id = self._campaign.id
        index = self._order[contact.id]
        if self._messages and contact.status is _Q.FAILED:
            result = settle_message(
                contact, self._retry, now=now, campaign_id=campaign_id, retry=False
            )
        else:
            result = close_contact(contact, self._retry, now=now, campaign_id=campaign_id)
        self._apply_at(index, contact, result)
        if self._callbacks and self._slots[index].status is not _Q.DIALING:
            self._callbacks.pop(contact.id, None)

    def _move(self, event: CampaignEvent, now: datetime) -> None:
        campaign, notes = move_campaign(self._campaign, event, now=now, counts=self.counts)
        self._campaign = campaign
        self._outbox.extend(notes)

    def _loop_eligible(self, contact: Contact) -> bool:
        cycles = self._cycles
        return (
            cycles is not None and cycles.eligible(contact) and self._retry.attempts_left(contact)
        )

    def _check_cycle_end(self, now: datetime) -> None:
        """End the cycle when the campaign is active and nothing is pending or in a call."""
        campaign = self._campaign
        if campaign.status is not CampaignStatus.ACTIVE or not self._slots:
            return
        if self._tally["pending"] or self._tally["in_progress"] or self._held:
            return
        cycles = self._cycles
        if cycles is not None and cycles.loops_left(campaign.cycle):
            if self._next_loop_at is None and any(self._loop_eligible(c) for c in self._slots):
                self._next_loop_at = cycles.next_loop_at(
                    ended_at=now, loop_starts=self._loop_starts, timezone=campaign.timezone
                )
            if self._next_loop_at is not None:
                self._move(CampaignEvent.END_CYCLE, now)
                return
        self._move(CampaignEvent.FINISH, now)

    def _advance(self, now: datetime) -> None:
        """Open a scheduled campaign, or start the next loop once the cooldown is over."""
        campaign = self._campaign
        if campaign.status is CampaignStatus.SCHEDULED:
            opened, notes = open_campaign(campaign, now=now, counts=self.counts)
            if opened is not campaign:
                self._campaign = opened
                self._outbox.extend(notes)
                self._check_cycle_end(now)
            return
        at = self._next_loop_at
        cycles = self._cycles
        if campaign.status is not CampaignStatus.COOLDOWN or at is None or at > now:
            return
        assert cycles is not None  # a loop is only ever scheduled with a cycle policy
        self._next_loop_at = None
        self._move(CampaignEvent.START_CYCLE, at)
        self._loop_starts.append(at)
        cycle = self._campaign.cycle
        for index, contact in enumerate(list(self._slots)):
            if self._loop_eligible(contact):
                self._replace_at(index, contact, cycles.requeue(contact, cycle=cycle, now=at))
        self._check_cycle_end(at)

    # ------------------------------------------------------------------ plain data

    def snapshot(self) -> dict[str, Any]:
        """The whole runner as plain JSON types; `restore` rebuilds it exactly: policies,
        caller lines and their counts, pacing state, each contact's attempt history,
        pending callbacks, conversation results and the random generator's state."""
        return _runner_data.dump(self)

    @classmethod
    def restore(cls, data: Mapping[str, Any]) -> CampaignRunner:
        """A runner rebuilt from `snapshot` data (also from ``campaignkit.runner/1``).

        Raises `InvalidInput` for data of another format, unknown or missing
        keys, bad records, duplicate contacts, or calls that do not match a
        dialling contact's current attempt (and dialling contacts without one);
        `InvalidConfig` for policies out of range.
        """
        return _runner_data.load(cls, data)


def _report(call: Call, event: CallUpdate) -> Call:
    """`apply_call_report` for a `CallUpdate`, without re-validating what the event's
    own validation already checked; the timestamps and a carrier id, which the call
    must check against its other fields, take the validated path."""
    if event.started_at is not None or event.ended_at is not None or event.call_id is not None:
        return apply_call_report(call, event.status, at=event.at, **event.details())
    at = event.at
    status = CALL_MACHINE.reconcile(
        call.status, event.status, current_at=call.updated_at, reported_at=at
    )
    if status is call.status:
        return call
    return _reported(
        call,
        status,
        at,
        call.answered_by if event.answered_by is None else event.answered_by,
        call.outcome if event.outcome is None else event.outcome,
        call.duration if event.duration is None else event.duration,
        call.from_number if event.from_number is None else event.from_number,
        call.recording_url if event.recording_url is None else event.recording_url,
    )
