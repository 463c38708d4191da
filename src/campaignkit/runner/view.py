"""The reading side of `CampaignRunner`: properties over its rows, nothing decided here."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator, Mapping, ValuesView
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from .._fields import replacer
from ..engine import steps
from ..engine.reducers import CampaignCounts, Notification
from ..errors import InvalidInput, shown
from ..models.goals import GoalResult
from ..models.records import Call, CallerLine, Campaign, Contact
from ..models.state import CampaignState, ContactState
from ..policies.compliance import Attempt
from ..policies.pacing import PacingState
from ..policies.refusal import Refusal
from ..policies.rules import CampaignRules
from ..statuses import CampaignStatus
from .driver import counts_of
from .queue import INDEX_MASK, DueQueue

if TYPE_CHECKING:
    import random

__all__ = ["RunnerView"]

Kept = ContactState | Contact
"""What the runner keeps per contact: its row, or - when the row holds nothing but the
contact (no call, no ledger) - the `Contact` alone."""

_BARE = ContactState(Contact(id="template", phone="+10000000000"))
_bare_row = replacer(ContactState, "contact")


def row_of(kept: Kept) -> ContactState:
    """The contact's row; a bare one is rebuilt around the contact (not re-validated:
    the contact was, and every other field is its default)."""
    return kept if type(kept) is ContactState else _bare_row(_BARE, kept)


def contact_of(kept: Kept) -> Contact:
    """The contact of what the runner keeps."""
    return kept if type(kept) is Contact else kept.contact  # type: ignore[union-attr]


def compact(state: ContactState) -> Kept:
    """What to keep for ``state``: the contact alone when the row holds nothing else.

    issue 15: a `ContactState` costs 120 B per contact and one more object for the
    garbage collector to walk; most rows (waiting or settled contacts without a
    compliance ledger or conversations) hold only the contact."""
    if (
        state.call is None
        and state.ended is None
        and state.line_id is None
        and state.callback_at is None
        and state.refused is None
        and not state.history
        and not state.extractions
        and not state.goals
    ):
        return state.contact
    return state


class _ContactsView(Mapping[str, Contact]):
    """A read-only view of the runner's contacts by id, in loading order."""

    __slots__ = ("_order", "_states")

    def __init__(self, order: dict[str, int], states: list[Kept]) -> None:
        self._order = order
        self._states = states

    def __getitem__(self, contact_id: str) -> Contact:
        return contact_of(self._states[self._order[contact_id]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._states)

    def values(self) -> ValuesView[Contact]:
        """The contacts, in loading order."""
        return _StateValues(self)

    def __repr__(self) -> str:
        return f"<contacts: {len(self._states)}>"


class _StateValues(ValuesView[Contact]):
    __slots__ = ()
    _mapping: _ContactsView

    def __iter__(self) -> Iterator[Contact]:
        return map(contact_of, self._mapping._states)


class RunnerView:
    """What `CampaignRunner` shows of its rows: the campaign, the rules, the contacts
    and their ledgers, counts, calls in flight and the outbox."""

    __slots__ = ()
    _state: CampaignState
    _rules: CampaignRules
    _states: list[Kept]
    _order: dict[str, int]
    _calling: dict[str, int]
    _tally: dict[str, int]
    _outbox: list[Notification]
    _rng: random.Random | None
    _sends: deque[tuple[datetime, str]]
    _recipients: Counter[str]
    _keys: list[int | None]
    _dial_queue: DueQueue
    _settling: DueQueue
    _messages: bool

    @property
    def campaign(self) -> Campaign:
        """The campaign record as it stands."""
        return self._state.campaign

    @property
    def campaign_state(self) -> CampaignState:
        """The campaign's row: the record, caller lines, pacing, loops and halt."""
        return self._state

    @property
    def rules(self) -> CampaignRules:
        """Every policy the campaign runs with."""
        return self._rules

    retry = property(lambda self: self._rules.retry, doc="The retry policy.")
    cycles = property(lambda self: self._rules.cycles, doc="The cycle policy, or None.")
    schedule = property(lambda self: self._rules.schedule, doc="The schedule given, or None.")
    pacing = property(lambda self: self._rules.pacing, doc="The pacing policy, or None.")
    rotation = property(lambda self: self._rules.rotation, doc="The rotation policy, or None.")
    compliance = property(lambda self: self._rules.compliance, doc="The compliance policy.")
    do_not_call = property(lambda self: self._rules.do_not_call, doc="Numbers never to call.")
    whatsapp = property(lambda self: self._rules.whatsapp, doc="WhatsApp settings, or None.")
    tier = property(lambda self: self._rules.tier, doc="The WhatsApp messaging tier, or None.")
    conversion = property(lambda self: self._rules.conversion, doc="The conversion rule.")
    goals = property(lambda self: self._rules.goals, doc="The campaign's goals, or None.")

    @property
    def lines(self) -> tuple[CallerLine, ...] | None:
        """The caller lines as they stand (today's counts included); None when the
        runner assigns no lines."""
        return self._state.lines

    @property
    def pacing_state(self) -> PacingState:
        """Calls in flight, the last start and today's count, as pacing sees them."""
        return self._state.pacing

    @property
    def blocked(self) -> tuple[Refusal, ...]:
        """Why the last `due` admitted nobody - the campaign-wide refusals (a closed
        schedule, pacing, no usable caller line) - while that holds; empty otherwise.
        With ``next_wakeup() is None`` and contacts pending, nothing will be dialled
        until something changes (a line is enabled, a call ends)."""
        halt = self._state.halt
        return () if halt is None else halt.refusals

    def state(self, contact_id: str) -> ContactState:
        """The contact's row: the contact and its ledger. Raises `InvalidInput` for an
        unknown contact."""
        return row_of(self._states[self._index(contact_id)])

    def history(self, contact_id: str) -> tuple[Attempt, ...]:
        """The contact's recent attempts as the compliance rules see them (kept only
        with a compliance policy). Raises `InvalidInput` for an unknown contact."""
        return self.state(contact_id).history

    def goal_results(self, contact_id: str) -> Mapping[str, GoalResult]:
        """The contact's goal results combined over its conversations, by goal id.
        Raises `InvalidInput` for an unknown contact."""
        return self.state(contact_id).goals

    @property
    def counts(self) -> CampaignCounts:
        """Contacts by where they stand (Exotel's stats), kept up to date on every change."""
        return counts_of(self._tally)

    @property
    def contacts(self) -> Mapping[str, Contact]:
        """A read-only view of the contacts by id, in the order they were added."""
        return _ContactsView(self._order, self._states)

    def contact(self, contact_id: str) -> Contact:
        """The contact ``contact_id``; raises `InvalidInput` if there is none."""
        return contact_of(self._states[self._index(contact_id)])

    def _index(self, contact_id: str) -> int:
        try:
            return self._order[contact_id]
        except (KeyError, TypeError):
            raise InvalidInput(
                f"no contact {shown(contact_id)} in campaign {shown(self._state.campaign.id)}"
            ) from None

    @property
    def in_flight(self) -> Mapping[str, Call]:
        """The calls placed and not yet ended, by contact id."""
        states = self._states
        calls = {cid: row_of(states[i]).call for cid, i in self._calling.items()}
        return MappingProxyType(calls)  # type: ignore[arg-type]

    @property
    def outbox(self) -> tuple[Notification, ...]:
        """Notifications emitted and not yet drained, oldest first."""
        return tuple(self._outbox)

    @property
    def loop_starts(self) -> tuple[datetime, ...]:
        """When each loop after the first pass started."""
        return self._state.loop_starts

    @property
    def next_loop_at(self) -> datetime | None:
        """When the next loop starts, while the campaign cools down."""
        return self._state.next_loop_at

    def next_wakeup(self) -> datetime | None:
        """When the runner next has work: the scheduled start, the end of a cooldown, the
        earliest held outcome to settle, or the earliest due attempt - not before the
        calling window opens or a pacing slot frees (see `blocked`). None when nothing
        is waiting on time (paused, finished, cancelled, every contact in a call or
        settled, or calling blocked until an event)."""
        campaign = self._state.campaign
        status = campaign.status
        if status is CampaignStatus.SCHEDULED:
            return campaign.start_at
        if status is CampaignStatus.COOLDOWN:
            return self._state.next_loop_at
        if status is not CampaignStatus.ACTIVE:
            return None
        settle = self._head(self._settling, steps.SETTLE_LANE)
        head = self._head(self._dial_queue, steps.DIAL_LANE)
        halt = self._state.halt
        if head is not None and halt is not None:
            head = None if halt.until is None else max(head, halt.until)
        if settle is None or (head is not None and head < settle):
            return head
        return settle

    def _head(self, queue: DueQueue, lane: int) -> datetime | None:
        """The time of the first live entry of ``queue``, dropping stale ones."""
        keys, states, messages = self._keys, self._states, self._messages
        while (key := queue.peek()) is not None:
            index = key & INDEX_MASK
            if keys[index] is key:
                contact = contact_of(states[index])
                if steps.queue_lane(contact, messages=messages) == lane:
                    return contact.next_attempt_at
            queue.pop()
        return None
