"""Exotel (seed 001): campaign stats, call-detail records (CDRs) and the three webhooks.

Everything here reads JSON (a string, bytes, a file object, lines, or an
already-decoded dict/list) into canonical records, and writes those records
back as the same JSON shapes:

* `parse_campaign` / `campaign_document`: the campaign-details response with
  its ``stats`` object, as a `Campaign` and `Stats`;
* `parse_cdr_page` / `cdr_record`: a page of the campaign call-details API, one
  `Call` per attempt; `next_offset` is the pagination rule (keep going while a
  page is full);
* `parse_call_status` / `call_status_payload` (after each attempt),
  `parse_call_schedule` / `call_schedule_payload` (a contact's retries are
  exhausted) and `parse_campaign_status` / `campaign_status_payload` (the
  campaign changed status).

CDR ``price`` is in pulses (``Call.price_unit == "pulses"``). ``from`` is an
ExoPhone and may be a national number like ``0XXXXXX4890``: it is kept as text
in ``Call.from_number``. ``to`` must be a phone number and becomes E.164
(national numbers read in ``region``, India by default). Timestamps without
an offset (Exotel's ``YYYY-MM-DD HH:mm:ss``) are read in ``timezone``
(``Asia/Kolkata`` by default).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

import attrs

from .. import _fields as f
from .._fields import JSONObject
from ..engine.reducers import CampaignCounts
from ..errors import InvalidConfig, InvalidInput
from ..io import (
    DEFAULT_MAX_BYTES,
    ImportResult,
    JsonSource,
    Rejection,
    RejectReason,
    Source,
)
from ..io.text import PhoneNormaliser, parse_moment, read_text
from ..models.records import Call, Campaign, Contact
from ..statuses import (
    STATS_FIELDS,
    CallStatus,
    CampaignStatus,
    ContactStatus,
    Outcome,
    classify_outcome,
)
from . import _bounds as b
from ._result import CallReadResult, rejection
from ._vocab import Vocabulary

__all__ = [
    "CALL_STATUS",
    "CAMPAIGN_STATUS",
    "CATEGORY",
    "DASHBOARD_COLUMNS",
    "DEFAULT_REGION",
    "DEFAULT_TIMEZONE",
    "CallScheduleEvent",
    "CampaignSnapshot",
    "CampaignStatusEvent",
    "Stats",
    "call_schedule_payload",
    "call_status",
    "call_status_label",
    "call_status_payload",
    "campaign_document",
    "campaign_status",
    "campaign_status_label",
    "campaign_status_payload",
    "category",
    "cdr_record",
    "dashboard_export",
    "force_complete",
    "next_offset",
    "parse_call",
    "parse_call_schedule",
    "parse_call_status",
    "parse_campaign",
    "parse_campaign_status",
    "parse_cdr_page",
    "read_cdrs",
    "read_dashboard_export",
]

DEFAULT_REGION = "IN"
"""The region national ``to`` numbers are read in."""
DEFAULT_TIMEZONE = "Asia/Kolkata"
"""The time zone of timestamps given without an offset."""

CALL_STATUS: Vocabulary[CallStatus] = Vocabulary(
    "exotel",
    "call status",
    {
        "queued": CallStatus.QUEUED,
        "ringing": CallStatus.RINGING,
        "in-progress": CallStatus.IN_PROGRESS,
        "completed": CallStatus.COMPLETED,
        "busy": CallStatus.BUSY,
        "no-answer": CallStatus.NO_ANSWER,
        "failed": CallStatus.FAILED,
        "canceled": CallStatus.CANCELLED,
    },
)
"""CDR and webhook call statuses: the seed's five final ones and the API's live ones."""

CATEGORY = {
    CallStatus.COMPLETED: "success",
    CallStatus.BUSY: "retriable",
    CallStatus.NO_ANSWER: "retriable",
    CallStatus.FAILED: "terminal",
    CallStatus.CANCELLED: "terminal",
}
"""Seed 001's status categories: success, retriable, terminal."""

