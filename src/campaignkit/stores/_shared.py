"""What every store shares and that depends on no database: JSON text of a row and its
index columns, times as integer microseconds for the due index, the rows kept parsed,
paging through the due index, calls in flight and outbox notes from their rows. The
step sequence is `campaignkit.runner.driver`'s, the read-only views
`campaignkit.runner.view`'s."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Self

from .._fields import JSONObject, aware_utc
from ..engine import steps
from ..engine.reducers import Notification, contact_bucket, notification_from_dict
from ..errors import InvalidInput, shown
from ..models.records import Call, Contact
from ..models.state import CampaignState, ContactState
from ..runner.driver import StepDriver
from ..runner.snapshot import document
from ..runner.view import CampaignView

__all__ = [
    "BATCH",
    "DatabaseStore",
    "RecentRows",
    "calls_of",
    "dumps",
    "load_state",
    "micros",
    "moment",
    "notes_of",
    "page_due",
    "row_columns",
]

BATCH = 1000
"""Contacts read per query: the most a store holds at once."""
_LOAD_BATCH = 5000  # contacts checked and written per statement when loading
_RECENT = 2048  # rows kept parsed, by the exact text saved (a bounded cache)
_BEFORE_ALL = (-(1 << 62), -1, -1)  # a (due_us, rank, idx) before every row

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


Columns = tuple[str, int | None, int | None, int, str, bool, bool]
"""A contact row's columns after ``idx`` and ``id``: state JSON, lane, due_us, rank,
bucket, held, calling."""


def row_columns(state: ContactState, *, messages: bool) -> Columns:
    """The columns of ``state``'s row after ``idx`` and ``id``, derived from the state on
    every write so that the index columns are always current."""
    contact = state.contact
    lane = steps.queue_lane(contact, messages=messages)
    due = None if lane is None or contact.next_attempt_at is None else contact.next_attempt_at
    return (
        dumps(state.to_dict()),
        lane,
        None if due is None else micros(due),
        contact.priority.rank,
        contact_bucket(contact),
        messages and steps.is_held(contact),
        state.call is not None,
    )


class RecentRows:
    """The last rows a store saved, kept parsed by the exact text saved: a webhook often
    follows the dial or report just saved, and parsing the row is most of its cost."""

    __slots__ = ("_rows",)

    def __init__(self) -> None:
        self._rows: OrderedDict[int, tuple[str, ContactState]] = OrderedDict()

    def parse(self, index: int, text: str) -> ContactState:
        """The state of row ``index`` read as ``text``; parsed again unless it is the text
        last saved for the row."""
        recent = self._rows.get(index)
        if recent is not None and recent[0] == text:
            return recent[1]
        return load_state(text)

    def saved(self, index: int, text: str, state: ContactState) -> None:
        """Remember that row ``index`` was saved as ``text`` (``state``)."""
        rows = self._rows
        rows[index] = (text, state)
        rows.move_to_end(index)
        if len(rows) > _RECENT:
            rows.popitem(last=False)


def page_due(
    fetch: Callable[[tuple[int, int, int], int], list[tuple[int, str]]],
    parse: Callable[[int, str], ContactState],
    want: Callable[[], int | None],
) -> Iterator[tuple[int, ContactState]]:
    """The rows of a due query as (index, state), in due order, read in batches:
    ``fetch(last, size)`` returns the next ``size`` rows after ``(due_us, rank, idx)``
    ``last``; ``want()`` says how many more the caller may take (None: any), so no
    batch reads (or locks) more rows than the caller proposes."""
    last = _BEFORE_ALL
    while True:
        left = want()
        rows = fetch(last, BATCH if left is None else min(BATCH, left))
        if not rows:
            return
        for index, text in rows:
            state = parse(index, text)
            contact = state.contact
            assert contact.next_attempt_at is not None  # the lane says so
            last = (micros(contact.next_attempt_at), contact.priority.rank, index)
            yield index, state


def calls_of(texts: Iterable[str]) -> Mapping[str, Call]:
    """The calls in flight of the rows saved as ``texts`` (rows with a call), by contact
    id, read-only (`in_flight`)."""
    calls: dict[str, Call] = {}
    for text in texts:
        state = load_state(text)
        assert state.call is not None  # the calling column says so
        calls[state.contact.id] = state.call
    return MappingProxyType(calls)


def notes_of(texts: Iterable[str]) -> tuple[Notification, ...]:
    """The notifications saved as JSON ``texts`` (outbox rows)."""
    return tuple(notification_from_dict(json.loads(text)) for text in texts)


class DatabaseStore(CampaignView, StepDriver):
    """What both database stores share beyond the step sequence and the reading side:
    closing, the context manager, loading contacts in batches, reading the
    campaign row afresh, and the snapshot. A store implements `_refresh`, `_known`, `_next_index`,
    `_known_ids`, `_insert_rows`, `outbox`, `_scan` and `_send_rows`."""

    __slots__ = ()
    _db: Any

    def close(self) -> None:
        """Close the database connection (every committed call is kept)."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self) -> CampaignState:
        """The campaign row, reloaded first if another connection committed since."""
        self._refresh()
        return self._state

    def snapshot(self) -> JSONObject:
        """The whole campaign in `CampaignRunner.snapshot`'s format (every row is read:
        for export and tests, not for a hot path); ``CampaignRunner.restore`` rebuilds
        it in memory."""
        state = self._current()
        sends = ((moment(at), phone) for at, phone in self._send_rows())
        return document(self._rules, state, self._states(), self.outbox, self._rng, sends)

    def contact(self, contact_id: str) -> Contact:
        """The contact ``contact_id``; raises `InvalidInput` if there is none."""
        return self.state(contact_id).contact

    def state(self, contact_id: str) -> ContactState:
        """The contact's row: the contact and its ledger. Raises `InvalidInput` for an
        unknown contact."""
        return load_state(self._known(contact_id)[1])

    def add_contacts(self, contacts: Iterable[Contact], *, now: datetime) -> None:
        """Load ``contacts`` (any iterable, read in batches); queued and retrying ones
        without a time become due at ``now``.

        Raises what `CampaignRunner.add_contacts` raises (`InvalidInput` for a
        duplicate id or a contact that cannot be loaded, `IllegalTransition` when
        the campaign takes no more contacts); nothing is added when it raises.
        """
        now = aware_utc(now)
        if isinstance(contacts, (str, bytes, Mapping)) or not isinstance(contacts, Iterable):
            raise InvalidInput(f"contacts must be an iterable of Contact; got {shown(contacts)}")
        with self._transaction(lock=True):
            start = index = self._next_index()
            items = iter(contacts)
            while chunk := [c for _, c in zip(range(_LOAD_BATCH), items, strict=False)]:
                self._insert_rows(self._check_rows(chunk, now, index))
                index += len(chunk)
            if index == start:
                return
            self._changes["created"] += index - start
            steps.check_loading(self._state)
            self._state, notes = steps.load_contacts(self._state, self._counts(), now)
            self._queue(notes)

    def _check_rows(self, chunk: list[Contact], now: datetime, index: int) -> list[tuple[Any, ...]]:
        """The rows ``(idx, id, *columns)`` of one batch of contacts from ``index`` on,
        checked in the runner's order (a contact that does not load, then a duplicate
        id), each counted in the tally's changes."""
        known = self._known_ids([c.id for c in chunk if type(c) is Contact])
        seen: set[str] = set()
        rows: list[tuple[Any, ...]] = []
        record, messages, changes = self._state.campaign, self._messages, self._changes
        for contact in chunk:
            state = steps.load_contact(contact, now=now, campaign=record)
            if contact.id in known or contact.id in seen:
                raise InvalidInput(f"duplicate contact id {shown(contact.id)}")
            seen.add(contact.id)
            values = row_columns(state, messages=messages)
            rows.append((index, contact.id, *values))
            changes[values[4]] += 1
            changes["held"] += values[5]
            index += 1
        return rows

    def _refresh(self) -> None:
        """Reload the cached campaign row (and what else the store caches) if another
        connection committed since."""
        raise NotImplementedError

    def _known(self, contact_id: str) -> tuple[int, str]:
        """The index and saved text of the contact's row; raises `InvalidInput` for an
        unknown contact."""
        raise NotImplementedError

    def _next_index(self) -> int:
        """The loading index of the next contact loaded."""
        raise NotImplementedError

    def _known_ids(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` the campaign already holds."""
        raise NotImplementedError

    def _insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert new contact rows ``(idx, id, *columns)``."""
        raise NotImplementedError

    @property
    def outbox(self) -> tuple[Notification, ...]:
        """Notifications emitted and not yet drained, oldest first."""
        raise NotImplementedError

    def _scan(self, column: str) -> Iterator[tuple[int, str]]:
        """``(index, column text)`` of every row in loading order, read in batches."""
        raise NotImplementedError

    def _send_rows(self) -> list[tuple[int, str]]:
        """The recent sends as ``(microseconds, phone)``, oldest first (for `snapshot`)."""
        raise NotImplementedError

    def _states(self) -> Iterator[ContactState]:
        """Every row's state in loading order, read in batches."""
        return (load_state(text) for _, text in self._scan("state"))
