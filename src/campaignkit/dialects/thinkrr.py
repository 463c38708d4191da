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

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..errors import InvalidConfig, InvalidInput
from ..io import DEFAULT_MAX_BYTES, Rejection, Source
from ..io.text import PhoneNormaliser, read_text
from ..models.records import Call
from ..statuses import AnsweredBy, CallStatus, CampaignStatus, Outcome
from . import _bounds as b
from ._result import CallReadResult, rejection
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
    "read_call_log",
]

DEFAULT_TIMEZONE = "UTC"
"""The zone of call-log timestamps written without an offset, unless told otherwise."""

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
    at: datetime | str | None = None,
    duration: int | str = 0,
    contact_id: str | None = None,
    campaign_id: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    region: str | None = None,
) -> Call:
    """A finished `Call` from a thinkrr call-log entry (its outcome, timestamp and duration).

    The outcome is kept as ``Call.outcome``; the carrier view is derived
    from it (Left Message: completed, answered by a machine; No Answer: no
    answer; Issue Dialing/Failed: failed; the others completed). ``to`` is
    normalised to E.164 (national numbers only with a ``region``);
    ``duration`` is seconds, ``MM:SS`` or ``H:MM:SS``; ``at`` (the log
    timestamp, when the call ended) is a datetime or text in any common
    layout, read leniently with `dateutil.parser`; without an offset it is
    read in ``timezone``. Raises `InvalidInput` naming the bad value
    (``yesterday`` is not a timestamp) and `InvalidConfig` for a bad zone.
    """
    tz = b.zone(timezone)
    return _call(label, id, to, at, duration, contact_id, campaign_id, tz, PhoneNormaliser(region))


def _call(
    label: str,
    id: Any,
    to: Any,
    at: Any,
    duration: Any,
    contact_id: str | None,
    campaign_id: str | None,
    tz: Any,
    normaliser: PhoneNormaliser,
    ids: Mapping[str, str] | None = None,
) -> Call:
    result = b.label(outcome, label, "thinkrr", "outcome")
    status, amd = _CARRIER_VIEW[result]
    if not isinstance(id, str) or not id.strip():
        raise b.FieldError("thinkrr", "id", id, "a call id")
    b.check_text(id, "thinkrr", "id")
    phone = normaliser.normalise(to.strip()) if isinstance(to, str) else None
    if phone is None:
        raise b.FieldError("thinkrr", "phone", to, "an international phone number")
    # issue 14: bounded - a 5,000-digit duration raised a bare ValueError
    seconds = b.duration(duration, "thinkrr", "duration")
    # issue 13: dateutil reads the vendor's layouts; 'yesterday' is a typed error
    ended = b.lenient_moment(at, tz, "thinkrr", "timestamp")
    return Call(
        id=id,
        contact_id=contact_id or (ids or {}).get(phone, phone),
        to=phone,
        status=status,
        answered_by=amd,
        outcome=result,
        ended_at=ended,
        updated_at=ended,
        duration=seconds,
        campaign_id=campaign_id,
    )


# Call-log columns (matched ignoring case, spaces, "_" and "-") and their aliases.
_LOG_COLUMNS = {
    "id": ("id", "callid", "callsid"),
    "phone": ("phone", "phonenumber", "to", "number", "contact"),
    "outcome": ("outcome", "status", "callstatus", "calloutcome"),
    "duration": ("duration", "callduration"),
    "timestamp": ("timestamp", "date", "time", "datetime", "calledat", "endedat"),
}
_ALIAS = {alias: column for column, aliases in _LOG_COLUMNS.items() for alias in aliases}


def read_call_log(
    source: Source,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    region: str | None = None,
    campaign_id: str | None = None,
    contact_ids: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> CallReadResult:
    """Read a thinkrr call log (CSV: id, phone, outcome, duration, timestamp) into calls.

    The reader the command line uses (``report --dialect thinkrr``). Columns
    are matched ignoring case, spaces, ``_`` and ``-``; ``Call ID``,
    ``Phone Number``/``To``, ``Status``, ``Call Duration`` and ``Date`` are
    read too. Timestamps are read leniently (`dateutil.parser`), those
    without an offset in ``timezone``. A row that cannot be read - an unknown
    outcome, a timestamp like ``yesterday``, a cell over 128 KiB, a ragged
    row - is listed in ``rejected`` with its line and reason, and the other
    rows are still read. Raises `MissingColumns` without id, phone and
    outcome columns, `DuplicateColumns` for two columns that are one,
    `InputTooLarge` past ``max_bytes``, and `InvalidConfig` for a bad
    ``timezone``, ``region`` or ``delimiter``.
    """
    tz = b.zone(timezone)
    normaliser = PhoneNormaliser(region)
    ids = dict(contact_ids or {})
    text = read_text(source, max_bytes=max_bytes)
    b.check_text(text, "thinkrr", "call log")
    if delimiter is None:
        delimiter = b.sniff_delimiter(text)
    elif delimiter not in (",", ";", "\t"):
        raise InvalidConfig("delimiter", "',', ';' or a tab", delimiter)
    names, where, rows = b.open_table(text, delimiter, _ALIAS, ("id", "phone", "outcome"))
    calls: list[Call] = []
    rejected: list[Rejection] = []
    for line, row in b.fitting_rows(rows, len(names), delimiter, rejected):
        cell = {column: row[i].strip() for column, i in where.items()}
        try:
            calls.append(
                _call(
                    cell["outcome"],
                    cell["id"],
                    cell["phone"],
                    cell.get("timestamp") or None,
                    cell.get("duration") or 0,
                    None,
                    campaign_id,
                    tz,
                    normaliser,
                    ids,
                )
            )
        except InvalidInput as exc:
            rejected.append(rejection(line, exc))
            continue
    return CallReadResult(tuple(calls), tuple(rejected), names)
