"""Shared pieces of the strategies: defaults, argument checks, time helpers."""

from __future__ import annotations

import string
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

import phonenumbers
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .. import _fields as f
from .._fields import Scalar
from .._fields import zone as lookup_zone
from ..errors import InvalidInput
from ..io import CALL_EXPORT_COLUMNS, CONTACT_EXPORT_COLUMNS, EXTENDED_CONTACT_COLUMNS
from ..models.records import DEFAULT_TIMEZONE

T = TypeVar("T")

DEFAULT_REGIONS: tuple[str, ...] = ("MX", "US", "IN", "GB", "BR", "ES", "CO")
"""Regions the phone-number strategies draw from unless told otherwise."""

DEFAULT_TIMEZONES: tuple[str, ...] = (
    DEFAULT_TIMEZONE,
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "America/Sao_Paulo",
)
"""Time zones campaigns and schedules are drawn from; the seeds' default comes first."""

_EPOCH_MIN = datetime(2020, 1, 1, tzinfo=UTC)
_EPOCH_MAX = datetime(2035, 12, 31, tzinfo=UTC)
_ids = st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=12)
_names = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=0, max_size=24
)


RESERVED_TAGS: frozenset[str] = frozenset(
    name.casefold()
    for name in (*CONTACT_EXPORT_COLUMNS, *EXTENDED_CONTACT_COLUMNS, *CALL_EXPORT_COLUMNS)
)
"""Names no drawn tag takes: the fixed columns of the contact and call exports, which
refuse a tag column of the same name (issue 13: a tag ``follow_up``)."""

_ID_CHARS = string.ascii_lowercase + string.digits


# Tags start with a letter or digit: a leading "-" (or "+", "=", "@") reads as a formula
# in a spreadsheet, so an export would neutralise the header and the tag would not come
# back. Strategies draw only what every reader and writer accepts unchanged.
def _column_names(first: str) -> st.SearchStrategy[str]:
    return st.builds(
        str.__add__, st.sampled_from(first), st.text(_ID_CHARS + "-_", max_size=11)
    ).filter(lambda name: name.casefold() not in RESERVED_TAGS)


# Tags, extracted fields and attributes each become export columns of one header, so
# their names start from disjoint sets of characters: a tag never clashes with a field.
_tags = _column_names(string.digits + "abcdefghi")
_field_names = _column_names("jklmnopq")
_attribute_names = _column_names("rstuvwxyz")

# Field names of extracted data and attributes follow the tags' rule (a column each in
# the exports); values are JSON scalars that survive a JSON round trip exactly.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    _names,
)
_scalar_maps = st.dictionaries(_field_names, _scalars, max_size=4)
_attribute_maps = st.dictionaries(_attribute_names, _scalars, max_size=4)

# Offsets of whole minutes within +-14 hours: every real zone's, and those of datetimes
# parsed from vendor files ("+05:30"). The records store them in UTC.
_offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


def identifiers() -> st.SearchStrategy[str]:
    """Ids as every record, reader and writer accepts them unchanged: 1-12 characters
    of lower-case letters, digits, ``-`` and ``_``. Shrinks towards ``"0"``."""
    return _ids


def json_scalars() -> st.SearchStrategy[Scalar]:
    """The values of extracted fields, attributes and settings: None, booleans, integers
    within +-2**53, finite floats and short texts - each survives a JSON round trip."""
    return _scalars


def moments(
    *, min_value: datetime = _EPOCH_MIN, max_value: datetime = _EPOCH_MAX, offsets: bool = True
) -> st.SearchStrategy[datetime]:
    """Aware datetimes between ``min_value`` and ``max_value``, in UTC or - with
    ``offsets`` - in a fixed UTC offset of whole minutes within 14 hours (the records
    store them in UTC). Raises `InvalidArgument` for a bad time window."""
    _check_window(min_value, max_value)
    _check_flag("offsets", offsets)
    utc = _moments(min_value, max_value)
    if not offsets:
        return utc
    return st.tuples(utc, st.just(UTC) | _offsets).map(lambda pair: pair[0].astimezone(pair[1]))