CAMPAIGN_STATUS: Vocabulary[CampaignStatus] = Vocabulary(
    "exotel",
    "campaign status",
    {
        "Created": CampaignStatus.SCHEDULED,
        "InProgress": CampaignStatus.ACTIVE,
        "Paused": CampaignStatus.PAUSED,
        "Completed": CampaignStatus.FINISHED,
        "Canceled": CampaignStatus.CANCELLED,
        "Archived": CampaignStatus.ARCHIVED,
    },
    {
        "created": CampaignStatus.SCHEDULED,
        "in-progress": CampaignStatus.ACTIVE,
        "paused": CampaignStatus.PAUSED,
        "completed": CampaignStatus.FINISHED,
        "canceled": CampaignStatus.CANCELLED,
        "archived": CampaignStatus.ARCHIVED,
        "Failed": CampaignStatus.CANCELLED,
        "failed": CampaignStatus.CANCELLED,
        "Deleted": CampaignStatus.CANCELLED,
        "deleted": CampaignStatus.CANCELLED,
    },
)
"""Campaign statuses. ``Created`` (accepted, waiting for its start) is scheduled;
``Archived`` is `CampaignStatus.ARCHIVED` (a finished campaign put away); failed
(no call placed) and deleted ones are cancelled. Lower-case spellings are read too."""


def call_status(label: str) -> CallStatus:
    """The canonical call status for an Exotel label; `InvalidInput` naming it if unknown."""
    return CALL_STATUS.parse(label)


def call_status_label(status: CallStatus) -> str:
    """Exotel's label for ``status``; `InvalidInput` for created and forwarding."""
    return CALL_STATUS.label(status)


def category(status: CallStatus | str) -> str:
    """``"success"``, ``"retriable"`` or ``"terminal"`` for a final status (or its label).

    Raises `InvalidInput` for a call that has not ended.
    """
    if not isinstance(status, CallStatus):
        status = call_status(status)
    try:
        return CATEGORY[status]
    except KeyError:
        raise InvalidInput(f"exotel: call status {status.value!r} has no category") from None


def campaign_status(label: str) -> CampaignStatus:
    """The canonical campaign status for an Exotel label; `InvalidInput` naming it if unknown."""
    return CAMPAIGN_STATUS.parse(label)


def campaign_status_label(status: CampaignStatus) -> str:
    """Exotel's label for ``status``; `InvalidInput` for pending, ready and cooldown.

    ``archived`` is written ``Archived``.
    """
    return CAMPAIGN_STATUS.label(status)


# --------------------------------------------------------------------------- stats


