"""Worked examples from the seeds, built as records for the metrics tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from campaignkit import AnsweredBy, Call, CallStatus, Contact, ContactStatus, Outcome

START = datetime(2024, 2, 1, 4, 35, tzinfo=UTC)  # 10:05 in Asia/Kolkata, a Thursday
PHONE = "+919876543210"


def make_call(
    contact: int | str,
    attempt: int,
    status: CallStatus,
    answered_by: AnsweredBy | None = None,
    duration: int = 0,
    *,
    outcome: Outcome | None = None,
    at: datetime | None = None,
    price: Decimal | None = None,
    unit: str | None = None,
) -> Call:
    """One call attempt with sensible defaults."""
    created = at if at is not None else START + timedelta(hours=attempt - 1)
    return Call(
        id=f"{contact}-{attempt}",
        contact_id=str(contact),
        to=PHONE,
        attempt=attempt,
        status=status,
        answered_by=answered_by,
        outcome=outcome,
        duration=duration,
        created_at=created,
        price=price,
        price_unit=unit,
    )


def exotel_calls() -> list[Call]:
    """Seed 001's retry example as CDRs: 2,500 first attempts of which 1,500 connect;
    1,000 first retries, 250 connect; 750 second retries, 125 connect (1,875 in all).

    Connected calls last 43 s and cost 2 pulses, as the seed's CDR row.
    """
    calls = []
    two = Decimal(2)
    for i in range(2500):
        if i < 1500:
            calls.append(
                make_call(
                    i, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 43, price=two, unit="pulses"
                )
            )
            continue
        calls.append(make_call(i, 1, CallStatus.NO_ANSWER))
        if i < 1750:
            calls.append(
                make_call(
                    i, 2, CallStatus.COMPLETED, AnsweredBy.HUMAN, 43, price=two, unit="pulses"
                )
            )
            continue
        calls.append(make_call(i, 2, CallStatus.BUSY))
        if i < 1875:
            calls.append(
                make_call(
                    i, 3, CallStatus.COMPLETED, AnsweredBy.HUMAN, 43, price=two, unit="pulses"
                )
            )
            continue
        calls.append(make_call(i, 3, CallStatus.NO_ANSWER if i % 2 else CallStatus.FAILED))
    return calls


def exotel_contacts() -> list[Contact]:
    """Seed 001's stats object as contacts: 2,500 created = 1,875 completed + 425 failed
    + 87 busy + 113 no answer (busy / no answer: the last attempt's result)."""
    contacts = []
    for i in range(2500):
        if i < 1875:
            status, last = ContactStatus.ANSWERED, Outcome.HUMAN_CONVERSATION
        elif i < 2300:
            status, last = ContactStatus.FAILED, Outcome.FAILED
        elif i < 2387:
            status, last = ContactStatus.FAILED, Outcome.BUSY
        else:
            status, last = ContactStatus.FAILED, Outcome.NO_ANSWER
        attempts = 1 if i < 1500 else 2 if i < 1750 else 3
        contacts.append(
            Contact(id=str(i), phone=PHONE, status=status, last_outcome=last, attempts=attempts)
        )
    return contacts
