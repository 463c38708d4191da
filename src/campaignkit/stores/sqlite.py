"""`SQLiteCampaign`: one campaign in a SQLite file, behaving exactly like `CampaignRunner`.

Theory of operation
-------------------
The store keeps the rows of the decision layer - one `ContactState` per contact
and the `CampaignState` - and decides nothing: the order of the steps is
`campaignkit.runner.driver.StepDriver`'s, the runner's own, so each public method
calls the same pure steps of `campaignkit.engine.steps` in the same order as
`CampaignRunner`'s. This module supplies the storage: it loads rows, saves what a
step returned, keeps the due index and the tally, and queues the notifications.
The equivalence tests drive the runner and this store with the same campaigns
and events and compare contacts, counts, wakeups and notifications after every
call.

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from ..engine import steps
from ..engine.reducers import CampaignCounts, Notification
from ..errors import InvalidInput, shown
from ..models.goals import GoalSet
from ..models.records import Call, CallerLine, Campaign, Contact
from ..models.state import CampaignState, ContactState
from ..policies import codecs as pd
from ..policies.compliance import CompliancePolicy
from ..policies.conversion import ConversionRule
from ..policies.cycles import CyclePolicy
from ..policies.messaging import MessagingTier, WhatsAppSettings
from ..policies.pacing import PacingPolicy
from ..policies.retry import RetryPolicy
from ..policies.rotation import RotationPolicy
from ..policies.rules import CampaignRules
from ..policies.schedule import Schedule
from ..runner.driver import TALLY_KEYS
from ..runner.view import ContactsView
from ..statuses import Channel
from ._shared import (
    BATCH,
    DatabaseStore,
    RecentRows,
    calls_of,
    dumps,
    load_state,
    micros,
    moment,
    notes_of,
    page_due,
    row_columns,
)

__all__ = ["STORE_FORMAT", "SQLiteCampaign"]

STORE_FORMAT = "campaignkit.sqlite/1"
"""The ``format`` of the campaign row of a `SQLiteCampaign` file."""

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


class SQLiteCampaign(DatabaseStore):
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
        "_changes",
        "_db",
        "_messages",
        "_path",
        "_recent",
        "_rng",
        "_rng_used",
        "_rules",
        "_tally",
        "_track_sends",
        "_version",
    )
    _db: sqlite3.Connection

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
                [(b,) for b in TALLY_KEYS],
            )
            db.execute(
                "INSERT INTO campaign (id, format, rules, state, rng) VALUES (1, ?, ?, ?, ?)",
                (
                    STORE_FORMAT,
                    dumps(rules.to_dict()),
                    dumps(state.to_dict()),
                    None if rng is None else dumps(pd.rng_to_data(rng)),
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
        """Keep the connection and the loaded rows; read the tally and the data version."""
        self._db = db
        self._path = os.fspath(path)
        self._rules = rules
        self._state = state
        self._rng = rng
        self._rng_used = False
        self._recent = RecentRows()
        self._messages = state.campaign.channel is Channel.WHATSAPP
        self._track_sends = (
            self._messages and rules.tier is not None and rules.tier.limit is not None
        )
        # the tally's cache; the driver's `_commit` adds each save's changes to it
        self._tally: dict[str, int] = dict(db.execute("SELECT bucket, count FROM tally").fetchall())
        self._changes = self._tally
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
    def counts(self) -> CampaignCounts:
        """Contacts by where they stand, from the tally table (no scan)."""
        self._refresh()
        return self._counts()

    @property
    def contacts(self) -> Mapping[str, Contact]:
        """A read-only view of the contacts by id, in loading order; iterating it reads
        the rows in batches."""
        return ContactsView(
            lambda contact_id: None if (row := self._row(contact_id)) is None else _contact(row[1]),
            lambda: (text for _, text in self._scan("id")),
            lambda: (s.contact for s in self._states()),
            lambda: int(self._tally["created"]),
        )

    @property
    def in_flight(self) -> Mapping[str, Call]:
        """The calls placed and not yet ended, by contact id, in loading order."""
        rows = self._db.execute("SELECT state FROM contacts WHERE calling = 1 ORDER BY idx")
        return calls_of(text for (text,) in rows)

    @property
    def outbox(self) -> tuple[Notification, ...]:
        """Notifications emitted and not yet drained, oldest first."""
        rows = self._db.execute("SELECT note FROM outbox WHERE drained = 0 ORDER BY seq")
        return notes_of(text for (text,) in rows.fetchall())

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
        return list(notes_of(text for _, text in rows))

    def purge_drained(self) -> int:
        """Delete the drained notifications (the log of what was handed out); returns how
        many were deleted."""
        with self._write():
            return self._db.execute("DELETE FROM outbox WHERE drained = 1").rowcount

    def _head(self, lane: int) -> datetime | None:
        """The earliest ``due_us`` of ``lane`` (the due index's first entry)."""
        row = self._db.execute(
            "SELECT due_us FROM contacts WHERE lane = ? ORDER BY due_us LIMIT 1", (lane,)
        ).fetchone()
        return None if row is None else moment(row[0])

    # ------------------------------------------------------------------ contacts

    def _next_index(self) -> int:
        """The next loading index: the contacts loaded so far."""
        return int(self._tally["created"])

    def _known_ids(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` the file already holds (in chunks of 500 parameters)."""
        known: set[str] = set()
        for start in range(0, len(ids), 500):  # SQLite's limit on host parameters
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            known.update(
                r[0]
                for r in self._db.execute(f"SELECT id FROM contacts WHERE id IN ({marks})", part)
            )
        return known

    def _insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert new contact rows with one ``executemany``."""
        self._db.executemany(_INSERT, rows)

    # ------------------------------------------------------------------ reading rows

    def _row(self, contact_id: str) -> tuple[int, str] | None:
        """The contact's (idx, state text), None when there is none."""
        if type(contact_id) is not str:
            return None
        row = self._db.execute(
            "SELECT idx, state FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def _known(self, contact_id: str) -> tuple[int, str]:
        """The contact's (idx, state text); raises `InvalidInput` for an unknown contact."""
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
                (last, BATCH),
            ).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    # ------------------------------------------------------------------ storage (driver)

    def _due_key(self, now: datetime) -> int:
        """``now`` in microseconds, the ``due_us`` column's unit."""
        return micros(now)

    def _due_rows(
        self, lane: int, until: int, want: Callable[[], int | None]
    ) -> Iterator[tuple[int, ContactState]]:
        """Page through ``contacts_due`` for ``lane`` (see the module's due query)."""
        db = self._db

        def fetch(last: tuple[int, int, int], size: int) -> list[tuple[int, str]]:
            """The next ``size`` due rows after ``last``."""
            return db.execute(_DUE, (lane, until, *last, size)).fetchall()

        for row in page_due(fetch, self._recent.parse, want):
            if lane == steps.DIAL_LANE:
                self._rng_used = True  # the row is proposed: a weighted rotation draws
            yield row

    def _event_row(self, contact_id: str) -> tuple[int, ContactState]:
        """The event's row; the transaction already holds SQLite's write lock."""
        index, text = self._known(contact_id)  # the transaction holds the write lock
        return index, self._recent.parse(index, text)

    def _all_rows(self, *, lock: bool) -> Iterator[tuple[int, ContactState]]:
        """Every row in loading order, read in batches."""
        # each batch is read before any of it is saved; the write lock covers them all
        return ((index, load_state(text)) for index, text in self._scan("state"))

    def _save(self, index: int, old: ContactState, new: ContactState) -> None:
        """Update the row and its index columns; keep it parsed for the next event."""
        values = row_columns(new, messages=self._messages)
        self._db.execute(_SAVE, (*values, index))
        self._recent.saved(index, values[0], new)

    def _queue(self, notes: Iterable[Notification]) -> None:
        """Insert notifications into the outbox table, in order."""
        self._db.executemany(
            "INSERT INTO outbox (note) VALUES (?)", [(dumps(n.to_dict()),) for n in notes]
        )

    def _totals(self) -> dict[str, int]:
        """The cached tally (reloaded by `_refresh`, changed by `_commit`)."""
        return self._tally

    def _sent_window(self, now: datetime) -> tuple[int, datetime | None]:
        """Distinct recipients of the sends of the last 24 hours, and the oldest send
        (sends older than the window are deleted from the front, as the runner does)."""
        if not self._track_sends:
            return 0, None
        db = self._db
        start = micros(steps.send_window_start(now))
        db.execute(
            "DELETE FROM sends WHERE seq < coalesce("
            "(SELECT min(seq) FROM sends WHERE at_us > ?), (SELECT max(seq) + 1 FROM sends))",
            (start,),
        )
        count, first = db.execute(
            "SELECT count(DISTINCT phone), (SELECT at_us FROM sends ORDER BY seq LIMIT 1) "
            "FROM sends"
        ).fetchone()
        return count, None if first is None else moment(first)

    def _record_send(self, now: datetime, until: int, phone: str) -> None:
        """Insert a send into the tier's window table."""
        self._db.execute("INSERT INTO sends (at_us, phone) VALUES (?, ?)", (until, phone))

    def _transaction(self, *, lock: bool, rng: bool = False) -> AbstractContextManager[None]:
        """`_write`: one ``BEGIN IMMEDIATE`` transaction."""
        # SQLite has one writer: every transaction takes the write lock (``lock`` is moot)
        return self._write(rng=rng)

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
        self._tally.update(db.execute("SELECT bucket, count FROM tally").fetchall())
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
                db.execute("UPDATE campaign SET state = ?", (dumps(self._state.to_dict()),))
            changed = [(n, b) for b, n in self._tally.items() if tally.get(b) != n]
            if changed:
                db.executemany("UPDATE tally SET count = ? WHERE bucket = ?", changed)
            if self._rng_used and self._rng is not None:
                db.execute("UPDATE campaign SET rng = ?", (dumps(pd.rng_to_data(self._rng)),))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            self._state = state
            self._tally.update(tally)  # in place: it is the driver's `_changes` too
            if rng_state is not None and self._rng is not None:
                self._rng.setstate(rng_state)
            raise

    def _send_rows(self) -> list[tuple[int, str]]:
        """The recent sends as (microseconds, phone), oldest first (for `snapshot`)."""
        rows: list[tuple[int, str]] = self._db.execute(
            "SELECT at_us, phone FROM sends ORDER BY seq"
        ).fetchall()
        return rows


def _contact(text: str) -> Contact:
    """The contact of a row saved as ``text``."""
    return load_state(text).contact


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
