"""A first look at campaignkit: one contact, one call, webhooks out of order.

Run:  python examples/lifecycle.py
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from campaignkit import CALL_MACHINE, CONTACT_MACHINE, AnsweredBy, Call, CallStatus, Contact
from campaignkit.engine import apply_call_report, apply_contact_event
from campaignkit.machines import ContactEvent

MX = ZoneInfo("America/Mexico_City")
now = datetime(2026, 6, 1, 10, 0, tzinfo=MX)

contact = Contact(
    id="123", phone="+5215555551234", name="Juan Pérez", context="Amount: $1,500. Due: June 5"
)
contact = apply_contact_event(contact, ContactEvent.DIAL, now=now)
print(f"contact {contact.id}: {contact.status}")

call = Call(id="CA1", contact_id=contact.id, to=contact.phone, created_at=now)
# The carrier's callbacks, as they arrived: completed first, then a stale
# ringing, then completed again (a retry of the webhook).
reports = [
    (
        CallStatus.COMPLETED,
        now + timedelta(seconds=50),
        {"answered_by": AnsweredBy.MACHINE_END_BEEP, "duration": 31},
    ),
    (CallStatus.RINGING, now + timedelta(seconds=3), {}),
    (CallStatus.COMPLETED, now + timedelta(seconds=50), {}),
]
for status, at, details in reports:
    before = call
    call = apply_call_report(call, status, at=at, **details)
    verdict = "applied" if call is not before else "ignored"
    print(f"  report {status:<10} at {at:%H:%M:%S}: {verdict:<8} -> call is {call.status}")

outcome = call.result
assert outcome is not None
print(f"outcome: {outcome} (connected={outcome.connected}, retriable={outcome.retriable})")
contact = apply_contact_event(contact, ContactEvent.REACH_VOICEMAIL, now=now + timedelta(minutes=1))
print(
    f"contact {contact.id}: {contact.status}; events now allowed:",
    ", ".join(e.value for e in CONTACT_MACHINE.allowed(contact.status)),
)
print(f"call machine: {CALL_MACHINE}")
