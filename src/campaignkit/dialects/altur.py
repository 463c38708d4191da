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

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..billing import BillingPolicy
from ..errors import InvalidConfig
from ..io import (
    ImportResult,
    Labels,
    export_calls,
    export_contacts,
    export_results,
    read_call_export,
    read_contact_export,
)
from ..io.contacts import Formulas
from ..io.exports import Format
from ..models import DEFAULT_TIMEZONE, Call, Campaign, Contact
from ..statuses import AnsweredBy, CallStatus, CampaignStatus, Channel, ContactStatus
from ._vocab import Vocabulary

__all__ = [
    "ANSWERED_BY",
    "CALL_STATUS",
    "CAMPAIGN_STATUS",
    "CONTACT_STATUS_CALL",
    "CONTACT_STATUS_WHATSAPP",
    "LABELS",
    "LEGACY_CONTACT_STATUS",
    "answered_by",
    "answered_by_label",
    "call_status",
    "call_status_label",
    "campaign_status",
    "campaign_status_label",
    "contact_status",
    "contact_status_label",
    "parse_call_export",
    "parse_contact_export",
    "parse_results_export",
    "write_call_export",
    "write_contact_export",
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
"""The call export's ``status`` column. Altur has no label for `CallStatus.CANCELED`."""

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
    },
    {  # the display names of the same statuses
        "Pending": CampaignStatus.PENDING,
        "Ready": CampaignStatus.READY,
        "Active": CampaignStatus.ACTIVE,
        "Inactive": CampaignStatus.PAUSED,
        "Cooldown": CampaignStatus.COOLDOWN,
        "Finished": CampaignStatus.FINISHED,
    },
)
"""Campaign statuses (``inactive`` is a manual pause); display names are read too."""


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
    source: Any,
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


def parse_call_export(
    source: Any,
    *,
    region: str | None = "MX",
    timezone: str = DEFAULT_TIMEZONE,
    contact_ids: Mapping[str, str] | None = None,
    campaign_id: str | None = None,
    delimiter: str | None = None,
) -> tuple[Call, ...]:
    """Read an Altur call export into `Call` records (see `read_call_export`).

    Raises `MalformedInput` naming the line of a row that cannot be read.
    """
    return read_call_export(
        source,
        labels=LABELS,
        region=region,
        timezone=timezone,
        contact_ids=contact_ids,
        campaign_id=campaign_id,
        delimiter=delimiter,
    )


def write_contact_export(
    contacts: Iterable[Contact],
    *,
    campaign: Campaign | None = None,
    calls: Iterable[Call] | None = None,
    tags: Iterable[str] | None = None,
    fields: Iterable[str] | None = None,
    fmt: Format = "csv",
    delimiter: str = ",",
    billing: BillingPolicy | None = None,
) -> str:
    """Altur's contact export of ``contacts`` (see `export_contacts`), with Altur's labels.

    Raises `InvalidInput` for a contact status Altur cannot express.
    """
    return export_contacts(
        contacts,
        campaign=campaign,
        calls=calls,
        tags=tags,
        fields=fields,
        fmt=fmt,
        delimiter=delimiter,
        labels=LABELS,
        billing=billing,
    )


def write_results_export(
    contacts: Iterable[Contact],
    *,
    campaign: Campaign | None = None,
    calls: Iterable[Call] | None = None,
    tags: Iterable[str] | None = None,
    fields: Iterable[str] | None = None,
    fmt: Format = "csv",
    delimiter: str = ",",
    billing: BillingPolicy | None = None,
) -> str:
    """Altur's results export: the contact export of contacts with extracted data."""
    return export_results(
        contacts,
        campaign=campaign,
        calls=calls,
        tags=tags,
        fields=fields,
        fmt=fmt,
        delimiter=delimiter,
        labels=LABELS,
        billing=billing,
    )


def write_call_export(
    calls: Iterable[Call],
    *,
    contacts: Iterable[Contact] = (),
    campaign: Campaign | None = None,
    tags: Iterable[str] | None = None,
    fields: Iterable[str] | None = None,
    fmt: Format = "csv",
    delimiter: str = ",",
    billing: BillingPolicy | None = None,
) -> str:
    """Altur's call export (see `export_calls`): ``ended`` for completed calls, coarse answered-by.

    Raises `InvalidInput` for a canceled call (Altur has no label for it).
    """
    return export_calls(
        calls,
        contacts=contacts,
        campaign=campaign,
        tags=tags,
        fields=fields,
        fmt=fmt,
        delimiter=delimiter,
        labels=LABELS,
        billing=billing,
    )
