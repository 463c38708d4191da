"""The three lifecycles as explicit state machines: campaign, contact and call.

Theory of operation
-------------------
Each lifecycle is an enum of states, an enum of events and one transition
table: a plain mapping from ``(state, event)`` to the next state. Moving a
record is one dictionary lookup (`StateMachine.next`); a missing key is an
`IllegalTransition` naming the machine, the state and the event.

The rule (h11's, for its ``_state.py``): **everything that decides a transition
lives in this module.** A "which event?" or "which next status?" question is
answered here, by a table beside the transition table it feeds:

* `EVENT_FOR_COMMAND` - which `CampaignEvent` a user's `CampaignCommand` feeds;
* `CALL_EVENT_FOR_STATUS` - which `CallEvent` reports a carrier's call status;
* `CONTACT_EVENT_FOR_STATUS` - which `ContactEvent` takes a contact into a
  status (an outcome settling, a message-status update), derived from the
  contact table itself so the two cannot disagree; `MESSAGE_STATUSES` are the
  ones a WhatsApp provider may report;
* `settle_event` - which event settles a call with a given `Outcome` (its
  classification, `Outcome.contact_status`, is vocabulary in `statuses`);
* `attempt_status` and `retry_status` - where a new attempt and a granted retry
  take a contact (through ``queued``, or straight back to it).

The engine (`campaignkit.engine`), the runner and the stores decide *when* to
feed an event - a call ended, a wait is over, the retry policy said yes - and
store what these functions return; none of them holds a status table of its own.

Carriers do not deliver status callbacks in order, and they deliver some twice.
`StateMachine.next` is strict and is for commands the caller issues itself.
`StateMachine.reconcile` is the lenient rule for reported states: a report
that moves the record forward along the table (possibly skipping states the
carrier never reported, such as a call that never rang) is taken; a repeat, a
report about an earlier state, or anything after a terminal state is ignored.

The docs' diagrams are drawn from these same tables (`StateMachine.to_mermaid`),
so the documentation cannot drift from the code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Generic, TypeVar

from .errors import IllegalTransition
from .statuses import CallStatus, CampaignStatus, ContactStatus, Outcome

__all__ = [
    "CALL_EVENT_FOR_STATUS",
    "CALL_MACHINE",
    "CAMPAIGN_MACHINE",
    "CONTACT_EVENT_FOR_STATUS",
    "CONTACT_MACHINE",
    "EVENT_FOR_COMMAND",
    "MESSAGE_STATUSES",
    "CallEvent",
    "CampaignCommand",
    "CampaignEvent",
    "ContactEvent",
    "StateMachine",
    "attempt_status",
    "retry_status",
    "settle_event",
]

S = TypeVar("S", bound=enum.Enum)
E = TypeVar("E", bound=enum.Enum)


class StateMachine(Generic[S, E]):
    """One lifecycle: its states, events, transition table and terminal states.

    Instances are immutable. ``table`` maps ``(state, event)`` to the next
    state; ``terminal`` holds the states where the lifecycle has ended: no
    event leaves them except the ``after_end`` events (bookkeeping such as
    archiving a finished campaign), which lead only to other terminal states.
    """

    __slots__ = (
        "_order",
        "_reach",
        "after_end",
        "events",
        "initial",
        "name",
        "states",
        "table",
        "terminal",
    )

    name: str
    states: tuple[S, ...]
    events: tuple[E, ...]
    initial: S
    table: Mapping[tuple[S, E], S]
    terminal: frozenset[S]
    after_end: frozenset[E]
    _reach: frozenset[tuple[S, S]]
    _order: dict[S, int]

    def __init__(
        self,
        name: str,
        states: Iterable[S],
        events: Iterable[E],
        initial: S,
        table: Mapping[tuple[S, E], S],
        *,
        after_end: Iterable[E] = (),
    ) -> None:
        self.name = name
        self.states = tuple(states)
        self.events = tuple(events)
        self.initial = initial
        self.table = MappingProxyType(dict(table))
        self.after_end = frozenset(after_end)
        exits = {state for state, event in self.table if event not in self.after_end}
        self.terminal = frozenset(s for s in self.states if s not in exits)
        self._reach = frozenset(_strict_reachability(self.table))
        self._order = {state: rank for rank, state in enumerate(self.states)}

    def __repr__(self) -> str:
        return (
            f"<StateMachine {self.name!r}: {len(self.states)} states, "
            f"{len(self.events)} events, {len(self.table)} transitions>"
        )

    def next(self, state: S, event: E) -> S:
        """The state that ``event`` leads to from ``state``.

        Raises `IllegalTransition` when the table has no such transition.
        """
        try:
            return self.table[state, event]
        except KeyError:
            raise IllegalTransition(self.name, state, event) from None

    def allowed(self, state: S) -> tuple[E, ...]:
        """The events accepted in ``state``, in declaration order."""
        return tuple(e for e in self.events if (state, e) in self.table)

    def can_reach(self, source: S, target: S) -> bool:
        """True if some sequence of one or more events leads from ``source`` to ``target``."""
        return (source, target) in self._reach

    def is_terminal(self, state: S) -> bool:
        """True if the lifecycle has ended in ``state``: no event but an ``after_end`` one
        (archiving) leaves it."""
        return state in self.terminal

    def reconcile(
        self,
        current: S,
        reported: S,
        *,
        current_at: datetime | None = None,
        reported_at: datetime | None = None,
    ) -> S:
        """The state to keep after an out-of-band report that the record is in ``reported``.

        The lenient rule for webhooks: returns ``reported`` when it lies ahead
        of ``current`` along the table (one or more transitions, so skipped
        intermediate reports do not matter); otherwise returns ``current``
        unchanged - a duplicate, a stale earlier state, or any report after a
        terminal state. When both timestamps are given, a report older than
        the current state is stale whatever its state, which settles the
        cycles a table may contain (a call going in-progress -> forwarding ->
        in-progress). Never raises for a well-typed report.
        """
        if reported is current:
            return current
        if current_at is not None and reported_at is not None:
            if reported_at < current_at:
                return current
            if reported_at == current_at and (reported, current) in self._reach:
                # A cycle at one timestamp (Twilio's are whole seconds): in-progress and
                # forwarding both stamped 12:00:05 would flip on every duplicate. Keep
                # the later state in declaration order, so any arrival order and any
                # number of duplicates give the same answer.
                return reported if self._order[reported] > self._order[current] else current
        if (current, reported) in self._reach:
            return reported
        return current

    def to_mermaid(self) -> str:
        """The machine as a Mermaid ``stateDiagram-v2``, drawn from the table."""
        lines = ["stateDiagram-v2", f"    [*] --> {_node(self.initial)}"]
        for (state, event), target in self.table.items():
            lines.append(f"    {_node(state)} --> {_node(target)}: {event.value}")
        lines.extend(f"    {_node(s)} --> [*]" for s in self.states if s in self.terminal)
        return "\n".join(lines) + "\n"


def _event_for(table: Mapping[S, E], machine: str, status: S) -> E:
    """``table[status]``: the event that reports ``status`` to ``machine``; a status no
    event enters is an `IllegalTransition` (the one lookup behind each ``for_status``)."""
    try:
        return table[status]
    except KeyError:
        raise IllegalTransition(machine, status, "report") from None


def _node(state: enum.Enum) -> str:
    # Mermaid ids cannot hold "-"; built from the value, not the member name, so that
    # renaming a member (CANCELED -> CANCELLED, issue 18) does not redraw the diagrams.
    return str(state.value).replace("-", "_")


def _strict_reachability(table: Mapping[tuple[S, E], S]) -> set[tuple[S, S]]:
    """All (a, b) such that b is reachable from a in one or more steps."""
    successors: dict[S, set[S]] = {}
    for (state, _), target in table.items():
        successors.setdefault(state, set()).add(target)
    pairs: set[tuple[S, S]] = set()
    for start in successors:
        seen: set[S] = set()
        frontier = list(successors[start])
        while frontier:
            state = frontier.pop()
            if state in seen:
                continue
            seen.add(state)
            frontier.extend(successors.get(state, ()))
        pairs.update((start, reached) for reached in seen)
    return pairs


# --------------------------------------------------------------------------- campaign


class CampaignEvent(enum.StrEnum):
    """What can happen to a campaign."""

    LOAD_CONTACTS = "load-contacts"
    """Contacts were added."""
    LAUNCH = "launch"
    """The user started the campaign; it waits for its start time and window."""
    OPEN = "open"
    """The start time arrived: calling begins."""
    PAUSE = "pause"
    RESUME = "resume"
    END_CYCLE = "end-cycle"
    """A retry loop ended with cycles left: cool down before the next one."""
    START_CYCLE = "start-cycle"
    """The cooldown elapsed: the next loop begins."""
    FINISH = "finish"
    """Every contact is settled and every cycle done."""
    FORCE_COMPLETE = "force-complete"
    """Ended by hand (Exotel): contacts still pending become failed."""
    CANCEL = "cancel"
    ARCHIVE = "archive"
    """Put a finished or cancelled campaign away (seed 004: "Archive the campaign")."""

    @classmethod
    def for_command(cls, command: CampaignCommand) -> CampaignEvent:
        """The event a user's ``command`` feeds the campaign machine (``START`` ->
        ``LAUNCH``; the engine opens a launched campaign once its start time comes).
        Raises `KeyError` for a value that is not a `CampaignCommand`."""
        return EVENT_FOR_COMMAND[command]


class CampaignCommand(enum.StrEnum):
    """What a user does to a campaign (`CampaignEvent.for_command` says which event)."""

    START = "start"
    """Launch: the campaign opens at its ``start_at`` (at once when None)."""
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    """No further calls; contacts stay as they are."""
    FORCE_COMPLETE = "force-complete"
    """Finish now (Exotel): contacts still pending become failed (see `close_contact`)."""
    ARCHIVE = "archive"
    """Put a finished or cancelled campaign away (seed 004: "Archive the campaign")."""


EVENT_FOR_COMMAND: Mapping[CampaignCommand, CampaignEvent] = MappingProxyType(
    {
        CampaignCommand.START: CampaignEvent.LAUNCH,
        CampaignCommand.PAUSE: CampaignEvent.PAUSE,
        CampaignCommand.RESUME: CampaignEvent.RESUME,
        CampaignCommand.CANCEL: CampaignEvent.CANCEL,
        CampaignCommand.FORCE_COMPLETE: CampaignEvent.FORCE_COMPLETE,
        CampaignCommand.ARCHIVE: CampaignEvent.ARCHIVE,
    }
)
"""Which `CampaignEvent` each user command feeds the campaign machine."""


_C = CampaignStatus
_CE = CampaignEvent

CAMPAIGN_MACHINE: StateMachine[CampaignStatus, CampaignEvent] = StateMachine(
    "campaign",
    CampaignStatus,
    CampaignEvent,
    _C.PENDING,
    {
        (_C.PENDING, _CE.LOAD_CONTACTS): _C.READY,
        (_C.PENDING, _CE.CANCEL): _C.CANCELLED,
        (_C.READY, _CE.LOAD_CONTACTS): _C.READY,
        (_C.READY, _CE.LAUNCH): _C.SCHEDULED,
        (_C.READY, _CE.CANCEL): _C.CANCELLED,
        (_C.SCHEDULED, _CE.LOAD_CONTACTS): _C.SCHEDULED,
        (_C.SCHEDULED, _CE.OPEN): _C.ACTIVE,
        (_C.SCHEDULED, _CE.PAUSE): _C.PAUSED,
        (_C.SCHEDULED, _CE.FORCE_COMPLETE): _C.FINISHED,
        (_C.SCHEDULED, _CE.CANCEL): _C.CANCELLED,
        (_C.ACTIVE, _CE.LOAD_CONTACTS): _C.ACTIVE,
        (_C.ACTIVE, _CE.PAUSE): _C.PAUSED,
        (_C.ACTIVE, _CE.END_CYCLE): _C.COOLDOWN,
        (_C.ACTIVE, _CE.FINISH): _C.FINISHED,
        (_C.ACTIVE, _CE.FORCE_COMPLETE): _C.FINISHED,
        (_C.ACTIVE, _CE.CANCEL): _C.CANCELLED,
        (_C.PAUSED, _CE.LOAD_CONTACTS): _C.PAUSED,
        (_C.PAUSED, _CE.RESUME): _C.ACTIVE,
        (_C.PAUSED, _CE.FORCE_COMPLETE): _C.FINISHED,
        (_C.PAUSED, _CE.CANCEL): _C.CANCELLED,
        (_C.COOLDOWN, _CE.LOAD_CONTACTS): _C.COOLDOWN,
        (_C.COOLDOWN, _CE.START_CYCLE): _C.ACTIVE,
        (_C.COOLDOWN, _CE.PAUSE): _C.PAUSED,
        (_C.COOLDOWN, _CE.FINISH): _C.FINISHED,
        (_C.COOLDOWN, _CE.FORCE_COMPLETE): _C.FINISHED,
        (_C.COOLDOWN, _CE.CANCEL): _C.CANCELLED,
        # seed 004: a campaign with nothing left to do may be archived; archived is terminal.
        (_C.FINISHED, _CE.ARCHIVE): _C.ARCHIVED,
        (_C.CANCELLED, _CE.ARCHIVE): _C.ARCHIVED,
    },
    after_end=(_CE.ARCHIVE,),
)
"""The campaign lifecycle: pending -> ready -> scheduled -> active <-> paused,
active -> cooldown -> active per cycle, and finished or cancelled at the end;
either may then be archived (``after_end``: all three are terminal)."""


# --------------------------------------------------------------------------- contact


class ContactEvent(enum.StrEnum):
    """What can happen to a contact, on either channel."""

    DIAL = "dial"
    """A call to the contact is being placed."""
    CALL_ENDED = "call-ended"
    """The call ended; the outcome waits out the completion timeout (itellico *Called*)."""
    ANSWER = "answer"
    """A person answered and talked."""
    REACH_VOICEMAIL = "reach-voicemail"
    NO_CONVERSATION = "no-conversation"
    FAIL = "fail"
    """The attempt failed, or a force-complete failed a contact still waiting."""
    SCHEDULE_RETRY = "schedule-retry"
    """The retry policy grants another attempt later."""
    REQUEUE = "requeue"
    """Back to the queue: a retry fell due, a failed contact is re-queued, or a cycle began."""
    CONVERT = "convert"
    """The campaign's conversion rule holds for the contact."""
    SEND = "send"
    """A WhatsApp message is being sent."""
    MESSAGE_SENT = "message-sent"
    MESSAGE_DELIVERED = "message-delivered"
    MESSAGE_READ = "message-read"
    ACCEPT = "accept"
    """The contact accepted the WhatsApp conversation."""
    REJECT = "reject"
    """The contact rejected the WhatsApp conversation."""

    @classmethod
    def for_status(cls, status: ContactStatus) -> ContactEvent:
        """The one event that takes a contact into ``status`` (``ContactStatus.READ`` ->
        ``ContactEvent.MESSAGE_READ``): a lookup in `CONTACT_EVENT_FOR_STATUS`.

        Raises `IllegalTransition` for a status no event enters (none today: every
        status has exactly one).
        """
        return _event_for(CONTACT_EVENT_FOR_STATUS, "contact", status)


