"""`SQLiteCampaign`: one campaign in a SQLite file, behaving exactly like `CampaignRunner`.

Theory of operation
-------------------
The store keeps the rows of the decision layer - one `ContactState` per contact
and the `CampaignState` - and decides nothing: each public method mirrors the
method of the same name of `CampaignRunner` and calls the same pure steps of
`campaignkit.engine.steps` in the same order. It only loads rows, calls a step,
saves what the step returned, keeps the due index and the tally, and queues the
notifications. The equivalence tests drive the runner and this store with the
same campaigns and events and compare contacts, counts, wakeups and
notifications after every call.

Schema (``campaignkit.sqlite/1``)::

    campaign  (id = 1, format, rules JSON, state JSON, rng JSON or NULL)
    contacts  (idx INTEGER PRIMARY KEY,   -- loading order, 0, 1, 2, ...
               id TEXT UNIQUE,            -- the contact id
               state TEXT,                -- ContactState.to_dict() as JSON
               lane INTEGER,              -- steps.queue_lane: 1 dial, 0 settle, NULL
               due_us INTEGER,            -- next_attempt_at, microseconds since epoch
               rank INTEGER,              -- priority rank (0 high, 1 normal, 2 low)
               bucket TEXT,               -- steps' contact_bucket, for the tally
               held INTEGER,              -- steps.is_held (WhatsApp), 0/1
               calling INTEGER)           -- a call in flight, 0/1
    INDEX contacts_due ON contacts (lane, due_us, rank, idx) WHERE lane IS NOT NULL
    INDEX contacts_calling ON contacts (idx) WHERE calling = 1
    tally     (bucket TEXT PRIMARY KEY, count)  -- CampaignCounts fields, 'created', 'held'
    outbox    (seq INTEGER PRIMARY KEY AUTOINCREMENT, note JSON, drained 0/1)
    sends     (seq INTEGER PRIMARY KEY, at_us, phone)  -- WhatsApp tier: last 24 hours

The columns beside ``state`` are derived from it on every write, so they are
always current (the in-memory runner's queue uses lazy deletion; here nothing
is stale).

The due query
~~~~~~~~~~~~~
A `due` round first settles held outcomes, then proposes contacts to dial, each
with the query::

    SELECT idx, state FROM contacts
    WHERE lane = ? AND due_us <= ? AND (due_us, rank, idx) > (?, ?, ?)
    ORDER BY due_us, rank, idx LIMIT ?

a range scan of ``contacts_due`` (the partial index holds only contacts that
wait on time; settled contacts cost nothing). The order - earliest due, then
priority, then loading order - is the runner's. Rows come in batches (at most
the round's room, and at most 1,000), so the store never holds more than a
batch of contacts in memory; ``(due_us, rank, idx) > last`` pages through them.
`next_wakeup` reads the head of each lane (``ORDER BY due_us LIMIT 1``).

Transactions
~~~~~~~~~~~~
Every public call that changes anything runs in one ``BEGIN IMMEDIATE``
transaction: the rows it changed, the tally, the campaign row, the random
generator's state and the outbox rows commit together or not at all. A whole
`due` round is one transaction - all its proposals commit before the dials are
returned, so a crash either loses the round (no call was handed out) or keeps
it (the contacts are ``dialing`` with their calls in flight, see `in_flight`).
A call that raises rolls back: the database is unchanged, and so is the
object's view of it.

The outbox
~~~~~~~~~~
Notifications are written in the same transaction as the change that emitted
them (a transactional outbox), in the order the runner would emit them.
`drain` hands out the undrained rows in ``seq`` order and marks them drained in
its own transaction, so each notification is handed out exactly once. Drained
rows stay (``drained = 1``) as a log; `purge_drained` deletes them.

Concurrency
~~~~~~~~~~~
One writer: each call takes SQLite's write lock (``BEGIN IMMEDIATE``). The
object caches the campaign row, the tally and the random generator; when
another connection committed in between (``PRAGMA data_version`` changed) it
reloads them first. Files use WAL mode, so readers (a dashboard reading
``tally``) never block the writer. ``synchronous`` is ``FULL`` by default (a
commit survives a power cut); ``NORMAL`` survives a crash of the process, not of
the machine, and is faster.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence, ValuesView
from contextlib import contextmanager
from datetime import datetime
from types import MappingProxyType
from typing import Any

from .._fields import aware_utc
from ..engine import steps
from ..engine.reducers import (
    CampaignCommand,
    CampaignCounts,
    Dial,
    Event,
    Notification,
    contact_bucket,
    notification_from_dict,
)
from ..errors import InvalidInput, shown
from ..models.goals import GoalSet
from ..models.records import Call, CallerLine, Campaign, Contact
from ..models.state import CampaignState, ContactState
from ..policies import codecs as pd
from ..policies.compliance import CompliancePolicy
from ..policies.conversion import ConversionRule
from ..policies.cycles import CyclePolicy
from ..policies.messaging import MessagingTier, WhatsAppSettings
from ..policies.pacing import PacingPolicy, PacingState
from ..policies.refusal import Refusal
from ..policies.retry import RetryPolicy
from ..policies.rotation import RotationPolicy
from ..policies.rules import CampaignRules
from ..policies.schedule import Schedule
from ..statuses import CampaignStatus, Channel
from ._shared import BUCKETS, EVENTS, dumps, load_state, micros, moment

__all__ = ["STORE_FORMAT", "SQLiteCampaign"]

STORE_FORMAT = "campaignkit.sqlite/1"
"""The ``format`` of the campaign row of a `SQLiteCampaign` file."""

_EVENTS = EVENTS
_BUCKETS = BUCKETS
_BATCH = 1000  # contacts read per query: the most the store holds at once
_RECENT = 2048  # rows kept parsed, by the exact text saved (a bounded cache)
_LOAD_BATCH = 5000  # contacts written per executemany when loading
_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
_NOBODY: frozenset[str] = frozenset()

_SCHEMA = """
CREATE TABLE campaign (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format TEXT NOT NULL,
    rules TEXT NOT NULL,
    state TEXT NOT NULL,
    rng TEXT
);
CREATE TABLE contacts (
    idx INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    lane INTEGER,
    due_us INTEGER,
    rank INTEGER NOT NULL,
    bucket TEXT NOT NULL,
    held INTEGER NOT NULL,
    calling INTEGER NOT NULL
);
CREATE INDEX contacts_due ON contacts (lane, due_us, rank, idx) WHERE lane IS NOT NULL;
CREATE INDEX contacts_calling ON contacts (idx) WHERE calling = 1;
CREATE TABLE tally (bucket TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    note TEXT NOT NULL,
    drained INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_undrained ON outbox (seq) WHERE drained = 0;
CREATE TABLE sends (seq INTEGER PRIMARY KEY, at_us INTEGER NOT NULL, phone TEXT NOT NULL);
"""

_DUE = (
    "SELECT idx, state FROM contacts WHERE lane = ? AND due_us <= ? "
    "AND (due_us, rank, idx) > (?, ?, ?) ORDER BY due_us, rank, idx LIMIT ?"
)
_SAVE = (
    "UPDATE contacts SET state = ?, lane = ?, due_us = ?, rank = ?, bucket = ?, held = ?, "
    "calling = ? WHERE idx = ?"
)
_INSERT = (
    "INSERT INTO contacts (idx, id, state, lane, due_us, rank, bucket, held, calling) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


# The store-independent helpers live in ._shared (the PostgreSQL store uses them too).
_dumps = dumps
_micros = micros
_moment = moment
_load_state = load_state


class _Contacts(Mapping[str, Contact]):
    """A read-only view of the store's contacts by id, in loading order, read lazily."""

    __slots__ = ("_store",)

    def __init__(self, store: SQLiteCampaign) -> None:
        self._store = store

    def __getitem__(self, contact_id: str) -> Contact:
        row = self._store._row(contact_id)
        if row is None:
            raise KeyError(contact_id)
        return _load_state(row[1]).contact

    def __contains__(self, contact_id: object) -> bool:
        return type(contact_id) is str and self._store._row(contact_id) is not None

    def __iter__(self) -> Iterator[str]:
        return (text for _, text in self._store._scan("id"))

    def __len__(self) -> int:
        return int(self._store._tally["created"])

    def values(self) -> ValuesView[Contact]:
        """The contacts, in loading order (read in batches)."""
        return _Values(self)

    def __repr__(self) -> str:
        return f"<contacts: {len(self)}>"


class _Values(ValuesView[Contact]):
    __slots__ = ()
    _mapping: _Contacts

    def __iter__(self) -> Iterator[Contact]:
        return (s.contact for s in self._mapping._store._states())


class SQLiteCampaign:
    """One campaign in a SQLite file (or ``":memory:"``): the same methods and results
    as `CampaignRunner`, every change in one transaction, notifications in a
    transactional outbox.

    ``SQLiteCampaign(path, campaign, rules=..., lines=..., rng=...)`` creates the
    campaign in a new (or empty) database; the policies may also be given as the
    runner's keywords. `SQLiteCampaign.open` resumes a file. ``synchronous`` is
    SQLite's setting for files (``"FULL"``: a commit survives a power cut;
    ``"NORMAL"``: it survives a crash of the process).

    Raises what `CampaignRunner` raises for the campaign and its rules,
    `InvalidInput` for a bad ``path`` or ``synchronous``, or a database that
    already holds a campaign (open it with `SQLiteCampaign.open`).
    """

    __slots__ = (
        "_db",
        "_messages",
        "_path",
        "_recent",
        "_rng",
        "_rng_used",
        "_rules",
        "_state",
        "_tally",
        "_track_sends",
        "_version",
    )

    def __init__(
        self,
        path: str | os.PathLike[str],
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
        synchronous: str = "FULL",
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
        db = _connect(path, synchronous, create=True)
        try:
            exists = db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'campaign'"
            ).fetchone()
            if exists is not None:
                raise InvalidInput(
                    f"{os.fspath(path)!r} already holds a campaign; resume it with "
                    "SQLiteCampaign.open(path)"
                )
            db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.executemany(
                "INSERT INTO tally (bucket, count) VALUES (?, 0)",
                [(b,) for b in (*_BUCKETS, "created", "held")],
            )
            db.execute(
                "INSERT INTO campaign (id, format, rules, state, rng) VALUES (1, ?, ?, ?, ?)",
                (
                    STORE_FORMAT,
                    _dumps(rules.to_dict()),
                    _dumps(state.to_dict()),
                    None if rng is None else _dumps(pd.rng_to_data(rng)),
                ),
            )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.close()
            raise
        self._setup(db, path, rules, state, rng)

    def _setup(
        self,
        db: sqlite3.Connection,
        path: str | os.PathLike[str],
        rules: CampaignRules,
        state: CampaignState,
        rng: random.Random | None,
    ) -> None:
        self._db = db
        self._path = os.fspath(path)
        self._rules = rules
        self._state = state
        self._rng = rng
        self._rng_used = False
        self._recent: OrderedDict[int, tuple[str, ContactState]] = OrderedDict()
        self._messages = state.campaign.channel is Channel.WHATSAPP
        self._track_sends = (
            self._messages and rules.tier is not None and rules.tier.limit is not None
        )
        self._tally = dict(db.execute("SELECT bucket, count FROM tally").fetchall())
        self._version = db.execute("PRAGMA data_version").fetchone()[0]

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, synchronous: str = "FULL") -> SQLiteCampaign:
        """Resume the campaign kept in the file ``path``, exactly where it stood after
        its last committed call.

        Raises `InvalidInput` for a path that does not exist, ``":memory:"``, a file
        that is not a SQLite database or holds no campaignkit campaign, or rows
        that do not load.
        """
        if not isinstance(path, (str, os.PathLike)) or not os.path.isfile(path):
            raise InvalidInput(f"no campaign file at {shown(path)}")
        db = _connect(path, synchronous, create=False)
        try:
            row = db.execute("SELECT format, rules, state, rng FROM campaign").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise InvalidInput(f"{os.fspath(path)!r} holds no campaignkit campaign") from None
        if row is None or row[0] != STORE_FORMAT:
            db.close()
            raise InvalidInput(f"{os.fspath(path)!r} holds no {STORE_FORMAT} campaign")
        store = cls.__new__(cls)
        try:
            rules = CampaignRules.from_dict(json.loads(row[1]))
            state = CampaignState.from_dict(json.loads(row[2]))
            rng = None if row[3] is None else pd.rng_from_data(json.loads(row[3]))
        except (ValueError, TypeError):
            db.close()
            raise InvalidInput(f"{os.fspath(path)!r}: the campaign row does not load") from None
        except BaseException:
            db.close()
            raise
        store._setup(db, path, rules, state, rng)
        return store

    def close(self) -> None:
        """Close the database connection (every committed call is kept)."""
        self._db.close()

    def __enter__(self) -> SQLiteCampaign:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        campaign = self._state.campaign
        return (
            f"<SQLiteCampaign {shown(campaign.id)} {campaign.status.value} cycle {campaign.cycle} "
            f"at {self._path!r}: {self._tally['created']} contacts>"
        )

    # ------------------------------------------------------------------ reading

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self._path

    @property
    def campaign(self) -> Campaign:
        """The campaign record as it stands."""
        self._refresh()
        return self._state.campaign

    @property
    def campaign_state(self) -> CampaignState:
        """The campaign's row: the record, caller lines, pacing, loops and halt."""
        return self._state

    @property
    def rules(self) -> CampaignRules:
        """Every policy the campaign runs with."""
        return self._rules

    @property
    def lines(self) -> tuple[CallerLine, ...] | None:
        """The caller lines as they stand; None when the store assigns no lines."""
        return self._state.lines

    @property
    def pacing_state(self) -> PacingState:
        """Calls in flight, the last start and today's count, as pacing sees them."""
        return self._state.pacing

    @property
    def loop_starts(self) -> tuple[datetime, ...]:
        """When each loop after the first pass started."""
        return self._state.loop_starts

    @property
    def next_loop_at(self) -> datetime | None:
        """When the next loop starts, while the campaign cools down."""
        return self._state.next_loop_at

    @property
    def blocked(self) -> tuple[Refusal, ...]:
        """Why the last `due` admitted nobody, while that holds (see
        `CampaignRunner.blocked`); empty otherwise."""
        halt = self._state.halt
        return () if halt is None else halt.refusals

    @property
    def counts(self) -> CampaignCounts:
        """Contacts by where they stand, from the tally table (no scan)."""
        self._refresh()
        return self._counts()

    def _counts(self) -> CampaignCounts:
        tally = self._tally
        return CampaignCounts(created=tally["created"], **{b: tally[b] for b in _BUCKETS})

    @property
    def contacts(self) -> Mapping[str, Contact]:
        """A read-only view of the contacts by id, in loading order; iterating it reads
        the rows in batches."""
        return _Contacts(self)

    def contact(self, contact_id: str) -> Contact:
        """The contact ``contact_id``; raises `InvalidInput` if there is none."""
        return self.state(contact_id).contact

    def state(self, contact_id: str) -> ContactState:
        """The contact's row: the contact and its ledger. Raises `InvalidInput` for an
        unknown contact."""
        return _load_state(self._known(contact_id)[1])

    @property
    def in_flight(self) -> Mapping[str, Call]:
        """The calls placed and not yet ended, by contact id, in loading order."""
        rows = self._db.execute(
            "SELECT state FROM contacts WHERE calling = 1 ORDER BY idx"
        ).fetchall()
        calls: dict[str, Call] = {}
        for (text,) in rows:
            state = _load_state(text)
            assert state.call is not None  # the calling column says so
            calls[state.contact.id] = state.call
        return MappingProxyType(calls)

    @property
    def outbox(self) -> tuple[Notification, ...]:
        """Notifications emitted and not yet drained, oldest first."""
        rows = self._db.execute("SELECT note FROM outbox WHERE drained = 0 ORDER BY seq").fetchall()
        return tuple(notification_from_dict(json.loads(text)) for (text,) in rows)

    def drain(self) -> list[Notification]:
        """Take the notifications out of the outbox (to deliver them), oldest first: they
        are marked drained in one transaction, so each is handed out exactly once."""
        with self._write():
            rows = self._db.execute(
                "SELECT seq, note FROM outbox WHERE drained = 0 ORDER BY seq"
            ).fetchall()
            if rows:
                self._db.execute(
                    "UPDATE outbox SET drained = 1 WHERE drained = 0 AND seq <= ?", (rows[-1][0],)
                )
        return [notification_from_dict(json.loads(text)) for _, text in rows]

    def purge_drained(self) -> int:
        """Delete the drained notifications (the log of what was handed out); returns how
        many were deleted."""
        with self._write():
            return self._db.execute("DELETE FROM outbox WHERE drained = 1").rowcount

    def next_wakeup(self) -> datetime | None:
        """When the campaign next has work (see `CampaignRunner.next_wakeup`): the
        scheduled start, the end of a cooldown, the earliest held outcome to settle or
        due attempt, not before a halt lifts. None when nothing waits on time."""
        self._refresh()
        campaign = self._state.campaign
        status = campaign.status
        if status is CampaignStatus.SCHEDULED:
            return campaign.start_at
        if status is CampaignStatus.COOLDOWN:
            return self._state.next_loop_at
        if status is not CampaignStatus.ACTIVE:
            return None
        settle = self._head(steps.SETTLE_LANE)
        head = self._head(steps.DIAL_LANE)
        halt = self._state.halt
        if head is not None and halt is not None:
            head = None if halt.until is None else max(head, halt.until)
        if settle is None or (head is not None and head < settle):
            return head
        return settle

    def _head(self, lane: int) -> datetime | None:
        row = self._db.execute(
            "SELECT due_us FROM contacts WHERE lane = ? ORDER BY due_us LIMIT 1", (lane,)
        ).fetchone()
        return None if row is None else _moment(row[0])

    # ------------------------------------------------------------------ contacts

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
        with self._write():
            added = 0
            items = iter(contacts)
            while True:
                chunk = [c for _, c in zip(range(_LOAD_BATCH), items, strict=False)]
                if not chunk:
                    break
                self._insert(chunk, now)
                added += len(chunk)
            if not added:
                return
            steps.check_loading(self._state)
            self._state, notes = steps.load_contacts(self._state, self._counts(), now)
            self._queue(notes)

    def _insert(self, chunk: list[Contact], now: datetime) -> None:
        """Check and insert one batch of contacts, in the runner's order of checks."""
        ids = [c.id for c in chunk if type(c) is Contact]
        known: set[str] = set()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            known.update(
                r[0]
                for r in self._db.execute(f"SELECT id FROM contacts WHERE id IN ({marks})", part)
            )
        seen: set[str] = set()
        rows = []
        index = self._tally["created"]
        tally = self._tally
        for contact in chunk:
            state = steps.load_contact(contact, now=now, campaign=self._state.campaign)
            if contact.id in known or contact.id in seen:
                raise InvalidInput(f"duplicate contact id {shown(contact.id)}")
            seen.add(contact.id)
            row = self._row_values(state)
            rows.append((index, contact.id, *row))
            tally[row[4]] += 1
            tally["held"] += row[5]
            index += 1
        self._db.executemany(_INSERT, rows)
        tally["created"] = index

    def update_line(self, line: CallerLine) -> None:
        """Replace or add the caller line ``line.id`` (see `CampaignRunner.update_line`).
        Raises `InvalidInput` for a non-`CallerLine` or a store without lines."""
        with self._write():
            self._state = steps.update_line(self._state, line)

    # ------------------------------------------------------------------ commands

    def start(self, now: datetime) -> None:
        """Launch the campaign (see `CampaignRunner.start`). Raises `IllegalTransition`."""
        self._command(CampaignCommand.START, now)

    def pause(self, now: datetime) -> None:
        """Pause the campaign. Raises `IllegalTransition` unless it can pause."""
        self._command(CampaignCommand.PAUSE, now)

    def resume(self, now: datetime) -> None:
        """Resume a paused campaign. Raises `IllegalTransition` unless paused."""
        self._command(CampaignCommand.RESUME, now)

    def cancel(self, now: datetime) -> None:
        """Cancel the campaign. Raises `IllegalTransition`."""
        self._command(CampaignCommand.CANCEL, now)

    def force_complete(self, now: datetime) -> None:
        """Finish now (see `CampaignRunner.force_complete`); every contact is closed in
        the same transaction. Raises `IllegalTransition`."""
        self._command(CampaignCommand.FORCE_COMPLETE, now)

    def archive(self, now: datetime) -> None:
        """Archive a finished or cancelled campaign (seed 004). Raises
        `IllegalTransition` from any other status."""
        self._command(CampaignCommand.ARCHIVE, now)

    def _command(self, order: CampaignCommand, now: datetime) -> None:
        now = aware_utc(now)
        with self._write():
            self._state, notes = steps.command(self._state, order, self._counts(), now)
            self._queue(notes)
            if order is CampaignCommand.FORCE_COMPLETE:
                for index, state in self._all_states():
                    self._commit(index, state, steps.close(state, self._state, self._rules, now))
            self._end_cycle(now)

    # ------------------------------------------------------------------ due calls

    def due(self, now: datetime, *, limit: int | None = None) -> list[Dial]:
        """The calls to place (or messages to send) at ``now``, at most ``limit``, in the
        runner's order (see `CampaignRunner.due`). The whole round commits in one
        transaction before the dials are returned. Raises `InvalidInput` for a naive
        ``now`` or a bad ``limit``."""
        now = aware_utc(now)
        if limit is not None and (type(limit) is not int or limit < 0):
            raise InvalidInput(f"limit must be a non-negative integer or None; got {shown(limit)}")
        with self._write(rng=True):
            return self._due(now, limit)

    def _due(self, now: datetime, limit: int | None) -> list[Dial]:
        self._advance(now)
        dials: list[Dial] = []
        if self._state.campaign.status is not CampaignStatus.ACTIVE:
            return dials
        until = _micros(now)
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
        rules, rng, db = self._rules, self._rng, self._db
        last = (-(1 << 62), -1, -1)
        halted = False
        while not halted and (room is None or len(dials) < room):
            size = _BATCH if room is None else min(_BATCH, room - len(dials))
            rows = db.execute(_DUE, (steps.DIAL_LANE, until, *last, size)).fetchall()
            if not rows:
                break
            for index, text in rows:
                if room is not None and len(dials) >= room:
                    break
                state = self._parse(index, text)
                contact = state.contact
                assert contact.next_attempt_at is not None  # lane says so
                last = (_micros(contact.next_attempt_at), contact.priority.rank, index)
                self._rng_used = True
                step = steps.propose(state, self._state, rules, now, rng=rng)
                if step.halted:
                    self._state = step.campaign
                    halted = True
                    break
                self._commit(index, state, step)
                placed = step.dial
                if placed is not None:
                    dials.append(placed)
                    if self._track_sends:
                        db.execute(
                            "INSERT INTO sends (at_us, phone) VALUES (?, ?)",
                            (until, placed.contact.phone),
                        )
        if dials and self._messages:
            sent_to, oldest = self._sent_window(now)
            self._state = steps.close_round(
                self._state, rules, now, proposed=len(dials), sent_to=sent_to, oldest_send=oldest
            )
        self._end_cycle(now)
        return dials

    def _sent_window(self, now: datetime) -> tuple[int, datetime | None]:
        """Distinct recipients of the sends of the last 24 hours, and the oldest send
        (sends older than the window are deleted from the front, as the runner does)."""
        if not self._track_sends:
            return 0, None
        db = self._db
        start = _micros(steps.send_window_start(now))
        db.execute(
            "DELETE FROM sends WHERE seq < coalesce("
            "(SELECT min(seq) FROM sends WHERE at_us > ?), (SELECT max(seq) + 1 FROM sends))",
            (start,),
        )
        count, first = db.execute(
            "SELECT count(DISTINCT phone), (SELECT at_us FROM sends ORDER BY seq LIMIT 1) "
            "FROM sends"
        ).fetchone()
        return count, None if first is None else _moment(first)

    def _settle_due(self, now: datetime, until: int) -> None:
        """Settle every held outcome whose time has come, in due order."""
        last = (-(1 << 62), -1, -1)
        while True:
            rows = self._db.execute(_DUE, (steps.SETTLE_LANE, until, *last, _BATCH)).fetchall()
            if not rows:
                return
            for index, text in rows:
                state = self._parse(index, text)
                contact = state.contact
                assert contact.next_attempt_at is not None  # lane says so
                last = (_micros(contact.next_attempt_at), contact.priority.rank, index)
                self._commit(index, state, steps.settle(state, self._state, self._rules, now))

    # ------------------------------------------------------------------ events

    def handle(self, event: Event) -> None:
        """Apply one event in one transaction (see `CampaignRunner.handle`); duplicates
        and stale reports change nothing, and an event that raises changes nothing.
        Raises what `CampaignRunner.handle` raises."""
        if type(event) not in _EVENTS:
            raise InvalidInput(f"not an event: {shown(event)}")
        with self._write():
            index, text = self._known(event.contact_id)
            state = self._parse(index, text)
            step = steps.apply_event(state, event, self._state, self._rules)
            self._commit(index, state, step)
            self._end_cycle(event.at)

    # ------------------------------------------------------------------ keeping

    def _parse(self, index: int, text: str) -> ContactState:
        """The row's state; parsed again unless it is the text this object last saved
        for the row (a webhook often follows the dial or report just saved)."""
        recent = self._recent.get(index)
        if recent is not None and recent[0] == text:
            return recent[1]
        return _load_state(text)

    def _row(self, contact_id: str) -> tuple[int, str] | None:
        if type(contact_id) is not str:
            return None
        row = self._db.execute(
            "SELECT idx, state FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def _known(self, contact_id: str) -> tuple[int, str]:
        row = self._row(contact_id)
        if row is None:
            raise InvalidInput(
                f"no contact {shown(contact_id)} in campaign {shown(self._state.campaign.id)}"
            )
        return row

    def _scan(self, column: str) -> Iterator[tuple[int, str]]:
        """(idx, ``column``) of every contact in loading order, read in batches."""
        db, last = self._db, -1
        while True:
            rows = db.execute(
                f"SELECT idx, {column} FROM contacts WHERE idx > ? ORDER BY idx LIMIT ?",
                (last, _BATCH),
            ).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def _states(self) -> Iterator[ContactState]:
        return (_load_state(text) for _, text in self._scan("state"))

    def _all_states(self) -> Iterator[tuple[int, ContactState]]:
        """Every row in loading order; each batch is read before any of it is saved."""
        return ((index, _load_state(text)) for index, text in self._scan("state"))

    def _row_values(self, state: ContactState) -> tuple[Any, ...]:
        """The columns of ``state``'s row after idx and id."""
        contact = state.contact
        lane = steps.queue_lane(contact, messages=self._messages)
        due = None if lane is None or contact.next_attempt_at is None else contact.next_attempt_at
        return (
            _dumps(state.to_dict()),
            lane,
            None if due is None else _micros(due),
            contact.priority.rank,
            contact_bucket(contact),
            int(self._messages and steps.is_held(contact)),
            int(state.call is not None),
        )

    def _commit(self, index: int, old: ContactState, step: steps.Step) -> None:
        """Keep what a step returned: the row, its index columns, the tally, the outbox."""
        self._state = step.campaign
        if step.notifications:
            self._queue(step.notifications)
        new = step.state
        if new is old:
            return
        values = self._row_values(new)
        self._db.execute(_SAVE, (*values, index))
        recent = self._recent
        recent[index] = (values[0], new)
        recent.move_to_end(index)
        if len(recent) > _RECENT:
            recent.popitem(last=False)
        before, after = old.contact, new.contact
        if after is not before:
            tally = self._tally
            old_bucket, new_bucket = contact_bucket(before), values[4]
            if old_bucket != new_bucket:
                tally[old_bucket] -= 1
                tally[new_bucket] += 1
            if self._messages:
                tally["held"] += values[5] - int(steps.is_held(before))

    def _queue(self, notes: Iterable[Notification]) -> None:
        self._db.executemany(
            "INSERT INTO outbox (note) VALUES (?)", [(_dumps(n.to_dict()),) for n in notes]
        )

    def _end_cycle(self, now: datetime) -> None:
        tally = self._tally
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
            self._counts(),
            now,
            held=tally["held"],
            any_eligible=lambda: any(steps.loop_eligible(s, rules) for s in self._states()),
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
            for index, state in self._all_states():
                new = steps.requeue(state, rules, cycle=cycle, now=loop_at)
                if new is not state:
                    self._commit(index, state, steps.Step(new, self._state))
            now = loop_at
        self._end_cycle(now)

    # ------------------------------------------------------------------ transactions

    def _refresh(self) -> None:
        """Reload the cached campaign row and tally if another connection committed."""
        db = self._db
        version = db.execute("PRAGMA data_version").fetchone()[0]
        if version == self._version:
            return
        row = db.execute("SELECT state, rng FROM campaign").fetchone()
        self._state = CampaignState.from_dict(json.loads(row[0]))
        if row[1] is not None:
            data = json.loads(row[1])
            if self._rng is None:
                self._rng = pd.rng_from_data(data)
            else:
                self._rng.setstate(pd.rng_from_data(data).getstate())
        self._tally = dict(db.execute("SELECT bucket, count FROM tally").fetchall())
        self._version = version

    @contextmanager
    def _write(self, *, rng: bool = False) -> Iterator[None]:
        """One transaction: commit the rows, the tally, the campaign row and the random
        generator together, or roll everything back (the caches included)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            self._refresh()
            state, tally = self._state, dict(self._tally)
            rng_state = self._rng.getstate() if rng and self._rng is not None else None
            self._rng_used = False
            yield
            if self._state is not state:
                db.execute("UPDATE campaign SET state = ?", (_dumps(self._state.to_dict()),))
            changed = [(n, b) for b, n in self._tally.items() if tally.get(b) != n]
            if changed:
                db.executemany("UPDATE tally SET count = ? WHERE bucket = ?", changed)
            if self._rng_used and self._rng is not None:
                db.execute("UPDATE campaign SET rng = ?", (_dumps(pd.rng_to_data(self._rng)),))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            self._state, self._tally = state, tally
            if rng_state is not None and self._rng is not None:
                self._rng.setstate(rng_state)
            raise

    # ------------------------------------------------------------------ plain data

    def snapshot(self) -> dict[str, Any]:
        """The whole campaign in `CampaignRunner.snapshot`'s format (every row is read:
        for export and tests, not for a hot path); ``CampaignRunner.restore`` rebuilds
        it in memory."""
        rng = self._rng
        sends = self._db.execute("SELECT at_us, phone FROM sends ORDER BY seq").fetchall()
        return {
            "format": "campaignkit.runner/3",
            "rules": self._rules.to_dict(),
            "campaign": self._state.to_dict(),
            "contacts": [s.to_dict() for s in self._states()],
            "outbox": [n.to_dict() for n in self.outbox],
            "rng": None if rng is None else pd.rng_to_data(rng),
            "sends": [[_moment(at).isoformat(), phone] for at, phone in sends],
        }


def _connect(path: Any, synchronous: Any, *, create: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (the store opens its own transactions)."""
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise InvalidInput(f"path must be a file path or ':memory:'; got {shown(path)}")
    if synchronous not in _SYNCHRONOUS:
        raise InvalidInput(
            f"synchronous must be one of {list(_SYNCHRONOUS)}; got {shown(synchronous)}"
        )
    try:
        db = sqlite3.connect(os.fspath(path), isolation_level=None)
    except sqlite3.Error as error:
        raise InvalidInput(f"cannot open {os.fspath(path)!r}: {error}") from None
    try:
        if os.fspath(path) != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute(f"PRAGMA synchronous = {synchronous}")
        db.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as error:
        db.close()
        raise InvalidInput(f"{os.fspath(path)!r} is not a SQLite database: {error}") from None
    return db
