"""`CampaignRunner`: one campaign in memory, a store over the decision layer.

For small deployments, simulations, notebooks and tests. The runner holds the
rows a database would - a `ContactState` per contact and the `CampaignState` -
and decides nothing: every change of a status or a next-attempt time comes from
a pure step of `campaignkit.engine.steps`. It reads no clock (every method
takes ``now`` or an event carrying ``at``) and delivers nothing (notifications
wait in `CampaignRunner.outbox`). `snapshot` and `restore` round-trip exactly.

What the runner keeps besides the rows (the same as a database store):

* a due index: every contact with a ``next_attempt_at`` has an entry in one of
  two priority queues chosen by `queue_lane` - contacts to dial, and held
  outcomes to settle (settled first in every `due`). Entries are packed ``int``
  keys ``(next_attempt_at, priority rank, loading order)`` in a calendar queue
  (`campaignkit.runner.queue`), never removed, only skipped when they no longer match the
  contact (lazy deletion), so every change is O(log n) and `due` never scans;
* a tally of contacts by `contact_bucket`, so `counts` is O(1);
* the outbox, and for a WhatsApp tier the sends of the last 24 hours.

A step that raises has changed nothing: the runner stores what a step returns
only once it returned. The order of the steps - commands, `due`, `handle`, the
cycle end - is `campaignkit.runner.driver.StepDriver`'s, shared with every store;
this module supplies the storage (the queues, the rows, the tally, the outbox).
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from .._fields import JSONObject, aware_utc
from ..engine import steps
from ..engine.reducers import Notification, contact_bucket
from ..errors import InvalidInput, shown
from ..models.goals import GoalSet
from ..models.records import CallerLine, Campaign, Contact
from ..models.state import ContactState
from ..policies.compliance import CompliancePolicy
from ..policies.conversion import ConversionRule
from ..policies.cycles import CyclePolicy
from ..policies.messaging import MessagingTier, WhatsAppSettings
from ..policies.pacing import PacingPolicy
from ..policies.retry import RetryPolicy
from ..policies.rotation import RotationPolicy
from ..policies.rules import CampaignRules
from ..policies.schedule import Schedule
from ..statuses import Channel, ContactStatus
from . import snapshot as _snapshot
from .driver import NO_TRANSACTION, StepDriver, new_tally
from .queue import INDEX_MASK, DueQueue, key_limit, key_of
from .snapshot import SNAPSHOT_FORMAT
from .view import Kept, RunnerView, compact, contact_of, row_of

__all__ = ["SNAPSHOT_FORMAT", "CampaignRunner"]

_WAITING = frozenset({ContactStatus.QUEUED, ContactStatus.RETRYING})
_NOBODY: frozenset[str] = frozenset()


class CampaignRunner(RunnerView, StepDriver):
    """One campaign in memory: contact rows, a due index, counts and an outbox.

    Built from a `Campaign` and its `CampaignRules` (``rules=``), or from the
    rules' parts as keywords (``retry``, ``cycles``, ``schedule``, ``pacing``,
    ``rotation``, ``compliance``, ``do_not_call``, ``whatsapp``, ``tier``,
    ``conversion``, ``goals``), which build the rules. ``lines`` are the caller
    lines to rotate (None: the dialer chooses); ``rng`` drives the Weighted
    rotation.

    Raises `InvalidInput` for arguments of the wrong type, rules given twice,
    duplicate line ids, a Weighted rotation without ``rng``, or a WhatsApp campaign
    without settings; `InvalidConfig` for a WhatsApp campaign without consent,
    with cycles or with caller lines, WhatsApp options on a call campaign, or a
    primary-goal conversion rule without ``goals``.
    """

    __slots__ = (
        "_calling",
        "_changes",
        "_dial_queue",
        "_keys",
        "_messages",
        "_order",
        "_outbox",
        "_recipients",
        "_rng",
        "_rules",
        "_sends",
        "_settling",
        "_states",
        "_tally",
        "_track_sends",
    )

    def __init__(
        self,
        campaign: Campaign,
        *,
        rules: CampaignRules | None = None,
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
        rules, state = steps.setup(
            campaign,
            rules=rules,
            lines=lines,
            rng=rng,
            retry=retry,
            cycles=cycles,
            schedule=schedule,
            pacing=pacing,
            rotation=rotation,
            compliance=compliance,
            do_not_call=do_not_call,
            whatsapp=whatsapp,
            tier=tier,
            conversion=conversion,
            goals=goals,
        )
        self._rules = rules
        self._state = state
        self._rng = rng
        self._messages = campaign.channel is Channel.WHATSAPP
        tier_limit = rules.tier.limit if rules.tier is not None else None
        self._track_sends = self._messages and tier_limit is not None
        self._order: dict[str, int] = {}  # contact id -> loading index
        # loading index -> the contact's row, or the Contact alone when that is all the
        # row holds (`compact`: 120 B less per contact, one object less for the GC)
        self._states: list[Kept] = []
        self._keys: list[int | None] = []  # loading index -> its latest queue key
        self._dial_queue = DueQueue()  # contacts to dial (steps.DIAL_LANE)
        self._settling = DueQueue()  # held outcomes to settle (steps.SETTLE_LANE)
        self._calling: dict[str, int] = {}  # contact id -> index, for calls in flight
        # contacts by bucket, loaded ('created') and held outcomes (steps.is_held); the
        # driver's `_commit` adds each save's changes to it
        self._tally = self._changes = new_tally()
        self._outbox: list[Notification] = []
        self._sends: deque[tuple[datetime, str]] = deque()  # the last 24 h, for the tier
        self._recipients: Counter[str] = Counter()

    def __repr__(self) -> str:
        campaign = self._state.campaign
        return (
            f"<CampaignRunner {shown(campaign.id)} {campaign.status.value} "
            f"cycle {campaign.cycle}: {len(self._states)} contacts, "
            f"{len(self._calling)} calls in flight>"
        )

    def drain(self) -> list[Notification]:
        """Take the notifications out of the outbox (to deliver them), oldest first."""
        drained, self._outbox = self._outbox, []
        return drained

    # ------------------------------------------------------------------ contacts

    def add_contacts(self, contacts: Iterable[Contact], *, now: datetime) -> None:
        """Load ``contacts``; queued and retrying ones without a time become due at ``now``.

        Raises `InvalidInput` for a duplicate id, a contact in a call (no call to
        follow), or an awaiting contact without its held outcome and deadline;
        `IllegalTransition` when the campaign takes no more contacts (finished,
        cancelled). Nothing is added when it raises.
        """
        now = aware_utc(now)
        batch: list[ContactState] = []
        seen: set[str] = set()
        for contact in contacts:
            state = steps.load_contact(contact, now=now, campaign=self._state.campaign)
            if contact.id in self._order or contact.id in seen:
                raise InvalidInput(f"duplicate contact id {shown(contact.id)}")
            seen.add(contact.id)
            batch.append(state)
        if not batch:
            return
        steps.check_loading(self._state)
        for state in batch:
            self._add(state)
        self._state, notes = steps.load_contacts(self._state, self.counts, now)
        self._queue(notes)

    # ------------------------------------------------------------------ keeping

    def _add(self, state: ContactState) -> None:
        """Keep a loaded row: its index, the tally, calls in flight, its queue entry."""
        index = len(self._states)
        if index > INDEX_MASK:
            raise InvalidInput(f"a runner holds at most {INDEX_MASK + 1:,} contacts")
        contact = state.contact
        self._order[contact.id] = index
        self._states.append(compact(state))
        self._keys.append(None)
        tally = self._tally
        tally["created"] += 1
        tally[contact_bucket(contact)] += 1
        if state.call is not None:
            self._calling[contact.id] = index
        if self._messages and steps.is_held(contact):
            tally["held"] += 1
        self._push(index, contact)

    def _push(self, index: int, contact: Contact) -> None:
        """Push the contact's queue entry for its lane (none when it waits on nothing)."""
        lane = steps.queue_lane(contact, messages=self._messages)
        if lane is None:
            return
        assert contact.next_attempt_at is not None  # queue_lane checks it
        key = key_of(contact.next_attempt_at, contact.priority.rank, index)
        self._keys[index] = key  # the same object as the queue's entry: see `_due_rows`
        (self._dial_queue if lane == steps.DIAL_LANE else self._settling).push(key)

    # ------------------------------------------------------------------ storage (driver)

    def _transaction(self, *, lock: bool, rng: bool = False) -> AbstractContextManager[None]:
        """No transaction: a step that raises has changed nothing, and the runner keeps
        what a step returns only once it returned."""
        return NO_TRANSACTION

    def _due_key(self, now: datetime) -> int:
        """The queue key past every entry due at ``now``."""
        return key_limit(now)

    def _due_rows(
        self, lane: int, until: int, want: Callable[[], int | None]
    ) -> Iterator[tuple[int, ContactState]]:
        """Pop the live entries of ``lane``'s queue up to ``until``, skipping stale ones."""
        dialling = lane == steps.DIAL_LANE
        queue = self._dial_queue if dialling else self._settling
        states, keys = self._states, self._keys
        while (key := queue.peek()) is not None and key <= until:
            queue.pop()
            index = key & INDEX_MASK
            if keys[index] is not key:  # the very object _push stored, or stale
                continue  # a stale entry: the contact was rescheduled since
            kept = states[index]
            if dialling and contact_of(kept).status not in _WAITING:
                continue  # a stale entry: the contact moved on since it was pushed
            yield index, row_of(kept)

    def _keep_due(self, index: int, state: ContactState) -> None:
        """Push back the entry `_due_rows` popped: the contact is still due."""
        self._push(index, state.contact)

    def _event_row(self, contact_id: str) -> tuple[int, ContactState]:
        """The contact's index and row; raises `InvalidInput` for an unknown contact."""
        index = self._index(contact_id)
        return index, row_of(self._states[index])

    def _all_rows(self, *, lock: bool) -> Iterator[tuple[int, ContactState]]:
        """Every row in loading order (a copy of the list: the caller saves as it walks)."""
        # a copy: the caller saves rows while it walks them
        return ((index, row_of(kept)) for index, kept in enumerate(list(self._states)))

    def _save(self, index: int, old: ContactState, new: ContactState) -> None:
        """Keep ``new``: the row (compacted), the calls in flight, the queue entry."""
        self._states[index] = compact(new)
        if (new.call is None) is not (old.call is None):
            if new.call is None:
                self._calling.pop(new.contact.id, None)
            else:
                self._calling[new.contact.id] = index
        before, after = old.contact, new.contact
        if after is not before and (
            after.next_attempt_at != before.next_attempt_at or after.status is not before.status
        ):
            self._push(index, after)

    def _queue(self, notes: Iterable[Notification]) -> None:
        """Append notifications to the outbox."""
        self._outbox.extend(notes)

    def _totals(self) -> dict[str, int]:
        """The tally itself (kept up to date by `_commit`)."""
        return self._tally

    def _sent_window(self, now: datetime) -> tuple[int, datetime | None]:
        """Distinct recipients of the sends of the last 24 hours, and the oldest send."""
        sends, recipients = self._sends, self._recipients
        window_start = steps.send_window_start(now)
        while sends and sends[0][0] <= window_start:
            _, phone = sends.popleft()
            recipients[phone] -= 1
            if not recipients[phone]:
                del recipients[phone]
        return len(recipients), sends[0][0] if sends else None

    def _record_send(self, now: datetime, until: int, phone: str) -> None:
        """Remember a send for the tier's 24-hour window."""
        self._sends.append((now, phone))
        self._recipients[phone] += 1

    # ------------------------------------------------------------------ plain data

    def snapshot(self) -> JSONObject:
        """The whole runner as plain JSON types: the rules, the campaign row, every
        contact row, the outbox, the random generator's state and the recent sends;
        `restore` rebuilds it exactly."""
        return _snapshot.dump(self)

    @classmethod
    def restore(cls, data: Mapping[str, object]) -> CampaignRunner:
        """A runner rebuilt from `snapshot` data (also from the ``campaignkit.runner/1``
        and ``/2`` formats).

        Raises `InvalidInput` for data of another format, unknown or missing keys,
        bad records, duplicate contacts, or calls that do not match a dialling
        contact's current attempt; `InvalidConfig` for policies out of range.
        """
        return _snapshot.load(cls, data)
