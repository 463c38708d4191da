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
  within the completion window (`ContactCalledBack`) or a conversion
  (`ContactConverted`). Duplicated, stale and out-of-order reports change
  nothing.
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
queue is a calendar queue of packed ``int`` keys (`_DueQueue`): a lane per
priority, buckets of about a minute, and only the earliest bucket loaded (as
a sorted run, or a heap of that bucket alone), so the cost of a selected call
stays nearly flat from ten thousand to a million contacts.

Each due contact popped from the queue passes through exactly one private
step, ``CampaignRunner._admit(contact, now)``, which returns an ``_Admission``
with one of three answers: admitted, with the caller line to dial from (None:
the dialer's choice); refused for this contact until a later time (it is
`postpone`d and re-enters the queue there, costing nothing until then); or
refused for everybody (``halt``: a closed calling window, a full pacing slot),
which puts the contact back unchanged and ends this round of `due`. Today it
admits every contact with no line. This is where `Schedule` (calling windows
in the campaign's and the contact's time zone), `PacingPolicy` (calls per
interval, concurrency), `RotationPolicy` (which `CallerLine`, sticky by
``Contact.line_id``) and `CompliancePolicy` plug in, through
``campaignkit.policies.admission.admit``. ``due(now, limit=n)`` already caps
the calls one round returns.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, ValuesView
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

import attrs

from ._fields import aware_utc, replacer
from .engine import (
    CallUpdate,
    CampaignCommand,
    CampaignCounts,
    ContactCalledBack,
    ContactConverted,
    Dial,
    Event,
    Notification,
    apply_call,
    apply_call_back,
    apply_command,
    close_contact,
    contact_bucket,
    dial,
    enqueue,
    finalize_outcome,
    mark_converted,
    move_campaign,
    notification_from_dict,
    open_campaign,
    postpone,
)
from .errors import InvalidInput
from .lifecycle import apply_call_report
from .machines import CALL_MACHINE, CAMPAIGN_MACHINE, CampaignEvent
from .models import Call, CallerLine, Campaign, Contact
from .policies.cycles import CyclePolicy
from .policies.retry import RetryPolicy
from .statuses import CampaignStatus, Channel, ContactStatus

__all__ = ["SNAPSHOT_FORMAT", "CampaignRunner"]

SNAPSHOT_FORMAT = "campaignkit.runner/1"
"""The ``format`` tag of `CampaignRunner.snapshot` data."""

_Q = ContactStatus
_ON_HEAP = frozenset({_Q.QUEUED, _Q.RETRYING, _Q.AWAITING_OUTCOME})
_NOT_LOADABLE = frozenset({_Q.DIALING, _Q.SENDING})
_CALL_ENDED = CALL_MACHINE.terminal
_TEMPLATE_CALL = Call(id="template", contact_id="template", to="+10000000000")
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
_SNAPSHOT_KEYS = frozenset(
    {
        "format",
        "campaign",
        "retry",
        "cycles",
        "contacts",
        "calls",
        "loop_starts",
        "next_loop_at",
        "outbox",
    }
)


# The due queue holds one int per entry: (time in microseconds, priority rank,
# loading index) packed so that comparing the ints compares the tuples. Ints compare
# in C without touching tuples or datetimes, which keeps the queue cheap and compact.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_INDEX_BITS = 32
_INDEX_MASK = (1 << _INDEX_BITS) - 1
_TIME_SHIFT = _INDEX_BITS + 2  # two bits of priority rank (0, 1, 2) under the time


