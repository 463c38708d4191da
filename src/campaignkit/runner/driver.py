"""The step sequence of a campaign, written once: `CampaignRunner` (in memory),
`SQLiteCampaign` and `PostgresCampaign` all run it.

An internal interface between `campaignkit.runner` and `campaignkit.stores`: a
public module only so that the stores may import it (no package imports another's
private modules), not part of the public API - nothing re-exports it, and it may
change in any release.

Theory of operation
-------------------
Design principle 4: the runner and every store only load a row, call a pure step of
`campaignkit.engine.steps`, save what the step returned, index the due time and queue
the notifications. Once the steps decide everything, what is left is the *order* of
those calls:

* a command moves the campaign, closes every contact after a force-complete and may
  end the cycle;
* a `due` round opens a scheduled campaign or the next loop (requeueing every
  contact), settles the held outcomes whose time came, opens the round (pacing, the
  WhatsApp send window), proposes contacts in due order until the room is used or
  the campaign halts, closes the round and may end the cycle;
* an event loads one row, steps, saves, and may end the cycle.

That order was written three times, once per keeper (issue 18: one home per rule);
`StepDriver` holds it once, and the equivalence tests (every store gives the
runner's results on the same events) test it once. The tally of contacts by bucket
is kept here too: `_commit` adds each save's changes to `StepDriver._changes`.

A keeper subclasses `StepDriver` and implements the storage interface (the methods
under "storage" below): the rows due in a lane up to a key, the row an event is
for, every row, saving a row, queueing notifications, the tally, the WhatsApp send
window, and a transaction. A concurrent store (PostgreSQL, several workers) also
uses the hooks: a transaction that does not hold the campaign row raises
`RetryLocked` when it has to write it, and the driver runs the call again with the
row locked; `_event_done` decides when an event may end the cycle and
`_after_event` runs after the event's commit.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from .._fields import aware_utc
from ..engine import steps
from ..engine.reducers import (
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
    contact_bucket,
)
from ..errors import InvalidInput, shown
from ..models.records import CallerLine, Contact
from ..models.state import CampaignState, ContactState
from ..policies.rules import CampaignRules
from ..statuses import CONTACT_BUCKETS, CampaignStatus

__all__ = [
    "BUCKETS",
    "EVENTS",
    "NO_TRANSACTION",
    "TALLY_KEYS",
    "RetryLocked",
    "StepDriver",
    "counts_of",
    "new_tally",
]

EVENTS = (CallUpdate, MessageUpdate, ConversationResult, ContactCalledBack, ContactConverted)
"""The event types `StepDriver.handle` accepts."""
BUCKETS = CONTACT_BUCKETS  # Exotel's stats fields, one home: campaignkit.statuses
"""The `CampaignCounts` fields besides ``created``: the tally's buckets."""
TALLY_KEYS = (*BUCKETS, "created", "held")
"""The tally's keys: the buckets, the contacts loaded, and the held outcomes (`steps.is_held`)."""
NO_TRANSACTION: AbstractContextManager[None] = nullcontext()
"""The `StepDriver._transaction` of a keeper without transactions (the in-memory runner:
a step that raises has changed nothing, so there is nothing to roll back)."""


def _unlimited() -> int | None:
    """No limit: any number of rows may be taken."""
    return None


def new_tally() -> dict[str, int]:
    """A tally of nobody: every `TALLY_KEYS` key at 0."""
    return dict.fromkeys(TALLY_KEYS, 0)


def counts_of(tally: Mapping[str, int]) -> CampaignCounts:
    """The `CampaignCounts` of a tally (`TALLY_KEYS`)."""
    return CampaignCounts(created=tally["created"], **{b: tally[b] for b in BUCKETS})


class RetryLocked(Exception):
    """Raised inside a transaction that does not hold the campaign row when it has to
    write it: the driver rolls the transaction back and runs the call again with the
    row locked (PostgreSQL's webhooks run without the row, see `StepDriver.handle`)."""


