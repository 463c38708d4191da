"""Cell values to typed values and back, shared by the readers and the writers."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from .._fields import zone as _zone
from ..errors import InvalidConfig, InvalidInput

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_COUNT_DIGITS",
    "format_moment",
    "parse_bool",
    "parse_count",
    "parse_instant",
    "parse_moment",
    "shown",
    "zone",
]

MAX_COUNT_DIGITS = 4300
"""The longest count a reader converts (CPython's int/str limit; longer is refused)."""

EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
"""The date-times the readers accept: one day inside the calendar's ends, so that
the moment can be shown in any time zone (offsets are under a day) without
`OverflowError` - ``0001-01-01T00:00`` in Asia/Kolkata is in year 0 in UTC."""

_SHOWN = 80


def shown(value: object) -> str:
    """``repr(value)`` for a message: at most about 80 characters, never raising
    (an integer too long to print is shown by its size)."""
    try:
        text = repr(value)
    except ValueError:
        return f"<a {type(value).__name__} too large to show>"
    if len(text) > _SHOWN:
        return f"{text[:_SHOWN]}... ({len(text):,} characters)"
    return text


_MAX_ZONE_NAME = 64  # shown in messages; the longest IANA name has 32 characters

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def zone(name: str) -> tzinfo:
    """The IANA time zone ``name``, through the foundation's one cached lookup.

    Raises `InvalidConfig` (a bad option, as before) if there is none -
    including tzdata's folders (``"America"``), its data files and over-long
    names; the message never shows where tzdata is installed.
    """
    try:
        return _zone(name)
    except InvalidInput:
        if isinstance(name, str) and len(name) > _MAX_ZONE_NAME:
            name = f"{name[:_MAX_ZONE_NAME]}... ({len(name):,} characters)"
        raise InvalidConfig(
            "timezone", "an IANA time zone name such as 'America/Mexico_City'", name
        ) from None


def parse_bool(value: object) -> bool:
    """``True``/``False`` (any case), ``1``/``0``, ``yes``/``no``; empty is False."""
    if type(value) is bool:
        return value
    if value is None:
        return False
    if isinstance(value, str):
        key = value.strip().casefold()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise InvalidInput(f"expected True or False; got {value!r}")


def parse_count(value: object) -> int:
    """A non-negative integer from an int or its decimal text; empty is 0."""
    if type(value) is int and value >= 0:
        return value
    if value is None:
        return 0
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        if text.isascii() and text.isdigit():
            if len(text) > MAX_COUNT_DIGITS:
                raise InvalidInput(
                    f"expected a count of at most {MAX_COUNT_DIGITS:,} digits; "
                    f"got one of {len(text):,}"
                )
            try:
                return int(text)
            except ValueError:  # a lower sys.set_int_max_str_digits
                raise InvalidInput(f"count of {len(text):,} digits is too long") from None
    raise InvalidInput(f"expected a non-negative whole number; got {shown(value)}")


def parse_moment(value: object, tz: tzinfo) -> datetime | None:
    """An aware datetime from ISO 8601 text; a value without an offset is read in ``tz``.

    Empty or None gives None. Raises `InvalidInput` for anything else,
    including a moment outside `EARLIEST` .. `LATEST` (the calendar's first
    and last day, where converting to another zone overflows).
    """
    return parse_instant(value, tz)


def parse_instant(value: object, tz: tzinfo, *, utc: bool = False) -> datetime | None:
    """`parse_moment`, and with ``utc=True`` the result converted to UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"expected an ISO 8601 date-time; got {shown(value)}")
    text = value.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"expected an ISO 8601 date-time; got {shown(value)}") from None
    try:
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = moment.replace(tzinfo=tz)
        instant = moment.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST <= instant <= LATEST:
        raise InvalidInput(
            f"date-time {text!r} is too close to the ends of the calendar "
            "(accepted: 0001-01-02 to 9999-12-30 in UTC)"
        )
    return instant if utc else moment


def format_moment(moment: datetime | None, tz: tzinfo | None) -> str:
    """ISO 8601 with its offset, in ``tz`` (UTC when None); empty for None."""
    if moment is None:
        return ""
    if tz is not None:
        moment = moment.astimezone(tz)
    return moment.isoformat()
