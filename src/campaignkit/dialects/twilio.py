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
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from .._fields import aware_utc
from ..errors import InvalidInput
from ..io._phone import PhoneNormaliser
from ..io._source import read_text
from ..models import Call
from ..statuses import AnsweredBy, CallStatus, Direction
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
        "canceled": CallStatus.CANCELED,
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
                raise InvalidInput(f"twilio: form fields must be text; got {key!r}: {value!r}")
            out[key] = value
        return out
    text = read_text(payload, max_bytes=None).strip()
    try:
        parsed = parse_qs(text, keep_blank_values=True)
    except ValueError as exc:
        raise InvalidInput(f"twilio: not a form-encoded body: {exc}") from None
    return {key: values[0] for key, values in parsed.items()}


def _timestamp(value: str) -> datetime:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        raise InvalidInput(f"twilio: Timestamp {value!r} is not an RFC 2822 date") from None
    try:
        return aware_utc(moment, "Timestamp")
    except InvalidInput:
        raise InvalidInput(f"twilio: Timestamp {value!r} has no time zone") from None


def parse_status_callback(
    payload: Any,
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
    if duration and not (duration.isascii() and duration.isdigit()):
        raise InvalidInput(f"twilio: CallDuration {duration!r} is not whole seconds")
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
        duration=int(duration) if duration else 0,
        recording_url=form.get("RecordingUrl") or None,
        campaign_id=campaign_id,
    )


def status_callback_form(call: Call) -> str:
    """``call`` as a status-callback form body (what `parse_status_callback` reads).

    ``Timestamp`` is whole seconds (RFC 2822 has no fractions). Raises
    `InvalidInput` for values Twilio has no label for.
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
    return urlencode(fields)
