"""The state machines applied to records: one event in, one new record out.

These are the smallest reducers. Each is a pure function; the record passed in
is never changed. The strict functions (`apply_campaign_event`,
`apply_contact_event`) raise `IllegalTransition` for an event the table does
not allow; `apply_call_report` is lenient, as carriers' callbacks must be
(see `StateMachine.reconcile`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TypedDict, Unpack

import attrs

from .._fields import aware_utc, replacer
from ..machines import CALL_MACHINE, CAMPAIGN_MACHINE, CONTACT_MACHINE, CampaignEvent, ContactEvent
from ..models.records import Call, Campaign, Contact
from ..statuses import AnsweredBy, CallStatus, Direction, Outcome

__all__ = ["CallDetails", "apply_call_report", "apply_campaign_event", "apply_contact_event"]


class CallDetails(TypedDict, total=False):
    """The fields of a `Call` that `apply_call_report` may set with the status (every
    `Call` field but ``status`` and ``updated_at``, which the report itself sets); what
    `CallUpdate.details` returns. Every key may be left out."""

    id: str
    contact_id: str
    to: str
    from_number: str
    attempt: int
    direction: Direction
    answered_by: AnsweredBy | None
    outcome: Outcome | None
    created_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    duration: int
    recording_url: str | None
    price: Decimal | None
    price_unit: str | None
    campaign_id: str | None


_contact_moved = replacer(Contact, "status", "updated_at")
_CONTACT_TABLE = CONTACT_MACHINE.table


def apply_campaign_event(campaign: Campaign, event: CampaignEvent) -> Campaign:
    """``campaign`` after ``event``.

    Raises `IllegalTransition` if the campaign machine does not allow it.
    """
    return attrs.evolve(campaign, status=CAMPAIGN_MACHINE.next(campaign.status, event))


def apply_contact_event(contact: Contact, event: ContactEvent, *, now: datetime) -> Contact:
    """``contact`` moved by ``event`` at ``now``, with ``updated_at`` set to ``now``.

    Only the status and the timestamp change; counters and scheduling are the
    engine's business. Raises `IllegalTransition` if the contact machine does
    not allow the event, and `InvalidInput` if ``now`` is naive.
    """
    try:
        status = _CONTACT_TABLE[contact.status, event]
    except KeyError:
        status = CONTACT_MACHINE.next(contact.status, event)  # raises IllegalTransition
    return _contact_moved(contact, status, aware_utc(now))


def apply_call_report(
    call: Call, reported: CallStatus, *, at: datetime, **details: Unpack[CallDetails]
) -> Call:
    """``call`` after a carrier reported it in status ``reported`` at ``at``.

    Out-of-order and duplicate reports are harmless: if the report does not move
    the call forward (a repeat, a stale ``ringing`` after ``completed``, or
    anything older than the call's ``updated_at``), the same ``call`` object is
    returned unchanged, details and all. Otherwise the status, ``updated_at`` and
    any ``details`` given (``answered_by``, ``duration``, ``started_at``, ...)
    are applied and validated. Raises `InvalidInput` for a naive ``at`` or a
    bad detail.
    """
    at = aware_utc(at, "at")
    status = CALL_MACHINE.reconcile(
        call.status, reported, current_at=call.updated_at, reported_at=at
    )
    if status is call.status:
        return call
    return attrs.evolve(call, status=status, updated_at=at, **details)
