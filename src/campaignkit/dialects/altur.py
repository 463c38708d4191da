"""Altur (seeds 000 and 004): contact, call and campaign statuses, and the result exports.

Altur's contact statuses depend on the campaign channel: ``sending`` is a call
being placed (`ContactStatus.DIALING`) on call campaigns and a message being
sent (`ContactStatus.SENDING`) on WhatsApp; ``voicemail``/``answered`` exist
only on calls and ``sent``/``delivered``/``read``/``accepted``/``rejected``
only on WhatsApp. The deprecated labels ``no-answer``, ``busy`` and
``unreachable`` (data from before December 2025) are read as ``failed`` and
never written. A call that ``ended`` is `CallStatus.COMPLETED`.

The exports are `campaignkit.io`'s, written and read with `LABELS`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Unpack

from ..errors import InvalidConfig, InvalidInput
from ..io import (
    CALL_EXPORT_COLUMNS,
    DEFAULT_MAX_BYTES,
    CallReadOptions,
    CallStream,
    Formulas,
    ImportResult,
    Labels,
    MalformedInput,
    Rejection,
    RejectReason,
    Source,
    export_calls,
    export_contacts,
    export_results,
    iter_call_export,
    read_call_export,
    read_contact_export,
)
from ..io.exports import CallExportOptions, ContactExportOptions, ExportOptions
from ..io.text import read_text
from ..models.records import DEFAULT_TIMEZONE, Call, Contact
from ..statuses import AnsweredBy, CallStatus, CampaignStatus, Channel, ContactStatus
from . import _bounds as b
from ._result import CallReadResult, rejection
from ._vocab import Vocabulary

__all__ = [
    "ANSWERED_BY",
    "BREAKDOWN_LABELS",
    "CALL_STATUS",
    "CAMPAIGN_STATUS",
    "CONTACT_STATUS_CALL",
    "CONTACT_STATUS_WHATSAPP",
    "LABELS",
    "LEGACY_CONTACT_STATUS",
    "RecordingExportOptions",
    "answered_by",
    "answered_by_label",
    "breakdown_label",
    "call_status",
    "call_status_label",
    "campaign_status",
    "campaign_status_label",
    "contact_status",
    "contact_status_label",
    "iter_calls",
    "parse_call_export",
    "parse_contact_export",
    "parse_results_export",
    "read_calls",
    "recording_calls",
    "write_call_export",
    "write_contact_export",
    "write_recording_export",
    "write_results_export",
]

DIALECT = "altur"

LEGACY_CONTACT_STATUS = {
    "no-answer": ContactStatus.FAILED,
    "busy": ContactStatus.FAILED,
    "unreachable": ContactStatus.FAILED,
}
"""Deprecated contact statuses (legacy data before December 2025): read, never written."""

_COMMON = {
    "queue": ContactStatus.QUEUED,
    "failed": ContactStatus.FAILED,
    "retrying": ContactStatus.RETRYING,
    "converted": ContactStatus.CONVERTED,
}

CONTACT_STATUS_CALL: Vocabulary[ContactStatus] = Vocabulary(
    "altur",
    "contact status (call campaign)",
    {
        **_COMMON,
        "sending": ContactStatus.DIALING,
        "voicemail": ContactStatus.VOICEMAIL,
        "answered": ContactStatus.ANSWERED,
    },
    LEGACY_CONTACT_STATUS,
)
"""Contact statuses of call campaigns: the common ones, ``voicemail`` and ``answered``."""

CONTACT_STATUS_WHATSAPP: Vocabulary[ContactStatus] = Vocabulary(
    "altur",
    "contact status (WhatsApp campaign)",
    {
        **_COMMON,
        "sending": ContactStatus.SENDING,
        "sent": ContactStatus.SENT,
        "delivered": ContactStatus.DELIVERED,
        "read": ContactStatus.READ,
        "accepted": ContactStatus.ACCEPTED,
        "rejected": ContactStatus.REJECTED,
    },
    LEGACY_CONTACT_STATUS,
)
"""Contact statuses of WhatsApp campaigns: the common ones and the five message states."""

CALL_STATUS: Vocabulary[CallStatus] = Vocabulary(
    "altur",
    "call status",
    {
        "created": CallStatus.CREATED,
        "queued": CallStatus.QUEUED,
        "ringing": CallStatus.RINGING,
        "in-progress": CallStatus.IN_PROGRESS,
        "forwarding": CallStatus.FORWARDING,
        "ended": CallStatus.COMPLETED,
        "busy": CallStatus.BUSY,
        "no-answer": CallStatus.NO_ANSWER,
        "failed": CallStatus.FAILED,
    },
)
"""The call export's ``status`` column. Altur has no label for `CallStatus.CANCELLED`."""

