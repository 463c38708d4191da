"""Which words the status columns of an export use: canonical, or a vendor's."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

import attrs

from ..errors import InvalidInput
from ..statuses import AnsweredBy, CallStatus, Channel, ContactStatus

__all__ = ["CANONICAL", "Labels", "parse_label"]

E = TypeVar("E", bound=Enum)


def parse_label(enum: type[E], label: object, dialect: str, what: str) -> E:
    """The member of ``enum`` whose value is ``label``.

    Raises `InvalidInput` naming the dialect, what was parsed and the label.
    """
    try:
        return enum(label)
    except ValueError:
        raise InvalidInput(f"{dialect}: unknown {what} {label!r}") from None


@attrs.frozen
class Labels:
    """The status vocabulary an export is written in and read back from.

    `CANONICAL` writes campaignkit's own labels; ``campaignkit.dialects.altur.LABELS``
    writes Altur's. Each reader raises `InvalidInput` naming ``name`` and the
    label it does not know; each writer raises `InvalidInput` for a value the
    vocabulary cannot express.
    """

    name: str
    contact_status: Callable[[str, Channel], ContactStatus]
    contact_status_label: Callable[[ContactStatus, Channel], str]
    call_status: Callable[[str], CallStatus]
    call_status_label: Callable[[CallStatus], str]
    answered_by: Callable[[str], AnsweredBy]
    answered_by_label: Callable[[AnsweredBy], str]


def _contact_status(label: str, channel: Channel) -> ContactStatus:
    return parse_label(ContactStatus, label, "canonical", "contact status")


def _call_status(label: str) -> CallStatus:
    return parse_label(CallStatus, label, "canonical", "call status")


def _answered_by(label: str) -> AnsweredBy:
    return parse_label(AnsweredBy, label, "canonical", "answered-by value")


CANONICAL = Labels(
    name="canonical",
    contact_status=_contact_status,
    contact_status_label=lambda status, channel: status.value,
    call_status=_call_status,
    call_status_label=lambda status: status.value,
    answered_by=_answered_by,
    answered_by_label=lambda value: value.value,
)
"""campaignkit's own labels (``queued``, ``completed``, ``machine_end_beep``, ...)."""
