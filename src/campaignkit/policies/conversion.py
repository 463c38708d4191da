"""Tags, extracted fields, conversion and callbacks: what a conversation leaves on a contact.

Seed 000 (Altur exports) shows, per contact, one True/False column per tag
configured on the agent and one column per extractable field (e.g. email,
interest, rating); the *results* export keeps only contacts with extracted
data; and a contact is ``converted`` when the system marks it so. This module
holds those rules as pure functions, so that the engine (which fires the
``convert`` event), the metrics (conversion rate) and the exports agree.

Merging extracted fields
------------------------
Each conversation yields an `Extraction`: the fields it extracted, stamped
with the conversation's time. `merge_extracted` combines them per field: the
**latest non-empty value wins**. Empty means ``None`` or a string that is
blank after stripping; an empty value never erases an earlier one, and a field
that was never filled is left out. Equal times are settled by the
conversation id and then the value itself, so the result does not depend on
the order the extractions are given in.

Tags
----
Tags set in any conversation accumulate: a contact's tags are the union
(`add_tags`). `tag_columns` gives the export's one-column-per-tag view.

Conversion
----------
`ConversionRule` is the policy (primary goal achieved, a chosen tag, or a
chosen extracted field present) and `is_converted` its one predicate.

Callbacks
---------
When a person asks to be called back (thinkrr *Callback*, `Outcome.CALLBACK_REQUESTED`),
`callback_time` turns the requested time into the contact's next attempt time,
and `schedule_callback` records it with the export's ``follow_up`` flag.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from .. import _fields as f
from .._fields import PlainData, Scalar
from .._frozen import FrozenMap, freeze
from ..errors import InvalidConfig, InvalidInput, shown
from ..models.goals import GoalResult
from ..models.records import Contact
from ..statuses import ContactStatus

__all__ = [
    "ConversionKind",
    "ConversionRule",
    "Extraction",
    "add_tags",
    "callback_time",
    "has_extracted_data",
    "is_converted",
    "is_empty_value",
    "merge_extracted",
    "schedule_callback",
    "tag_columns",
]


# --------------------------------------------------------------------------- extraction


def _fields_of(value: Mapping[str, Scalar]) -> FrozenMap[str, Scalar]:
    return f.scalar_mapping(value, "fields")


@attrs.frozen(weakref_slot=False)
class Extraction(PlainData):
    """The fields one conversation extracted, and when it took place.

    Raises `InvalidInput` for a naive or missing ``at``, an empty conversation
    id, or a field value that is not a JSON scalar.
    """

    conversation_id: str = f.text()
    """The conversation (call or chat) the fields come from."""
    at: datetime = f.instant()
    """When the conversation took place (aware; stored in UTC)."""
    fields: FrozenMap[str, Scalar] = attrs.field(
        default=freeze(None), converter=_fields_of, metadata=f.scalar_map().metadata
    )
    """The extracted values by field name (e.g. ``{"email": "ana@example.com"}``); a dict
    is kept as a read-only `FrozenMap` (a named converter, so mypy accepts the dict)."""


def is_empty_value(value: Scalar) -> bool:
    """True for a value that carries no data: ``None`` or a blank string."""
    return value is None or (type(value) is str and not value.strip())


def _value_key(value: Scalar) -> tuple[str, str]:
    return (type(value).__name__, repr(value))


def merge_extracted(extractions: Iterable[Extraction]) -> FrozenMap[str, Scalar]:
    """A contact's extracted fields, merged over its conversations: per field, the
    latest non-empty value wins (see the module notes). Order-independent.

    Raises `InvalidInput` if an item is not an `Extraction`.
    """
    best: dict[str, tuple[datetime, str, tuple[str, str], Scalar]] = {}
    for extraction in extractions:
        if type(extraction) is not Extraction:
            raise InvalidInput(f"expected Extraction records; got {shown(extraction)}")
        for name, value in extraction.fields.items():
            if is_empty_value(value):
                continue
            candidate = (extraction.at, extraction.conversation_id, _value_key(value), value)
            seen = best.get(name)
            if seen is None or candidate[:3] > seen[:3]:
                best[name] = candidate
    return freeze({name: best[name][3] for name in sorted(best)})


def has_extracted_data(contact: Contact) -> bool:
    """True if the contact has at least one non-empty extracted field: the
    Altur *results* export keeps exactly these contacts."""
    return any(not is_empty_value(v) for v in contact.extracted.values())


def add_tags(contact: Contact, tags: Iterable[str]) -> Contact:
    """``contact`` with ``tags`` added to its tags (a union: order and repeats do not matter).

    Raises `InvalidInput` for an empty or non-string tag.
    """
    if isinstance(tags, str):
        raise InvalidInput(f"tags must be a collection of tag names; got {shown(tags)}")
    added = frozenset(tags)
    if added <= contact.tags:
        return contact
    return attrs.evolve(contact, tags=contact.tags | added)


def tag_columns(contact: Contact, configured: Iterable[str]) -> dict[str, bool]:
    """One True/False value per tag configured on the agent, as the exports show them."""
    return {tag: tag in contact.tags for tag in configured}


# --------------------------------------------------------------------------- conversion


class ConversionKind(enum.StrEnum):
    """What marks a contact converted."""

    PRIMARY_GOAL = "primary-goal"
    """The campaign's primary goal is achieved for the contact."""
    TAG = "tag"
    """The contact carries a chosen tag."""
    EXTRACTED_FIELD = "extracted-field"
    """A chosen extracted field has a non-empty value."""


