"""Twilio: call statuses, AnsweredBy values (with the machine_end_* detail) and status callbacks.

Twilio posts its status callbacks as an HTML form (``application/x-www-form-urlencoded``).
`parse_status_callback` reads the body as text or bytes, or the form already
decoded into a mapping, into a `Call`; `status_callback_form` writes one back.
Answering-machine detection results keep their detail
(`AnsweredBy.MACHINE_END_BEEP`, ...); ``AnsweredBy.coarse`` folds them for
billing and metrics. Twilio's ``initiated`` is `CallStatus.CREATED`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, cast
from urllib.parse import parse_qs, urlencode

from ..errors import InvalidInput
from ..io import DEFAULT_MAX_BYTES, JsonSource, Rejection, Source
from ..io.text import PhoneNormaliser, read_text
from ..models.records import Call
from ..statuses import AnsweredBy, CallStatus, Direction
from . import _bounds as b
from ._result import CallReadResult, rejection
from ._vocab import Vocabulary

__all__ = [
    "ANSWERED_BY",
    "CALL_STATUS",
    "DIRECTION",
    "answered_by",
    "answered_by_label",
    "call_status",
    "call_status_label",
    "parse_status_callback",
    "read_call_log",
    "read_calls",
    "read_status_callbacks",
    "status_callback_form",
]

CALL_STATUS: Vocabulary[CallStatus] = Vocabulary(
    "twilio",
    "call status",
    {
        "queued": CallStatus.QUEUED,
        "initiated": CallStatus.CREATED,
        "ringing": CallStatus.RINGING,
        "in-progress": CallStatus.IN_PROGRESS,
        "completed": CallStatus.COMPLETED,
        "busy": CallStatus.BUSY,
        "no-answer": CallStatus.NO_ANSWER,
        "failed": CallStatus.FAILED,
        "canceled": CallStatus.CANCELLED,
    },
)
"""Twilio's ``CallStatus`` values. Twilio has no label for `CallStatus.FORWARDING`."""

ANSWERED_BY: Vocabulary[AnsweredBy] = Vocabulary(
    "twilio",
    "AnsweredBy value",
    {
        "human": AnsweredBy.HUMAN,
        "machine_start": AnsweredBy.MACHINE_START,
        "machine_end_beep": AnsweredBy.MACHINE_END_BEEP,
        "machine_end_silence": AnsweredBy.MACHINE_END_SILENCE,
        "machine_end_other": AnsweredBy.MACHINE_END_OTHER,
        "fax": AnsweredBy.FAX,
        "unknown": AnsweredBy.UNKNOWN,
    },
)
"""Twilio's answering-machine detection results. Twilio has no plain ``machine``."""

DIRECTION: Vocabulary[Direction] = Vocabulary(
    "twilio",
    "call direction",
    {"inbound": Direction.INBOUND, "outbound-api": Direction.OUTBOUND},
    {"outbound-dial": Direction.OUTBOUND, "trunking-originating": Direction.OUTBOUND},
)
"""``Direction``: ``outbound-api`` and ``outbound-dial`` are both outbound."""


def call_status(label: str) -> CallStatus:
    """The canonical call status for a Twilio ``CallStatus``; `InvalidInput` if unknown."""
    return CALL_STATUS.parse(label)


def call_status_label(status: CallStatus) -> str:
    """Twilio's ``CallStatus`` for ``status``; `InvalidInput` for forwarding."""
    return CALL_STATUS.label(status)


def answered_by(label: str) -> AnsweredBy:
    """The canonical value for a Twilio ``AnsweredBy``, detail kept; `InvalidInput` if unknown."""
    return ANSWERED_BY.parse(label)


def answered_by_label(value: AnsweredBy) -> str:
    """Twilio's ``AnsweredBy`` for ``value``; `InvalidInput` for the coarse ``machine``."""
    return ANSWERED_BY.label(value)


def _form(payload: Any) -> dict[str, str]:
    if isinstance(payload, Mapping):
        out: dict[str, str] = {}
        for key, value in payload.items():
            if isinstance(value, list | tuple):
                value = value[0] if value else ""
            if not isinstance(key, str) or not isinstance(value, str):
                raise InvalidInput(
                    f"twilio: form fields must be text; got {b.shown(key)}: {b.shown(value)}"
                )
            # issue 6: a lone surrogate crashed status_callback_form much later
            out[b.check_text(key, "twilio", "form field")] = b.check_text(value, "twilio", key)
        return out
    text = read_text(payload, max_bytes=None).strip()
    b.check_text(text, "twilio", "status callback")
    try:
        parsed = parse_qs(text, keep_blank_values=True)
    except ValueError as exc:
        raise InvalidInput(f"twilio: not a form-encoded body: {exc}") from None
    return {key: values[0] for key, values in parsed.items()}


