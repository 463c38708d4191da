"""`PostgresCampaign`: a campaign in a PostgreSQL database, driven by any number of
worker processes at once, behaving exactly like `CampaignRunner`.

Theory of operation
-------------------
The store keeps the rows of the decision layer - one `ContactState` per contact
and the `CampaignState` - and decides nothing: it runs the step sequence of
`campaignkit.runner.driver.StepDriver`, the one `CampaignRunner` and
`SQLiteCampaign` run, over its tables; what several workers need (below) are the
driver's hooks - `RetryLocked` to run a webhook again with the campaign row
locked, `_event_done` and `_after_event` for the cycle end. Several campaigns share one
database (every table is keyed by ``campaign_id``), and several processes may
open the same campaign (``PostgresCampaign.open(conninfo, campaign_id)``) and
call `due` and `handle` concurrently. ``psycopg`` (3) is imported by this module
only: ``pip install "campaignkit[postgres]"``.

Schema (``campaignkit.postgres/1``)::

    ck_campaigns (id TEXT PRIMARY KEY, format, rules TEXT, state TEXT, rng TEXT,
                  version BIGINT)            -- bumped on every change of state/rng
    ck_contacts  (campaign_id, idx BIGINT,   -- loading order
                  id TEXT, state TEXT,       -- ContactState.to_dict() as JSON text
                  lane SMALLINT, due_us BIGINT, rank SMALLINT, bucket TEXT,
                  held BOOLEAN, calling BOOLEAN,
                  PRIMARY KEY (campaign_id, idx), UNIQUE (campaign_id, id))
    INDEX ck_contacts_due ON ck_contacts (campaign_id, lane, due_us, rank, idx)
        WHERE lane IS NOT NULL
    INDEX ck_contacts_calling ON ck_contacts (campaign_id, idx) WHERE calling
    ck_tally     (campaign_id, slot INT, bucket TEXT, count BIGINT,
                  PRIMARY KEY (campaign_id, slot, bucket))  -- summed on read
    ck_outbox    (seq BIGSERIAL PRIMARY KEY, campaign_id, note TEXT, drained BOOLEAN)
    ck_sends     (seq BIGSERIAL PRIMARY KEY, campaign_id, at_us BIGINT, phone TEXT)

Workers and the lease
~~~~~~~~~~~~~~~~~~~~~
A `due` round takes the campaign row ``FOR UPDATE`` and reads due contacts with
``SELECT ... FOR UPDATE SKIP LOCKED`` (a row a webhook is being applied to is
skipped; the next round takes it). The round commits every proposal before it
returns the dials: a dialled contact is committed as ``dialing`` with its call
in flight, off the dial lane, so no other worker's due query sees it again -
the committed dial is the lease, and it needs no expiry: a worker that dies
after the commit leaves calls in flight whose webhooks any worker applies. A
worker that dies inside a round holds only row locks, which die with its
connection (the round rolls back; another worker's next round takes the
contacts).

Global order, and what is kept cheap
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
Proposals need one global order: pacing (calls in flight, the start rate, the
daily count), the caller lines' daily counts and the sticky rotation, the
WhatsApp daily limit and tier, and the random generator of weighted rotation
are campaign-wide, and the runner decides them contact after contact. So due
rounds and commands serialise on the campaign row. Webhooks do not: `handle`
locks the contact's row (``FOR UPDATE``, so two workers never apply events to
one contact at once), reads the campaign row without a lock, runs the step, and
touches the campaign row only if the step changed the `CampaignState` (a call
ended under pacing, a halt lifted) - then it rolls back and runs again with the
campaign row locked first (the one lock order everywhere: campaign, then
contacts). The tally is per-connection counter rows (``slot`` is the backend
pid): each transaction adds its deltas to its own rows (``INSERT ... ON
CONFLICT DO UPDATE``), and counts are their sum.

Cycle end: a webhook that takes the last busy contact (pending, in a call,
held) ends the cycle. Its transaction sums the tally; if nothing is busy it
re-runs with the campaign row locked and ends the cycle. Two workers finishing
the last two contacts at once each see the other's contact still busy, so a
webhook that made a contact not busy sums the tally again after its commit and,
if nothing is busy then, ends the cycle in a transaction of its own.

Ordering
~~~~~~~~
Events for one contact are applied one at a time (the row lock), in the order
their transactions take it. Notifications of one transaction are consecutive
in ``seq`` order; across transactions of different workers, ``seq`` order is
the order the rows were written, not the order of commit.
"""

