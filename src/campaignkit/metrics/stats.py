"""`CampaignStats`: one mergeable accumulator for every campaign figure in the seeds.

Theory of operation
-------------------
Every figure the seeds define is a function of a few *counts*, and every count
is a sum of one contribution per record. So the accumulator keeps the counts,
not the figures:

* calls, by (duration, outcome, answered-by) - billing under any policy, the
  cost audit, outcome and answer-status rates, durations;
* calls, by (attempt number, outcome, answered-by) - the retry table, retry
  success, attempts to connect;
* calls, by (UTC quarter hour, outcome, answered-by) - best time to call and the
  heatmap, in any time zone chosen when reading;
* reported prices, by unit;
* contacts, by (attempts, status, last outcome, has extracted data) - Exotel's
  stats object, reach, conversion, status breakdowns, penetration, saturation;
* goal results, by (primary or secondary, result).

Sums of counts are exact, so `CampaignStats.merge` is associative and
commutative with `CampaignStats()` as identity: one pass, a stream of events,
or partitions on Dask, Spark or Ray merged in any grouping give equal records.
Because the billing policy and the time zone are applied when figures are
read, they are not part of the state and need not agree across partitions.

Counts are kept in dicts keyed by packed integers (see ``_codes``), so the
single pass stays close to a hand-written loop (``benchmarks/bench_metrics.py``).
"""

from __future__ import annotations

import decimal
import warnings
from collections.abc import Iterable, Mapping
from datetime import tzinfo
from decimal import Decimal
from typing import Any

import attrs

from .._fields import JSONObject
from .._frozen import FrozenMap, freeze
from .._render import cell_text, html_table, text_table
from ..engine.reducers import CampaignCounts
from ..errors import InvalidConfig, InvalidInput
from ..models.goals import GoalOutcome, GoalResult
from ..models.records import Call, Contact
from ..policies.billing import BillingPolicy, format_duration
from ..statuses import CONTACT_BUCKETS, AnsweredBy, ContactStatus, Outcome, bucket_of
from . import _accumulate as a
from . import _codes as c
from . import _vocab as v
from .calls import contacts_from_calls, count_last_attempts
from .health import campaign_health, retry_check
from .tables import (
    Breakdown,
    Cell,
    CostAudit,
    CostRow,
    GoalAchievement,
    HealthReport,
    Heatmap,
    HourTable,
    RetryRow,
    RetryTable,
    Summary,
    counts_table,
    rate_formula,
    ratio,
)

__all__ = [
    "GOAL_RESULTS",
    "CampaignStats",
    "contacts_from_calls",
    "cost_audit",
    "heatmap",
    "retry_effectiveness",
]

GOAL_RESULTS = v.GOAL_RESULTS

_CC = c.CALL_CODES
_KC = c.CONTACT_CODES


# One converter per key type, so the generated __init__ names each field's keys.
def _counts(value: Mapping[int, int]) -> FrozenMap[int, int]:
    return freeze(value)


def _goal_counts(value: Mapping[tuple[bool, str], int]) -> FrozenMap[tuple[bool, str], int]:
    return freeze(value)


def _attempt_counts(
    value: Mapping[str | tuple[str, int], int],
) -> FrozenMap[str | tuple[str, int], int]:
    return freeze(value)


def _unknown_counts(value: Mapping[tuple[str, str], int]) -> FrozenMap[tuple[str, str], int]:
    return freeze(value)


def _price_map(
    value: Mapping[str | None, tuple[int, Decimal]],
) -> FrozenMap[str | None, tuple[int, Decimal]]:
    return freeze(value)


