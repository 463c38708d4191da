"""thinkrr AVA (seed 003): campaign statuses and call outcomes.

AVA labels each call with an outcome - Completed, No Answer, No Message, Left
Message, User Hung Up, Callback, Issue Dialing, Failed - which are views of
the canonical `Outcome`. *Issue Dialing* and *Failed* both mean the call
could not connect (`Outcome.FAILED`); ``outcome_label`` writes *Failed*.

Time spent (seed 003): connected calls - answered or sent to voicemail,
explicitly Completed, No Answer, No Message and Left Message - count toward
the campaign's Total Time Spent; Issue Dialing and Failed never do. User Hung
Up and Callback calls were answered, so they count too. Note that the seed
counts *No Answer* as connected although its canonical outcome (no answer)
is not: `counts_toward_time_spent` follows the seed.
"""

from __future__ import annotations

from datetime import datetime

from .._fields import aware_utc
from ..billing import parse_duration
from ..errors import InvalidInput
from ..io._phone import PhoneNormaliser
from ..models import Call
from ..statuses import AnsweredBy, CallStatus, CampaignStatus, Outcome
from ._vocab import Vocabulary

__all__ = [
    "CAMPAIGN_STATUS",
    "OUTCOME",
    "TIME_SPENT_LABELS",
    "call_from_outcome",
    "campaign_status",
    "campaign_status_label",
    "counts_toward_time_spent",
    "outcome",
    "outcome_label",
]

CAMPAIGN_STATUS: Vocabulary[CampaignStatus] = Vocabulary(
    "thinkrr",
    "campaign status",
    {
        "Not Started": CampaignStatus.READY,
        "Started": CampaignStatus.SCHEDULED,
        "Executed": CampaignStatus.ACTIVE,
        "Paused": CampaignStatus.PAUSED,
        "Complete": CampaignStatus.FINISHED,
    },
)
"""Not Started (created, not begun), Started (initiated, no call yet), Executed
(running), Paused, Complete."""

OUTCOME: Vocabulary[Outcome] = Vocabulary(
    "thinkrr",
    "call outcome",
    {
        "Completed": Outcome.HUMAN_CONVERSATION,
        "No Answer": Outcome.NO_ANSWER,
        "No Message": Outcome.NO_CONVERSATION,
        "Left Message": Outcome.VOICEMAIL,
        "User Hung Up": Outcome.HUNG_UP,
        "Callback": Outcome.CALLBACK_REQUESTED,
        "Failed": Outcome.FAILED,
    },
    {"Issue Dialing": Outcome.FAILED},
)
"""The eight call outcomes; *Issue Dialing* is read as failed and written as *Failed*."""

TIME_SPENT_LABELS = frozenset(
    {"Completed", "No Answer", "No Message", "Left Message", "User Hung Up", "Callback"}
)
"""Outcomes whose call time counts toward Total Time Spent (never Issue Dialing or Failed)."""

# How each outcome looks to a carrier: (status, answered-by).
_CARRIER_VIEW: dict[Outcome, tuple[CallStatus, AnsweredBy | None]] = {
    Outcome.HUMAN_CONVERSATION: (CallStatus.COMPLETED, AnsweredBy.HUMAN),
    Outcome.NO_ANSWER: (CallStatus.NO_ANSWER, None),
    Outcome.NO_CONVERSATION: (CallStatus.COMPLETED, AnsweredBy.UNKNOWN),
    Outcome.VOICEMAIL: (CallStatus.COMPLETED, AnsweredBy.MACHINE),
    Outcome.HUNG_UP: (CallStatus.COMPLETED, AnsweredBy.HUMAN),
    Outcome.CALLBACK_REQUESTED: (CallStatus.COMPLETED, AnsweredBy.HUMAN),
    Outcome.FAILED: (CallStatus.FAILED, None),
}


def campaign_status(label: str) -> CampaignStatus:
    """The canonical campaign status for a thinkrr label; `InvalidInput` naming it if unknown."""
    return CAMPAIGN_STATUS.parse(label)


def campaign_status_label(status: CampaignStatus) -> str:
    """thinkrr's label for ``status``; `InvalidInput` for pending, cooldown and cancelled."""
    return CAMPAIGN_STATUS.label(status)


def outcome(label: str) -> Outcome:
    """The canonical outcome for a thinkrr call status; `InvalidInput` naming it if unknown."""
    return OUTCOME.parse(label)


def outcome_label(value: Outcome) -> str:
    """thinkrr's label for an outcome; `InvalidInput` for busy, canceled and rejected."""
    return OUTCOME.label(value)


def counts_toward_time_spent(label: str) -> bool:
    """True if a call with this outcome counts toward Total Time Spent (seed 003).

    Raises `InvalidInput` for an unknown label.
    """
    outcome(label)  # validates
    return label.strip() in TIME_SPENT_LABELS


def call_from_outcome(
    label: str,
    *,
    id: str,
    to: str,
    at: datetime | None = None,
    duration: int | str = 0,
    contact_id: str | None = None,
    campaign_id: str | None = None,
) -> Call:
    """A finished `Call` from a thinkrr call-log entry (its outcome, timestamp and duration).

    The outcome is kept as ``Call.outcome``; the carrier view is derived
    from it (Left Message: completed, answered by a machine; No Answer: no
    answer; Issue Dialing/Failed: failed; the others completed). ``to`` is
    normalised to E.164 (it must carry its country code); ``duration`` is
    seconds or ``MM:SS``; ``at`` (the log timestamp) must be aware and is
    when the call ended. Raises `InvalidInput` naming the bad value.
    """
    result = outcome(label)
    status, amd = _CARRIER_VIEW[result]
    phone = PhoneNormaliser(None).normalise(to.strip()) if isinstance(to, str) else None
    if phone is None:
        raise InvalidInput(f"thinkrr: {to!r} is not an international phone number")
    seconds = parse_duration(duration) if isinstance(duration, str) else duration
    ended = None if at is None else aware_utc(at, "at")
    return Call(
        id=id,
        contact_id=contact_id or phone,
        to=phone,
        status=status,
        answered_by=amd,
        outcome=result,
        ended_at=ended,
        updated_at=ended,
        duration=seconds,
        campaign_id=campaign_id,
    )
