"""The single pass: counting calls and contacts into int-keyed dicts.

Written for speed (see ``_codes`` for the packing, and `CampaignStats` for what
each dict holds): one iteration per record, a handful of dict updates keyed by
plain ints, locals for everything looked up in the loop.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..models.records import Call, Contact
from . import _codes as c

EXACT = decimal.Context(prec=1000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
"""Sums of prices are exact to 1,000 significant digits (not rounded to the default
28), so merging partitions in any grouping gives the same total."""
ZERO = Decimal(0)


def add_into(target: dict[Any, Any], source: Mapping[Any, Any]) -> None:
    """Add ``source``'s counts into ``target``, dropping keys that reach zero."""
    get = target.get
    for key, value in source.items():
        total = get(key, 0) + value
        if total:
            target[key] = total
        else:
            target.pop(key, None)


def count_calls(
    calls: Iterable[Call],
    by_duration: dict[int, int],
    by_attempt: dict[int, int],
    by_block: dict[int, int],
    prices: dict[str | None, tuple[int, Decimal]],
    by_contact_attempt: dict[str | tuple[str, int], int],
    last: dict[str, int] | None = None,
) -> None:
    """The single pass over calls: one iteration, a handful of int-keyed dict updates.

    Written for speed; see the module docstring for what each dict holds.
    ``by_contact_attempt`` holds, by (contact, attempt), the packed counts of calls,
    connected and human-answered calls (``_codes.REACH``): what the retry table needs
    to count contacts rather than calls (seed 001); a first attempt is keyed by the
    contact alone (`contact_attempt` reads both forms), which saves a tuple per
    contact at a million calls. With ``last``, each contact's
    latest attempt is kept too, as one packed int (see `pack_last`): what a call
    export's contacts are rebuilt from, without keeping the calls.
    """
    classified = c.CLASSIFIED
    reach = c.REACH
    get_c = by_contact_attempt.get
    explicit = c.EXPLICIT
    get_d = by_duration.get
    get_a = by_attempt.get
    get_b = by_block.get
    cc = c.CALL_CODES
    get_l = (last if last is not None else {}).get
    index = 0
    unit: str | None = None
    n_priced = 0
    total = ZERO
    with decimal.localcontext(EXACT):
        for call in calls:
            outcome = call.outcome
            answered_by = call.answered_by
            if outcome is None:
                code = classified[(call.status, answered_by)]
            else:
                code = explicit[(outcome._value_, answered_by)]
            key = call.duration * cc + code
            by_duration[key] = get_d(key, 0) + 1
            key = call.attempt * cc + code
            by_attempt[key] = get_a(key, 0) + 1
            attempt = call.attempt
            pair = call.contact_id if attempt == 1 else (call.contact_id, attempt)
            had = get_c(pair)
            # A first call stores the shared REACH int itself, not a fresh equal one
            # (~30 bytes a (contact, attempt) at a million calls).
            by_contact_attempt[pair] = reach[code] if had is None else had + reach[code]
            moment = call.created_at or call.started_at or call.ended_at
            if moment is not None:
                key = (moment.toordinal() * 96 + moment.hour * 4 + moment.minute // 15) * cc + code
                by_block[key] = get_b(key, 0) + 1
            if last is not None:
                # The rank of calls_from's contacts_from_calls, packed: attempt, then
                # timed after untimed, then the time placed, then input order.
                if moment is None:
                    rank = (call.attempt << 1) << _STAMP_BITS
                else:
                    rank = ((call.attempt << 1) | 1) << _STAMP_BITS | (
                        (moment - _ORIGIN) // _MICROSECOND
                    )
                rank = (rank << _INDEX_BITS | index) << _TAIL_BITS | code << _COUNT_BITS
                contact = call.contact_id
                held = get_l(contact)
                if held is None:
                    last[contact] = rank | 1
                elif rank >> _TAIL_BITS > held >> _TAIL_BITS:
                    last[contact] = rank | ((held & _COUNT_MASK) + 1)
                else:
                    last[contact] = held + 1
                index += 1
            price = call.price
            if price is not None:
                if call.price_unit != unit:
                    if n_priced:
                        add_price(prices, unit, n_priced, total)
                    unit, n_priced, total = call.price_unit, 0, ZERO
                n_priced += 1
                total += price
        if n_priced:
            add_price(prices, unit, n_priced, total)


# A contact's latest attempt, one int: rank (attempt, timed flag, microseconds since
# year 1, input index), then the call code, then the number of calls to the contact.
_ORIGIN = datetime(1, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_STAMP_BITS = 59  # 9999-12-31 is under 2**58.2 microseconds after year 1
_INDEX_BITS = 48
_COUNT_BITS = 48
_CODE_BITS = 8
_TAIL_BITS = _CODE_BITS + _COUNT_BITS
_COUNT_MASK = (1 << _COUNT_BITS) - 1
assert c.CALL_CODES <= 1 << _CODE_BITS


def contact_attempt(key: str | tuple[str, int]) -> tuple[str, int]:
    """The (contact, attempt) of a ``by_contact_attempt`` key."""
    return (key, 1) if type(key) is str else key  # type: ignore[return-value]


def contact_attempt_key(contact: str, attempt: int) -> str | tuple[str, int]:
    """The ``by_contact_attempt`` key of (contact, attempt): the contact alone for attempt 1."""
    return contact if attempt == 1 else (contact, attempt)


def unpack_last(packed: int) -> tuple[int, int]:
    """The (call code, calls) of a contact's packed latest attempt (see `count_calls`)."""
    return (packed >> _COUNT_BITS) & ((1 << _CODE_BITS) - 1), packed & _COUNT_MASK


def add_price(
    prices: dict[str | None, tuple[int, Decimal]], unit: str | None, n: int, total: Decimal
) -> None:
    old_n, old_total = prices.get(unit, (0, ZERO))
    new = (old_n + n, EXACT.add(old_total, total))
    if new[0] or new[1]:
        prices[unit] = new
    else:
        prices.pop(unit, None)


def count_contacts(contacts: Iterable[Contact], by_contact: dict[int, int]) -> None:
    """The single pass over contacts."""
    codes = c.CONTACT
    get = by_contact.get
    kc = c.CONTACT_CODES
    for contact in contacts:
        last = contact.last_outcome
        code = codes[(contact.status, None if last is None else last._value_)]
        key = contact.attempts * kc + code + (1 if contact.extracted else 0)
        by_contact[key] = get(key, 0) + 1