class StepDriver:
    """The step sequence of one campaign over a storage interface (see the module): the
    commands, `due`, `handle`, and what they share (`_commit`, `_end_cycle`,
    `_advance`). Subclasses keep the rows; this class decides nothing either - every
    decision is a call to `campaignkit.engine.steps`."""

    __slots__ = ("_state",)  # the campaign row, which every step replaces
    _state: CampaignState
    _rules: CampaignRules
    _rng: random.Random | None
    _messages: bool  # a WhatsApp campaign: held outcomes are tallied
    _track_sends: bool  # a WhatsApp tier with a limit: the sends of the last 24 h count
    _changes: dict[str, int]  # where `_commit` adds the tally's changes (TALLY_KEYS)

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
        they end; a store closes every contact in the same transaction. Raises
        `IllegalTransition` from a status that cannot finish."""
        self._command(CampaignCommand.FORCE_COMPLETE, now)

    def archive(self, now: datetime) -> None:
        """Archive a finished or cancelled campaign (seed 004). Raises `IllegalTransition`
        from any other status."""
        self._command(CampaignCommand.ARCHIVE, now)

    def update_line(self, line: CallerLine) -> None:
        """Replace the caller line with ``line.id`` - disabled or enabled by hand, a new
        spam score - or add it. The next `due` asks the rotation again.

        Raises `InvalidInput` for a non-`CallerLine` or when the campaign assigns no
        lines (it was built with ``lines=None``).
        """
        with self._transaction(lock=True):
            self._state = steps.update_line(self._state, line)

    def _command(self, order: CampaignCommand, now: datetime) -> None:
        """Apply a user's command in one transaction; a force-complete closes every contact."""
        now = aware_utc(now)
        with self._transaction(lock=True):
            self._state, notes = steps.command(self._state, order, self._counts(), now)
            self._queue(notes)
            if order is CampaignCommand.FORCE_COMPLETE:
                rules = self._rules
                for index, state in self._all_rows(lock=True):
                    self._commit(index, state, steps.close(state, self._state, rules, now))
            self._end_cycle(now)

    # ------------------------------------------------------------------ due calls

    def due(self, now: datetime, *, limit: int | None = None) -> list[Dial]:
        """The calls to place (or messages to send) at ``now``, at most ``limit``:
        earliest due first, then by priority (high, normal, low), then in loading order.

        Each returned contact is already ``dialing`` (``sending``) with its attempt
        counted; report the call with `CallUpdate` (the message with `MessageUpdate`).
        Every proposal passed the time policies at ``now`` and carries its caller
        line. On the way, a scheduled campaign opens at its start time, a cooldown
        ends with the next loop, and held outcomes whose time came are settled. A
        store commits the whole round in one transaction before it returns the dials.
        Returns an empty list unless the campaign is active. Raises `InvalidInput`
        for a naive ``now`` or a bad ``limit``.
        """
        now = aware_utc(now)
        if limit is not None and (type(limit) is not int or limit < 0):
            raise InvalidInput(f"limit must be a non-negative integer or None; got {shown(limit)}")
        with self._transaction(lock=True, rng=True):
            return self._due(now, limit)

    def _due(self, now: datetime, limit: int | None) -> list[Dial]:
        """The round `due` describes, inside its transaction."""
        self._advance(now)
        dials: list[Dial] = []
        if self._state.campaign.status is not CampaignStatus.ACTIVE:
            return dials
        until = self._due_key(now)
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
        rules, rng, track = self._rules, self._rng, self._track_sends
        want = _unlimited if room is None else lambda: room - len(dials)
        rows = self._due_rows(steps.DIAL_LANE, until, want)
        # The room is checked before a row is taken: a store reads no row (and PostgreSQL
        # locks none) that this round would not propose.
        while room is None or len(dials) < room:
            row = next(rows, None)
            if row is None:
                break
            index, state = row
            step = steps.propose(state, self._state, rules, now, rng=rng)
            if step.halted:
                self._state = step.campaign
                self._keep_due(index, state)
                break
            self._commit(index, state, step)
            placed = step.dial
            if placed is not None:
                dials.append(placed)
                if track:
                    self._record_send(now, until, placed.contact.phone)
        if dials and self._messages:
            sent_to, oldest = self._sent_window(now)
            self._state = steps.close_round(
                self._state, rules, now, proposed=len(dials), sent_to=sent_to, oldest_send=oldest
            )
        self._end_cycle(now)
        return dials

    def _settle_due(self, now: datetime, until: int) -> None:
        """Settle every held outcome whose time has come, in due order."""
        rules = self._rules
        for index, state in self._due_rows(steps.SETTLE_LANE, until, _unlimited):
            self._commit(index, state, steps.settle(state, self._state, rules, now))

    # ------------------------------------------------------------------ events

    def handle(self, event: Event) -> None:
        """Apply one event. Duplicates, stale reports and reports about other attempts
        change nothing; an event that raises changes nothing either (a store rolls its
        transaction back).

        Raises `InvalidInput` for an unknown contact or event type, an event of the
        other channel (a `MessageUpdate` on a call campaign, a `CallUpdate` on a
        WhatsApp one) or times off the calendar, and `IllegalTransition` for a
        conversion the contact's status does not allow.
        """
        if type(event) not in EVENTS:
            raise InvalidInput(f"not an event: {shown(event)}")
        transaction = self._transaction(lock=False)
        if transaction is NO_TRANSACTION:
            # The runner: nothing to roll back or retry, and a webhook is its hot path
            # (bench_engine.py --campaign), so it pays for no context manager.
            self._apply(event)
            return
        try:
            with transaction:
                self._apply(event)
        except RetryLocked:
            with self._transaction(lock=True):
                self._apply(event)
        self._after_event()

    def _apply(self, event: Event) -> None:
        """Apply one event: its row, the step, the row kept, maybe the cycle's end."""
        index, state = self._event_row(event.contact_id)
        campaign = self._state
        step = steps.apply_event(state, event, campaign, self._rules)
        if step.campaign is not campaign:
            self._campaign_changing()
        self._commit(index, state, step)
        self._event_done(event.at, state.contact, step.state.contact)

    # ------------------------------------------------------------------ keeping

    def _commit(self, index: int, old: ContactState, step: steps.Step) -> None:
        """Keep what a step returned from ``old``: the campaign row, the notifications,
        the contact's row (`_save`) and the tally's changes."""
        self._state = step.campaign
        if step.notifications:
            self._queue(step.notifications)
        new = step.state
        if new is old:
            return
        self._save(index, old, new)
        before, after = old.contact, new.contact
        if after is before:
            return
        changes = self._changes
        # The bucket is a function of these two fields: most steps change neither.
        if after.status is not before.status or after.last_outcome is not before.last_outcome:
            old_bucket, new_bucket = contact_bucket(before), contact_bucket(after)
            if old_bucket != new_bucket:
                changes[old_bucket] -= 1
                changes[new_bucket] += 1
        if self._messages:
            held = steps.is_held(after) - steps.is_held(before)
            if held:
                changes["held"] += held

    def _counts(self, tally: Mapping[str, int] | None = None) -> CampaignCounts:
        """Contacts by where they stand, from ``tally`` (default: `_totals`)."""
        return counts_of(self._totals() if tally is None else tally)

    def _end_cycle(self, now: datetime, tally: Mapping[str, int] | None = None) -> None:
        """End the cycle when nothing is pending, in a call or held (``tally``, default
        `_totals`, read only for an active campaign)."""
        if self._state.campaign.status is not CampaignStatus.ACTIVE:
            return  # cycle_may_end says no: spare a store the tally's read
        tally = self._totals() if tally is None else tally
        if not steps.cycle_may_end(
            self._state,
            created=tally["created"],
            pending=tally["pending"],
            in_progress=tally["in_progress"],
            held=tally["held"],
        ):
            return
        rules = self._rules
        self._state, notes = steps.end_cycle(
            self._state,
            rules,
            counts_of(tally),
            now,
            held=tally["held"],
            any_eligible=lambda: any(
                steps.loop_eligible(s, rules) for _, s in self._all_rows(lock=False)
            ),
        )
        self._queue(notes)

    def _advance(self, now: datetime) -> None:
        """Open a scheduled campaign, or start the next loop once the cooldown is over."""
        before = self._state
        if before.campaign.status not in (CampaignStatus.SCHEDULED, CampaignStatus.COOLDOWN):
            return
        self._state, notes, loop_at = steps.advance(before, self._counts(), now)
        if self._state is before:
            return
        self._queue(notes)
        if loop_at is not None:
            cycle, rules = self._state.campaign.cycle, self._rules
            for index, state in self._all_rows(lock=True):
                new = steps.requeue(state, rules, cycle=cycle, now=loop_at)
                if new is not state:
                    self._commit(index, state, steps.Step(new, self._state))
            now = loop_at
        self._end_cycle(now)

    # ------------------------------------------------------------------ storage

    def _transaction(self, *, lock: bool, rng: bool = False) -> AbstractContextManager[None]:
        """One transaction around a public call: everything it changed commits together
        or rolls back (the keeper's caches included). ``lock``: the call writes the
        campaign row (commands, `due`); ``rng``: it may draw from the random
        generator (`due`). `NO_TRANSACTION` when there is nothing to roll back."""
        raise NotImplementedError

    def _due_key(self, now: datetime) -> int:
        """The due index's key of ``now``: rows due at or before it are due."""
        raise NotImplementedError

    def _due_rows(
        self, lane: int, until: int, want: Callable[[], int | None]
    ) -> Iterator[tuple[int, ContactState]]:
        """The rows of ``lane`` (`steps.DIAL_LANE`, `steps.SETTLE_LANE`) due up to the key
        ``until``, in due order, as (index, row), read as they are taken; ``want()`` is
        how many more the caller may take (None: any), for a store's batch size."""
        raise NotImplementedError

    def _keep_due(self, index: int, state: ContactState) -> None:
        """A taken due row stays due (the round halted before it): a database row still
        is; the runner's queue pushes it back."""

    def _event_row(self, contact_id: str) -> tuple[int, ContactState]:
        """The row an event is for, as (index, row), held against other writers until the
        transaction ends. Raises `InvalidInput` for an unknown contact."""
        raise NotImplementedError

    def _all_rows(self, *, lock: bool) -> Iterator[tuple[int, ContactState]]:
        """Every row in loading order, as (index, row); ``lock``: the caller saves some of
        them (read each batch before saving any)."""
        raise NotImplementedError

    def _save(self, index: int, old: ContactState, new: ContactState) -> None:
        """Save ``new`` over ``old`` at ``index``: the row and its due index entry (the
        tally is `_commit`'s)."""
        raise NotImplementedError

    def _queue(self, notes: Iterable[Notification]) -> None:
        """Queue notifications in the outbox, in order."""
        raise NotImplementedError

    def _totals(self) -> Mapping[str, int]:
        """The tally as it stands in this transaction (`TALLY_KEYS`)."""
        raise NotImplementedError

    def _sent_window(self, now: datetime) -> tuple[int, datetime | None]:
        """Distinct recipients of the sends of the last 24 hours, and the oldest send;
        sends older than the window are forgotten. (0, None) without a tier limit."""
        raise NotImplementedError

    def _record_send(self, now: datetime, until: int, phone: str) -> None:
        """Remember a send to ``phone`` at ``now`` (key ``until``) for the tier's window."""
        raise NotImplementedError

    # ------------------------------------------------------------------ concurrency hooks

    def _campaign_changing(self) -> None:
        """An event's step changed the campaign row: a transaction that does not hold
        the row raises `RetryLocked` here (PostgreSQL)."""

    def _event_done(self, at: datetime, old: Contact, new: Contact) -> None:
        """After an event's row is kept (the contact went from ``old`` to ``new``): end
        the cycle if it may end."""
        self._end_cycle(at)

    def _after_event(self) -> None:
        """After an event's transaction committed (PostgreSQL looks for a cycle end no
        worker saw)."""
