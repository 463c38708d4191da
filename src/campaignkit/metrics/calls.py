"""Contacts rebuilt from call records alone (CDRs, call exports, call logs).

Seed 001's worked example counts *contacts*: 2,500 numbers, 1,875 reached. A call
export lists attempts, so the contacts are recovered from it: one per distinct
contact id - the dialects set it to the destination number when the export has
no id of its own - whose final state is its last attempt's outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..models.records import Call, Contact
from ..statuses import ContactStatus, Outcome
from . import _codes as c
from ._accumulate import unpack_last

__all__ = ["contacts_from_calls"]

# The contact status an attempt's outcome leaves when it is the last attempt.
_STATUS_AFTER = {
    Outcome.VOICEMAIL: ContactStatus.VOICEMAIL,
    Outcome.NO_CONVERSATION: ContactStatus.NO_CONVERSATION,
}


def _status(outcome: Outcome | None) -> ContactStatus:
    if outcome is None:
        return ContactStatus.DIALING  # the last attempt is still live
    if outcome in _STATUS_AFTER:
        return _STATUS_AFTER[outcome]
    return ContactStatus.ANSWERED if outcome.human_answered else ContactStatus.FAILED


def _moment(call: Call) -> datetime | None:
    return call.created_at or call.started_at or call.ended_at


def contacts_from_calls(calls: Iterable[Call]) -> tuple[Contact, ...]:
    """One `Contact` per distinct contact in ``calls``, in order of first appearance.

    A contact is a distinct ``contact_id``: the dialects set it to the destination
    number when the export has no contact id of its own. Its final
    state is its last attempt's outcome: the call with the highest attempt number,
    ties (exports without attempt numbers) broken by the time it was placed and
    then by input order. A person answering gives ``answered``, a machine
    ``voicemail``, a silent connection ``no-conversation``, a live call
    ``dialing``, anything else ``failed`` with that ``last_outcome`` (so busy and
    no answer are Exotel's busy and no_answer). ``attempts`` is the number of calls.
    Never raises for valid `Call` records.
    """
    last: dict[str, tuple[tuple[int, bool, datetime | None, int], Call]] = {}
    counts: dict[str, int] = {}
    for index, call in enumerate(calls):
        key = call.contact_id
        moment = _moment(call)
        rank = (call.attempt, moment is not None, moment, index)
        counts[key] = counts.get(key, 0) + 1
        held = last.get(key)
        if held is None or _later(rank, held[0]):
            last[key] = (rank, call)
    contacts = []
    for key, (_, call) in last.items():
        outcome = call.result
        contacts.append(
            Contact(
                id=key,
                phone=call.to,
                status=_status(outcome),
                attempts=counts[key],
                last_outcome=outcome,
                updated_at=call.ended_at or call.updated_at or _moment(call),
            )
        )
    return tuple(contacts)


def _later(
    rank: tuple[int, bool, datetime | None, int], held: tuple[int, bool, datetime | None, int]
) -> bool:
    """Whether an attempt ranked ``rank`` comes after one ranked ``held``."""
    if rank[0] != held[0]:
        return rank[0] > held[0]
    if rank[1] != held[1]:
        return rank[1]  # a timed call comes after an untimed one
    if rank[2] is not None and held[2] is not None and rank[2] != held[2]:
        return rank[2] > held[2]
    return rank[3] > held[3]


def _contact_code(call_code: int) -> int:
    outcome = c.split_call_code(call_code)[0]
    return c.CONTACT[(_status(outcome), None if outcome is None else outcome.value)]


# The contact code a contact's last attempt leaves, by that attempt's call code.
_CONTACT_AFTER = tuple(_contact_code(code) for code in range(c.CALL_CODES))


def count_last_attempts(last: dict[str, int], by_contact: dict[int, int]) -> None:
    """Count into ``by_contact`` the contacts `contacts_from_calls` would build, from the
    packed latest attempt per contact that ``_accumulate.count_calls`` keeps.

    The same counts as ``count_contacts(contacts_from_calls(calls))`` without a
    `Contact` (or a `Call`) per contact: how `CampaignStats.from_calls` streams.
    """
    after = _CONTACT_AFTER
    kc = c.CONTACT_CODES
    get = by_contact.get
    for packed in last.values():
        code, calls = unpack_last(packed)
        key = calls * kc + after[code]
        by_contact[key] = get(key, 0) + 1
