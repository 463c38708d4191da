"""What every store shares and that depends on no database: JSON text of a row, times
as integer microseconds for the due index, the event types a store accepts, the
tally's buckets, and the read-only view of the contacts by id."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, ValuesView
from datetime import UTC, datetime, timedelta
from typing import Any

from ..engine.reducers import (
    CallUpdate,
    ContactCalledBack,
    ContactConverted,
    ConversationResult,
    MessageUpdate,
)
from ..models.records import Contact
from ..models.state import ContactState
from ..statuses import CONTACT_BUCKETS

__all__ = ["BUCKETS", "EVENTS", "ContactsView", "dumps", "load_state", "micros", "moment"]

EVENTS = (CallUpdate, MessageUpdate, ConversationResult, ContactCalledBack, ContactConverted)
"""The event types `handle` accepts."""
BUCKETS = CONTACT_BUCKETS  # Exotel's stats fields, one home: campaignkit.statuses
"""The `CampaignCounts` fields besides ``created``: the tally's buckets."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def dumps(data: Any) -> str:
    """Compact JSON text (a row's ``state`` column, an outbox note)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def micros(at: datetime) -> int:
    """``at`` as integer microseconds since the epoch (the due index's key)."""
    return (at - _EPOCH) // _MICROSECOND


def moment(value: int) -> datetime:
    """The aware UTC datetime of ``value`` microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=value)


def load_state(text: str) -> ContactState:
    """The `ContactState` saved as JSON ``text``."""
    return ContactState.from_dict(json.loads(text))


class ContactsView(Mapping[str, Contact]):
    """A read-only view of a store's contacts by id, in loading order, read lazily
    through the store's callables (one row by id, ids in order, states in order,
    the count)."""

    __slots__ = ("_count", "_ids", "_row", "_states")

    def __init__(
        self,
        row: Callable[[str], str | None],
        ids: Callable[[], Iterator[str]],
        states: Callable[[], Iterator[ContactState]],
        count: Callable[[], int],
    ) -> None:
        self._row, self._ids, self._states, self._count = row, ids, states, count

    def __getitem__(self, contact_id: str) -> Contact:
        text = self._row(contact_id) if type(contact_id) is str else None
        if text is None:
            raise KeyError(contact_id)
        return load_state(text).contact

    def __contains__(self, contact_id: object) -> bool:
        return type(contact_id) is str and self._row(contact_id) is not None

    def __iter__(self) -> Iterator[str]:
        return self._ids()

    def __len__(self) -> int:
        return self._count()

    def values(self) -> ValuesView[Contact]:
        """The contacts, in loading order (read in batches)."""
        return _Values(self)

    def __repr__(self) -> str:
        return f"<contacts: {len(self)}>"


class _Values(ValuesView[Contact]):
    __slots__ = ()
    _mapping: ContactsView

    def __iter__(self) -> Iterator[Contact]:
        return (s.contact for s in self._mapping._states())