def _timestamp(value: str, field: str = "Timestamp") -> datetime:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise b.FieldError("twilio", field, value, "an RFC 2822 date") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise b.FieldError("twilio", field, value, "an RFC 2822 date with a time zone")
    # issue 14: 'Mon, 01 Jan 0001 00:00:00 +0100' is before year 1 in UTC (OverflowError)
    return b.to_utc(moment, "twilio", field)


def parse_status_callback(
    payload: Source | Mapping[str, object],
    *,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
) -> Call:
    """A status callback (form body, or the form as a mapping) as a `Call`.

    Reads ``CallSid``, ``To``, ``From``, ``CallStatus``, ``Direction``,
    ``CallDuration`` (seconds), ``AnsweredBy``, ``Timestamp`` (RFC 2822,
    the ``updated_at``) and ``RecordingUrl``. ``To`` must be E.164, as
    Twilio sends it; the contact id is looked up by it in ``contact_ids``
    and is the number itself otherwise. To merge a callback into a call you
    hold, pass the new status and ``updated_at`` to `apply_call_report`:
    duplicate and out-of-order callbacks then change nothing.

    Raises `InvalidInput` naming the field and value that cannot be read.
    """
    form = _form(payload)
    try:
        sid, status, to = form["CallSid"], form["CallStatus"], form["To"]
    except KeyError as exc:
        raise InvalidInput(f"twilio: status callback lacks {exc.args[0]!r}") from None
    phone = PhoneNormaliser(None).normalise(to.strip())
    if phone is None:
        raise InvalidInput(f"twilio: To {to!r} is not an E.164 phone number")
    duration = form.get("CallDuration", "").strip()
    seconds = b.whole(duration, "twilio", "CallDuration") if duration else 0
    amd = form.get("AnsweredBy", "")
    direction = form.get("Direction", "")
    stamp = form.get("Timestamp", "")
    ids = contact_ids or {}
    return Call(
        id=sid,
        contact_id=ids.get(phone, phone),
        to=phone,
        from_number=form.get("From", ""),
        direction=DIRECTION.parse(direction) if direction else Direction.OUTBOUND,
        status=call_status(status),
        answered_by=answered_by(amd) if amd else None,
        updated_at=_timestamp(stamp) if stamp else None,
        duration=seconds,
        recording_url=form.get("RecordingUrl") or None,
        campaign_id=campaign_id,
    )


def status_callback_form(call: Call) -> str:
    """``call`` as a status-callback form body (what `parse_status_callback` reads).

    ``Timestamp`` is whole seconds (RFC 2822 has no fractions). Raises
    `InvalidInput` for values Twilio has no label for and for text a form
    cannot carry (a lone surrogate).
    """
    fields = {
        "CallSid": call.id,
        "To": call.to,
        "From": call.from_number,
        "CallStatus": call_status_label(call.status),
        "Direction": DIRECTION.label(call.direction),
    }
    if call.duration or call.status is CallStatus.COMPLETED:
        fields["CallDuration"] = str(call.duration)
    if call.answered_by is not None:
        fields["AnsweredBy"] = answered_by_label(call.answered_by)
    if call.updated_at is not None:
        fields["Timestamp"] = format_datetime(call.updated_at.replace(microsecond=0))
    if call.recording_url:
        fields["RecordingUrl"] = call.recording_url
    for name, value in fields.items():
        b.check_text(value, "twilio", name)  # urlencode would raise UnicodeEncodeError
    return urlencode(fields)


# --------------------------------------------------------------------------- call logs

# Call-log fields, matched ignoring case, spaces, "_" and "-": the REST API's
# Calls resource uses snake_case (start_time), the console's CSV export
# title-case headers (Start Time); both squash to the same key.
_LOG_FIELDS = {
    "sid": ("sid", "callsid"),
    "to": ("to",),
    "from": ("from",),
    "status": ("status", "callstatus"),
    "direction": ("direction",),
    "answered_by": ("answeredby",),
    "start_time": ("starttime",),
    "end_time": ("endtime",),
    "duration": ("duration", "callduration"),
    "price": ("price",),
    "price_unit": ("priceunit", "currency"),
    "date_created": ("datecreated",),
    "date_updated": ("dateupdated",),
}
_LOG_ALIAS = {alias: field for field, aliases in _LOG_FIELDS.items() for alias in aliases}
_LOG_REQUIRED = ("sid", "to", "status")