from __future__ import annotations

import importlib
import json
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from ..engine import steps
from ..engine.reducers import (
    CampaignCounts,
    Notification,
    contact_bucket,
)
from ..errors import InvalidInput, MissingDependency, shown
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
from ..runner.driver import RetryLocked, new_tally
from ..runner.view import ContactsView
from ..statuses import CampaignStatus, Channel
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

__all__ = ["STORE_FORMAT", "PostgresCampaign"]

STORE_FORMAT = "campaignkit.postgres/1"
"""The ``format`` of a `PostgresCampaign`'s campaign row."""

_NOBODY: frozenset[str] = frozenset()
_BUSY = frozenset({"pending", "in_progress"})
_SCHEMA_LOCK = 0x636B5F736368  # pg_advisory_xact_lock key while creating the tables

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ck_campaigns (
    id TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    rules TEXT NOT NULL,
    state TEXT NOT NULL,
    rng TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS ck_contacts (
    campaign_id TEXT NOT NULL REFERENCES ck_campaigns (id) ON DELETE CASCADE,
    idx BIGINT NOT NULL,
    id TEXT NOT NULL,
    state TEXT NOT NULL,
    lane SMALLINT,
    due_us BIGINT,
    rank SMALLINT NOT NULL,
    bucket TEXT NOT NULL,
    held BOOLEAN NOT NULL,
    calling BOOLEAN NOT NULL,
    PRIMARY KEY (campaign_id, idx),
    UNIQUE (campaign_id, id)
);
CREATE INDEX IF NOT EXISTS ck_contacts_due ON ck_contacts (campaign_id, lane, due_us, rank, idx)
    WHERE lane IS NOT NULL;
CREATE INDEX IF NOT EXISTS ck_contacts_calling ON ck_contacts (campaign_id, idx) WHERE calling;
CREATE TABLE IF NOT EXISTS ck_tally (
    campaign_id TEXT NOT NULL REFERENCES ck_campaigns (id) ON DELETE CASCADE,
    slot INTEGER NOT NULL,
    bucket TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, slot, bucket)
);
CREATE TABLE IF NOT EXISTS ck_outbox (
    seq BIGSERIAL PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES ck_campaigns (id) ON DELETE CASCADE,
    note TEXT NOT NULL,
    drained BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS ck_outbox_undrained ON ck_outbox (campaign_id, seq)
    WHERE NOT drained;
CREATE TABLE IF NOT EXISTS ck_sends (
    seq BIGSERIAL PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES ck_campaigns (id) ON DELETE CASCADE,
    at_us BIGINT NOT NULL,
    phone TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ck_sends_campaign ON ck_sends (campaign_id, seq)
"""

_DUE = (
    "SELECT idx, state FROM ck_contacts WHERE campaign_id = %s AND lane = %s AND due_us <= %s "
    "AND (due_us, rank, idx) > (%s, %s, %s) ORDER BY due_us, rank, idx LIMIT %s "
    "FOR UPDATE SKIP LOCKED"
)
_SAVE = (
    "UPDATE ck_contacts SET state = %s, lane = %s, due_us = %s, rank = %s, bucket = %s, "
    "held = %s, calling = %s WHERE campaign_id = %s AND idx = %s"
)
_TALLY = (
    "INSERT INTO ck_tally (campaign_id, slot, bucket, count) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (campaign_id, slot, bucket) DO UPDATE SET count = ck_tally.count + "
    "EXCLUDED.count"
)
_SUMS = "SELECT bucket, sum(count)::bigint FROM ck_tally WHERE campaign_id = %s GROUP BY bucket"


def _psycopg() -> Any:
    """The ``psycopg`` module, or `MissingDependency` naming the extra."""
    try:
        return importlib.import_module("psycopg")
    except ImportError:
        raise MissingDependency(
            'campaignkit.stores.postgres needs psycopg 3: pip install "campaignkit[postgres]"'
        ) from None


def _busy(bucket: str, held: bool) -> bool:
    """Whether a contact in ``bucket`` (held or not) keeps the cycle from ending."""
    return held or bucket in _BUSY


class PostgresCampaign(DatabaseStore):
    """One campaign in a PostgreSQL database (``conninfo``, a libpq connection string),
    keyed by the campaign's id: the same methods and results as `CampaignRunner` and
    `SQLiteCampaign`, every call one transaction, notifications in a transactional
    outbox, and any number of processes driving it at once.

    ``PostgresCampaign(conninfo, campaign, rules=..., lines=..., rng=...)`` creates
    the tables if needed and the campaign; the policies may also be given as the
    runner's keywords. `PostgresCampaign.open` resumes a campaign (in another
    process, or after a crash).

    Raises what `CampaignRunner` raises for the campaign and its rules,
    `MissingDependency` without ``psycopg``, `InvalidInput` for a database that
    cannot be reached or already holds a campaign with this id.
    """

    __slots__ = (
        "_base",
        "_changes",
        "_conninfo",
        "_db",
        "_id",
        "_locked",
        "_messages",
        "_recent",
        "_recheck",
        "_rng",
        "_rng_used",
        "_rules",
        "_slot",
        "_track_sends",
        "_version",
    )

    def __init__(
        self,
        conninfo: str,
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
        psycopg = _psycopg()
        db = _connect(conninfo)
        try:
            with db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                try:
                    with db.transaction():
                        db.execute(
                            "INSERT INTO ck_campaigns (id, format, rules, state, rng) "
                            "VALUES (%s, %s, %s, %s, %s)",
                            (
                                campaign.id,
                                STORE_FORMAT,
                                dumps(rules.to_dict()),
                                dumps(state.to_dict()),
                                None if rng is None else dumps(pd.rng_to_data(rng)),
                            ),
                        )
                except psycopg.errors.UniqueViolation:
                    raise InvalidInput(
                        f"the database already holds campaign {shown(campaign.id)}; resume it "
                        "with PostgresCampaign.open(conninfo, campaign_id)"
                    ) from None
        except BaseException:
            db.close()
            raise
        self._setup(db, conninfo, rules, state, rng, 1)

    def _setup(
        self,
        db: Any,
        conninfo: str,
        rules: CampaignRules,
        state: CampaignState,
        rng: random.Random | None,
        version: int,
    ) -> None:
        """Keep the connection and the loaded rows; take this connection's tally slot."""
        self._db = db
        self._conninfo = conninfo
        self._id = state.campaign.id
        self._rules = rules
        self._state = self._base = state
        self._version = version
        self._rng = rng
        self._rng_used = False
        self._recheck: datetime | None = None
        self._locked = False  # the transaction holds the campaign row
        # this transaction's changes to the tally (the driver's `_commit` adds them;
        # `_write` adds them to this connection's tally rows)
        self._changes = new_tally()
        self._recent = RecentRows()
        self._messages = state.campaign.channel is Channel.WHATSAPP
        self._track_sends = (
            self._messages and rules.tier is not None and rules.tier.limit is not None
        )
        # Each connection adds to its own tally rows: no two workers update one row.
        self._slot = int(db.execute("SELECT pg_backend_pid()").fetchone()[0])

    @classmethod
    def open(cls, conninfo: str, campaign_id: str) -> PostgresCampaign:
        """Resume campaign ``campaign_id`` of the database ``conninfo``, exactly where it
        stood after its last committed call (any number of processes may open it).

        Raises `MissingDependency` without ``psycopg``, `InvalidInput` for a database
        that cannot be reached or holds no such campaign, or a campaign row that does
        not load.
        """
        _psycopg()
        if type(campaign_id) is not str:
            raise InvalidInput(f"campaign_id must be a string; got {shown(campaign_id)}")
        db = _connect(conninfo)
        try:
            exists = db.execute("SELECT to_regclass('ck_campaigns') IS NOT NULL").fetchone()[0]
            row = None
            if exists:
                row = db.execute(
                    "SELECT format, rules, state, rng, version FROM ck_campaigns WHERE id = %s",
                    (campaign_id,),
                ).fetchone()
            if row is None or row[0] != STORE_FORMAT:
                raise InvalidInput(f"the database holds no {STORE_FORMAT} campaign {campaign_id!r}")
            try:
                rules = CampaignRules.from_dict(json.loads(row[1]))
                state = CampaignState.from_dict(json.loads(row[2]))
                rng = None if row[3] is None else pd.rng_from_data(json.loads(row[3]))
            except (ValueError, TypeError):
                raise InvalidInput(f"campaign {campaign_id!r}: the row does not load") from None
            store = cls.__new__(cls)
            store._setup(db, conninfo, rules, state, rng, int(row[4]))
        except BaseException:
            db.close()
            raise
        return store

    @staticmethod
    def drop(conninfo: str, campaign_id: str) -> bool:
        """Delete campaign ``campaign_id`` and all its rows from ``conninfo``; True if it
        existed. Raises `MissingDependency` without ``psycopg``, `InvalidInput` for a
        database that cannot be reached."""
        _psycopg()
        db = _connect(conninfo)
        try:
            if not db.execute("SELECT to_regclass('ck_campaigns') IS NOT NULL").fetchone()[0]:
                return False
            return bool(
                db.execute("DELETE FROM ck_campaigns WHERE id = %s", (campaign_id,)).rowcount
            )
        finally:
            db.close()

    def __repr__(self) -> str:
        campaign = self._state.campaign
        return (
            f"<PostgresCampaign {shown(campaign.id)} {campaign.status.value} "
            f"cycle {campaign.cycle}: {self._totals().get('created', 0)} contacts>"
        )

    # ------------------------------------------------------------------ reading

    @property
    def campaign_id(self) -> str:
        """The campaign's id (the key of its rows)."""
        return self._id

    @property
    def counts(self) -> CampaignCounts:
        """Contacts by where they stand: the sum of the tally rows (no scan)."""
        return self._counts()

    def _totals(self) -> dict[str, int]:
        """The tally: every slot's committed rows summed, plus this transaction's changes."""
        totals = new_tally()
        for bucket, count in self._db.execute(_SUMS, (self._id,)).fetchall():
            totals[bucket] = int(count)
        for bucket, change in self._changes.items():
            totals[bucket] += change
        return totals

    @property
    def contacts(self) -> Mapping[str, Contact]:
        """A read-only view of the contacts by id, in loading order; iterating it reads
        the rows in batches."""

        def contact(contact_id: str) -> Contact | None:
            text = self._text(contact_id)
            return None if text is None else load_state(text).contact

        return ContactsView(
            contact,
            lambda: (text for _, text in self._scan("id")),
            lambda: (s.contact for s in self._states()),
            lambda: self._totals()["created"],
        )

    @property
    def in_flight(self) -> Mapping[str, Call]:
        """The calls placed and not yet ended, by contact id, in loading order."""
        rows = self._db.execute(
            "SELECT state FROM ck_contacts WHERE campaign_id = %s AND calling ORDER BY idx",
            (self._id,),
        ).fetchall()
        return calls_of(text for (text,) in rows)

    @property
    def outbox(self) -> tuple[Notification, ...]:
        """Notifications emitted and not yet drained, in ``seq`` order."""
        rows = self._db.execute(
            "SELECT note FROM ck_outbox WHERE campaign_id = %s AND NOT drained ORDER BY seq",
            (self._id,),
        ).fetchall()
        return notes_of(text for (text,) in rows)

    def drain(self, *, limit: int | None = None) -> list[Notification]:
        """Take up to ``limit`` (default: all) notifications out of the outbox, in ``seq``
        order, marking them drained in one transaction: each is handed out exactly
        once, also when several workers drain at once (rows another worker is
        draining are skipped). Raises `InvalidInput` for a bad ``limit``."""
        if limit is not None and (type(limit) is not int or limit < 0):
            raise InvalidInput(f"limit must be a non-negative integer or None; got {shown(limit)}")
        with self._db.transaction():
            rows = self._db.execute(
                "UPDATE ck_outbox SET drained = TRUE WHERE seq IN (SELECT seq FROM ck_outbox "
                "WHERE campaign_id = %s AND NOT drained ORDER BY seq LIMIT %s "
                "FOR UPDATE SKIP LOCKED) RETURNING seq, note",
                (self._id, limit),
            ).fetchall()
        rows.sort()
        return list(notes_of(text for _, text in rows))

    def purge_drained(self) -> int:
        """Delete the drained notifications (the log of what was handed out); returns how
        many were deleted."""
        with self._db.transaction():
            return int(
                self._db.execute(
                    "DELETE FROM ck_outbox WHERE campaign_id = %s AND drained", (self._id,)
                ).rowcount
            )

    def _head(self, lane: int) -> datetime | None:
        """The earliest ``due_us`` of ``lane`` for this campaign."""
        row = self._db.execute(
            "SELECT due_us FROM ck_contacts WHERE campaign_id = %s AND lane = %s "
            "ORDER BY due_us LIMIT 1",
            (self._id, lane),
        ).fetchone()
        return None if row is None else moment(row[0])

    # ------------------------------------------------------------------ contacts

    def _next_index(self) -> int:
        """The next loading index: one past the largest ``idx``."""
        row = self._db.execute(
            "SELECT coalesce(max(idx) + 1, 0) FROM ck_contacts WHERE campaign_id = %s",
            (self._id,),
        ).fetchone()
        return int(row[0])

    def _known_ids(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` the campaign already holds."""
        return {
            r[0]
            for r in self._db.execute(
                "SELECT id FROM ck_contacts WHERE campaign_id = %s AND id = ANY(%s)",
                (self._id, ids),
            )
        }

    def _insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Copy new contact rows in (``COPY ... FROM STDIN``)."""
        with (
            self._db.cursor() as cursor,
            cursor.copy(
                "COPY ck_contacts (campaign_id, idx, id, state, lane, due_us, rank, bucket, held, "
                "calling) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row((self._id, *row))

    # ------------------------------------------------------------------ storage (driver)

    def _transaction(self, *, lock: bool, rng: bool = False) -> AbstractContextManager[None]:
        """`_write`: one transaction, the campaign row locked first if ``lock``."""
        # the random generator's state is kept for a rollback in every transaction
        return self._write(lock=lock)

    def _due_key(self, now: datetime) -> int:
        """``now`` in microseconds, the ``due_us`` column's unit."""
        return micros(now)

    def _due_rows(
        self, lane: int, until: int, want: Callable[[], int | None]
    ) -> Iterator[tuple[int, ContactState]]:
        """Page through ``ck_contacts_due`` for ``lane``, skipping locked rows."""
        db, key = self._db, self._id

        def fetch(last: tuple[int, int, int], size: int) -> list[tuple[int, str]]:
            """The next ``size`` due rows after ``last``, locked."""
            # SKIP LOCKED: a row a webhook is being applied to waits for the next round
            rows: list[tuple[int, str]] = db.execute(
                _DUE, (key, lane, until, *last, size)
            ).fetchall()
            return rows

        for row in page_due(fetch, self._recent.parse, want):
            if lane == steps.DIAL_LANE:
                self._rng_used = True  # the row is proposed: a weighted rotation draws
            yield row

    def _event_row(self, contact_id: str) -> tuple[int, ContactState]:
        """The event's row, locked; outside a locked transaction the campaign row too, read after
        the contact's lock."""
        asked = self._ask_contact(contact_id, lock=True)
        if self._locked:
            index, text = self._got_contact(asked, contact_id)
        else:
            # Read after the contact's lock is held: a command that closed the contact
            # committed before, so its campaign row is the one read here.
            campaign = self._ask_campaign(lock=False)
            index, text = self._got_contact(asked, contact_id)
            self._use_campaign(campaign.fetchone())
        return index, self._recent.parse(index, text)

    def _all_rows(self, *, lock: bool) -> Iterator[tuple[int, ContactState]]:
        """Every row in loading order, read in batches (locked if ``lock``)."""
        # locked when the caller saves some: each batch is read before any is saved
        return ((index, load_state(text)) for index, text in self._scan("state", lock=lock))

    def _save(self, index: int, old: ContactState, new: ContactState) -> None:
        """Update the row and its index columns; keep it parsed for the next event."""
        values = row_columns(new, messages=self._messages)
        self._db.execute(_SAVE, (*values, self._id, index))
        self._recent.saved(index, values[0], new)

    def _sent_window(self, now: datetime) -> tuple[int, datetime | None]:
        """Distinct recipients of the sends of the last 24 hours, and the oldest send
        (sends older than the window are deleted from the front, as the runner does)."""
        if not self._track_sends:
            return 0, None
        db, key = self._db, self._id
        start = micros(steps.send_window_start(now))
        db.execute(
            "DELETE FROM ck_sends WHERE campaign_id = %s AND seq < coalesce("
            "(SELECT min(seq) FROM ck_sends WHERE campaign_id = %s AND at_us > %s), "
            "(SELECT max(seq) + 1 FROM ck_sends WHERE campaign_id = %s))",
            (key, key, start, key),
        )
        count, first = db.execute(
            "SELECT count(DISTINCT phone), (SELECT at_us FROM ck_sends WHERE campaign_id = %s "
            "ORDER BY seq LIMIT 1) FROM ck_sends WHERE campaign_id = %s",
            (key, key),
        ).fetchone()
        return int(count), None if first is None else moment(first)

    def _record_send(self, now: datetime, until: int, phone: str) -> None:
        """Insert a send into the tier's window table."""
        self._db.execute(
            "INSERT INTO ck_sends (campaign_id, at_us, phone) VALUES (%s, %s, %s)",
            (self._id, until, phone),
        )

    # ------------------------------------------------------------------ concurrency hooks

    def _campaign_changing(self) -> None:
        """Outside a locked transaction, raise `RetryLocked`: only it writes the campaign row."""
        if not self._locked:
            raise RetryLocked  # pacing or a halt changed: the campaign row is written

    def _event_done(self, at: datetime, old: Contact, new: Contact) -> None:
        """End the cycle only when this event took a busy contact (pending, in a call,
        held) off the busy list: no other event can end it."""
        if new is old or self._state.campaign.status is not CampaignStatus.ACTIVE:
            return
        messages = self._messages
        if not _busy(contact_bucket(old), messages and steps.is_held(old)) or _busy(
            contact_bucket(new), messages and steps.is_held(new)
        ):
            return
        tally = self._totals()
        if steps.cycle_may_end(
            self._state,
            created=tally["created"],
            pending=tally["pending"],
            in_progress=tally["in_progress"],
            held=tally["held"],
        ):
            if not self._locked:
                raise RetryLocked  # the cycle ends here: the campaign row is written
            self._end_cycle(at, tally)
        else:
            # Another worker may be committing the last busy contact right now, seeing
            # this one still busy: look again once this transaction has committed.
            self._recheck = at

    def _after_event(self) -> None:
        """After the event's commit: end the cycle if no worker saw the last busy contact go."""
        at, self._recheck = self._recheck, None
        if at is not None:
            self._end_cycle_later(at)

    def _end_cycle_later(self, at: datetime) -> None:
        """After a commit that made a contact not busy: end the cycle at ``at`` if nothing
        is busy any more (no worker saw the last busy contact go)."""
        tally = self._totals()
        if not (tally["pending"] or tally["in_progress"] or tally["held"]):
            with self._write(lock=True):
                self._end_cycle(at)

    # ------------------------------------------------------------------ keeping

    def _text(self, contact_id: str) -> str | None:
        """The contact's saved state text, None when there is none."""
        row = self._db.execute(
            "SELECT state FROM ck_contacts WHERE campaign_id = %s AND id = %s",
            (self._id, contact_id),
        ).fetchone()
        return None if row is None else str(row[0])

    def _known(self, contact_id: str, *, lock: bool = False) -> tuple[int, str]:
        """The contact's (idx, state text); raises `InvalidInput` for an unknown contact."""
        return self._got_contact(self._ask_contact(contact_id, lock=lock), contact_id)

    def _ask_contact(self, contact_id: str, *, lock: bool) -> Any:
        """Run the contact row's query; the cursor to fetch it from, None for a contact
        id that is not a string."""
        if type(contact_id) is not str:
            return None
        return self._db.execute(
            "SELECT idx, state FROM ck_contacts WHERE campaign_id = %s AND id = %s"
            + (" FOR UPDATE" if lock else ""),
            (self._id, contact_id),
        )

    def _got_contact(self, asked: Any, contact_id: str) -> tuple[int, str]:
        """The (idx, state text) of an asked contact row; raises `InvalidInput` if none."""
        row = None if asked is None else asked.fetchone()
        if row is None:
            raise InvalidInput(
                f"no contact {shown(contact_id)} in campaign {shown(self._state.campaign.id)}"
            )
        return int(row[0]), str(row[1])

    def _scan(self, column: str, *, lock: bool = False) -> Iterator[tuple[int, str]]:
        """(idx, ``column``) of every contact in loading order, read in batches."""
        db, last = self._db, -1
        while True:
            rows = db.execute(
                f"SELECT idx, {column} FROM ck_contacts WHERE campaign_id = %s AND idx > %s "
                "ORDER BY idx LIMIT %s" + (" FOR UPDATE" if lock else ""),
                (self._id, last, BATCH),
            ).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def _queue(self, notes: Iterable[Notification]) -> None:
        """Insert notifications into the outbox table, in order."""
        rows = [(self._id, dumps(n.to_dict())) for n in notes]
        if rows:
            with self._db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO ck_outbox (campaign_id, note) VALUES (%s, %s)", rows
                )

    # ------------------------------------------------------------------ transactions

    def _read_campaign(self, *, lock: bool) -> None:
        """Load the campaign row into the cache if it changed (its version), locked
        ``FOR UPDATE`` if ``lock``."""
        self._use_campaign(self._ask_campaign(lock=lock).fetchone())

    def _ask_campaign(self, *, lock: bool) -> Any:
        """Run the campaign row's query; the cursor to fetch it from."""
        version = self._version
        return self._db.execute(
            "SELECT version, CASE WHEN version = %s THEN NULL ELSE state END, "
            "CASE WHEN version = %s THEN NULL ELSE rng END FROM ck_campaigns WHERE id = %s"
            + (" FOR UPDATE" if lock else ""),
            (version, version, self._id),
        )

    def _use_campaign(self, row: Any) -> None:
        """Load a fetched campaign row into the cache unless its version is the cached one."""
        version = self._version
        if row is None:
            raise InvalidInput(f"campaign {shown(self._id)} is no longer in the database")
        if row[0] == version:
            return
        self._state = self._base = CampaignState.from_dict(json.loads(row[1]))
        if row[2] is not None:
            data = json.loads(row[2])
            if self._rng is None:
                self._rng = pd.rng_from_data(data)
            else:
                self._rng.setstate(pd.rng_from_data(data).getstate())
        self._version = int(row[0])

    def _refresh(self) -> None:
        """Reload the campaign row if another connection changed it (its version)."""
        self._read_campaign(lock=False)

    @contextmanager
    def _write(self, *, lock: bool) -> Iterator[None]:
        """One transaction: commit the rows, the tally deltas, the campaign row and the
        random generator together, or roll everything back (the caches included).
        ``lock`` takes the campaign row first (due rounds, commands)."""
        db = self._db
        state, version = self._state, self._version
        rng_state = self._rng.getstate() if self._rng is not None else None
        self._changes = new_tally()
        self._recheck = None  # set by this transaction's event, read after its commit
        try:
            with db.transaction():
                self._base = self._state
                self._locked = lock
                if lock:
                    self._read_campaign(lock=True)
                self._rng_used = False
                yield
                new_version = self._version
                if self._state is not self._base or (self._rng_used and self._rng is not None):
                    if not lock:
                        raise RetryLocked  # only a locked transaction writes the campaign row
                    generator = self._rng
                    row = db.execute(
                        "UPDATE ck_campaigns SET state = %s, rng = %s, version = version + 1 "
                        "WHERE id = %s RETURNING version",
                        (
                            dumps(self._state.to_dict()),
                            None if generator is None else dumps(pd.rng_to_data(generator)),
                            self._id,
                        ),
                    ).fetchone()
                    new_version = int(row[0])
                changed = [(self._id, self._slot, b, n) for b, n in self._changes.items() if n]
                if changed:
                    with db.cursor() as cursor:
                        cursor.executemany(_TALLY, changed)
            self._version = new_version
            self._base = self._state
        except BaseException:
            self._state = self._base = state
            self._version = version
            if rng_state is not None and self._rng is not None:
                self._rng.setstate(rng_state)
            raise
        finally:
            self._changes = new_tally()
            self._locked = False

    def _send_rows(self) -> list[tuple[int, str]]:
        """The recent sends as (microseconds, phone), oldest first (for `snapshot`)."""
        rows: list[tuple[int, str]] = self._db.execute(
            "SELECT at_us, phone FROM ck_sends WHERE campaign_id = %s ORDER BY seq", (self._id,)
        ).fetchall()
        return rows


def _connect(conninfo: Any) -> Any:
    """A connection in autocommit mode (the store opens its own transactions)."""
    psycopg = _psycopg()
    if type(conninfo) is not str:
        raise InvalidInput(f"conninfo must be a libpq connection string; got {shown(conninfo)}")
    try:
        return psycopg.connect(conninfo, autocommit=True)
    except psycopg.Error as error:
        raise InvalidInput(f"cannot connect to PostgreSQL ({shown(conninfo)}): {error}") from None