_K = ContactStatus
_KE = ContactEvent


def _contact_table() -> dict[tuple[ContactStatus, ContactEvent], ContactStatus]:
    table: dict[tuple[ContactStatus, ContactEvent], ContactStatus] = {
        (_K.QUEUED, _KE.DIAL): _K.DIALING,
        (_K.QUEUED, _KE.SEND): _K.SENDING,
        # seed 001: "Pending contacts in a force-completed campaign are marked as failed"
        # - from the queue and from a retry wait alike.
        (_K.QUEUED, _KE.FAIL): _K.FAILED,
        (_K.DIALING, _KE.CALL_ENDED): _K.AWAITING_OUTCOME,
        # A call cancelled before it connected (seed 001's canceled: "campaign paused or
        # force-completed") was never an attempt at the contact: back to the queue.
        (_K.DIALING, _KE.REQUEUE): _K.QUEUED,
        (_K.RETRYING, _KE.REQUEUE): _K.QUEUED,
        (_K.RETRYING, _KE.FAIL): _K.FAILED,
        (_K.SENDING, _KE.MESSAGE_SENT): _K.SENT,
        (_K.SENDING, _KE.FAIL): _K.FAILED,
        (_K.SENT, _KE.MESSAGE_DELIVERED): _K.DELIVERED,
        (_K.DELIVERED, _KE.MESSAGE_READ): _K.READ,
        # A read receipt may arrive without a delivery receipt.
        (_K.SENT, _KE.MESSAGE_READ): _K.READ,
    }
    # The outcome of a call, known at once or after the completion timeout.
    for source in (_K.DIALING, _K.AWAITING_OUTCOME):
        table[source, _KE.ANSWER] = _K.ANSWERED
        table[source, _KE.REACH_VOICEMAIL] = _K.VOICEMAIL
        table[source, _KE.NO_CONVERSATION] = _K.NO_CONVERSATION
        table[source, _KE.FAIL] = _K.FAILED
    # A message can fail, be accepted or rejected at any point after it left.
    for source in (_K.SENT, _K.DELIVERED, _K.READ):
        table[source, _KE.FAIL] = _K.FAILED
        table[source, _KE.ACCEPT] = _K.ACCEPTED
        table[source, _KE.REJECT] = _K.REJECTED
    # Unsettled outcomes may be retried (seed 000: "If a contact reaches voicemail and
    # retries < campaign_limit, the status will change to retrying") or re-queued
    # directly (seed 000: a failed contact under the system limit "will return to
    # queue"; also every settled contact when a new cycle begins).
    for source in (_K.ANSWERED, _K.VOICEMAIL, _K.NO_CONVERSATION, _K.FAILED):
        table[source, _KE.SCHEDULE_RETRY] = _K.RETRYING
        table[source, _KE.REQUEUE] = _K.QUEUED
    for source in (_K.SENT, _K.DELIVERED, _K.READ):
        table[source, _KE.SCHEDULE_RETRY] = _K.RETRYING
    # Converting needs a conversation: an answered call (or one whose outcome is held,
    # itellico's Called), a message read or accepted. Voicemail and failures cannot.
    for source in (_K.AWAITING_OUTCOME, _K.ANSWERED, _K.READ, _K.ACCEPTED):
        table[source, _KE.CONVERT] = _K.CONVERTED
    return table