ANSWERED_BY: Vocabulary[AnsweredBy] = Vocabulary(
    "altur",
    "answered-by value",
    {"human": AnsweredBy.HUMAN, "machine": AnsweredBy.MACHINE, "unknown": AnsweredBy.UNKNOWN},
)
"""The call export's ``answered_by`` column: human, machine, unknown."""

CAMPAIGN_STATUS: Vocabulary[CampaignStatus] = Vocabulary(
    "altur",
    "campaign status",
    {
        "pending": CampaignStatus.PENDING,
        "ready": CampaignStatus.READY,
        "active": CampaignStatus.ACTIVE,
        "inactive": CampaignStatus.PAUSED,
        "cooldown": CampaignStatus.COOLDOWN,
        "finished": CampaignStatus.FINISHED,
        # seed 004: "Archive the campaign if no further actions are needed"
        "archived": CampaignStatus.ARCHIVED,
    },
    {  # the display names of the same statuses
        "Pending": CampaignStatus.PENDING,
        "Ready": CampaignStatus.READY,
        "Active": CampaignStatus.ACTIVE,
        "Inactive": CampaignStatus.PAUSED,
        "Cooldown": CampaignStatus.COOLDOWN,
        "Finished": CampaignStatus.FINISHED,
        "Archived": CampaignStatus.ARCHIVED,
    },
)
"""Campaign statuses (``inactive`` is a manual pause); display names are read too.
``archived`` is a finished campaign put away (seed 004's "Archive the campaign")."""


BREAKDOWN_LABELS: tuple[str, ...] = (
    "queue",
    "sending",
    "failed",
    "retrying",
    "converted",
    "voicemail",
    "answered",
    "sent",
    "delivered",
    "read",
    "accepted",
    "rejected",
    "other",
)
"""The rows of a contacts-by-status breakdown in Altur's words (seed 000), both
channels together, in display order; ``other`` for statuses Altur has no label for
(``awaiting-outcome``, ``no-conversation``)."""

# Both channels' current labels: "sending" is a call being dialled on a call campaign
# and a message being sent on a WhatsApp one, so the two fold into one row.
_BREAKDOWN_LABEL: dict[ContactStatus, str] = {
    status: label
    for vocabulary in (CONTACT_STATUS_CALL, CONTACT_STATUS_WHATSAPP)
    for label, status in vocabulary.labels.items()
}


def breakdown_label(status: ContactStatus) -> str:
    """The `BREAKDOWN_LABELS` row a contact in ``status`` is counted in: its Altur label
    on either channel, or ``"other"``. Never raises for a `ContactStatus`."""
    return _BREAKDOWN_LABEL.get(status, "other")


def _contact_vocabulary(channel: Channel) -> Vocabulary[ContactStatus]:
    if channel is Channel.CALL:
        return CONTACT_STATUS_CALL
    if channel is Channel.WHATSAPP:
        return CONTACT_STATUS_WHATSAPP
    raise InvalidConfig("channel", "a Channel", channel)


def contact_status(label: str, channel: Channel = Channel.CALL) -> ContactStatus:
    """The canonical status for an Altur contact ``label`` in a ``channel`` campaign.

    Raises `InvalidInput` naming Altur and the label if the channel has no such status.
    """
    return _contact_vocabulary(channel).parse(label)


def contact_status_label(status: ContactStatus, channel: Channel = Channel.CALL) -> str:
    """Altur's label for ``status`` in a ``channel`` campaign.

    Raises `InvalidInput` for statuses Altur cannot express (``awaiting-outcome``,
    ``no-conversation``, and the other channel's statuses).
    """
    return _contact_vocabulary(channel).label(status)


def call_status(label: str) -> CallStatus:
    """The canonical call status for an Altur call-export label; `InvalidInput` if unknown."""
    return CALL_STATUS.parse(label)


def call_status_label(status: CallStatus) -> str:
    """Altur's label for a call status (``ended`` for completed); `InvalidInput` for canceled."""
    return CALL_STATUS.label(status)


def answered_by(label: str) -> AnsweredBy:
    """The canonical value for ``human``, ``machine`` or ``unknown``; else `InvalidInput`."""
    return ANSWERED_BY.parse(label)


def answered_by_label(value: AnsweredBy) -> str:
    """Altur's label for ``value``: Twilio's detail (machine_end_beep, fax) folds to ``machine``.

    Never raises: every answered-by value has a coarse Altur label.
    """
    return ANSWERED_BY.label(value.coarse)


