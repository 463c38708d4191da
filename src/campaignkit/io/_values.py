"""Cell values to typed values and back, shared by the readers and the writers."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import InvalidConfig, InvalidInput

__all__ = ["format_moment", "parse_bool", "parse_count", "parse_moment", "zone"]

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def zone(name: str) -> tzinfo:
    """The IANA time zone ``name``; `InvalidConfig` if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidConfig("timezone", "an IANA time zone name", name) from None


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
            return int(text)
    raise InvalidInput(f"expected a non-negative whole number; got {value!r}")


def parse_moment(value: object, tz: tzinfo) -> datetime | None:
    """An aware datetime from ISO 8601 text; a value without an offset is read in ``tz``.

    Empty or None gives None. Raises `InvalidInput` for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"expected an ISO 8601 date-time; got {value!r}")
    text = value.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"expected an ISO 8601 date-time; got {value!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def format_moment(moment: datetime | None, tz: tzinfo | None) -> str:
    """ISO 8601 with its offset, in ``tz`` (UTC when None); empty for None."""
    if moment is None:
        return ""
    if tz is not None:
        moment = moment.astimezone(tz)
    return moment.isoformat()