def _key(at: datetime, rank: int, index: int) -> int:
    return (((at - _EPOCH) // _MICROSECOND) << _TIME_SHIFT) | (rank << _INDEX_BITS) | index


def _key_limit(now: datetime) -> int:
    """The largest key of an entry due at or before ``now``."""
    return ((((now - _EPOCH) // _MICROSECOND) + 1) << _TIME_SHIFT) - 1


_BUCKET_SHIFT = _TIME_SHIFT + 26  # buckets of 2**26 microseconds, about 67 seconds
_RANK_MASK = 3


class _Lane:
    """The keys of one priority rank, as a calendar queue.

    Keys fall into buckets of about a minute (their high bits); a heap orders the
    bucket ids, and later buckets are plain lists until their turn. The current
    (earliest) bucket is consumed as a sorted run - bucket lists stay sorted when
    keys arrive in order, as when contacts are loaded together - plus a heap for
    keys that came out of order. Every key of the current bucket is smaller than
    every key elsewhere in the lane, so the smaller of the run's next key and the
    heap's top is the lane's minimum.
    """

    __slots__ = ("_buckets", "_current_id", "_extra", "_ids", "_pos", "_run", "_unsorted")

    def __init__(self) -> None:
        self._buckets: dict[int, list[int]] = {}
        self._unsorted: set[int] = set()  # bucket ids whose list is not in key order
        self._ids: list[int] = []  # a heap of the ids in _buckets
        self._run: list[int] = []  # the current bucket's keys in order, from _pos on
        self._pos = 0
        self._extra: list[int] = []  # a heap: the current bucket's other keys
        self._current_id: int | None = None

    def push(self, key: int) -> None:
        """Add ``key`` to the lane."""
        bucket_id = key >> _BUCKET_SHIFT
        current_id = self._current_id
        if bucket_id == current_id:
            run = self._run
            if not run or key >= run[-1]:
                run.append(key)
            else:
                heapq.heappush(self._extra, key)
            return
        if current_id is not None and bucket_id < current_id:
            self._retire(current_id)
        bucket = self._buckets.get(bucket_id)
        if bucket is None:
            self._buckets[bucket_id] = [key]
            heapq.heappush(self._ids, bucket_id)
        else:
            if key < bucket[-1]:
                self._unsorted.add(bucket_id)
            bucket.append(key)

    def _retire(self, current_id: int) -> None:
        """Hand the current bucket back to the lists: a key came in before it."""
        rest = self._run[self._pos :]
        if self._extra:
            rest += self._extra
            self._unsorted.add(current_id)
        if rest:
            self._buckets[current_id] = rest
            heapq.heappush(self._ids, current_id)
        self._run, self._pos, self._extra, self._current_id = [], 0, [], None

    def peek(self) -> int | None:
        """The smallest key of the lane, or None when it is empty."""
        while True:
            run, pos, extra = self._run, self._pos, self._extra
            if pos < len(run):
                head = run[pos]
                return extra[0] if extra and extra[0] < head else head
            if extra:
                return extra[0]
            if not self._ids:
                self._run, self._pos, self._current_id = [], 0, None
                return None
            bucket_id = heapq.heappop(self._ids)
            bucket = self._buckets.pop(bucket_id)
            if bucket_id in self._unsorted:
                self._unsorted.discard(bucket_id)
                heapq.heapify(bucket)
                self._run, self._pos, self._extra = [], 0, bucket
            else:
                self._run, self._pos, self._extra = bucket, 0, []
            self._current_id = bucket_id

    def pop(self) -> None:
        """Drop the smallest key; the lane must not be empty."""
        run, pos, extra = self._run, self._pos, self._extra
        if pos >= len(run) and not extra:  # the current bucket is not loaded yet
            self.peek()
            run, pos, extra = self._run, self._pos, self._extra
        if pos < len(run) and not (extra and extra[0] < run[pos]):
            self._pos = pos + 1
        else:
            heapq.heappop(extra)


class _DueQueue:
    """A min-priority queue of packed keys: one `_Lane` per priority rank.

    Popping takes the smallest of the lanes' heads, each cached until its lane
    changes. The lanes keep their current bucket small or in order, so a pop touches
    a few cache-warm objects rather than sifting through a heap of every entry: the
    cost per selected call stays nearly flat as campaigns grow.
    """

    __slots__ = ("_heads", "_lanes", "_next", "_stale")

    def __init__(self) -> None:
        self._lanes = (_Lane(), _Lane(), _Lane())
        self._heads: list[int | None] = [None, None, None]  # None: the lane is empty
        self._stale = [False, False, False]  # True: the head must be asked again
        self._next = -1  # the lane in which `peek` found the smallest key

    def push(self, key: int) -> None:
        """Add ``key`` to the lane of its priority rank."""
        rank = (key >> _INDEX_BITS) & _RANK_MASK
        self._lanes[rank].push(key)
        if not self._stale[rank]:
            head = self._heads[rank]
            if head is None or key < head:
                self._heads[rank] = key

    def peek(self) -> int | None:
        """The smallest key, or None when the queue is empty."""
        heads, stale = self._heads, self._stale
        best: int | None = None
        for rank in (0, 1, 2):
            if stale[rank]:
                heads[rank] = self._lanes[rank].peek()
                stale[rank] = False
            head = heads[rank]
            if head is not None and (best is None or head < best):
                best, self._next = head, rank
        return best

    def pop(self) -> None:
        """Drop the smallest key; call `peek` first (it must not be None)."""
        lane = self._next
        self._lanes[lane].pop()
        self._stale[lane] = True


class _Admission(NamedTuple):
    """What the admission step decided for one due contact."""

    line: CallerLine | None = None
    """The line to dial from; None lets the dialer choose."""
    later: datetime | None = None
    """Not this contact now: `postpone` it to this time (strictly after ``now``)."""
    halt: bool = False
    """Nobody now (schedule closed, pacing full): put the contact back as it was and
    stop this round of `CampaignRunner.due`."""


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
    """One call campaign in memory: contacts, calls in flight, cycles, counts and an outbox.

    Built from a `Campaign`, a `RetryPolicy` (default: `RetryPolicy()`) and an
    optional `CyclePolicy`. Raises `InvalidInput` for a WhatsApp campaign (the
    runner dials) or arguments of the wrong type.
    """

    __slots__ = (
        "_calls",
        "_campaign",
        "_cycles",
        "_keys",
        "_loop_starts",
        "_next_loop_at",
        "_order",
        "_outbox",
        "_queue",
        "_retry",
        "_slots",
        "_tally",
    )

    def __init__(
        self,
        campaign: Campaign,
        *,
        retry: RetryPolicy | None = None,
        cycles: CyclePolicy | None = None,
    ) -> None:
        if type(campaign) is not Campaign:
            raise InvalidInput(f"campaign must be a Campaign; got {campaign!r}")
        if campaign.channel is not Channel.CALL:
            raise InvalidInput(
                f"CampaignRunner drives call campaigns; {campaign.id!r} is "
                f"{campaign.channel.value!r}"
            )
        if retry is not None and type(retry) is not RetryPolicy:
            raise InvalidInput(f"retry must be a RetryPolicy; got {retry!r}")
        if cycles is not None and type(cycles) is not CyclePolicy:
            raise InvalidInput(f"cycles must be a CyclePolicy or None; got {cycles!r}")
        self._campaign = campaign
        self._retry = RetryPolicy() if retry is None else retry
        self._cycles = cycles
        self._order: dict[str, int] = {}  # contact id -> loading index
        self._slots: list[Contact] = []  # loading index -> the contact as it stands
        self._keys: list[int | None] = []  # loading index -> its latest queue key
        self._queue = _DueQueue()  # packed keys, see _key
        self._calls: dict[str, Call] = {}
        self._tally: dict[str, int] = dict.fromkeys(_BUCKETS, 0)
        self._outbox: list[Notification] = []
        self._loop_starts: list[datetime] = []
        self._next_loop_at: datetime | None = None

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
        """Finish now (Exotel): pending contacts become failed, held outcomes settle
        without retry, and calls in flight settle the same way when they end.

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
        """The calls to place at ``now``, at most ``limit``: earliest due first, then
        by priority (high, normal, low), then in loading order.

        Each returned contact is already ``dialing`` with its attempt counted;
        report the call with `CallUpdate`. On the way, a scheduled campaign opens
        at its start time, a cooldown ends with the next loop, and held outcomes
        whose window closed are settled. Returns an empty list unless the
        campaign is active. Raises `InvalidInput` for a naive ``now`` or a bad ``limit``.
        """
        now = aware_utc(now)
        if limit is not None and (type(limit) is not int or limit < 0):
            raise InvalidInput(f"limit must be a non-negative integer or None; got {limit!r}")
        self._advance(now)
        dials: list[Dial] = []
        if self._campaign.status is not CampaignStatus.ACTIVE:
            return dials
        queue, slots, calls, keys = self._queue, self._slots, self._calls, self._keys
        campaign_id = self._campaign.id
        until = _key_limit(now)
        while (key := queue.peek()) is not None and key <= until:
            if limit is not None and len(dials) >= limit:
                break
            queue.pop()
            index = key & _INDEX_MASK
            if keys[index] is not key:  # the very object _push_at stored, or stale
                continue  # a stale entry: the contact was rescheduled since
            contact = slots[index]
            if contact.status not in _ON_HEAP:
                continue  # a stale entry: the contact moved on since it was pushed
            at = contact.next_attempt_at
            assert at is not None
            if contact.status is _Q.AWAITING_OUTCOME:
                self._apply(
                    contact,
                    finalize_outcome(contact, self._retry, now=at, campaign_id=campaign_id),
                )
                continue
            admission = self._admit(contact, now)
            if admission.halt:
                self._push_at(index, contact)
                break
            if admission.later is not None:
                self._replace_at(index, contact, postpone(contact, until=admission.later))
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
            dials.append(placed)
        self._check_cycle_end(now)
        return dials

    def _admit(self, contact: Contact, now: datetime) -> _Admission:
        """The admission step every due contact passes, once per pop (see the module docs).

        Today: always admitted, no caller line. Schedule, pacing, rotation and
        compliance policies decide here: ``_Admission(line=...)`` admits,
        ``_Admission(later=t)`` (``t`` strictly after ``now``) defers this contact,
        ``_Admission(halt=True)`` defers everybody until the next round.
        """
        return _ADMITTED

    def next_wakeup(self) -> datetime | None:
        """When the runner next has work: the scheduled start, the end of a cooldown, or
        the earliest due attempt or held outcome. None when nothing is waiting on time
        (paused, finished, cancelled, or every contact in a call or settled)."""
        status = self._campaign.status
        if status is CampaignStatus.SCHEDULED:
            return self._campaign.start_at
        if status is CampaignStatus.COOLDOWN:
            return self._next_loop_at
        if status is not CampaignStatus.ACTIVE:
            return None
        queue, keys = self._queue, self._keys
        while (key := queue.peek()) is not None:
            index = key & _INDEX_MASK
            if keys[index] is key:
                contact = self._slots[index]
                if contact.status in _ON_HEAP:
                    return contact.next_attempt_at
            queue.pop()
        return None

    # ------------------------------------------------------------------ events

    def handle(self, event: Event) -> None:
        """Apply one event. Duplicates, stale reports and reports about other attempts
        change nothing.

        Raises `InvalidInput` for an unknown contact or event type and
        `IllegalTransition` for a conversion the contact's status does not allow.
        """
        if type(event) is CallUpdate:
            self._on_call_update(event)
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
        updated = _report(call, event)
        if updated is call:
            return
        if updated.status not in _CALL_ENDED:
            self._calls[contact_id] = updated
            return
        del self._calls[contact_id]
        campaign = self._campaign
        result = apply_call(
            contact,
            updated,
            self._retry,
            now=event.at,
            campaign_id=campaign.id,
            retry=campaign.status is not CampaignStatus.FINISHED,
        )
        self._apply(contact, result)
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
        self._push_at(index, contact)

    def _push_at(self, index: int, contact: Contact) -> None:
        at = contact.next_attempt_at
        if at is not None and contact.status in _ON_HEAP:
            key = _key(at, contact.priority.rank, index)
            self._keys[index] = key  # the same object as the queue's entry: see `due`
            self._queue.push(key)

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
        if new.next_attempt_at != old.next_attempt_at or new.status is not old.status:
            self._push_at(index, new)

    def _apply(self, old: Contact, result: tuple[Contact, tuple[Notification, ...]]) -> None:
        new, notes = result
        self._replace(old, new)
        self._outbox.extend(notes)

    def _close(self, contact: Contact, now: datetime) -> None:
        self._apply(
            contact, close_contact(contact, self._retry, now=now, campaign_id=self._campaign.id)
        )

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
        if self._tally["pending"] or self._tally["in_progress"]:
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
        """The whole runner as plain JSON types; `restore` rebuilds it exactly."""
        return {
            "format": SNAPSHOT_FORMAT,
            "campaign": self._campaign.to_dict(),
            "retry": self._retry.to_dict(),
            "cycles": None if self._cycles is None else self._cycles.to_dict(),
            "contacts": [c.to_dict() for c in self._slots],
            "calls": [c.to_dict() for c in self._calls.values()],
            "loop_starts": [t.isoformat() for t in self._loop_starts],
            "next_loop_at": None if self._next_loop_at is None else self._next_loop_at.isoformat(),
            "outbox": [n.to_dict() for n in self._outbox],
        }

    @classmethod
    def restore(cls, data: Mapping[str, Any]) -> CampaignRunner:
        """A runner rebuilt from `snapshot` data.

        Raises `InvalidInput` for data of another format, unknown or missing
        keys, bad records, duplicate contacts, or calls that do not match a
        dialling contact's current attempt (and dialling contacts without one).
        """
        if not isinstance(data, Mapping) or data.get("format") != SNAPSHOT_FORMAT:
            raise InvalidInput(f"not a {SNAPSHOT_FORMAT} snapshot")
        if set(data) != _SNAPSHOT_KEYS:
            raise InvalidInput(
                f"snapshot keys must be {sorted(_SNAPSHOT_KEYS)}; got {sorted(data)}"
            )
        cycles = data["cycles"]
        runner = cls(
            Campaign.from_dict(data["campaign"]),
            retry=RetryPolicy.from_dict(data["retry"]),
            cycles=None if cycles is None else CyclePolicy.from_dict(cycles),
        )
        for item in _sequence(data, "contacts"):
            contact = Contact.from_dict(item)
            if contact.id in runner._order:
                raise InvalidInput(f"duplicate contact id {contact.id!r}")
            runner._add(contact)
        for item in _sequence(data, "calls"):
            call = Call.from_dict(item)
            index = runner._order.get(call.contact_id)
            owner = None if index is None else runner._slots[index]
            if (
                owner is None
                or owner.status is not _Q.DIALING
                or owner.attempts != call.attempt
                or call.contact_id in runner._calls
            ):
                raise InvalidInput(f"call {call.id!r} does not match a dialling contact")
            runner._calls[call.contact_id] = call
        dialling = sum(1 for c in runner._slots if c.status is _Q.DIALING)
        if dialling != len(runner._calls):
            raise InvalidInput("every dialling contact needs its call in flight")
        runner._loop_starts = [
            aware_utc(_load_datetime(t), "loop_starts") for t in _sequence(data, "loop_starts")
        ]
        next_loop_at = data["next_loop_at"]
        runner._next_loop_at = (
            None
            if next_loop_at is None
            else aware_utc(_load_datetime(next_loop_at), "next_loop_at")
        )
        runner._outbox = [notification_from_dict(n) for n in _sequence(data, "outbox")]
        return runner


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


def _sequence(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data[key]
    if not isinstance(value, list):
        raise InvalidInput(f"snapshot {key!r} must be a list; got {value!r}")
    return value


def _load_datetime(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not an ISO 8601 date-time") from None