CONTACT_MACHINE: StateMachine[ContactStatus, ContactEvent] = StateMachine(
    "contact", ContactStatus, ContactEvent, _K.QUEUED, _contact_table()
)
_CONTACT_TABLE = CONTACT_MACHINE.table
"""The contact lifecycle for calls (queued -> dialing -> outcome, retried through
retrying -> queued) and WhatsApp (queued -> sending -> sent -> delivered -> read ->
accepted/rejected). Converted and rejected are terminal; voicemail, failed and
no-conversation become final when the retry policy has nothing left."""


def _entering_events(
    table: Mapping[tuple[ContactStatus, ContactEvent], ContactStatus],
) -> dict[ContactStatus, ContactEvent]:
    """Each status with the one event that leads into it, read off the table.

    The contact table is built so that one event enters each status (a status *is*
    what happened last); a second one would make "which event reports this status?"
    ambiguous, so it is refused when the module loads.
    """
    entering: dict[ContactStatus, ContactEvent] = {}
    for (_, event), target in table.items():
        if entering.setdefault(target, event) is not event:
            raise AssertionError(f"{target} is entered by {entering[target]} and {event}")
    return {status: entering[status] for status in ContactStatus if status in entering}


CONTACT_EVENT_FOR_STATUS: Mapping[ContactStatus, ContactEvent] = MappingProxyType(
    _entering_events(CONTACT_MACHINE.table)
)
"""Which `ContactEvent` takes a contact into each status (``answered`` -> ``answer``,
``read`` -> ``message-read``, ``failed`` -> ``fail``, ...), derived from
`CONTACT_MACHINE`'s table: one event enters each status. The engine settles a call
and applies a message-status update with it."""

