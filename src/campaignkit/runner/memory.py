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
only once it returned.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from .._fields import aware_utc
from ..engine import steps
from ..engine.reducers import (
    CallUpdate,
    CampaignCommand,
    ContactCalledBack,
    ContactConverted,
    ConversationResult,
    Dial,
    Event,
    MessageUpdate,
    Notification,
    contact_bucket,
)
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
from ..statuses import CONTACT_BUCKETS, CampaignStatus, Channel, ContactStatus
from . import snapshot as _snapshot
from .queue import INDEX_MASK, DueQueue, key_limit, key_of
from .snapshot import SNAPSHOT_FORMAT
from .view import Kept, RunnerView, compact, contact_of, row_of

__all__ = ["SNAPSHOT_FORMAT", "CampaignRunner"]

_EVENTS = (CallUpdate, MessageUpdate, ConversationResult, ContactCalledBack, ContactConverted)
_WAITING = frozenset({ContactStatus.QUEUED, ContactStatus.RETRYING})
_BUCKETS = CONTACT_BUCKETS  # Exotel's stats fields, one home: campaignkit.statuses
_NOBODY: frozenset[str] = frozenset()


class CampaignRunner(RunnerView):
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
        "_held",
        "_keys",
        "_messages",
        "_order",
        "_outbox",
        "_queue",
        "_recipients",
        "_rng",
        "_rules",
        "_sends",
        "_settling",
        "_state",
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
        self._queue = DueQueue()  # contacts to dial (steps.DIAL_LANE)
        self._settling = DueQueue()  # held outcomes to settle (steps.SETTLE_LANE)
        self._calling: dict[str, int] = {}  # contact id -> index, for calls in flight
        self._held: set[int] = set()  # message outcomes waiting to settle (steps.is_held)
        self._tally: dict[str, int] = dict.fromkeys(_BUCKETS, 0)
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
        self._outbox.extend(notes)

    def update_line(self, line: CallerLine) -> None:
        """Replace the caller line with ``line.id`` - disabled or enabled by hand, a new
        spam score - or add it. The next `due` asks the rotation again.

        Raises `InvalidInput` for a non-`CallerLine` or when the runner assigns no
        lines (it was built with ``lines=None``).
        """
        self._state = steps.update_line(self._state, line)

    # ------------------------------------------------------------------ commands

    def start(self, now: datetime) -> None:
        """Launch the campaign; it opens at its ``start_at`` (at once when None or past).
        Raises `IllegalTransition` unless the campaign is ready (has contacts)."""
        self._command(CampaignCommand.START, now)

    def pause(self, now: datetime) -> None:
        """Pause: `due` places no calls; calls in flight still report.
        Raises `IllegalTransition` unless the campaign can pause."""
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
        they end. Raises `IllegalTransition` from a status that cannot finish."""
        self._command(CampaignCommand.FORCE_COMPLETE, now)

    def archive(self, now: datetime) -> None:
        """Archive a finished or cancelled campaign (seed 004). Raises `IllegalTransition`
        from any other status."""
        self._command(CampaignCommand.ARCHIVE, now)

    def _command(self, order: CampaignCommand, now: datetime) -> None:
        now = aware_utc(now)
        self._state, notes = steps.command(self._state, order, self.counts, now)
        self._outbox.extend(notes)
        if order is CampaignCommand.FORCE_COMPLETE:
            for index, kept in enumerate(list(self._states)):
                state = row_of(kept)
                self._commit(index, state, steps.close(state, self._state, self._rules, now))
        self._end_cycle(now)

    # ------------------------------------------------------------------ due calls

    def due(self, now: datetime, *, limit: int | None = None) -> list[Dial]:
        """The calls to place (or messages to send) at ``now``, at most ``limit``:
        earliest due first, then by priority (high, normal, low), then in loading order.

        Each returned contact is already ``dialing`` (``sending``) with its attempt
        counted; report the call with `CallUpdate` (the message with `MessageUpdate`).
        Every proposal passed the time policies at ``now`` and carries its caller
        line. On the way, a scheduled campaign opens at its start time, a cooldown
        ends with the next loop, and held outcomes whose time came are settled.
        Returns an empty list unless the campaign is active. Raises `InvalidInput`
        for a naive ``now`` or a bad ``limit``.
        """
        now = aware_utc(now)
        if limit is not None and (type(limit) is not int or limit < 0):
            raise InvalidInput(f"limit must be a non-negative integer or None; got {shown(limit)}")
        self._advance(now)
        dials: list[Dial] = []
        if self._state.campaign.status is not CampaignStatus.ACTIVE:
            return dials
        until = key_limit(now)
        self._settle_due(now, until)
        sent_to, oldest = self._sent_window(now)
        opened = steps.open_round(
            self._state, self._rules, now, sent_to=sent_to, oldest_send=oldest
        )
        self._state = opened.campaign
        if opened.blocked:
            self._end_cycle(now)
            return dials
        left = opened.room
        room = limit if left is None else left if limit is None else min(limit, left)
        queue, states, keys, rules, rng = (
            self._queue,
            self._states,
            self._keys,
            self._rules,
            self._rng,
        )
        while (key := queue.peek()) is not None and key <= until:
            if room is not None and len(dials) >= room:
                break
            queue.pop()
            index = key & INDEX_MASK
            if keys[index] is not key:  # the very object _push stored, or stale
                continue  # a stale entry: the contact was rescheduled since
            kept = states[index]
            if contact_of(kept).status not in _WAITING:
                continue  # a stale entry: the contact moved on since it was pushed
            state = row_of(kept)
            step = steps.propose(state, self._state, rules, now, rng=rng)
            if step.halted:
                self._state = step.campaign
                self._push(index, state.contact)
                break
            self._commit(index, state, step)
            placed = step.dial
            if placed is not None:
                dials.append(placed)
                if self._track_sends:
                    self._sends.append((now, placed.contact.phone))
                    self._recipients[placed.contact.phone] += 1
        if dials and self._messages:
            sent_to, oldest = self._sent_window(now)
            self._state = steps.close_round(
                self._state, rules, now, proposed=len(dials), sent_to=sent_to, oldest_send=oldest
            )
        self._end_cycle(now)
        return dials

    def _settle_due(self, now: datetime, until: int) -> None:
        """Settle every held outcome whose time has come."""
        queue, states, keys = self._settling, self._states, self._keys
        while (key := queue.peek()) is not None and key <= until:
            queue.pop()
            index = key & INDEX_MASK
            if keys[index] is key:
                state = row_of(states[index])
                self._commit(index, state, steps.settle(state, self._state, self._rules, now))

    # ------------------------------------------------------------------ events

    def handle(self, event: Event) -> None:
        """Apply one event. Duplicates, stale reports and reports about other attempts
        change nothing; an event that raises changes nothing either.

        Raises `InvalidInput` for an unknown contact or event type, an event of the
        other channel (a `MessageUpdate` on a call campaign, a `CallUpdate` on a
        WhatsApp one) or times off the calendar, and `IllegalTransition` for a
        conversion the contact's status does not allow.
        """
        if type(event) not in _EVENTS:
            raise InvalidInput(f"not an event: {shown(event)}")
        index = self._index(event.contact_id)
        state = row_of(self._states[index])
        self._commit(index, state, steps.apply_event(state, event, self._state, self._rules))
        self._end_cycle(event.at)

    # ------------------------------------------------------------------ keeping

    def _add(self, state: ContactState) -> None:
        index = len(self._states)
        if index > INDEX_MASK:
            raise InvalidInput(f"a runner holds at most {INDEX_MASK + 1:,} contacts")
        contact = state.contact
        self._order[contact.id] = index
        self._states.append(compact(state))
        self._keys.append(None)
        self._tally[contact_bucket(contact)] += 1
        if state.call is not None:
            self._calling[contact.id] = index
        if self._messages and steps.is_held(contact):
            self._held.add(index)
        self._push(index, contact)

    def _push(self, index: int, contact: Contact) -> None:
        lane = steps.queue_lane(contact, messages=self._messages)
        if lane is None:
            return
        assert contact.next_attempt_at is not None  # queue_lane checks it
        key = key_of(contact.next_attempt_at, contact.priority.rank, index)
        self._keys[index] = key  # the same object as the queue's entry: see `due`
        (self._queue if lane == steps.DIAL_LANE else self._settling).push(key)

    def _commit(self, index: int, old: ContactState, step: steps.Step) -> None:
        """Keep what a step returned from ``old``: the row, the index entries, the tally,
        the outbox."""
        self._state = step.campaign
        if step.notifications:
            self._outbox.extend(step.notifications)
        new = step.state
        if new is old:
            return
        self._states[index] = compact(new)
        if (new.call is None) is not (old.call is None):
            if new.call is None:
                self._calling.pop(new.contact.id, None)
            else:
                self._calling[new.contact.id] = index
        before, after = old.contact, new.contact
        if after is before:
            return
        if after.status is not before.status or after.last_outcome is not before.last_outcome:
            old_bucket, new_bucket = contact_bucket(before), contact_bucket(after)
            if old_bucket != new_bucket:  # the bucket is a function of these two fields
                self._tally[old_bucket] -= 1
                self._tally[new_bucket] += 1
        if self._messages:
            if steps.is_held(after):
                self._held.add(index)
            else:
                self._held.discard(index)
        if after.next_attempt_at != before.next_attempt_at or after.status is not before.status:
            self._push(index, after)

    def _end_cycle(self, now: datetime) -> None:
        tally = self._tally
        if not steps.cycle_may_end(
            self._state,
            created=len(self._states),
            pending=tally["pending"],
            in_progress=tally["in_progress"],
            held=len(self._held),
        ):
            return
        rules = self._rules
        self._state, notes = steps.end_cycle(
            self._state,
            rules,
            self.counts,
            now,
            held=len(self._held),
            any_eligible=lambda: any(steps.loop_eligible(row_of(s), rules) for s in self._states),
        )
        self._outbox.extend(notes)

    def _advance(self, now: datetime) -> None:
        """Open a scheduled campaign, or start the next loop once the cooldown is over."""
        before = self._state
        if before.campaign.status not in (CampaignStatus.SCHEDULED, CampaignStatus.COOLDOWN):
            return
        self._state, notes, loop_at = steps.advance(before, self.counts, now)
        if self._state is before:
            return
        self._outbox.extend(notes)
        if loop_at is not None:
            cycle, rules = self._state.campaign.cycle, self._rules
            for index, kept in enumerate(list(self._states)):
                state = row_of(kept)
                new = steps.requeue(state, rules, cycle=cycle, now=loop_at)
                if new is not state:
                    self._commit(index, state, steps.Step(new, self._state))
            now = loop_at
        self._end_cycle(now)

    # ------------------------------------------------------------------ plain data

    def snapshot(self) -> dict[str, Any]:
        """The whole runner as plain JSON types: the rules, the campaign row, every
        contact row, the outbox, the random generator's state and the recent sends;
        `restore` rebuilds it exactly."""
        return _snapshot.dump(self)

    @classmethod
    def restore(cls, data: Mapping[str, Any]) -> CampaignRunner:
        """A runner rebuilt from `snapshot` data (also from the ``campaignkit.runner/1``
        and ``/2`` formats).

        Raises `InvalidInput` for data of another format, unknown or missing keys,
        bad records, duplicate contacts, or calls that do not match a dialling
        contact's current attempt; `InvalidConfig` for policies out of range.
        """
        return _snapshot.load(cls, data)