def _fold(label: str, joiner: str) -> str:
    # The console shows "No Answer" / "Outbound API" where the API says no-answer / outbound-api.
    return "".join(joiner if c in " -_" else c for c in label.strip().lower())


class _LogReader:
    def __init__(self, region: str | None, contact_ids: Mapping[str, str] | None) -> None:
        self.normaliser = PhoneNormaliser(region)
        self.ids = dict(contact_ids or {})

    def call(self, cells: Mapping[str, Any], campaign_id: str | None) -> Call:
        for field in _LOG_REQUIRED:
            value = cells.get(field)
            if not isinstance(value, str) or not value.strip():
                raise b.FieldError("twilio", field, value, "present and not empty")
        for field, value in cells.items():
            if value is not None and not isinstance(value, str | int | float):
                raise b.FieldError("twilio", field, value, "text or a number")
        to = cells["to"].strip()
        phone = self.normaliser.normalise(to)
        if phone is None:
            raise b.FieldError("twilio", "to", to, "a phone number in E.164")
        status = b.label(call_status, _fold(cells["status"], "-"), "twilio", "status")
        amd = _text(cells.get("answered_by"))
        direction = _text(cells.get("direction"))
        duration = cells.get("duration")
        price = b.money(_text(cells.get("price")), "twilio", "price")
        created = self.moment(cells, "date_created")
        started = self.moment(cells, "start_time")
        return Call(
            id=cells["sid"].strip(),
            contact_id=self.ids.get(phone, phone),
            to=phone,
            from_number=_text(cells.get("from")) or "",
            direction=b.label(DIRECTION.parse, _fold(direction, "-"), "twilio", "direction")
            if direction
            else Direction.OUTBOUND,
            status=status,
            answered_by=b.label(answered_by, _fold(amd, "_"), "twilio", "answered_by")
            if amd
            else None,
            created_at=created or started,
            started_at=started,
            ended_at=self.moment(cells, "end_time"),
            updated_at=self.moment(cells, "date_updated"),
            duration=0 if duration in (None, "") else b.whole(duration, "twilio", "duration"),
            # Twilio reports a charge as a negative amount; the price is the cost.
            price=None if price is None else abs(price),
            price_unit=(_text(cells.get("price_unit")) or None) if price is not None else None,
            campaign_id=campaign_id,
        )

    def moment(self, cells: Mapping[str, Any], field: str) -> datetime | None:
        # RFC 2822 in the API ("Tue, 31 Aug 2010 20:36:28 +0000"), other layouts in
        # the console export; Twilio's times are UTC when no offset is written.
        return b.lenient_moment(_text(cells.get(field)), UTC, "twilio", field)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _log_records(data: Any) -> list[Any]:
    """The call objects of a Calls list page (``{"calls": [...]}``), an array, or pages."""
    return b.page_records(
        data,
        "calls",
        not_a_page="twilio: a call-log page must hold a 'calls' array",
        not_pages="twilio: a call log must be a Calls page, an array of calls or of pages",
    )