MESSAGE_STATUSES: frozenset[ContactStatus] = frozenset(
    {
        ContactStatus.SENDING,
        ContactStatus.SENT,
        ContactStatus.DELIVERED,
        ContactStatus.READ,
        ContactStatus.ACCEPTED,
        ContactStatus.REJECTED,
        ContactStatus.FAILED,
    }
)
"""The statuses a WhatsApp message-status update may report: sending, sent, delivered,
read, accepted, rejected and failed (seed 004's message states, and failure)."""

# One lookup per settled call: the event its outcome feeds the contact machine.
_SETTLE_EVENT: dict[Outcome, ContactEvent] = {
    outcome: CONTACT_EVENT_FOR_STATUS[outcome.contact_status] for outcome in Outcome
}


def settle_event(outcome: Outcome) -> ContactEvent:
    """The event that settles a call with ``outcome``: the one entering the status the
    outcome leaves behind (`Outcome.contact_status`), e.g. ``voicemail`` ->
    ``reach-voicemail``, ``busy`` -> ``fail``. Raises `KeyError` for a non-`Outcome`."""
    return _SETTLE_EVENT[outcome]


def attempt_status(status: ContactStatus, event: ContactEvent) -> ContactStatus:
    """Where ``event`` (`ContactEvent.DIAL` or `ContactEvent.SEND`) takes a contact
    waiting in ``status``: a ``retrying`` contact goes through ``queued`` first, since
    only a queued contact is dialled or messaged (the table has no shortcut).

    Raises `IllegalTransition` naming ``status`` when the contact cannot begin an
    attempt (it is not queued or retrying, or ``event`` does not begin one).
    """
    waiting = status
    if waiting is ContactStatus.RETRYING:
        waiting = _CONTACT_TABLE[waiting, ContactEvent.REQUEUE]
    try:
        return _CONTACT_TABLE[waiting, event]
    except KeyError:
        raise IllegalTransition("contact", status, event) from None