def campaign_status(label: str) -> CampaignStatus:
    """The canonical campaign status for an Altur label (or display name); else `InvalidInput`."""
    return CAMPAIGN_STATUS.parse(label)


def campaign_status_label(status: CampaignStatus) -> str:
    """Altur's label for a campaign status; `InvalidInput` for scheduled and cancelled."""
    return CAMPAIGN_STATUS.label(status)


LABELS = Labels(
    name=DIALECT,
    contact_status=contact_status,
    contact_status_label=contact_status_label,
    call_status=call_status,
    call_status_label=call_status_label,
    answered_by=answered_by,
    answered_by_label=answered_by_label,
)
"""Altur's vocabulary for `campaignkit.io`'s exports and export readers."""


def parse_contact_export(
    source: Source,
    *,
    channel: Channel = Channel.CALL,
    tags: Sequence[str] = (),
    fields: Sequence[str] = (),
    region: str | None = "MX",
    timezone: str = DEFAULT_TIMEZONE,
    delimiter: str | None = None,
    formulas: Formulas = "reject",
) -> ImportResult:
    """Read an Altur contact export into `Contact` records (see `read_contact_export`).

    ``tags`` and ``fields`` name the dynamic columns (the agent's tags and
    extractable fields); other unknown columns become attributes. Legacy
    statuses read as ``failed``. Rows that cannot be read are rejected and
    listed in the result, with their line and a reason code.
    """
    return read_contact_export(
        source,
        tags=tags,
        fields=fields,
        channel=channel,
        labels=LABELS,
        region=region,
        timezone=timezone,
        delimiter=delimiter,
        formulas=formulas,
    )


parse_results_export = parse_contact_export
"""Read an Altur results export: the same columns as the contact export (seed 000)."""


def parse_call_export(source: Source, **options: Unpack[CallReadOptions]) -> tuple[Call, ...]:
    """Read an Altur call export into `Call` records (see `read_call_export`).

    Takes `CallReadOptions` (region ``"MX"`` and Mexico City by default).
    Raises `MalformedInput` naming the line of a row that cannot be read.
    """
    return read_call_export(source, labels=LABELS, **options)


def write_contact_export(
    contacts: Iterable[Contact], **options: Unpack[ContactExportOptions]
) -> str:
    """Altur's contact export of ``contacts`` (see `export_contacts`), with Altur's labels.

    Takes `ContactExportOptions`. Raises `InvalidInput` for a contact status
    Altur cannot express.
    """
    # extended=False given here, so passing it (or labels) is refused as before
    return export_contacts(contacts, labels=LABELS, extended=False, **options)


def write_results_export(
    contacts: Iterable[Contact], **options: Unpack[ContactExportOptions]
) -> str:
    """Altur's results export: the contact export of contacts with extracted data.

    Takes `ContactExportOptions`.
    """
    return export_results(contacts, labels=LABELS, extended=False, **options)


def write_call_export(calls: Iterable[Call], **options: Unpack[CallExportOptions]) -> str:
    """Altur's call export (see `export_calls`): ``ended`` for completed calls, coarse answered-by.

    Takes `CallExportOptions`. Raises `InvalidInput` for a canceled call
    (Altur has no label for it).
    """
    return export_calls(calls, labels=LABELS, **options)


def recording_calls(calls: Iterable[Call]) -> tuple[Call, ...]:
    """The calls Altur's recording export holds: answered by a human, with a recording.

    Seed 000: "Only calls with ``answered_by: human`` are included in the
    recording export." Machine, unknown and unanswered calls are left out,
    and so are human calls without a ``recording_url`` (there is nothing to
    download). Twilio's detail folds first, so only ``human`` itself counts.
    """
    return tuple(
        call
        for call in calls
        if call.answered_by is not None
        and call.answered_by.coarse is AnsweredBy.HUMAN
        and call.recording_url
    )


class RecordingExportOptions(ExportOptions, total=False):
    """The options of `write_recording_export`: `ExportOptions` and ``contacts``
    (no tag or field columns)."""

    contacts: Iterable[Contact]
    """Where each call's contact name is found by id (default none)."""


def write_recording_export(calls: Iterable[Call], **options: Unpack[RecordingExportOptions]) -> str:
    """Altur's recording export: the call export's columns for `recording_calls` only.

    Raises what `write_call_export` raises.
    """
    # tags and fields given here, so passing them is refused as before
    return write_call_export(recording_calls(calls), tags=None, fields=None, **options)


