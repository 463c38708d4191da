"""Bounded value readers shared by the dialects: every hostile value becomes a typed error.

Issue 14 found bare `ValueError`, `OverflowError`, `OSError` and
`UnicodeEncodeError` escaping the dialects at the edges of what Python can
represent: integers over 4,300 digits, dates that leave the calendar when moved
to UTC, zone names that are tzdata folders, lone surrogates from JSON escapes,
Decimal exponents that build billion-digit integers, and JSON nested deeper
than the recursion limit. Each reader here checks its bound *before* doing the
work and raises `InvalidInput` (or `InvalidConfig` for a setting) naming the
field and a shortened copy of the value.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from dateutil import parser as dateparser

from .._fields import zone as _zone
from ..errors import InvalidConfig, InvalidInput
from ..io import DuplicateColumns, MalformedInput, MissingColumns, Rejection, RejectReason
from ..io.text import read_text
from ..policies.billing import parse_duration

__all__ = [
    "MAX_CELL",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "FieldError",
    "check_text",
    "duration",
    "fitting_rows",
    "load_json",
    "money",
    "open_table",
    "page_records",
    "shown",
    "sniff_delimiter",
    "to_utc",
    "whole",
    "zone",
]

T = TypeVar("T")

MAX_DIGITS = 18
"""The longest whole number read (counts, durations, attempt numbers): fits in 64 bits."""

MAX_DEPTH = 64
"""The deepest JSON nesting read; vendor payloads are three or four levels deep."""

MAX_CELL = 128 * 1024
"""The largest CSV cell read (the csv module's default limit): a larger one rejects its row."""

_MAX_PRICE_DIGITS = 28  # Decimal's default context precision
_MAX_PRICE_ADJUSTED = 15  # a price of 10**15 pulses or currency units is not a price
_MIN_PRICE_EXPONENT = -18
_SURROGATE = re.compile("[\ud800-\udfff]")
# JSON tokens that matter for nesting: strings (skipped whole), brackets, and a lone
# quote (an unterminated string: the scan stops and json reports the error).
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[\]}]|"', re.DOTALL)


class FieldError(InvalidInput):
    """`InvalidInput` about one named field; ``field`` and ``value`` say which and what."""

    def __init__(
        self, dialect: str, field: str, value: Any, expected: str, message: str | None = None
    ) -> None:
        self.field = field
        self.value = value
        super().__init__(message or f"{dialect}: {field} must be {expected}; got {shown(value)}")


def label(parse: Callable[[str], T], value: Any, dialect: str, field: str) -> T:
    """``parse(value)`` for a vendor label, its `InvalidInput` naming ``field`` and ``value``."""
    if not isinstance(value, str):
        raise FieldError(dialect, field, value, "a label (text)")
    try:
        return parse(value)
    except InvalidInput as exc:
        raise FieldError(dialect, field, value, "", str(exc)) from None


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, so a 5 MB cell is not echoed."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    if type(value) is int and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    text = repr(value)
    return text if len(text) <= limit + 10 else f"{text[:limit]}... ({len(text):,} characters)"


def check_text(value: str, dialect: str, field: str) -> str:
    """``value`` if it has no lone surrogate (which no UTF-8 output can carry)."""
    if _SURROGATE.search(value):
        raise FieldError(dialect, field, value, "text without lone surrogates (\\ud800-\\udfff)")
    return value


def whole(value: Any, dialect: str, field: str) -> int:
    """A non-negative whole number from an int or its ASCII digits, at most `MAX_DIGITS` long.

    Raises `FieldError` (an `InvalidInput`) for anything else - never the bare
    `ValueError` `int()` gives past 4,300 digits.
    """
    if type(value) is int:
        if 0 <= value < 10**MAX_DIGITS:
            return value
    elif isinstance(value, str):
        text = value.strip()
        if 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit():
            return int(text)
    raise FieldError(
        dialect, field, value, f"a non-negative whole number (up to {MAX_DIGITS} digits)"
    )