def read_call_log(
    source: JsonSource,
    *,
    region: str | None = None,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
    delimiter: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> CallReadResult:
    """Read Twilio call logs - the REST API's Calls list (JSON) or the console's CSV export.

    JSON is a Calls list page (``{"calls": [...], "next_page_uri": ...}``),
    a bare array of Call resources, or an array of pages; CSV is the
    console's call-log download. Fields are matched ignoring case, spaces,
    ``_`` and ``-`` (``start_time`` and ``Start Time`` are one): ``sid``
    (or ``Call Sid``), ``to``, ``from``, ``status``, ``direction``,
    ``answered_by``, ``start_time``, ``end_time``, ``duration`` (seconds),
    ``price``, ``price_unit``, ``date_created``, ``date_updated``. Times are
    RFC 2822 or any common layout, UTC when no offset is written; Twilio's
    negative charge becomes a positive ``Call.price`` in ``price_unit``.

    The reader the command line uses (``report --dialect twilio``). A bad
    row or record is listed in ``rejected`` (line, or 1-based position in
    JSON, field and reason) and the others are still read. Raises
    `MissingColumns` for CSV without sid, to and status columns,
    `DuplicateColumns`, `MalformedInput` for broken or too deeply nested
    JSON, and `InputTooLarge` past ``max_bytes``.
    """
    reader = _LogReader(region, contact_ids)
    # not decoded JSON, so a text Source
    text = "" if b.decoded(source) else read_text(cast(Source, source), max_bytes=max_bytes)
    calls: list[Call] = []
    rejected: list[Rejection] = []
    if b.decoded(source) or text.lstrip()[:1] in ("[", "{"):
        data = b.load_json(text or source, max_bytes=None, what="twilio call log")
        keys: dict[str, None] = {}
        for position, record in enumerate(_log_records(data), 1):
            try:
                if not isinstance(record, Mapping):
                    raise InvalidInput(
                        f"twilio: a call must be a JSON object; got {b.shown(record)}"
                    )
                b.check_tree(record, "twilio", "call")
                keys.update(dict.fromkeys(k for k in record if isinstance(k, str)))
                cells = {_LOG_ALIAS[k]: v for k, v in _squashed(record).items() if k in _LOG_ALIAS}
                calls.append(reader.call(cells, campaign_id))
            except InvalidInput as exc:
                rejected.append(rejection(position, exc, b.shown(record, 200)))
        return CallReadResult(tuple(calls), tuple(rejected), tuple(keys))
    b.check_text(text, "twilio", "call log")
    if delimiter is None:
        delimiter = b.sniff_delimiter(text)
    names, where, rows = b.open_table(
        text, delimiter, _LOG_ALIAS, _LOG_REQUIRED, no_header=("Call Sid", "To", "Status")
    )
    for line, row in b.fitting_rows(rows, len(names), delimiter, rejected):
        try:
            calls.append(reader.call({f: row[i] for f, i in where.items()}, campaign_id))
        except InvalidInput as exc:
            rejected.append(rejection(line, exc))
    return CallReadResult(tuple(calls), tuple(rejected), names)


def _squashed(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        folded = b.squash(key)
        if folded in out and folded in _LOG_ALIAS:
            raise b.FieldError("twilio", key, value, "given once (another key is the same field)")
        out[folded] = value
    return out


def read_status_callbacks(
    source: Source,
    *,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> CallReadResult:
    """Read logged status callbacks - one form-encoded body per line - as the latest call per sid.

    Each line is read like `parse_status_callback`; a call's later
    callbacks (by ``Timestamp``, then line order) replace its earlier ones,
    so each call appears once, in its latest state. A line that cannot be
    read is listed in ``rejected`` with its line number and the others are
    still read. Raises `InputTooLarge` past ``max_bytes``.
    """
    text = read_text(source, max_bytes=max_bytes)
    latest: dict[str, tuple[Call, int]] = {}
    rejected: list[Rejection] = []
    for line, body in enumerate(text.splitlines(), 1):
        if not body.strip():
            continue
        try:
            call = parse_status_callback(body, contact_ids=contact_ids, campaign_id=campaign_id)
        except InvalidInput as exc:
            rejected.append(rejection(line, exc, b.shown(body, 200)))
            continue
        known = latest.get(call.id)
        if known is None or _after(call, known[0]):
            latest[call.id] = (call, line)
    calls = sorted(latest.values(), key=lambda pair: pair[1])
    return CallReadResult(tuple(call for call, _ in calls), tuple(rejected))


_CALLBACK_MARK = "CallSid="  # a form field: logged callbacks, never a call log's header
_SNIFF_CHARS = 4096


def read_calls(
    source: JsonSource,
    *,
    region: str | None = None,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> CallReadResult:
    """Read any Twilio file for reports: logged status callbacks or a call log.

    The reader the command line uses (``report --dialect twilio``). Text whose
    first 4 KiB holds a ``CallSid=`` form field is read as logged callbacks
    (`read_status_callbacks`: E.164 numbers, ``region`` unused); anything
    else - the REST API's Calls list (JSON, decoded or not) or the console's
    CSV download - as a call log (`read_call_log`). Raises what the chosen
    reader raises, and `InputTooLarge` past ``max_bytes``.
    """
    text = source if b.decoded(source) else read_text(cast(Source, source), max_bytes=max_bytes)
    if isinstance(text, str) and _CALLBACK_MARK in text[:_SNIFF_CHARS]:
        return read_status_callbacks(
            text, contact_ids=contact_ids, campaign_id=campaign_id, max_bytes=None
        )
    return read_call_log(
        text, region=region, contact_ids=contact_ids, campaign_id=campaign_id, max_bytes=None
    )


def _after(new: Call, old: Call) -> bool:
    if new.updated_at is None or old.updated_at is None:
        return True  # no time to compare: the later line wins
    return new.updated_at >= old.updated_at
