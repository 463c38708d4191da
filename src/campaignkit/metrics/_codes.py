"""Small-integer codes for the accumulator's hot loop.

`CampaignStats` keeps its counts in dicts keyed by plain ``int``s, not tuples
of enums: an int key hashes in C, is not tracked by the garbage collector, and
packs several dimensions into one dict operation. This module owns the packing;
nothing outside `campaignkit.metrics` sees a code.

A *call code* packs a call's outcome (None while live), its answered-by (None
when no detection ran) and whether the outcome was given explicitly (by a
dialect or conversation analysis) rather than classified from the carrier
status. A *contact code* packs a contact's status, last outcome and whether it
has extracted data. Keys are ``value * SIZE + code``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from ..statuses import AnsweredBy, CallStatus, ContactStatus, Outcome, classify_outcome

OUTCOMES: tuple[Outcome | None, ...] = (None, *Outcome)
ANSWERED_BY: tuple[AnsweredBy | None, ...] = (None, *AnsweredBy)
STATUSES: tuple[ContactStatus, ...] = tuple(ContactStatus)

_N_OUT = len(OUTCOMES)
_N_AB = len(ANSWERED_BY)
CALL_CODES = _N_OUT * _N_AB * 2
"""The number of call codes: key = value * CALL_CODES + code."""

_OUT_INDEX = {o: i for i, o in enumerate(OUTCOMES)}
_AB_INDEX = {a: i for i, a in enumerate(ANSWERED_BY)}


def call_code(outcome: Outcome | None, answered_by: AnsweredBy | None, explicit: bool) -> int:
    """The code of a call with this outcome and answered-by."""
    return ((_OUT_INDEX[outcome] * _N_AB) + _AB_INDEX[answered_by]) * 2 + explicit


def split_call_code(code: int) -> tuple[Outcome | None, AnsweredBy | None, bool]:
    """The (outcome, answered_by, explicit) a call code stands for."""
    rest, explicit = divmod(code, 2)
    out, ab = divmod(rest, _N_AB)
    return OUTCOMES[out], ANSWERED_BY[ab], bool(explicit)


CONNECTED: tuple[bool, ...] = tuple(
    (o := split_call_code(code)[0]) is not None and o.connected for code in range(CALL_CODES)
)
"""Whether the outcome of each call code is connected (indexed by code)."""
HUMAN: tuple[bool, ...] = tuple(
    (o := split_call_code(code)[0]) is not None and o.human_answered for code in range(CALL_CODES)
)
"""Whether the outcome of each call code is human-answered (indexed by code)."""

REACH_SHIFT = 32
"""Per (contact, attempt), the retry table keeps one int packing three counts: calls
(low 32 bits), connected calls (the next 32) and human-answered calls (above). Sums of
packed ints are the packed sums, so merging stays exact while each count stays below
2**32 - four billion calls to one contact with one attempt number."""
REACH_MASK = (1 << REACH_SHIFT) - 1
REACH: tuple[int, ...] = tuple(
    1 + (CONNECTED[code] << REACH_SHIFT) + (HUMAN[code] << (2 * REACH_SHIFT))
    for code in range(CALL_CODES)
)
"""What one call of each code adds to its (contact, attempt) packed counts."""

CLASSIFIED: dict[tuple[CallStatus, AnsweredBy | None], int] = {
    (status, ab): call_code(classify_outcome(status, ab), ab, False)
    for status in CallStatus
    for ab in ANSWERED_BY
}
"""Call code of a call with no explicit outcome, by (status, answered_by)."""

EXPLICIT: dict[tuple[str, AnsweredBy | None], int] = {
    (outcome.value, ab): call_code(outcome, ab, True) for outcome in Outcome for ab in ANSWERED_BY
}
"""Call code of a call with an explicit outcome, by (outcome label, answered_by).

Keyed by the label because `Outcome` is a plain Enum, whose hash runs in Python."""

# ----------------------------------------------------------------------------- contacts

_N_STATUS = len(STATUSES)
CONTACT_CODES = _N_STATUS * _N_OUT * 2
"""The number of contact codes: key = attempts * CONTACT_CODES + code."""
_STATUS_INDEX = {s: i for i, s in enumerate(STATUSES)}


def contact_code(status: ContactStatus, last_outcome: Outcome | None, extracted: bool) -> int:
    """The code of a contact with this status, last outcome and extracted-data flag."""
    return ((_STATUS_INDEX[status] * _N_OUT) + _OUT_INDEX[last_outcome]) * 2 + extracted


def split_contact_code(code: int) -> tuple[ContactStatus, Outcome | None, bool]:
    """The (status, last_outcome, has_extracted) a contact code stands for."""
    rest, extracted = divmod(code, 2)
    status, out = divmod(rest, _N_OUT)
    return STATUSES[status], OUTCOMES[out], bool(extracted)


CONTACT: dict[tuple[ContactStatus, str | None], int] = {
    (status, None if o is None else o.value): contact_code(status, o, False)
    for status in STATUSES
    for o in OUTCOMES
}
"""Contact code without extracted data, by (status, last outcome label)."""

# ----------------------------------------------------------------------------- time

BLOCK_MINUTES = 15
"""Calls are counted by UTC quarter hour: every time zone in use today has an
offset that is a whole number of quarter hours, so a quarter hour never straddles
two local hours and any time zone can be applied when the figures are read."""
_BLOCKS_PER_DAY = 24 * 60 // BLOCK_MINUTES


def block_of(moment: datetime) -> int:
    """The UTC quarter hour holding ``moment`` (a UTC datetime), as an integer."""
    return moment.toordinal() * _BLOCKS_PER_DAY + moment.hour * 4 + moment.minute // 15


def block_start(block: int) -> datetime:
    """The UTC datetime at which ``block`` begins."""
    day, quarter = divmod(block, _BLOCKS_PER_DAY)
    midnight = datetime.combine(date.fromordinal(day), datetime.min.time(), tzinfo=UTC)
    return midnight + timedelta(minutes=quarter * BLOCK_MINUTES)


_EPOCH_BLOCK = datetime(1970, 1, 1).toordinal() * _BLOCKS_PER_DAY


def local_slot(block: int, zone: tzinfo) -> tuple[int, int]:
    """(weekday, hour) in ``zone`` of the start of ``block``; Monday is 0."""
    seconds = (block - _EPOCH_BLOCK) * BLOCK_MINUTES * 60
    if seconds >= 0:
        local = datetime.fromtimestamp(seconds, zone)
    else:  # some platforms refuse timestamps before 1970
        local = block_start(block).astimezone(zone)
    return local.weekday(), local.hour