def retry_status(landed: ContactStatus, *, requeue: bool) -> ContactStatus:
    """Where a granted retry takes a contact that has just landed in ``landed``.

    Altur keeps two per-cycle counters (seed 000): outcomes paid by ``retries`` wait
    in ``retrying``; failures paid by ``failed_retries`` go straight back to the
    queue (``requeue=True``). A message (sent, delivered, read) has no direct way back
    to the queue in the table, so it always waits in ``retrying``. Raises
    `IllegalTransition` when ``landed`` cannot be retried at all.
    """
    if requeue and (landed, ContactEvent.REQUEUE) in _CONTACT_TABLE:
        return _CONTACT_TABLE[landed, ContactEvent.REQUEUE]
    return CONTACT_MACHINE.next(landed, ContactEvent.SCHEDULE_RETRY)


# --------------------------------------------------------------------------- call


class CallEvent(enum.StrEnum):
    """A carrier's report about one call attempt.

    Each event is named after the status it reports; `for_status` maps back
    (`CALL_EVENT_FOR_STATUS`).
    """

    QUEUE = "queue"
    RING = "ring"
    ANSWER = "answer"
    FORWARD = "forward"
    RESUME = "resume"
    """A forwarded call came back to the agent."""
    COMPLETE = "complete"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAIL = "fail"
    CANCEL = "cancel"

    @classmethod
    def for_status(cls, status: CallStatus) -> CallEvent:
        """The event that reports ``status`` (``CallStatus.RINGING`` -> ``CallEvent.RING``).

        Raises `IllegalTransition` for ``CallStatus.CREATED``, which no report produces.
        """
        return _event_for(CALL_EVENT_FOR_STATUS, "call", status)


