"""The reading side of a campaign: properties over its rows, nothing decided here.

`CampaignView` is what every keeper shows of the campaign row (`CampaignRunner` and
the stores in `campaignkit.stores` share it: one home for what ``next_wakeup`` means);
`RunnerView` adds what the in-memory runner shows of its contacts. A public module so
that the stores may use it; not re-exported, not part of the public API."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, ValuesView
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

__all__ = ["CampaignView", "ContactsView", "RunnerView"]

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


class ContactsView(Mapping[str, Contact]):
    """A read-only view of a keeper's contacts by id, in loading order, read lazily
    through the keeper's callables: the contact with an id (None: there is none), the
    ids in order, the contacts in order, and how many there are."""

    __slots__ = ("_contact", "_contacts", "_count", "_ids")

    def __init__(
        self,
        contact: Callable[[str], Contact | None],
        ids: Callable[[], Iterator[str]],
        contacts: Callable[[], Iterator[Contact]],
        count: Callable[[], int],
    ) -> None:
        self._contact, self._ids, self._contacts, self._count = contact, ids, contacts, count

    def __getitem__(self, contact_id: str) -> Contact:
        contact = self._contact(contact_id) if type(contact_id) is str else None
        if contact is None:
            raise KeyError(contact_id)
        return contact

    def __contains__(self, contact_id: object) -> bool:
        return type(contact_id) is str and self._contact(contact_id) is not None

    def __iter__(self) -> Iterator[str]:
        return self._ids()

    def __len__(self) -> int:
        return self._count()

    def values(self) -> ValuesView[Contact]:
        """The contacts, in loading order (a store reads them in batches)."""
        return _Values(self)

    def __repr__(self) -> str:
        return f"<contacts: {len(self)}>"


class _Values(ValuesView[Contact]):
    """The contacts of a `ContactsView`, in loading order."""

    __slots__ = ()
    _mapping: ContactsView

    def __iter__(self) -> Iterator[Contact]:
        return self._mapping._contacts()


class CampaignView:
    """What every keeper of a campaign shows of the campaign row: the record, the
    rules, caller lines, pacing, loops, why dialling is blocked and the next wake-up.
    A keeper implements `_head`; a store also `_current` (reload what another
    connection committed)."""

    __slots__ = ()
    _state: CampaignState
    _rules: CampaignRules

    def _current(self) -> CampaignState:
        """The campaign row as it stands (a store reloads it if another connection
        committed since)."""
        return self._state

    def _head(self, lane: int) -> datetime | None:
        """The earliest due time of ``lane`` (`steps.DIAL_LANE`, `steps.SETTLE_LANE`),
        None when the lane is empty."""
        raise NotImplementedError

    @property
    def campaign(self) -> Campaign:
        """The campaign record as it stands."""
        return self._current().campaign

    @property
    def campaign_state(self) -> CampaignState:
        """The campaign's row: the record, caller lines, pacing, loops and halt."""
        return self._current()

    @property
    def rules(self) -> CampaignRules:
        """Every policy the campaign runs with."""
        return self._rules

    @property
    def lines(self) -> tuple[CallerLine, ...] | None:
        """The caller lines as they stand (today's counts included); None when the
        campaign assigns no lines."""
        return self._current().lines

    @property
    def pacing_state(self) -> PacingState:
        """Calls in flight, the last start and today's count, as pacing sees them."""
        return self._current().pacing

    @property
    def blocked(self) -> tuple[Refusal, ...]:
        """Why the last `due` admitted nobody - the campaign-wide refusals (a closed
        schedule, pacing, no usable caller line) - while that holds; empty otherwise.
        With ``next_wakeup() is None`` and contacts pending, nothing will be dialled
        until something changes (a line is enabled, a call ends)."""
        halt = self._current().halt
        return () if halt is None else halt.refusals

    @property
    def loop_starts(self) -> tuple[datetime, ...]:
        """When each loop after the first pass started."""
        return self._current().loop_starts

    @property
    def next_loop_at(self) -> datetime | None:
        """When the next loop starts, while the campaign cools down."""
        return self._current().next_loop_at

    def next_wakeup(self) -> datetime | None:
        """When the campaign next has work: the scheduled start, the end of a cooldown,
        the earliest held outcome to settle, or the earliest due attempt - not before
        the calling window opens or a pacing slot frees (see `blocked`). None when
        nothing is waiting on time (paused, finished, cancelled, every contact in a
        call or settled, or calling blocked until an event)."""
        state = self._current()
        campaign = state.campaign
        status = campaign.status
        if status is CampaignStatus.SCHEDULED:
            return campaign.start_at
        if status is CampaignStatus.COOLDOWN:
            return state.next_loop_at
        if status is not CampaignStatus.ACTIVE:
            return None
        settle = self._head(steps.SETTLE_LANE)
        head = self._head(steps.DIAL_LANE)
        halt = state.halt
        if head is not None and halt is not None:
            head = None if halt.until is None else max(head, halt.until)
        if settle is None or (head is not None and head < settle):
            return head
        return settle


class RunnerView(CampaignView):
    """What `CampaignRunner` shows of its rows besides the campaign row: the policies,
    the contacts and their ledgers, counts, calls in flight and the outbox."""

    __slots__ = ()
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
        order, states = self._order, self._states

        def contact(contact_id: str) -> Contact | None:
            index = order.get(contact_id)
            return None if index is None else contact_of(states[index])

        return ContactsView(
            contact, lambda: iter(order), lambda: map(contact_of, states), lambda: len(states)
        )

    def contact(self, contact_id: str) -> Contact:
        """The contact ``contact_id``; raises `InvalidInput` if there is none."""
        return contact_of(self._states[self._index(contact_id)])

    def _index(self, contact_id: str) -> int:
        """The contact's loading index; raises `InvalidInput` for an unknown contact."""
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

    def _head(self, lane: int) -> datetime | None:
        """The time of the first live entry of ``lane``'s queue, dropping stale ones."""
        queue = self._dial_queue if lane == steps.DIAL_LANE else self._settling
        keys, states, messages = self._keys, self._states, self._messages
        while (key := queue.peek()) is not None:
            index = key & INDEX_MASK
            if keys[index] is key:
                contact = contact_of(states[index])
                if steps.queue_lane(contact, messages=messages) == lane:
                    return contact.next_attempt_at
            queue.pop()
        return None