_check_kind = f.check_type(ConversionKind, error=InvalidConfig)


_check_name = f.check_text(optional=True, error=InvalidConfig)


def _load_kind(value: Any) -> ConversionKind:
    try:
        return ConversionKind(value)
    except ValueError:
        labels = ", ".join(repr(k.value) for k in ConversionKind)
        raise InvalidConfig("kind", f"one of {labels}", value) from None


@attrs.frozen(weakref_slot=False)
class ConversionRule(PlainData):
    """The policy that marks a contact converted: the primary goal achieved, a
    chosen tag, or a chosen extracted field present.

    ``tag`` is set exactly for `ConversionKind.TAG` and ``field`` exactly for
    `ConversionKind.EXTRACTED_FIELD`; anything else raises `InvalidConfig`.
    Build one with `primary_goal`, `on_tag` or `on_field`.
    """

    kind: ConversionKind = attrs.field(
        default=ConversionKind.PRIMARY_GOAL,
        validator=_check_kind,
        metadata={"codec": f.Codec(lambda k: k.value, _load_kind)},
    )
    """Which evidence counts."""
    tag: str | None = attrs.field(default=None, validator=_check_name, metadata={"codec": f.PLAIN})
    """The tag that marks conversion, for `ConversionKind.TAG`."""
    field: str | None = attrs.field(
        default=None, validator=_check_name, metadata={"codec": f.PLAIN}
    )
    """The extracted field whose presence marks conversion, for `ConversionKind.EXTRACTED_FIELD`."""

    def __attrs_post_init__(self) -> None:
        needs_tag = self.kind is ConversionKind.TAG
        needs_field = self.kind is ConversionKind.EXTRACTED_FIELD
        if needs_tag != (self.tag is not None):
            expected = "a tag name" if needs_tag else f"None for a {self.kind} rule"
            raise InvalidConfig("tag", expected, self.tag)
        if needs_field != (self.field is not None):
            expected = "a field name" if needs_field else f"None for a {self.kind} rule"
            raise InvalidConfig("field", expected, self.field)

    @classmethod
    def primary_goal(cls) -> ConversionRule:
        """Converted when the primary goal is achieved (the default)."""
        return cls(ConversionKind.PRIMARY_GOAL)

    @classmethod
    def on_tag(cls, tag: str) -> ConversionRule:
        """Converted when the contact carries ``tag``."""
        return cls(ConversionKind.TAG, tag=tag)

    @classmethod
    def on_field(cls, field: str) -> ConversionRule:
        """Converted when the extracted field ``field`` has a non-empty value."""
        return cls(ConversionKind.EXTRACTED_FIELD, field=field)


def is_converted(
    rule: ConversionRule, contact: Contact, *, primary_goal: GoalResult | None = None
) -> bool:
    """True if ``contact`` counts as converted under ``rule``.

    A contact already in status ``converted`` always counts (the status is
    terminal). Otherwise: for a primary-goal rule, ``primary_goal`` - the
    contact's combined result for the campaign's primary goal - must be
    achieved (None, no evaluation yet, is not); for a tag rule the contact must
    carry the tag; for a field rule the extracted field must be non-empty.
    The engine fires ``convert`` when this turns true, the metrics count it,
    and the exports filter by it, so all three agree. Never raises for
    well-typed arguments.
    """
    if contact.status is ContactStatus.CONVERTED:
        return True
    if rule.kind is ConversionKind.TAG:
        return rule.tag in contact.tags
    if rule.kind is ConversionKind.EXTRACTED_FIELD:
        return not is_empty_value(contact.extracted.get(rule.field or ""))
    return primary_goal is not None and primary_goal.achieved


# --------------------------------------------------------------------------- callbacks


def callback_time(
    requested_at: datetime,
    *,
    now: datetime,
    adjust: Callable[[datetime], datetime] | None = None,
) -> datetime:
    """When to call back a contact who asked for a callback at ``requested_at``.

    A time already past is replaced by ``now``. ``adjust`` - the calling-window
    rule, supplied by the engine - maps that time to the first moment at or
    after it when calling is allowed. The result is in UTC. Raises
    `InvalidInput` for a naive datetime, or if ``adjust`` returns a naive
    datetime or one earlier than the time it was given.
    """
    due = max(f.aware_utc(requested_at, "requested_at"), f.aware_utc(now))
    if adjust is None:
        return due
    adjusted = f.aware_utc(adjust(due), "adjust(...)")
    if adjusted < due:
        raise InvalidInput(
            f"adjust moved the callback back from {due.isoformat()} to {adjusted.isoformat()}"
        )
    return adjusted


def schedule_callback(
    contact: Contact,
    requested_at: datetime,
    *,
    now: datetime,
    adjust: Callable[[datetime], datetime] | None = None,
) -> Contact:
    """``contact`` with a follow-up scheduled for its callback request.

    Sets ``follow_up`` (the contact export's column) and ``next_attempt_at``
    to `callback_time`; the status is left to the engine, which moves the
    contact with ``schedule-retry``. Raises as `callback_time` does.
    """
    due = callback_time(requested_at, now=now, adjust=adjust)
    return attrs.evolve(contact, follow_up=True, next_attempt_at=due)