def read_calls(
    source: Source,
    *,
    region: str | None = "MX",
    timezone: str = DEFAULT_TIMEZONE,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
    delimiter: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> CallReadResult:
    """Read an Altur call export (CSV or JSON) for reports, rejecting bad rows one by one.

    The reader the command line uses (``report --dialect altur``). Like
    `parse_call_export`, but a row that cannot be read - a bad status, a
    cell over 128 KiB, a ragged row - is listed in ``rejected`` with its line
    (or 1-based position in JSON) and reason, and the other rows are still
    read, with attempts numbered among the rows kept. Raises `MissingColumns`,
    `InputTooLarge` past ``max_bytes``, `MalformedInput` for JSON that is not
    an array of objects, and `InvalidConfig` for a bad ``timezone``.
    """
    b.zone(timezone)
    options: dict[str, Any] = {
        "labels": LABELS,
        "region": region,
        "timezone": timezone,
        "contact_ids": contact_ids,
        "campaign_id": campaign_id,
    }
    data: Any = source
    if not b.decoded(source):
        data = read_text(source, max_bytes=max_bytes)
        b.check_text(data, "altur", "call export")
        if data.lstrip()[:1] in ("[", "{"):
            data = b.load_json(data, max_bytes=None, what="altur call export")
    if isinstance(data, list | dict):
        if not isinstance(data, list):
            raise MalformedInput(1, "expected a JSON array of call objects")
        return _read_records(data, options)
    if delimiter is None:
        delimiter = b.sniff_delimiter(data)
    try:  # the common case: every row reads, in one pass
        return CallReadResult(read_call_export(data, delimiter=delimiter, **options))
    except MalformedInput:
        pass
    rows = b.csv_rows(data, delimiter)
    header = next(rows, (0, []))[1]
    if isinstance(header, str):
        raise MalformedInput(1, header)
    rejected: list[Rejection] = []
    kept: list[list[str]] = []
    # Only the call columns are checked row by row (the others are skipped by the
    # reader anyway), so a long header is not re-read once per row.
    known = [i for i, name in enumerate(header) if name.strip().casefold() in _CALL_COLUMNS]
    names = [header[i] for i in known]
    # io's reader refuses an extra cell of spaces too (blank_is_empty=False)
    for line, row in b.fitting_rows(rows, len(header), delimiter, rejected, blank_is_empty=False):
        try:  # each row alone, to find every bad one (not just the first)
            alone = _csv_text(names, [[row[i] for i in known]], delimiter)
            read_call_export(alone, delimiter=delimiter, **options)
        except InvalidInput as exc:
            rejected.append(_row_rejection(line, exc, delimiter.join(row)))
            continue
        kept.append(row)
    calls = read_call_export(_csv_text(header, kept, delimiter), delimiter=delimiter, **options)
    return CallReadResult(calls, tuple(rejected), tuple(name.strip() for name in header))


def iter_calls(source: Source, **options: Unpack[CallReadOptions]) -> CallStream:
    """An Altur CSV call export as a stream, rejecting bad rows one by one (`iter_call_export`).

    The streaming reader the command line uses (``report --dialect altur`` on a
    CSV file): one `Call` per row in file order with bounded memory, Altur's
    labels, and each row that cannot be read listed in `CallStream.rejected`
    with its line and reason, as `read_calls` lists it. When
    `CallStream.renumbered` turns True (rows out of ``created_at`` order), the
    attempts differ from `read_calls`'; read the file with it instead. Takes
    `CallReadOptions`; raises what `iter_call_export` raises.
    """
    return iter_call_export(source, labels=LABELS, skip_bad_rows=True, **options)


_CALL_COLUMNS = frozenset(name.casefold() for name in CALL_EXPORT_COLUMNS)


def _read_records(data: list[Any], options: dict[str, Any]) -> CallReadResult:
    kept: list[Any] = []
    rejected: list[Rejection] = []
    for position, record in enumerate(data, 1):
        try:
            b.check_tree(record, "altur", "call")
            read_call_export([record], **options)
        except InvalidInput as exc:
            rejected.append(_row_rejection(position, exc, b.shown(record, 200)))
            continue
        kept.append(record)
    calls = read_call_export(kept, **options) if kept else ()
    return CallReadResult(calls, tuple(rejected))


def _row_rejection(line: int, exc: InvalidInput, value: str) -> Rejection:
    if isinstance(exc, MalformedInput):
        detail = exc.reason
        reason = RejectReason.RAGGED_ROW if "cells; the header has" in detail else None
        return Rejection(line, reason or RejectReason.INVALID_VALUE, None, value[:200], detail)
    return rejection(line, exc, value)


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[str]], delimiter: str) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