CALL_EVENT_FOR_STATUS: Mapping[CallStatus, CallEvent] = MappingProxyType(
    {
        CallStatus.QUEUED: CallEvent.QUEUE,
        CallStatus.RINGING: CallEvent.RING,
        CallStatus.IN_PROGRESS: CallEvent.ANSWER,
        CallStatus.FORWARDING: CallEvent.FORWARD,
        CallStatus.COMPLETED: CallEvent.COMPLETE,
        CallStatus.BUSY: CallEvent.BUSY,
        CallStatus.NO_ANSWER: CallEvent.NO_ANSWER,
        CallStatus.FAILED: CallEvent.FAIL,
        CallStatus.CANCELLED: CallEvent.CANCEL,
    }
)
"""Which `CallEvent` reports each call status a carrier sends. Not derived from the
call table as the contact one is: in-progress is entered both by ``answer`` and by
``resume`` (a forwarded call coming back), and a report of in-progress means answered.
``created`` is absent: no carrier reports it (the record is born created)."""

_L = CallStatus
_LE = CallEvent


def _call_table() -> dict[tuple[CallStatus, CallEvent], CallStatus]:
    table: dict[tuple[CallStatus, CallEvent], CallStatus] = {
        (_L.CREATED, _LE.QUEUE): _L.QUEUED,
        (_L.CREATED, _LE.RING): _L.RINGING,
        (_L.QUEUED, _LE.RING): _L.RINGING,
        (_L.IN_PROGRESS, _LE.FORWARD): _L.FORWARDING,
        (_L.FORWARDING, _LE.RESUME): _L.IN_PROGRESS,
    }
    # Before connecting - a call may skip queued and ringing entirely: carriers report
    # only some states (Exotel's CDRs carry the final status alone, seed 001).
    for source in (_L.CREATED, _L.QUEUED, _L.RINGING):
        table[source, _LE.ANSWER] = _L.IN_PROGRESS
        table[source, _LE.BUSY] = _L.BUSY
        table[source, _LE.NO_ANSWER] = _L.NO_ANSWER
        table[source, _LE.FAIL] = _L.FAILED
        table[source, _LE.CANCEL] = _L.CANCELLED
    # After connecting.
    for source in (_L.IN_PROGRESS, _L.FORWARDING):
        table[source, _LE.COMPLETE] = _L.COMPLETED
        table[source, _LE.FAIL] = _L.FAILED
    return table


CALL_MACHINE: StateMachine[CallStatus, CallEvent] = StateMachine(
    "call", list(CallStatus), CallEvent, _L.CREATED, _call_table()
)
"""The call-attempt lifecycle: created -> queued -> ringing -> in-progress <->
forwarding -> completed, with busy, no-answer, failed and canceled from the
states where a carrier produces them."""