@attrs.frozen(repr=False, weakref_slot=False)
class CampaignStats:
    """The mergeable campaign accumulator: counts from which every seed figure is read.

    Build it in one pass (`from_records`), event by event (`add_call`,
    `add_contact`, `replace_contact`, ...), or per partition and `merge` (also
    ``+``); all give equal records. ``CampaignStats()`` is the empty identity.
    Contact-level figures (Exotel's stats, reach, conversion, penetration) need
    contacts; call-level figures (retry table, heatmap, cost) need calls.

    Every ratio returns 0.0 (money: ``Decimal(0)``) when its denominator is 0;
    no figure raises on empty input. Rates are fractions in [0, 1]; multiply by
    100 for the seeds' percentages.
    """

    _by_duration: FrozenMap[int, int] = attrs.field(factory=FrozenMap, converter=_counts)
    _by_attempt: FrozenMap[int, int] = attrs.field(factory=FrozenMap, converter=_counts)
    _by_block: FrozenMap[int, int] = attrs.field(factory=FrozenMap, converter=_counts)
    _prices: FrozenMap[str | None, tuple[int, Decimal]] = attrs.field(
        factory=FrozenMap, converter=_price_map
    )
    _by_contact: FrozenMap[int, int] = attrs.field(factory=FrozenMap, converter=_counts)
    _goals: FrozenMap[tuple[bool, str], int] = attrs.field(
        factory=FrozenMap, converter=_goal_counts
    )
    # keyed by (contact, attempt), or the contact alone for attempt 1 (a tuple less per
    # contact: ~37 MB at a million calls); see _accumulate.contact_attempt
    _by_contact_attempt: FrozenMap[str | tuple[str, int], int] = attrs.field(
        factory=FrozenMap, converter=_attempt_counts
    )
    _unknown: FrozenMap[tuple[str, str], int] = attrs.field(
        factory=FrozenMap, converter=_unknown_counts
    )
    # Figures read more than once from the same counts (the retry table's two passes
    # over every (contact, attempt): four times in a dashboard). Not part of the value.
    _memo: dict[Any, Any] = attrs.field(
        factory=dict, init=False, eq=False, hash=False, repr=False, alias="_memo"
    )

    # ------------------------------------------------------------------ building

    @classmethod
    def from_records(
        cls,
        calls: Iterable[Call] = (),
        contacts: Iterable[Contact] = (),
        goals: Iterable[tuple[GoalResult | GoalOutcome | str, bool]] = (),
    ) -> CampaignStats:
        """Stats of ``calls``, ``contacts`` and ``goals`` in a single pass over each.

        ``goals`` holds ``(result, primary)`` pairs: a result of `GOAL_RESULTS`
        (a label, a `GoalOutcome` or a `GoalResult`) and whether it is for the
        primary goal. Raises `InvalidInput` for a bad goal result.
        """
        by_duration: dict[int, int] = {}
        by_attempt: dict[int, int] = {}
        by_block: dict[int, int] = {}
        prices: dict[str | None, tuple[int, Decimal]] = {}
        by_contact: dict[int, int] = {}
        by_contact_attempt: dict[str | tuple[str, int], int] = {}
        a.count_calls(calls, by_duration, by_attempt, by_block, prices, by_contact_attempt)
        a.count_contacts(contacts, by_contact)
        goal_counts: dict[tuple[bool, str], int] = {}
        for result, primary in goals:
            key = (bool(primary), v.goal_label(result))
            goal_counts[key] = goal_counts.get(key, 0) + 1
        return cls(
            FrozenMap.adopt(by_duration),
            FrozenMap.adopt(by_attempt),
            FrozenMap.adopt(by_block),
            FrozenMap.adopt(prices),
            FrozenMap.adopt(by_contact),
            FrozenMap.adopt(goal_counts),
            FrozenMap.adopt(by_contact_attempt),
        )

    def merge(self, other: CampaignStats) -> CampaignStats:
        """The stats of both record sets together. Associative and commutative;
        ``CampaignStats()`` is the identity. Raises `InvalidInput` for a non-stats."""
        if not isinstance(other, CampaignStats):
            raise InvalidInput(f"can only merge CampaignStats; got {other!r}")
        prices = dict(self._prices)
        for unit, (n, total) in other._prices.items():
            a.add_price(prices, unit, n, total)
        return CampaignStats(
            _summed(self._by_duration, other._by_duration),
            _summed(self._by_attempt, other._by_attempt),
            _summed(self._by_block, other._by_block),
            prices,
            _summed(self._by_contact, other._by_contact),
            _summed(self._goals, other._goals),
            _summed(self._by_contact_attempt, other._by_contact_attempt),
            _summed(self._unknown, other._unknown),
        )

    def __add__(self, other: CampaignStats) -> CampaignStats:
        if not isinstance(other, CampaignStats):
            return NotImplemented
        return self.merge(other)

    def negated(self) -> CampaignStats:
        """Every count with its sign flipped, so that ``a.merge(b).merge(b.negated()) == a``:
        how `remove_call` and the ``replace_*`` updates take a record back out."""
        return CampaignStats(
            {k: -v for k, v in self._by_duration.items()},
            {k: -v for k, v in self._by_attempt.items()},
            {k: -v for k, v in self._by_block.items()},
            {u: (-n, a.EXACT.minus(total)) for u, (n, total) in self._prices.items()},
            {k: -v for k, v in self._by_contact.items()},
            {k: -v for k, v in self._goals.items()},
            {k: -v for k, v in self._by_contact_attempt.items()},
            {k: -v for k, v in self._unknown.items()},
        )

    def add_call(self, call: Call) -> CampaignStats:
        """These stats with one more call (a finished attempt, or a live one)."""
        return self.merge(CampaignStats.from_records(calls=(call,)))

    def remove_call(self, call: Call) -> CampaignStats:
        """These stats without ``call`` (which must have been added)."""
        return self.merge(CampaignStats.from_records(calls=(call,)).negated())

    def replace_call(self, before: Call, after: Call) -> CampaignStats:
        """These stats with ``before`` replaced by ``after`` (a call's status changed)."""
        delta = CampaignStats.from_records(calls=(after,)).merge(
            CampaignStats.from_records(calls=(before,)).negated()
        )
        return self.merge(delta)

    def add_contact(self, contact: Contact) -> CampaignStats:
        """These stats with one more contact."""
        return self.merge(CampaignStats.from_records(contacts=(contact,)))

    def remove_contact(self, contact: Contact) -> CampaignStats:
        """These stats without ``contact`` (which must have been added)."""
        return self.merge(CampaignStats.from_records(contacts=(contact,)).negated())

    def replace_contact(self, before: Contact, after: Contact) -> CampaignStats:
        """These stats with ``before`` replaced by ``after``: the event-by-event update
        when a reducer returns a new contact record."""
        delta = CampaignStats.from_records(contacts=(after,)).merge(
            CampaignStats.from_records(contacts=(before,)).negated()
        )
        return self.merge(delta)

    @classmethod
    def from_calls(cls, calls: Iterable[Call]) -> CampaignStats:
        """Stats of call records alone (CDRs, call exports, call logs), contacts included.

        Each distinct contact id (the destination number where the export has no
        contact id) is one contact, its final state its last attempt's outcome (see
        `contacts_from_calls`), so seed 001's 2,500 numbers with 1,875 reached give a
        75% connect rate. Figures calls cannot give - pending contacts, conversion,
        extracted data - are unknown (None, shown as ``-``, see `unknown`), never 0.
        """
        # One pass with bounded state (issue 15): per contact one packed int (its latest
        # attempt and its number of calls), not the calls nor a Contact record; ``calls``
        # may be a stream of any length.
        by_duration: dict[int, int] = {}
        by_attempt: dict[int, int] = {}
        by_block: dict[int, int] = {}
        prices: dict[str | None, tuple[int, Decimal]] = {}
        by_contact: dict[int, int] = {}
        by_contact_attempt: dict[str | tuple[str, int], int] = {}
        last: dict[str, int] = {}
        a.count_calls(calls, by_duration, by_attempt, by_block, prices, by_contact_attempt, last)
        count_last_attempts(last, by_contact)
        del last
        stats = cls(
            FrozenMap.adopt(by_duration),
            FrozenMap.adopt(by_attempt),
            FrozenMap.adopt(by_block),
            FrozenMap.adopt(prices),
            FrozenMap.adopt(by_contact),
            FrozenMap(),
            FrozenMap.adopt(by_contact_attempt),
        )
        return stats.with_unknown(v.CALLS_ONLY)

    def with_unknown(self, reasons: Mapping[str, str]) -> CampaignStats:
        """These stats with the figures in ``reasons`` marked unknown, each with why.

        A figure marked unknown reads as None (``-`` in tables) instead of a misleading
        0: ``pending``, ``conversion_rate``, ``extracted_rate`` and ``abandonment_rate``
        can be marked, e.g. when the input does not carry them or a simulation does not
        model them. Marks survive `merge` (one unknown part makes the whole unknown) and
        go with `negated`. Raises `InvalidConfig` for another figure or an empty reason.
        """
        if not isinstance(reasons, Mapping):
            raise InvalidConfig("reasons", "a mapping of figure name to reason", reasons)
        marks: dict[tuple[str, str], int] = {}
        for figure, why in reasons.items():
            if figure not in v.UNKNOWABLE:
                raise InvalidConfig(
                    "reasons", f"figures among {', '.join(sorted(v.UNKNOWABLE))}", figure
                )
            if not isinstance(why, str) or not why.strip():
                raise InvalidConfig(f"reasons[{figure!r}]", "a non-empty reason", why)
            marks[(figure, why.strip())] = 1
        return self.merge(CampaignStats(unknown=marks))

    @property
    def unknown(self) -> dict[str, str]:
        """The figures that are unknown, each with why (reasons of merged parts joined)."""
        reasons: dict[str, list[str]] = {}
        for (figure, why), n in sorted(self._unknown.items()):
            if n > 0:
                reasons.setdefault(figure, []).append(why)
        return {figure: "; ".join(whys) for figure, whys in reasons.items()}

    def _is_unknown(self, figure: str) -> bool:
        return any(n > 0 and f == figure for (f, _), n in self._unknown.items())

    def add_goal(
        self, result: GoalResult | GoalOutcome | str, *, primary: bool = True
    ) -> CampaignStats:
        """These stats with one more goal result (see `GOAL_RESULTS`).

        Raises `InvalidInput` for an unknown result.
        """
        return self.merge(CampaignStats.from_records(goals=((result, primary),)))

    # ------------------------------------------------------------------ decoding

    def _outcome_totals(self) -> dict[int, int]:
        """Calls by call code."""
        totals: dict[int, int] = {}
        for key, n in self._by_attempt.items():
            code = key % _CC
            totals[code] = totals.get(code, 0) + n
        return totals

    def _calls_where(self, test: Any) -> int:
        return sum(
            n for code, n in self._outcome_totals().items() if test(*c.split_call_code(code))
        )

    def _contacts_by_status(self) -> dict[ContactStatus, int]:
        counts = dict.fromkeys(ContactStatus, 0)
        for key, n in self._by_contact.items():
            status, _, _ = c.split_contact_code(key % _KC)
            counts[status] += n
        return counts

    def _contacts_where(self, test: Any) -> int:
        total = 0
        for key, n in self._by_contact.items():
            attempts, code = divmod(key, _KC)
            if test(attempts, *c.split_contact_code(code)):
                total += n
        return total

    # ------------------------------------------------------------------ contacts (Exotel)

    @property
    def contacts(self) -> int:
        """Contacts counted (Exotel ``created``)."""
        return sum(self._by_contact.values())

    @property
    def counts(self) -> CampaignCounts:
        """Exotel's stats object (seed 001) as the engine's `CampaignCounts` - the very
        type ``CampaignRunner.counts`` and the stores return: created, completed,
        failed, pending, in_progress, busy, no_answer; the last six add up to created.

        Every count is a count of the contacts the input holds. When the input cannot
        show some contacts - stats built from call records alone never see the contacts
        nobody dialled - ``"pending" in stats.unknown`` says so: ``counts.pending`` then
        counts only the contacts the calls show (0 for a CDR export), `summary` shows
        pending as None (``-``) and `counts_table` leaves the row out.

        Raises `InvalidInput` for stats holding a negative count - a `negated` part
        read on its own, before it is merged back.
        """
        fields = dict.fromkeys(CONTACT_BUCKETS, 0)
        for key, n in self._by_contact.items():
            status, last, _ = c.split_contact_code(key % _KC)
            fields[bucket_of(status, last)] += n  # the engine's rule (contact_bucket)
        return CampaignCounts(created=sum(fields.values()), **fields)

    def counts_table(self) -> Breakdown:
        """`counts` as a notebook table (`metrics.tables.counts_table`): contacts and
        share per bucket, the buckets marked unknown (`unknown`) left out."""
        return counts_table(self.counts, unknown=self.unknown)

    @property
    def connect_rate(self) -> float:
        """Exotel: completed / created (seed 001; healthy 40-70%); `CampaignCounts.connect_rate`."""
        return self.counts.connect_rate

    @property
    def answer_rate(self) -> float:
        """Exotel: completed / (completed + no_answer + busy) (seed 001; healthy 50-80%);
        `CampaignCounts.answer_rate`."""
        return self.counts.answer_rate

    @property
    def failure_rate(self) -> float:
        """Exotel: failed / created (seed 001; healthy below 15%); `CampaignCounts.failure_rate`."""
        return self.counts.failure_rate

    def health(self) -> HealthReport:
        """Seed 001's connect, answer, failure and retry-success rates against their
        healthy ranges (see `campaign_health`); the retry success rate comes from the
        calls and is unknown when no contact was retried."""
        _, _, _, retried = self._retry_counts(1)
        return HealthReport(
            (
                *campaign_health(self.counts).checks[:3],
                retry_check(
                    self.retry_success_rate if retried else None,
                    "no contact was retried (or there are no call records)",
                ),
            )
        )

    # ------------------------------------------------------------------ contacts (Altur, itellico)

    @property
    def reach(self) -> int:
        """Altur's reach (seed 000): contacts answered or converted (calls), delivered,
        accepted, read or converted (WhatsApp)."""
        by_status = self._contacts_by_status()
        return sum(by_status[s] for s in v.REACHED)

    @property
    def reach_rate(self) -> float:
        """reach / contacts."""
        return ratio(self.reach, self.contacts)

    @property
    def converted(self) -> int | None:
        """Contacts in status converted (Altur, seed 000); None when unknown (the input
        does not say, see `unknown`)."""
        if self._is_unknown("conversion_rate"):
            return None
        return self._contacts_by_status()[ContactStatus.CONVERTED]

    @property
    def conversion_rate(self) -> float | None:
        """converted / contacts (Altur, seed 000); None when unknown."""
        converted = self.converted
        return None if converted is None else ratio(converted, self.contacts)

    @property
    def with_extracted(self) -> int | None:
        """Contacts with extracted data: the rows of Altur's results export (seed 000);
        None when unknown."""
        if self._is_unknown("extracted_rate"):
            return None
        return self._contacts_where(lambda attempts, status, last, extracted: extracted)

    @property
    def extracted_rate(self) -> float | None:
        """with_extracted / contacts: conversion measured on the results export; None
        when unknown."""
        extracted = self.with_extracted
        return None if extracted is None else ratio(extracted, self.contacts)

    def status_breakdown(self, vendor: str = "canonical") -> Breakdown:
        """Contacts by status: ``canonical`` labels, or as ``altur`` (seed 000) or
        ``itellico`` (seed 002: pending, dialing, called, retry, completed, failed, no
        conversation) show them; statuses a vendor lacks count as ``other``.

        Raises `InvalidConfig` for another vendor.
        """
        labels, label_of = v.breakdown(vendor)
        counts = dict.fromkeys(labels, 0)
        for status, n in self._contacts_by_status().items():
            counts[label_of(status)] += n
        return Breakdown(
            f"Contacts by status ({vendor})", tuple(counts.items()), self.contacts, "contacts"
        )

    @property
    def attempted(self) -> int:
        """Contacts with at least one attempt."""
        return self._contacts_where(lambda attempts, *_: attempts > 0)

    @property
    def penetration(self) -> float:
        """List penetration: contacts attempted / contacts, in [0, 1]."""
        return ratio(self.attempted, self.contacts)

    @property
    def saturation(self) -> float:
        """List saturation: attempts / contacts (attempts per contact, >= 0; not capped at 1)."""
        attempts = sum((key // _KC) * n for key, n in self._by_contact.items())
        return ratio(attempts, self.contacts)

    def goal_achievement(self) -> GoalAchievement:
        """itellico's goal analysis (seed 002): results of the primary and secondary goals."""
        return GoalAchievement(
            primary=tuple((r, self._goals.get((True, r), 0)) for r in GOAL_RESULTS),
            secondary=tuple((r, self._goals.get((False, r), 0)) for r in GOAL_RESULTS),
        )

    # ------------------------------------------------------------------ calls

    @property
    def calls(self) -> int:
        """Call attempts counted, live ones included."""
        return sum(self._by_attempt.values())

    @property
    def finished_calls(self) -> int:
        """Calls with an outcome (no longer live)."""
        return self._calls_where(lambda outcome, ab, explicit: outcome is not None)

    @property
    def connected_calls(self) -> int:
        """Calls the carrier connected (Exotel ``completed``: a person or machine answered)."""
        return self._calls_where(
            lambda outcome, ab, explicit: outcome is not None and outcome.connected
        )

    @property
    def human_answered_calls(self) -> int:
        """Calls a person answered."""
        return self._calls_where(
            lambda outcome, ab, explicit: outcome is not None and outcome.human_answered
        )

    def outcome_counts(self) -> Breakdown:
        """Calls by outcome (``live`` for calls without one yet)."""
        counts = {("live" if o is None else o.value): 0 for o in c.OUTCOMES}
        for code, n in self._outcome_totals().items():
            outcome, _, _ = c.split_call_code(code)
            counts["live" if outcome is None else outcome.value] += n
        return Breakdown("Calls by outcome", tuple(counts.items()), self.calls, "calls")

    def answer_status_rates(self) -> Breakdown:
        """itellico's answer-status rates (seed 002): human, machine, no answer (busy
        included), rejection, and other (failed, canceled, silent), over finished calls."""
        from ..dialects import itellico  # the vendor's vocabulary, loaded on use

        counts = dict.fromkeys(itellico.ANSWER_STATUSES, 0)
        for code, n in self._outcome_totals().items():
            outcome, ab, _ = c.split_call_code(code)
            if outcome is not None:
                counts[itellico.answer_status(outcome, ab)] += n
        return Breakdown(
            "Answer-status rates", tuple(counts.items()), self.finished_calls, "finished calls"
        )

    def _per_attempt(self) -> dict[int, list[int]]:
        """attempt -> [calls, connected, human answered]."""
        table: dict[int, list[int]] = {}
        for key, n in self._by_attempt.items():
            attempt, code = divmod(key, _CC)
            row = table.setdefault(attempt, [0, 0, 0])
            row[0] += n
            if c.CONNECTED[code]:
                row[1] += n
            if c.HUMAN[code]:
                row[2] += n
        return table

    def _retry_counts(self, level: int) -> tuple[dict[int, list[int]], int, int, int]:
        """({attempt: [contacts not reached before it, contacts first reached by it]},
        distinct contacts, contacts reached at least once, contacts retried unreached).

        ``level`` 1 counts a contact reached when a call connected, 2 when a person
        answered. Two passes over the packed counts by (contact, attempt) (see
        ``_codes.REACH``): the first attempt that reached each contact, then the rows;
        computed once per level (the record is immutable), copies returned.
        """
        key = ("retry", level)
        held = self._memo.get(key)
        if held is None:
            held = self._memo[key] = self._count_retries(level)
        rows, contacts, reached, retried = held
        return {attempt: list(row) for attempt, row in rows.items()}, contacts, reached, retried

    def _count_retries(self, level: int) -> tuple[dict[int, list[int]], int, int, int]:
        first: dict[str, int] = {}  # contact -> the first attempt that reached it
        get = first.get
        shift = c.REACH_SHIFT * level
        mask = c.REACH_MASK
        # A count below 1 only occurs in the middle of taking records back out.
        split = a.contact_attempt
        pairs = [split(key) for key, packed in self._by_contact_attempt.items() if packed > 0]
        for key, packed in self._by_contact_attempt.items():
            if packed > 0 and (packed >> shift) & mask:
                contact, attempt = split(key)
                held = get(contact)
                if held is None or attempt < held:
                    first[contact] = attempt
        tried: dict[int, int] = {}
        tried_get = tried.get
        retried: set[str] = set()
        for contact, attempt in pairs:
            reached_at = get(contact)
            if reached_at is None or attempt <= reached_at:
                tried[attempt] = tried_get(attempt, 0) + 1
                if attempt > 1:
                    retried.add(contact)
        rows = {attempt: [n, 0] for attempt, n in tried.items()}
        for attempt in first.values():
            rows[attempt][1] += 1
        contacts = {contact for contact, _ in pairs}
        return rows, len(contacts), len(first), len(retried)

    @property
    def retry_success_rate(self) -> float:
        """Exotel: completed on retries / total retried (seed 001; healthy 20-40%), in contacts.

        Contacts first reached (connected) by a retry, over contacts retried while
        still unreached: seed 001's 375 / 1,000. A contact counts once however many
        of its calls connected, so the rate lies in [0, 1]. 0.0 without retries.
        """
        rows, _, _, retried = self._retry_counts(1)
        on_retries = sum(row[1] for attempt, row in rows.items() if attempt > 1)
        return ratio(on_retries, retried)

    @property
    def total_duration(self) -> int:
        """Sum of call durations, in seconds."""
        return sum((key // _CC) * n for key, n in self._by_duration.items())

    @property
    def average_call_duration(self) -> float:
        """Exotel: sum of durations / completed (connected) calls, in seconds (seed 001)."""
        return ratio(self.total_duration, self.connected_calls)

    @property
    def average_attempts_to_connect(self) -> float:
        """Exotel: sum of attempt_number over completed calls / completed calls (seed 001)."""
        table = self._per_attempt()
        connected = sum(row[1] for row in table.values())
        return ratio(sum(attempt * row[1] for attempt, row in table.items()), connected)

    def reported_cost(self, unit: str | None = None) -> Decimal:
        """The sum of the calls' reported ``price`` in ``unit`` (all units when None, which
        only makes sense when there is one). ``Decimal(0)`` without prices."""
        result = a.ZERO
        for u, (_, total) in self._prices.items():
            if unit is None or u == unit:
                result = a.EXACT.add(result, total)
        return result

    @property
    def price_units(self) -> tuple[str | None, ...]:
        """The units of the reported prices (None for prices without a unit)."""
        return tuple(sorted(self._prices, key=lambda u: (u is not None, u or "")))

    def _histogram(self) -> dict[tuple[Outcome | None, AnsweredBy | None], dict[int, int]]:
        groups: dict[tuple[Outcome | None, AnsweredBy | None], dict[int, int]] = {}
        for key, n in self._by_duration.items():
            duration, code = divmod(key, _CC)
            outcome, ab, _ = c.split_call_code(code)
            group = groups.setdefault((outcome, ab), {})
            group[duration] = group.get(duration, 0) + n
        return groups

    def billed_seconds(self, billing: BillingPolicy | None = None) -> int:
        """Billed seconds of all calls under ``billing`` (default `BillingPolicy.altur`)."""
        return self.cost_audit(billing).total.billed_seconds

    def time_spent(self) -> int:
        """thinkrr's Total Time Spent (seed 003): seconds of connected calls (Completed, No
        Answer, No Message, Left Message, ...), never Issue Dialing or Failed."""
        return self.billed_seconds(BillingPolicy.thinkrr())

    def cost(self, billing: BillingPolicy | None = None) -> Decimal:
        """What all calls cost under ``billing`` (default `BillingPolicy.altur`)."""
        return self.cost_audit(billing).total.cost

    def cost_per_connected_contact(self, billing: BillingPolicy | None = None) -> Decimal:
        """Exotel: total campaign cost / completed calls (seed 001).

        The cost is the sum of reported prices when ``billing`` is None, else the cost
        under ``billing``. ``Decimal(0)`` when no call connected.
        """
        total = self.reported_cost() if billing is None else self.cost(billing)
        connected = self.connected_calls
        return total / connected if connected else a.ZERO

    def cost_audit(
        self, billing: BillingPolicy | None = None, *, detail: bool = False
    ) -> CostAudit:
        """Altur best practice 3 (seed 000): billed duration and cost summed by answered-by.

        Rows are human, machine, unknown and not-detected; ``detail=True`` keeps
        Twilio's machine and fax detail. ``billing`` defaults to `BillingPolicy.altur`.
        """
        policy = BillingPolicy.altur() if billing is None else billing
        rows: dict[str, list[int]] = {}
        order = (
            [a.value for a in AnsweredBy]
            if detail
            else [AnsweredBy.HUMAN.value, AnsweredBy.MACHINE.value, AnsweredBy.UNKNOWN.value]
        )
        for name in [*order, "not-detected"]:
            rows[name] = [0, 0, 0, 0]
        for (outcome, ab), durations in self._histogram().items():
            name = "not-detected" if ab is None else (ab.value if detail else ab.coarse.value)
            row = rows[name]
            for duration, n in durations.items():
                billed = policy.billed_seconds_for(outcome, ab, duration)
                row[0] += n
                row[1] += duration * n
                row[2] += billed * n
                row[3] += policy.billed_units_for(outcome, ab, duration) * n
        price = policy.price_per_increment
        cost_rows = tuple(
            CostRow(name, calls, duration, billed, units, units * price)
            for name, (calls, duration, billed, units) in rows.items()
        )
        total = CostRow(
            "total",
            sum(r.calls for r in cost_rows),
            sum(r.duration_seconds for r in cost_rows),
            sum(r.billed_seconds for r in cost_rows),
            sum(r.units for r in cost_rows),
            sum((r.cost for r in cost_rows), a.ZERO),
        )
        return CostAudit(policy, cost_rows, total)

    @property
    def abandonment_rate(self) -> float | None:
        """Hang-ups (thinkrr *User Hung Up*) / human-answered calls, where the data has it.

        Carrier statuses cannot tell a hang-up from a conversation, so this is None
        unless some call carries an explicit outcome (from a dialect or conversation
        analysis), and None when marked unknown (`with_unknown`); otherwise a rate in
        [0, 1], 0.0 without human-answered calls.
        """
        totals = self._outcome_totals()
        if self._is_unknown("abandonment_rate") or not any(
            c.split_call_code(code)[2] for code in totals
        ):
            return None
        hung_up = self._calls_where(lambda outcome, ab, explicit: outcome is Outcome.HUNG_UP)
        return ratio(hung_up, self.human_answered_calls)

    # ------------------------------------------------------------------ tables

    def retry_effectiveness(
        self, *, threshold: float = 0.10, success: str = "connected"
    ) -> RetryTable:
        """Exotel's retry table (seed 001); see `retry_effectiveness`."""
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0 <= threshold <= 1
        ):
            raise InvalidConfig("threshold", "a rate from 0 to 1", threshold)
        if success not in ("connected", "human"):
            raise InvalidConfig("success", "'connected' or 'human'", success)
        table, contacts, connected, _ = self._retry_counts(1 if success == "connected" else 2)
        rows = []
        for attempt in sorted(table):
            tried, hits = table[attempt]
            rate = ratio(hits, tried)
            rows.append(
                RetryRow(
                    attempt,
                    v.attempt_label(attempt),
                    tried,
                    hits,
                    rate,
                    None if attempt == 1 else rate >= threshold,
                )
            )
        total = RetryRow(None, "Total", contacts, connected, ratio(connected, contacts), None)
        return RetryTable(tuple(rows), total, float(threshold))

    def _slots(self, timezone: str | tzinfo) -> tuple[str, dict[tuple[int, int], list[int]]]:
        """(zone name, {(weekday, hour): [calls, connected, human]})."""
        name, zone = v.zone(timezone)
        slots: dict[tuple[int, int], list[int]] = {}
        places: dict[int, list[int]] = {}
        connected, human = c.CONNECTED, c.HUMAN
        for key, n in self._by_block.items():
            block, code = divmod(key, _CC)
            row = places.get(block)
            if row is None:
                place = c.local_slot(block, zone)
                row = places[block] = slots.setdefault(place, [0, 0, 0])
            row[0] += n
            if connected[code]:
                row[1] += n
                if human[code]:
                    row[2] += n
        return name, slots

    def best_time_to_call(self, timezone: str | tzinfo = "UTC", *, top: int = 3) -> HourTable:
        """Exotel's best time to call (seed 001): calls grouped by local hour (the hour
        each call was placed), connect rate per hour, and the ``top`` peak hours.

        Raises `InvalidInput` for an unknown time zone.
        """
        name, slots = self._slots(timezone)
        calls = [0] * 24
        connected = [0] * 24
        for (_, hour), row in slots.items():
            calls[hour] += row[0]
            connected[hour] += row[1]
        return HourTable(name, tuple(calls), tuple(connected), top)

    def heatmap(self, timezone: str | tzinfo = "UTC", *, measure: str = "human") -> Heatmap:
        """itellico's heatmap (seed 002); see `heatmap`."""
        index = {"calls": 0, "connected": 1, "human": 2}.get(measure)
        if index is None:
            raise InvalidConfig("measure", "'human', 'connected' or 'calls'", measure)
        name, slots = self._slots(timezone)
        counts = [[0] * 24 for _ in range(7)]
        calls = [[0] * 24 for _ in range(7)]
        for (weekday, hour), row in slots.items():
            counts[weekday][hour] += row[index]
            calls[weekday][hour] += row[0]
        return Heatmap(name, measure, tuple(map(tuple, counts)), tuple(map(tuple, calls)))

    # ------------------------------------------------------------------ notebooks

    def summary(self, billing: BillingPolicy | None = None) -> Summary:
        """Every headline figure with its formula and source seed."""
        k = self.counts
        unknown = self.unknown
        figures: list[tuple[str, Cell, str, str]] = [
            ("created", k.created, "contacts", "001 Exotel"),
            ("completed", k.completed, "contacts reached", "001 Exotel"),
            ("failed", k.failed, "not reached (busy / no answer apart)", "001 Exotel"),
            ("pending", None if "pending" in unknown else k.pending, "waiting", "001 Exotel"),
            ("in_progress", k.in_progress, "attempt under way", "001 Exotel"),
            ("busy", k.busy, "last attempt busy", "001 Exotel"),
            ("no_answer", k.no_answer, "last attempt not answered", "001 Exotel"),
            ("connect_rate", self.connect_rate, rate_formula("connect_rate"), "001 Exotel"),
            ("answer_rate", self.answer_rate, rate_formula("answer_rate"), "001 Exotel"),
            ("failure_rate", self.failure_rate, rate_formula("failure_rate"), "001 Exotel"),
            (
                "retry_success_rate",
                self.retry_success_rate,
                "connected on retries / contacts retried",
                "001 Exotel",
            ),
            (
                "average_call_duration",
                self.average_call_duration,
                "sum of durations / connected calls (s)",
                "001 Exotel",
            ),
            (
                "cost_per_connected_contact",
                self.cost_per_connected_contact(billing),
                "total cost / connected calls",
                "001 Exotel",
            ),
            (
                "average_attempts_to_connect",
                self.average_attempts_to_connect,
                "sum of attempt over connected / connected",
                "001 Exotel",
            ),
            ("reach_rate", self.reach_rate, "reached contacts / contacts", "000 Altur"),
            ("conversion_rate", self.conversion_rate, "converted / contacts", "000 Altur"),
            ("extracted_rate", self.extracted_rate, "with extracted data / contacts", "000 Altur"),
            (
                "billed_duration",
                format_duration(self.billed_seconds(billing)),
                "sum of billed seconds",
                "000 Altur",
            ),
            ("time_spent", format_duration(self.time_spent()), "connected calls", "003 thinkrr"),
            ("penetration_rate", self.penetration, "attempted / contacts", "list penetration"),
            ("saturation", self.saturation, "attempts / contacts", "list saturation"),
            (
                "abandonment_rate",
                self.abandonment_rate,
                "hung up / human answered",
                "003 thinkrr outcomes",
            ),
        ]
        notes = self.unknown
        if self.abandonment_rate is None and "abandonment_rate" not in notes:
            notes["abandonment_rate"] = v.NO_EXPLICIT_OUTCOME
        return Summary(
            tuple(figures),
            tuple((name, notes[name]) for name, value, _, _ in figures if value is None),
        )

    def to_records(self) -> list[dict[str, Cell]]:
        """The `summary` figures, one dict per metric; ``pandas.DataFrame`` accepts it."""
        return self.summary().to_records()

    def to_columns(self) -> dict[str, list[Cell]]:
        """The `summary` figures, one list per column; ``pandas.DataFrame`` accepts it.
        (Before issue 18 this was ``to_dict()``.)"""
        return self.summary().to_columns()

    def to_dict(self) -> JSONObject:
        """The counts as JSON types - the reversible form, to store between events;
        `from_dict` reads them back exactly (``from_dict(to_dict(s)) == s``).

        Issue 18 gave ``to_dict`` one meaning across campaignkit, a record's reversible
        JSON form: this is what ``to_state()`` returned, and the summary columns it
        returned before are `to_columns`.
        """
        return {
            "by_duration": sorted(map(list, self._by_duration.items())),
            "by_attempt": sorted(map(list, self._by_attempt.items())),
            "by_block": sorted(map(list, self._by_block.items())),
            "prices": [[u, n, str(t)] for u, (n, t) in self._prices.items()],
            "by_contact": sorted(map(list, self._by_contact.items())),
            "goals": [[p, r, n] for (p, r), n in self._goals.items()],
            "by_contact_attempt": sorted(
                [*a.contact_attempt(key), n] for key, n in self._by_contact_attempt.items()
            ),
            "unknown": sorted([f, why, n] for (f, why), n in self._unknown.items()),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CampaignStats:
        """Stats from `to_dict` output; raises `InvalidInput` for malformed data."""
        if not isinstance(data, Mapping):
            raise InvalidInput(f"not a CampaignStats dict: {data!r}")
        # Each entry's shape is checked below as it is unpacked (a wrong one raises
        # TypeError or ValueError, reported as InvalidInput).
        state: Mapping[str, Any] = data
        try:
            return cls(
                _int_counts(state["by_duration"]),
                _int_counts(state["by_attempt"]),
                _int_counts(state["by_block"]),
                {u: (int(n), Decimal(t)) for u, n, t in state["prices"]},
                _int_counts(state["by_contact"]),
                {(bool(p), v.goal_label(r)): int(n) for p, r, n in state["goals"]},
                {
                    a.contact_attempt_key(_text(k), _attempt(t)): _int(n)
                    for k, t, n in state["by_contact_attempt"]
                },
                {(_figure(f), _text(why)): _int(n) for f, why, n in state.get("unknown", ())},
            )
        except (KeyError, TypeError, ValueError, decimal.InvalidOperation) as exc:
            raise InvalidInput(f"not a CampaignStats dict: {exc!r}") from None

    def to_state(self) -> JSONObject:
        """Deprecated name of `to_dict` (issue 18: one meaning of ``to_dict``); warns with
        a `DeprecationWarning` and goes in the next release."""
        warnings.warn(
            "CampaignStats.to_state() is deprecated: use to_dict() (the same reversible "
            "form); to_state goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.to_dict()

    @classmethod
    def from_state(cls, state: Mapping[str, object]) -> CampaignStats:
        """Deprecated name of `from_dict`; warns with a `DeprecationWarning` and goes in
        the next release. Raises `InvalidInput` for malformed data."""
        warnings.warn(
            "CampaignStats.from_state() is deprecated: use from_dict() (it reads the same "
            "data); from_state goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return cls.from_dict(state)

    def __repr__(self) -> str:
        return (
            f"CampaignStats(contacts={self.contacts:,}, calls={self.calls:,}, "
            f"connected_calls={self.connected_calls:,}, "
            f"connect_rate={cell_text(self.connect_rate, 'rate')}, "
            f"answer_rate={cell_text(self.answer_rate, 'rate')}, "
            f"reach_rate={cell_text(self.reach_rate, 'rate')})"
        )

    def _repr_html_(self) -> str:
        summary = self.summary()
        rows = summary._cells()
        return html_table(
            "CampaignStats",
            ["metric", "value", "formula", "source"],
            rows,
            notes=summary._notes(),
        )

    def __str__(self) -> str:
        summary = self.summary()
        table = text_table(
            "CampaignStats", ["metric", "value", "formula", "source"], summary._cells()
        )
        return "\n".join([table, *summary._notes()])


def _int_counts(pairs: Iterable[Any]) -> dict[int, int]:
    """Integer keys (never negative) to integer counts, from ``[key, count]`` pairs."""
    counts: dict[int, int] = {}
    for key, count in pairs:
        if type(key) is not int or type(count) is not int or key < 0:
            raise ValueError(f"bad count entry {[key, count]!r}")
        counts[key] = count
    return counts


def _text(value: Any) -> str:
    if type(value) is not str:
        raise ValueError(f"expected a string; got {value!r}")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError(f"expected an integer; got {value!r}")
    return value


def _attempt(value: Any) -> int:
    if _int(value) < 1:
        raise ValueError(f"expected an attempt number; got {value!r}")
    return int(value)


def _figure(name: Any) -> str:
    if name not in v.UNKNOWABLE:
        raise ValueError(f"not a figure that can be unknown: {name!r}")
    return str(name)


def _summed(mine: FrozenMap[Any, int], theirs: FrozenMap[Any, int]) -> FrozenMap[Any, int]:
    """Counts of both maps added key by key (zeros dropped), copying the larger one."""
    if not theirs:
        return mine
    if not mine:
        return theirs
    big, small = (mine, theirs) if len(mine) >= len(theirs) else (theirs, mine)
    out = dict(big)
    a.add_into(out, small)
    return FrozenMap(out)


def _source(source: CampaignStats | Iterable[Call]) -> CampaignStats:
    if isinstance(source, CampaignStats):
        return source
    return CampaignStats.from_records(calls=source)


def retry_effectiveness(
    source: CampaignStats | Iterable[Call], *, threshold: float = 0.10, success: str = "connected"
) -> RetryTable:
    """Exotel's retry-effectiveness table (seed 001) of ``source`` (stats, or calls).

    One row per attempt number (contacts = calls with that number, connected,
    connect rate) and a total row (contacts of the first attempt, all connected).
    A retry whose connect rate is below ``threshold`` (default 0.10) is flagged
    not cost-effective, with the seed's advice. ``success`` is ``connected`` (a
    person or a machine answered, Exotel's *completed*) or ``human``.
    Raises `InvalidConfig` for a threshold outside [0, 1] or another ``success``.
    """
    return _source(source).retry_effectiveness(threshold=threshold, success=success)


def heatmap(
    source: CampaignStats | Iterable[Call],
    *,
    timezone: str | tzinfo = "UTC",
    measure: str = "human",
) -> Heatmap:
    """itellico's heatmap (seed 002): human answers (or ``connected`` calls, or ``calls``)
    by weekday and hour of the time each call was placed, in ``timezone``.

    Raises `InvalidInput` for an unknown time zone and `InvalidConfig` for another measure.
    """
    return _source(source).heatmap(timezone, measure=measure)


def cost_audit(
    source: CampaignStats | Iterable[Call],
    billing: BillingPolicy | None = None,
    *,
    detail: bool = False,
) -> CostAudit:
    """Altur's cost audit (seed 000): billed duration and cost by answered-by, under
    ``billing`` (default `BillingPolicy.altur`)."""
    return _source(source).cost_audit(billing, detail=detail)
