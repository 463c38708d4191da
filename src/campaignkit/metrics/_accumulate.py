"""The single pass: counting calls and contacts into int-keyed dicts.

Written for speed (see ``_codes`` for the packing, and `CampaignStats` for what
each dict holds): one iteration per record, a handful of dict updates keyed by
plain ints, locals for everything looked up in the loop.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
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
    by_contact_attempt: dict[tuple[str, int], int],
) -> None:
    """The single pass over calls: one iteration, a handful of int-keyed dict updates.

    Written for speed; see the module docstring for what each dict holds.
    ``by_contact_attempt`` holds, by (contact, attempt), the packed counts of calls,
    connected and human-answered calls (``_codes.REACH``): what the retry table needs
    to count contacts rather than calls (seed 001).
    """
    classified = c.CLASSIFIED
    reach = c.REACH
    get_c = by_contact_attempt.get
    explicit = c.EXPLICIT
    get_d = by_duration.get
    get_a = by_attempt.get
    get_b = by_block.get
    cc = c.CALL_CODES
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
            pair = (call.contact_id, call.attempt)
            by_contact_attempt[pair] = get_c(pair, 0) + reach[code]
            moment = call.created_at or call.started_at or call.ended_at
            if moment is not None:
                key = (moment.toordinal() * 96 + moment.hour * 4 + moment.minute // 15) * cc + code
                by_block[key] = get_b(key, 0) + 1
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