def duration(value: Any, dialect: str, field: str) -> int:
    """Seconds from an int or text (whole seconds, ``MM:SS`` or ``H:MM:SS``), bounded."""
    if type(value) is int or (isinstance(value, str) and value.strip().isdigit()):
        return whole(value, dialect, field)
    if not isinstance(value, str) or len(value.strip()) > MAX_DIGITS + 6:
        raise FieldError(dialect, field, value, "a duration (seconds, MM:SS or H:MM:SS)")
    try:
        return parse_duration(value)
    except ValueError:  # InvalidInput, or int() past its digit limit
        raise FieldError(dialect, field, value, "a duration (seconds, MM:SS or H:MM:SS)") from None


def money(value: Any, dialect: str, field: str) -> Decimal | None:
    """A finite Decimal of sensible size from a number or its text; None for empty.

    Exponents are bounded before anything converts the value to an integer:
    ``"1e999999999"`` would otherwise become a billion-digit ``int``.
    """
    if value is None or value == "":
        return None
    expected = "a number (a price, up to 15 digits before the point)"
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise FieldError(dialect, field, value, expected)
    if isinstance(value, int) and value.bit_length() > 64:
        raise FieldError(dialect, field, value, expected)
    text = value.strip() if isinstance(value, str) else str(value)
    if len(text) > 64:
        raise FieldError(dialect, field, value, expected)
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise FieldError(dialect, field, value, expected) from None
    if not price.is_finite():
        raise FieldError(dialect, field, value, expected)
    digits, exponent = len(price.as_tuple().digits), price.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if (
        digits > _MAX_PRICE_DIGITS
        or exponent < _MIN_PRICE_EXPONENT
        or (price and price.adjusted() >= _MAX_PRICE_ADJUSTED)
    ):
        raise FieldError(dialect, field, value, expected)
    return price


def zone(name: Any, field: str = "timezone") -> tzinfo:
    """The IANA time zone ``name``; `InvalidConfig` naming it (never the install path).

    The lookup is campaignkit's one zone helper (`campaignkit._fields.zone`),
    which refuses tzdata folder names (``America``: `IsADirectoryError` inside
    `ZoneInfo`) and over-long names; a dialect reader's zone is a setting, so
    the error here is `InvalidConfig`.
    """
    try:
        return _zone(name, field)
    except InvalidInput:
        raise InvalidConfig(
            field, "an IANA time zone name such as 'Asia/Kolkata'", _cut(name)
        ) from None


def _cut(value: Any) -> Any:
    return value[:70] if isinstance(value, str) else value


def to_utc(moment: datetime, dialect: str, field: str) -> datetime:
    """An aware ``moment`` in UTC; `FieldError` when that leaves the calendar.

    ``0001-01-01T00:00:00`` (a common placeholder) read in Asia/Kolkata is
    before year 1 in UTC: `datetime.astimezone` raises `OverflowError`.
    """
    try:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise FieldError(dialect, field, moment.isoformat(), "a date-time with a time zone")
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, InvalidInput):
            raise
        raise FieldError(
            dialect, field, moment.isoformat(), "a date-time within years 1-9999 in UTC"
        ) from None


def in_zone(moment: datetime, tz: tzinfo, dialect: str, field: str) -> datetime:
    """``moment`` moved to ``tz`` for writing; `FieldError` when that leaves the calendar."""
    try:
        return moment.astimezone(tz)
    except (OverflowError, ValueError):
        raise FieldError(
            dialect, field, moment.isoformat(), f"a date-time that exists in {tz}"
        ) from None


def _int_literal(text: str) -> int | str:
    # Past the digit bound the literal is kept as its text: readers that want a
    # count then refuse it by name (whole() caps at MAX_DIGITS), and identifiers
    # written as long numbers keep their exact digits.
    return int(text) if len(text) <= MAX_DIGITS + 1 else text


def _depth(text: str) -> int:
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif char in "]}":
            depth -= 1
        elif len(match.group()) == 1:  # an unterminated string: json.loads will say where
            break
    return deepest


def decoded(source: Any) -> bool:
    """True for JSON already decoded: a dict, or a list that is not lines of text.

    A list of strings (or bytes) is a `Source` - the lines of a file - as in
    `campaignkit.io`; any other list is a decoded JSON array.
    """
    if isinstance(source, dict):
        return True
    if not isinstance(source, list):
        return False
    return not source or not all(isinstance(item, str | bytes | bytearray) for item in source)