def _check_regions(regions: Sequence[str]) -> tuple[str, ...]:
    if isinstance(regions, str) or not regions:
        raise InvalidArgument(
            f"regions must be a non-empty sequence of region codes; got {regions!r}"
        )
    supported = phonenumbers.SUPPORTED_REGIONS
    for region in regions:
        if region not in supported:
            raise InvalidArgument(f"{region!r} is not a region phonenumbers knows")
    return tuple(regions)


def _moments(min_value: datetime, max_value: datetime) -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=min_value.replace(tzinfo=None),
        max_value=max_value.replace(tzinfo=None),
        timezones=st.just(UTC),
    )


def _check_window(min_value: datetime, max_value: datetime) -> None:
    for name, value in (("min_value", min_value), ("max_value", max_value)):
        if value.tzinfo is None:
            raise InvalidArgument(f"{name} must be timezone-aware; got {value!r}")
    if min_value > max_value:
        raise InvalidArgument(f"min_value {min_value} is after max_value {max_value}")


# --------------------------------------------------------------------------- argument checks


def _prefer(default: T, *strategies: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """``strategies``, shrinking towards ``default`` (a value they can generate)."""
    return st.one_of(st.just(default), *strategies)


# The argument checks are the records' validator family (`campaignkit._fields`) raising
# Hypothesis's InvalidArgument, as its API guide asks of strategies: one family, so a
# strategy's message reads like a record's ("n must be an integer >= 0; got -1").
def _argument_error(name: str, expected: str, value: Any) -> InvalidArgument:
    return InvalidArgument(f"{name} must be {expected}; got {value!r}")


_FLAG = f.check_flag(error=_argument_error)


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    return f.check_int(low, high, error=_argument_error).of(name, value)


def _check_flag(name: str, value: Any) -> bool:
    return _FLAG.of(name, value)


def _check_span(name: str, value: Any, low: timedelta, high: timedelta) -> timedelta:
    return f.check_span(low, high, error=_argument_error).of(name, value)


def _check_choices(
    name: str, values: Any, allowed: Collection[Any] | None = None
) -> tuple[Any, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Collection) or not values:
        raise InvalidArgument(f"{name} must be a non-empty collection; got {values!r}")
    chosen = tuple(values)
    if allowed is not None:
        for value in chosen:
            if value not in allowed:
                raise InvalidArgument(
                    f"{name}: {value!r} is not one of {sorted(map(str, allowed))}"
                )
    return chosen


def _check_zones(name: str, zones: Any) -> tuple[str, ...]:
    chosen = _check_choices(name, zones)
    for zone in chosen:
        try:
            lookup_zone(zone, name)
        except InvalidInput:  # also tzdata folders ("America"), never a bare OSError
            raise InvalidArgument(f"{name}: {zone!r} is not an IANA time zone name") from None
    return chosen


def _check_tags(name: str, tags: Any) -> tuple[str, ...]:
    if isinstance(tags, str | bytes) or not isinstance(tags, Collection):
        raise InvalidArgument(f"{name} must be a collection of tag names; got {tags!r}")
    chosen = tuple(tags)
    for tag in chosen:
        if type(tag) is not str or not tag:
            raise InvalidArgument(f"{name} must hold non-empty strings; got {tag!r}")
    return chosen


_STRATEGY: f.Check[st.SearchStrategy[Any] | None] = f.check(
    lambda value: isinstance(value, st.SearchStrategy),
    "a SearchStrategy or None",
    optional=True,
    error=_argument_error,
)


def _check_strategy(name: str, value: Any) -> st.SearchStrategy[Any] | None:
    return _STRATEGY.of(name, value)


def _seconds_between(low: timedelta, high: timedelta) -> st.SearchStrategy[timedelta]:
    """Whole-second timedeltas from ``low`` (rounded up) to ``high``, shrinking to ``low``."""
    first = -int(-low.total_seconds() // 1)
    return st.integers(first, int(high.total_seconds())).map(lambda s: timedelta(seconds=s))


def _minutes_between(low: timedelta, high: timedelta) -> st.SearchStrategy[int] | None:
    """Whole minutes from ``low`` to ``high`` (as ints), or None if there are none."""
    first = -(-low // timedelta(minutes=1))
    last = high // timedelta(minutes=1)
    return st.integers(first, last) if first <= last else None


def _clamp(value: timedelta, low: timedelta, high: timedelta) -> timedelta:
    return min(max(value, low), high)