def _optional_count(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (type(value) is not int or value < 0):
        raise InvalidInput(
            f"{attribute.name} must be a non-negative integer or None; got {value!r}"
        )


def _stat() -> Any:
    return attrs.field(default=None, validator=_optional_count)


@attrs.frozen
class Stats:
    """An Exotel campaign's ``stats`` object as it came over the wire: None for a count
    the payload did not carry.

    The campaign-status webhook carries only ``created``, ``completed`` and ``failed``,
    so this partial record stays in the dialect. Every complete set of counts is the
    engine's `CampaignCounts` (the one stats record, which also defines what each
    bucket means): `to_counts` converts a complete payload, `from_counts` writes
    one (and leaves out the counts it is told are unknown).
    """

    created: int | None = _stat()
    """Total contacts in the campaign."""
    completed: int | None = _stat()
    """Contacts reached (call answered)."""
    failed: int | None = _stat()
    """Contacts not reached after all attempts."""
    pending: int | None = _stat()
    """Contacts waiting to be processed."""
    in_progress: int | None = _stat()
    """Calls currently active."""
    busy: int | None = _stat()
    """Contacts whose last attempt was busy."""
    no_answer: int | None = _stat()
    """Contacts whose last attempt was not answered."""

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Read a ``stats`` object; unknown keys are ignored, bad counts raise `InvalidInput`."""
        if not isinstance(data, Mapping):
            raise InvalidInput(f"exotel: stats must be an object; got {data!r}")
        return cls(**{k: _int(data[k], k) for k in STATS_FIELDS if data.get(k) is not None})

    def to_dict(self) -> dict[str, int]:
        """The ``stats`` object: every count that is known, in Exotel's order."""
        return {k: v for k in STATS_FIELDS if (v := getattr(self, k)) is not None}

    @classmethod
    def from_counts(cls, counts: CampaignCounts, *, unknown: Iterable[str] = ()) -> Self:
        """The wire record of ``counts``; a count named in ``unknown`` (e.g. a
        `CampaignStats.unknown`, where ``pending`` cannot be known from CDRs) is left
        out (None). Raises `InvalidInput` unless ``counts`` is a `CampaignCounts`."""
        if not isinstance(counts, CampaignCounts):
            raise InvalidInput(f"exotel: from_counts needs a CampaignCounts; got {counts!r}")
        hidden = set(unknown)
        return cls(**{k: None if k in hidden else getattr(counts, k) for k in STATS_FIELDS})

    def to_counts(self) -> CampaignCounts:
        """The complete stats as the engine's `CampaignCounts`.

        Raises `InvalidInput` naming the missing counts when the payload did not
        carry all seven (the campaign-status webhook carries three), and when the
        six buckets do not add up to ``created``.
        """
        missing = [k for k in STATS_FIELDS if getattr(self, k) is None]
        if missing:
            raise InvalidInput(
                f"exotel: the stats object lacks {', '.join(missing)}; CampaignCounts "
                "needs all of created, completed, failed, pending, in_progress, busy, no_answer"
            )
        return CampaignCounts(**{k: getattr(self, k) for k in STATS_FIELDS})


def force_complete(stats: Stats) -> Stats:
    """``stats`` after a force-complete: pending contacts are counted as failed (seed 001)."""
    if not stats.pending:
        return stats
    return attrs.evolve(stats, failed=(stats.failed or 0) + stats.pending, pending=0)


@attrs.frozen
class CampaignSnapshot:
    """A campaign as the campaign-details API reports it: the record and its stats."""

    campaign: Campaign
    stats: Stats


def _int(value: Any, name: str) -> int:
    # issue 14: bounded, so a 5,000-digit count is refused by name, not by int()
    return b.whole(value, "exotel", name)


def _object(source: Any, what: str) -> Mapping[str, Any]:
    data = b.load_json(source, max_bytes=None, what=f"exotel {what}")
    if not isinstance(data, Mapping):
        raise InvalidInput(f"exotel: {what} must be a JSON object; got {type(data).__name__}")
    b.check_tree(data, "exotel", what)
    return data


def _unwrap(item: Any, what: str) -> Mapping[str, Any]:
    """The ``data`` of a ``{"code", "status", "data"}`` envelope, or ``item`` itself."""
    if not isinstance(item, Mapping):
        raise InvalidInput(f"exotel: {what} must be a JSON object; got {item!r}")
    if "data" in item and isinstance(item.get("data"), Mapping):
        code, status = item.get("code", 200), item.get("status", "success")
        if code != 200 or status != "success":
            raise InvalidInput(
                f"exotel: {what} response failed (code {code!r}, status {status!r}): "
                f"{item.get('error_data')!r}"
            )
        return item["data"]  # type: ignore[no-any-return]
    return item


def parse_campaign(source: JsonSource, *, timezone: str = DEFAULT_TIMEZONE) -> CampaignSnapshot:
    """Read the campaign-details response (``{"response": [{"data": {...}}]}``, or its ``data``).

    The campaign's time zone is ``timezone`` (the payload does not carry one).

    Raises `InvalidInput` for a failed response, a missing id or name, an
    unknown status or a bad count.
    """
    b.zone(timezone)
    doc = _object(source, "campaign details")
    if "response" in doc:
        entries = doc["response"]
        if not isinstance(entries, list) or len(entries) != 1:
            raise InvalidInput("exotel: campaign details must hold exactly one response entry")
        doc = _unwrap(entries[0], "campaign details")
    else:
        doc = _unwrap(doc, "campaign details")
    try:
        campaign = Campaign(
            id=str(doc["id"]),
            name=str(doc.get("name") or doc["id"]),
            status=campaign_status(doc["status"]),
            timezone=timezone,
        )
    except KeyError as exc:
        raise InvalidInput(f"exotel: campaign details lack {exc.args[0]!r}") from None
    return CampaignSnapshot(campaign, Stats.from_dict(doc.get("stats") or {}))


def campaign_document(snapshot: CampaignSnapshot) -> JSONObject:
    """``snapshot`` as the campaign-details response `parse_campaign` reads."""
    campaign = snapshot.campaign
    return {
        "response": [
            {
                "code": 200,
                "status": "success",
                "data": {
                    "id": campaign.id,
                    "name": campaign.name,
                    "status": campaign_status_label(campaign.status),
                    "stats": snapshot.stats.to_dict(),
                },
            }
        ]
    }


# --------------------------------------------------------------------------- CDRs


def next_offset(offset: int, limit: int, received: int) -> int | None:
    """The ``offset`` of the next CDR page, or None when this page was the last.

    Seed 001: continue incrementing the offset until a page holds fewer
    records than the limit. A full page means there may be more, so an
    exactly-full last page costs one more (empty) request. Raises
    `InvalidConfig` for a negative offset, a limit below 1, or a page larger
    than its limit.
    """
    if type(offset) is not int or offset < 0:
        raise InvalidConfig("offset", "a non-negative integer", offset)
    if type(limit) is not int or limit < 1:
        raise InvalidConfig("limit", "a positive integer", limit)
    if type(received) is not int or not 0 <= received <= limit:
        raise InvalidConfig("received", f"an integer from 0 to the limit {limit}", received)
    return offset + limit if received == limit else None


def _price(value: Any) -> Decimal | None:
    # issue 14: "1e999999999" is a valid Decimal whose int() has a billion digits
    return b.money(value, "exotel", "price")


class _Reader:
    """Shared options of the CDR and webhook readers."""

    def __init__(
        self,
        region: str | None,
        timezone: str,
        contact_ids: Mapping[str, str] | None,
        campaign_id: str | None,
    ) -> None:
        self.normaliser = PhoneNormaliser(region)
        self.tz = b.zone(timezone)
        self.contact_ids = dict(contact_ids or {})
        self.campaign_id = campaign_id

    def phone(self, value: Any, name: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise b.FieldError("exotel", name, value, "a phone number")
        phone = self.normaliser.normalise(value.strip())
        if phone is None:
            raise b.FieldError("exotel", name, value, "a valid phone number")
        return phone

    def moment(self, value: Any, name: str) -> datetime | None:
        try:
            moment = parse_moment(value, self.tz)
        except InvalidInput:
            raise b.FieldError("exotel", name, value, "an ISO 8601 date-time") from None
        # issue 14: 0001-01-01T00:00:00 (a placeholder) in Asia/Kolkata is before year 1 in UTC
        return None if moment is None else b.to_utc(moment, "exotel", name)


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _cdr_call(record: Mapping[str, Any], reader: _Reader) -> Call:
    try:
        call_sid = record["call_sid"]
        status = record["status"]
    except KeyError as exc:
        raise b.FieldError("exotel", exc.args[0], None, "present in every CDR") from None
    to = reader.phone(record.get("to"), "to")
    price = _price(record.get("price"))
    duration = record.get("duration")
    attempt = record.get("attempt_number")
    return Call(
        id=str(call_sid),
        contact_id=reader.contact_ids.get(to, to),
        to=to,
        from_number=_text(record.get("from")) or "",
        attempt=1 if attempt in (None, "") else _int(attempt, "attempt_number"),
        status=b.label(call_status, status, "exotel", "status"),
        created_at=reader.moment(record.get("start_time"), "start_time"),
        ended_at=reader.moment(record.get("end_time"), "end_time"),
        duration=0 if duration in (None, "") else _int(duration, "duration"),
        recording_url=_text(record.get("recording_url")),
        price=price,
        price_unit="pulses" if price is not None else None,
        campaign_id=reader.campaign_id,
    )


def parse_call(
    record: Mapping[str, object],
    *,
    region: str | None = DEFAULT_REGION,
    timezone: str = DEFAULT_TIMEZONE,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
) -> Call:
    """One CDR (``call_sid``, ``to``, ``from``, ``status``, ``start_time``, ...) as a `Call`.

    ``start_time`` (when the call was initiated) is ``created_at``; the
    contact id is looked up by E.164 number in ``contact_ids`` and is the
    number itself otherwise. Raises `InvalidInput` naming the bad field.
    """
    return _cdr_call(_unwrap(record, "CDR"), _Reader(region, timezone, contact_ids, campaign_id))


def parse_cdr_page(
    source: JsonSource,
    *,
    region: str | None = DEFAULT_REGION,
    timezone: str = DEFAULT_TIMEZONE,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
) -> tuple[Call, ...]:
    """One page of the campaign call-details API, one `Call` per record, in page order.

    Accepts ``{"response": [...]}`` (entries bare or wrapped in
    ``{"code", "status", "data"}``) or a bare array. Use `next_offset` with
    ``len(result)`` to decide whether to fetch another page. Raises
    `InvalidInput` naming the record's position and the problem.
    """
    data = b.load_json(source, max_bytes=None, what="exotel CDR page")
    if isinstance(data, Mapping):
        data = data.get("response")
    if not isinstance(data, list):
        raise InvalidInput("exotel: a CDR page must be a JSON array or hold a 'response' array")
    reader = _Reader(region, timezone, contact_ids, campaign_id)
    calls = []
    for position, entry in enumerate(data, 1):
        try:
            b.check_tree(entry, "exotel", "CDR")
            calls.append(_cdr_call(_unwrap(entry, "CDR"), reader))
        except InvalidInput as exc:
            raise InvalidInput(f"CDR {position}: {exc}") from None
    return tuple(calls)


def read_cdrs(
    source: JsonSource,
    *,
    region: str | None = DEFAULT_REGION,
    timezone: str = DEFAULT_TIMEZONE,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> CallReadResult:
    """Read Exotel CDRs - one page, a bare array of CDRs, or an array of pages - for reports.

    The reader the command line uses (``report --dialect exotel``). Unlike
    `parse_cdr_page`, a bad record does not stop the read: it is listed in
    ``rejected`` with its 1-based position among all records, the field and
    the reason, and the other records are still read. JSON nested deeper than
    64 levels raises `MalformedInput` before the decoder recurses; integers
    longer than 18 digits, prices past 15 digits and dates that leave the
    calendar reject their record. Raises `InputTooLarge` past ``max_bytes``,
    `MalformedInput` for text that is not JSON, and `InvalidConfig` for a bad
    ``timezone`` or ``region``.
    """
    reader = _Reader(region, timezone, contact_ids, campaign_id)
    records = b.page_records(
        b.load_json(source, max_bytes=max_bytes, what="exotel CDRs"),
        "response",
        not_a_page="exotel: a CDR page must hold a 'response' array",
        not_pages="exotel: CDRs must be a page, an array of CDRs or an array of pages",
    )
    calls: list[Call] = []
    rejected: list[Rejection] = []
    keys: dict[str, None] = {}
    for position, entry in enumerate(records, 1):
        try:
            b.check_tree(entry, "exotel", "CDR")
            record = _unwrap(entry, "CDR")
            keys.update(dict.fromkeys(k for k in record if isinstance(k, str)))
            calls.append(_cdr_call(record, reader))
        except InvalidInput as exc:
            rejected.append(rejection(position, exc, _short_json(entry)))
    return CallReadResult(tuple(calls), tuple(rejected), tuple(keys))


def _short_json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)[:200]
    except (TypeError, ValueError):  # pragma: no cover - decoded JSON always dumps
        return b.shown(value)


def _number(value: Decimal) -> int | str:
    b.money(value, "exotel", "price")  # bounded before int() can build a huge integer
    return int(value) if value == value.to_integral_value() else str(value)


def _stamp(value: datetime | None, reader_tz: Any, name: str = "time") -> str | None:
    return None if value is None else b.in_zone(value, reader_tz, "exotel", name).isoformat()


def cdr_record(call: Call, *, timezone: str = DEFAULT_TIMEZONE) -> JSONObject:
    """``call`` as a CDR record (times in ``timezone``); what `parse_call` reads back.

    A price in another unit than pulses raises `InvalidInput`.
    """
    if call.price is not None and call.price_unit not in (None, "pulses"):
        raise InvalidInput(f"exotel: CDR prices are in pulses; got {call.price_unit!r}")
    tz = b.zone(timezone)
    return {
        "call_sid": call.id,
        "to": call.to,
        "from": call.from_number,
        "status": call_status_label(call.status),
        "start_time": _stamp(call.created_at, tz, "start_time"),
        "end_time": _stamp(call.ended_at, tz, "end_time"),
        "duration": call.duration,
        "recording_url": call.recording_url,
        "attempt_number": call.attempt,
        "price": None if call.price is None else _number(call.price),
    }


# --------------------------------------------------------------------------- webhooks


def parse_call_status(
    payload: JsonSource,
    *,
    region: str | None = DEFAULT_REGION,
    timezone: str = DEFAULT_TIMEZONE,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
) -> Call:
    """The call-status callback (after each attempt) as a `Call`.

    Reads ``CallSid``, ``To``, ``From``, ``Status``, ``Duration`` (seconds,
    as text), ``RecordingUrl``, ``DateCreated`` and, when present,
    ``DateUpdated`` (``updated_at``) and ``EndTime``. To merge it into a call
    you already hold, pass its status and ``updated_at`` to
    `apply_call_report`, which ignores duplicates and stale reports.
    Raises `InvalidInput` naming the bad field.
    """
    data = _object(payload, "call status callback")
    reader = _Reader(region, timezone, contact_ids, campaign_id)
    try:
        sid, status = data["CallSid"], data["Status"]
    except KeyError as exc:
        raise InvalidInput(f"exotel: call status callback lacks {exc.args[0]!r}") from None
    to = reader.phone(data.get("To"), "To")
    duration = data.get("Duration")
    return Call(
        id=str(sid),
        contact_id=reader.contact_ids.get(to, to),
        to=to,
        from_number=_text(data.get("From")) or "",
        status=call_status(status),
        created_at=reader.moment(data.get("DateCreated"), "DateCreated"),
        ended_at=reader.moment(data.get("EndTime"), "EndTime"),
        updated_at=reader.moment(data.get("DateUpdated"), "DateUpdated"),
        duration=0 if duration in (None, "") else _int(duration, "Duration"),
        recording_url=_text(data.get("RecordingUrl")),
        campaign_id=reader.campaign_id,
    )


def call_status_payload(call: Call, *, timezone: str = DEFAULT_TIMEZONE) -> dict[str, str]:
    """``call`` as a call-status callback payload (seed 001's keys; values are text)."""
    tz = b.zone(timezone)
    payload = {
        "CallSid": call.id,
        "To": call.to,
        "From": call.from_number,
        "Status": call_status_label(call.status),
        "Duration": str(call.duration),
        "RecordingUrl": call.recording_url or "",
        "DateCreated": _stamp(call.created_at, tz) or "",
    }
    if call.ended_at is not None:
        payload["EndTime"] = _stamp(call.ended_at, tz) or ""
    if call.updated_at is not None:
        payload["DateUpdated"] = _stamp(call.updated_at, tz) or ""
    return payload


@attrs.frozen
class CallScheduleEvent:
    """The call-schedule callback: every attempt for one contact is used up (seed 001)."""

    to: str = f.e164()
    """The contact's number, E.164."""
    final_status: CallStatus = f.member(CallStatus)
    """The status of the last attempt."""
    attempts: int = f.count()
    """How many attempts were made."""
    campaign_id: str | None = f.optional_text()

    @property
    def outcome(self) -> Outcome | None:
        """The last attempt's outcome (Exotel reports no answered-by)."""
        return classify_outcome(self.final_status, None)

    @property
    def contact_status(self) -> ContactStatus | None:
        """The contact status this settles on (``answered`` after a completed call)."""
        outcome = self.outcome
        return None if outcome is None else outcome.contact_status


def parse_call_schedule(
    payload: JsonSource, *, region: str | None = DEFAULT_REGION
) -> CallScheduleEvent:
    """The call-schedule callback (``To``, ``FinalStatus``, ``AttemptCount``, ``CampaignSid``).

    Raises `InvalidInput` naming the bad field.
    """
    data = _object(payload, "call schedule callback")
    reader = _Reader(region, DEFAULT_TIMEZONE, None, None)
    try:
        final = data["FinalStatus"]
        attempts = data["AttemptCount"]
    except KeyError as exc:
        raise InvalidInput(f"exotel: call schedule callback lacks {exc.args[0]!r}") from None
    return CallScheduleEvent(
        to=reader.phone(data.get("To"), "To"),
        final_status=call_status(final),
        attempts=_int(attempts, "AttemptCount"),
        campaign_id=_text(data.get("CampaignSid")),
    )


def call_schedule_payload(event: CallScheduleEvent) -> JSONObject:
    """``event`` as the call-schedule callback payload."""
    payload: JSONObject = {
        "To": event.to,
        "FinalStatus": call_status_label(event.final_status),
        "AttemptCount": event.attempts,
    }
    if event.campaign_id is not None:
        payload["CampaignSid"] = event.campaign_id
    return payload


@attrs.frozen
class CampaignStatusEvent:
    """The campaign-status callback: the campaign moved to ``status`` (seed 001)."""

    campaign_id: str = f.text()
    status: CampaignStatus = f.member(CampaignStatus)
    stats: Stats = attrs.field(factory=Stats)


def parse_campaign_status(payload: JsonSource) -> CampaignStatusEvent:
    """The campaign-status callback (``CampaignSid``, ``Status``, ``Stats``).

    Raises `InvalidInput` naming the bad field or the unknown status.
    """
    data = _object(payload, "campaign status callback")
    try:
        sid, status = data["CampaignSid"], data["Status"]
    except KeyError as exc:
        raise InvalidInput(f"exotel: campaign status callback lacks {exc.args[0]!r}") from None
    return CampaignStatusEvent(
        campaign_id=str(sid),
        status=campaign_status(status),
        stats=Stats.from_dict(data.get("Stats") or {}),
    )


def campaign_status_payload(event: CampaignStatusEvent) -> JSONObject:
    """``event`` as the campaign-status callback payload."""
    return {
        "CampaignSid": event.campaign_id,
        "Status": campaign_status_label(event.status),
        "Stats": event.stats.to_dict(),
    }


# --------------------------------------------------------------------------- dashboard export

DASHBOARD_COLUMNS = (
    "Phone Number",
    "Status",
    "Attempts",
    "Last Call Duration",
    "First Call Time",
    "Last Call Time",
)
"""The dashboard export's columns (seed 001: "one row per contact with columns for phone
number, final status, attempt count, last call duration, and timestamps")."""

# Final contact statuses of the dashboard (its pie chart: completed, failed, busy,
# no-answer, pending) and what each means for the contact.
_DASHBOARD_STATUS: dict[str, tuple[ContactStatus, Outcome | None]] = {
    "completed": (ContactStatus.ANSWERED, Outcome.HUMAN_CONVERSATION),
    "busy": (ContactStatus.FAILED, Outcome.BUSY),
    "no-answer": (ContactStatus.FAILED, Outcome.NO_ANSWER),
    "failed": (ContactStatus.FAILED, Outcome.FAILED),
    "canceled": (ContactStatus.FAILED, Outcome.CANCELLED),
    "pending": (ContactStatus.QUEUED, None),
    "in-progress": (ContactStatus.DIALING, None),
}
_DASHBOARD_KEYS = {b.squash(c): c for c in DASHBOARD_COLUMNS}
_STAMP = "%Y-%m-%d %H:%M:%S"  # Exotel's own layout, in the account's time zone


def dashboard_export(calls: Iterable[Call], *, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The dashboard's CSV export built from CDR calls: one row per contact (seed 001).

    Contacts are the distinct ``to`` numbers, in order of first call. Each
    row has the phone number, the final status (the last attempt's status,
    by attempt number, then start time, then the later record), the attempt count, the last call's
    duration in seconds, and the first and last call times (``YYYY-MM-DD
    HH:mm:ss`` in ``timezone``). Raises `InvalidInput` for a call status
    Exotel has no label for and `InvalidConfig` for a bad ``timezone``.
    """
    tz = b.zone(timezone)
    by_number: dict[str, list[Call]] = {}
    for call in calls:
        by_number.setdefault(call.to, []).append(call)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DASHBOARD_COLUMNS)
    for number, attempts in by_number.items():
        ordered = sorted(attempts, key=_attempt_order)
        last = ordered[-1]
        times = [c.created_at for c in ordered if c.created_at is not None]
        writer.writerow(
            [
                number,
                call_status_label(last.status),
                len(ordered),
                last.duration,
                _local(min(times), tz) if times else "",
                _local(max(times), tz) if times else "",
            ]
        )
    return out.getvalue()


def _attempt_order(call: Call) -> tuple[int, float]:
    return (call.attempt, call.created_at.timestamp() if call.created_at else 0.0)


def _local(moment: datetime, tz: Any) -> str:
    return b.in_zone(moment, tz, "exotel", "call time").strftime(_STAMP)


def read_dashboard_export(
    source: Source,
    *,
    region: str | None = DEFAULT_REGION,
    timezone: str = DEFAULT_TIMEZONE,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> ImportResult:
    """Read the dashboard's CSV export into one `Contact` per row, rejecting bad rows.

    Columns (matched ignoring case, spaces, ``_`` and ``-``) are
    `DASHBOARD_COLUMNS`; only ``Phone Number`` and ``Status`` are required.
    ``completed`` is answered; ``busy``, ``no-answer``, ``failed`` and
    ``canceled`` are failed (the outcome kept as ``last_outcome``);
    ``pending`` is queued and ``in-progress`` dialling. ``attempts`` is the
    attempt count, ``updated_at`` the last call time, and the attributes
    ``last_call_duration`` (seconds) and ``first_call_at`` (ISO 8601) keep the
    rest. Times without an offset are read in ``timezone``. Raises
    `MissingColumns`, `DuplicateColumns`, `InputTooLarge` past ``max_bytes``.
    """
    tz = b.zone(timezone)
    normaliser = PhoneNormaliser(region)
    text = read_text(source, max_bytes=max_bytes)
    b.check_text(text, "exotel", "dashboard export")
    names, where, rows = b.open_table(text, ",", _DASHBOARD_KEYS, ("Phone Number", "Status"))
    contacts: list[Contact] = []
    rejected: list[Rejection] = []
    seen: dict[str, int] = {}
    for line, row in b.fitting_rows(rows, len(names), ",", rejected):
        cells = {column: row[i].strip() for column, i in where.items()}
        try:
            contact = _dashboard_contact(cells, normaliser, tz)
        except InvalidInput as exc:
            rejected.append(rejection(line, exc))
            continue
        if contact.phone in seen:
            detail = f"same number as line {seen[contact.phone]}"
            dup = Rejection(
                line, RejectReason.DUPLICATE_PHONE, "Phone Number", contact.phone, detail
            )
            rejected.append(dup)
            continue
        seen[contact.phone] = line
        contacts.append(contact)
    return ImportResult(tuple(contacts), tuple(rejected), names, ",")


def _dashboard_contact(cells: Mapping[str, str], normaliser: PhoneNormaliser, tz: Any) -> Contact:
    raw = cells["Phone Number"]
    phone = normaliser.normalise(raw) if raw else None
    if phone is None:
        raise b.FieldError("exotel", "Phone Number", raw, "a valid phone number")
    label = cells["Status"].lower()
    if label not in _DASHBOARD_STATUS:
        known = ", ".join(_DASHBOARD_STATUS)
        raise b.FieldError("exotel", "Status", cells["Status"], f"one of {known}")
    status, outcome = _DASHBOARD_STATUS[label]
    attributes: dict[str, Any] = {}
    if cells.get("Last Call Duration"):
        seconds = b.duration(cells["Last Call Duration"], "exotel", "Last Call Duration")
        attributes["last_call_duration"] = seconds
    first = b.lenient_moment(cells.get("First Call Time") or None, tz, "exotel", "First Call Time")
    if first is not None:
        attributes["first_call_at"] = first.isoformat()
    last = b.lenient_moment(cells.get("Last Call Time") or None, tz, "exotel", "Last Call Time")
    attempts = cells.get("Attempts")
    return Contact(
        id=phone,
        phone=phone,
        status=status,
        last_outcome=outcome,
        attempts=b.whole(attempts, "exotel", "Attempts") if attempts else 0,
        updated_at=last,
        attributes=attributes,
    )