def load_json(source: Any, *, max_bytes: int | None, what: str) -> Any:
    """Parse ``source`` as JSON with bounds; decoded dicts and lists are returned as they are.

    Refuses nesting deeper than `MAX_DEPTH` (`MalformedInput`, before the
    decoder recurses), keeps integer literals longer than `MAX_DIGITS` as their
    text (so a count is refused by name instead of `int()` failing), and
    raises `MalformedInput` with the line of a syntax error.
    """
    if decoded(source):
        return source
    text = read_text(source, max_bytes=max_bytes)
    if _SURROGATE.search(text):
        raise InvalidInput(f"{what}: the text holds a lone surrogate (\\ud800-\\udfff)")
    if _depth(text) > MAX_DEPTH:
        raise MalformedInput(1, f"{what}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_int=_int_literal)
    except json.JSONDecodeError as exc:
        raise MalformedInput(exc.lineno, f"{what}: not valid JSON: {exc.msg}") from None
    except (RecursionError, ValueError) as exc:  # pragma: no cover - bounded above
        raise MalformedInput(1, f"{what}: not readable JSON ({type(exc).__name__})") from None


def check_tree(data: Any, dialect: str, what: str) -> None:
    """Refuse lone surrogates anywhere in decoded JSON (keys and values), iteratively."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            check_text(item, dialect, what)
        elif isinstance(item, Mapping):
            for key, value in item.items():
                if isinstance(key, str):
                    check_text(key, dialect, f"{what} key")
                stack.append(value)
        elif isinstance(item, list | tuple):
            stack.extend(item)


_MAX_STAMP = 64  # the longest timestamp text handed to dateutil
# Two defaults that differ in every date field: a text that does not name a
# whole date comes out different under the two, and is refused instead of
# silently taking today's month or day.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


def lenient_moment(value: Any, tz: tzinfo, dialect: str, field: str) -> datetime | None:
    """A UTC datetime from a vendor timestamp in any common layout (`dateutil.parser`).

    ISO 8601, RFC 2822 (``Tue, 31 Aug 2010 20:36:28 +0000``), ``02/01/2024
    10:05 AM`` and the like; a timestamp without an offset is read in ``tz``.
    Empty or None gives None. Text that is not a whole date (``yesterday``,
    ``12``), an unknown zone abbreviation, or a moment outside years 1-9999
    in UTC raises `FieldError` - never dateutil's `ParserError` or an
    `OverflowError`.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=tz)
        return to_utc(moment, dialect, field)
    expected = "a date and time such as 2024-02-01 10:05:32"
    if not isinstance(value, str):
        raise FieldError(dialect, field, value, expected)
    text = value.strip()
    if not text:
        return None
    if len(text) > _MAX_STAMP or _SURROGATE.search(text):
        raise FieldError(dialect, field, value, expected)
    try:  # the common case, ISO 8601, without dateutil's cost (measured: ~10x less)
        moment = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = moment.replace(tzinfo=tz)
        return to_utc(moment, dialect, field)
    parsed: list[datetime] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", dateparser.UnknownTimezoneWarning)
        try:
            for default in _DEFAULTS:
                parsed.append(dateparser.parse(text, default=default))
        except (ValueError, OverflowError, TypeError, dateparser.UnknownTimezoneWarning):
            raise FieldError(dialect, field, value, expected) from None
    if parsed[0] != parsed[1]:
        raise FieldError(dialect, field, value, f"{expected} (a whole date)")
    moment = parsed[0]
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=tz)
    return to_utc(moment, dialect, field)


def squash(name: str) -> str:
    """How dialect headers are matched: case, spaces, ``_`` and ``-`` ignored."""
    return "".join(name.split()).replace("_", "").replace("-", "").casefold()


def csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | str]]:
    """Each CSV row with its first line; a row the csv module refuses comes as its reason.

    Unlike a plain `csv.reader`, a bad row (a cell over `MAX_CELL`, a stray
    NUL) does not end the read: it is yielded as a string saying why, and
    reading goes on at the next line. Blank rows are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    last = 0
    while True:
        try:
            row: list[str] | str = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row = f"unreadable CSV row: {exc}"
        start = last + 1
        last = reader.line_num
        if isinstance(row, list) and not any(cell.strip() for cell in row):
            continue
        yield start, row


def refuse_duplicates(names: Iterable[str], key: Callable[[str], str]) -> None:
    """`DuplicateColumns` for header names that are one column under ``key``.

    Without this the last of ``Phone Number`` and ``phone_number`` (or JSON
    ``name`` and ``Name``) silently wins (issue 14). Empty names are not
    columns and are skipped; a value under one is the row's problem.
    """
    first: dict[str, str] = {}
    duplicates: dict[str, None] = {}
    for name in names:
        folded = key(name)
        if not folded:
            continue
        if folded in first:
            duplicates[first[folded]] = None
            duplicates[name] = None
        else:
            first[folded] = name
    if duplicates:
        raise DuplicateColumns(tuple(duplicates))


# --------------------------------------------------------------------------- vendor tables
# The one home of how a dialect reads a vendor's CSV table (a call log, a dashboard
# export): the delimiter, the header matched to its fields, the rows that fit it.


def sniff_delimiter(text: str) -> str:
    """``";"`` when the first line of ``text`` has more semicolons than commas, else ``","``."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def open_table(
    text: str,
    delimiter: str,
    aliases: Mapping[str, str],
    required: Sequence[str],
    *,
    no_header: Sequence[str] | None = None,
) -> tuple[tuple[str, ...], dict[str, int], Iterator[tuple[int, list[str] | str]]]:
    """The header names (trimmed), the column of each field found, and the rows after it.

    Header names are matched to fields through ``aliases`` (keys `squash`-ed:
    case, spaces, ``_`` and ``-`` ignored). Raises `MissingColumns` naming
    ``no_header`` (default ``required``) for text without a header, and
    naming the ``required`` fields not found; `DuplicateColumns` for two
    names that are one column.
    """
    rows = csv_rows(text, delimiter)
    header = next(rows, (0, []))[1]
    if isinstance(header, str) or not header:
        raise MissingColumns(tuple(required if no_header is None else no_header), ())
    names = tuple(name.strip() for name in header)
    refuse_duplicates(names, squash)
    where = {aliases[key]: i for i, key in enumerate(map(squash, names)) if key in aliases}
    missing = tuple(field for field in required if field not in where)
    if missing:
        raise MissingColumns(missing, names)
    return names, where, rows


def fitting_rows(
    rows: Iterable[tuple[int, list[str] | str]],
    width: int,
    delimiter: str,
    rejected: list[Rejection],
    *,
    blank_is_empty: bool = True,
) -> Iterator[tuple[int, list[str]]]:
    """The rows with ``width`` cells (extra empty cells allowed), with their first line.

    A row the csv module refused, or a ragged one, is appended to ``rejected``
    as a ``ragged-row`` `Rejection` (the row cut to 200 characters) and
    skipped. With ``blank_is_empty`` an extra cell of spaces counts as empty.
    """
    for line, row in rows:
        if isinstance(row, str):
            rejected.append(Rejection(line, RejectReason.RAGGED_ROW, None, "", row))
            continue
        extra = row[width:]
        if len(row) < width or (
            any(cell.strip() for cell in extra) if blank_is_empty else any(extra)
        ):
            detail = f"{len(row)} cells; the header has {width}"
            value = shown(delimiter.join(row), 200)
            rejected.append(Rejection(line, RejectReason.RAGGED_ROW, None, value, detail))
            continue
        yield line, row


def page_records(data: Any, key: str, *, not_a_page: str, not_pages: str) -> list[Any]:
    """The records of one API list page (``{key: [...]}``), a bare array, or an array of pages.

    Raises `InvalidInput` with ``not_a_page`` for a mapping without a ``key``
    array, and with ``not_pages`` for anything but a mapping or a list.
    """
    if isinstance(data, Mapping):
        if not isinstance(data.get(key), list):
            raise InvalidInput(not_a_page)
        return list(data[key])
    if not isinstance(data, list):
        raise InvalidInput(not_pages)
    records: list[Any] = []
    for item in data:
        if isinstance(item, Mapping) and isinstance(item.get(key), list):
            records.extend(item[key])  # one page of an array of pages
        else:
            records.append(item)
    return records
