"""Field validators, converters and plain-data codecs shared by the records.

Each record field is declared with one of the helpers below, which attach both
its validation (messages name the field and the bad value) and its codec (how it
becomes a JSON type in ``to_dict`` and comes back in ``from_dict``).

The validators are one family (`Check` and its makers `check`, `check_int`,
`check_flag`, `check_text`, `check_span`, `check_type`, `check_zone`, and the
converter `to_member`), parameterised by the error to raise: records raise
`InvalidInput` (the default), policies pass `InvalidConfig`. Both say
``<field> must be <expected>; got <value>``, so a message reads the same
whichever layer refused the value (issue 18: one family, no private copies).
"""

from __future__ import annotations

import enum
import functools
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Self, TypeAlias, TypeVar

import attrs

from ._frozen import EMPTY, FrozenMap, freeze
from .errors import InvalidInput, shown

Scalar: TypeAlias = str | int | float | bool | None
"""A JSON scalar: what extracted fields, attributes and settings hold."""

# Sequence and Mapping, not list and dict: they are covariant, so a ``list[str]`` or a
# ``dict[str, int]`` is a JSON value as it stands (mypy refuses a list[str] where a
# list[JSON] is expected). `json.dumps` writes either the same way.
JSON: TypeAlias = Scalar | Sequence["JSON"] | Mapping[str, "JSON"]
"""Any JSON value: a scalar, a list of JSON values or an object of them."""

JSONObject: TypeAlias = dict[str, JSON]
"""A JSON object: what every record's, policy's and state's ``to_dict`` returns and its
``from_dict`` reads back (`json.dumps` takes it as it is). Public as
``campaignkit.models.JSONObject``."""

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")

MAX_ZONE_NAME = 64
"""The longest time-zone name `zone` looks up (the longest IANA name has 32 characters)."""

# IANA names are ASCII letters, digits and ``/ _ - +`` ("America/Port-au-Prince",
# "Etc/GMT+5"); anything else cannot name a zone, so it never reaches the file system.
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")

EnumT = TypeVar("EnumT", bound=enum.Enum)


class Codec:
    """How one field travels to and from plain JSON data."""

    __slots__ = ("dump", "load")

    def __init__(self, dump: Callable[[Any], Any], load: Callable[[Any], Any]) -> None:
        self.dump = dump
        self.load = load


def _identity(value: Any) -> Any:
    return value


PLAIN = Codec(_identity, _identity)


def input_error(field: str, expected: str, value: Any) -> InvalidInput:
    """An `InvalidInput` reading ``<field> must be <expected>; got <value>`` - the same
    words as `InvalidConfig`, whose constructor takes the same three arguments."""
    return InvalidInput(f"{field} must be {expected}; got {shown(value)}")


def _fail(attribute: attrs.Attribute[Any], expected: str, value: Any) -> InvalidInput:
    return input_error(attribute.name, expected, value)


# --------------------------------------------------------------------------- validators

ErrorMaker: TypeAlias = Callable[[str, str, Any], Exception]
"""What a `Check` raises: called with the field name, the expected value's
description and the bad value (`input_error`, or the class `InvalidConfig`)."""

T = TypeVar("T")


class Check(Generic[T]):
    """One validator: an attrs field validator, and a check of a plain argument.

    ``test(value)`` says whether ``value`` is acceptable; ``None`` always is when
    ``optional``. A refused value raises ``error(field, expected, value)``. Used as
    ``attrs.field(validator=check)`` or, for an argument, ``check.of("name", value)``.
    """

    __slots__ = ("error", "expected", "optional", "test")

    def __init__(
        self,
        test: Callable[[Any], bool],
        expected: str,
        *,
        optional: bool = False,
        error: ErrorMaker = input_error,
    ) -> None:
        self.test = test
        self.expected = expected
        self.optional = optional
        self.error = error

    def __call__(self, inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not (value is None and self.optional) and not self.test(value):
            raise self.error(attribute.name, self.expected, value)

    def of(self, field: str, value: Any) -> T:
        """``value`` if acceptable; else raises the error naming ``field``."""
        if not (value is None and self.optional) and not self.test(value):
            raise self.error(field, self.expected, value)
        return value  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<Check {self.expected}>"


def _or_none(expected: str, optional: bool) -> str:
    return expected + (" or None" if optional else "")


def check(
    test: Callable[[Any], bool],
    expected: str,
    *,
    optional: bool = False,
    error: ErrorMaker = input_error,
) -> Check[Any]:
    """A `Check` for a rule the makers below do not cover (``expected`` is the whole
    description, "or None" included when ``optional``)."""
    return Check(test, expected, optional=optional, error=error)


def check_int(
    low: int | None = 0,
    high: int | None = None,
    *,
    optional: bool = False,
    expected: str | None = None,
    error: ErrorMaker = input_error,
) -> Check[int]:
    """An ``int`` (never a ``bool``) from ``low`` to ``high`` inclusive (no bound where
    None): "an integer from 1 to 9", "an integer >= 0", "an integer" (both None), with
    "or None" when ``optional``, unless ``expected`` words it otherwise."""
    if low is None:
        bound = "" if high is None else f" <= {high}"
    else:
        bound = f" from {low} to {high}" if high is not None else f" >= {low}"

    def test(value: Any) -> bool:
        return (
            type(value) is int and (low is None or value >= low) and (high is None or value <= high)
        )

    words = expected or _or_none(f"an integer{bound}", optional)
    return Check(test, words, optional=optional, error=error)


def check_flag(*, error: ErrorMaker = input_error) -> Check[bool]:
    """A ``bool``: "True or False" (``1`` and ``"yes"`` are refused)."""
    return Check(lambda value: type(value) is bool, "True or False", error=error)


def check_text(
    *, nonempty: bool = True, optional: bool = False, error: ErrorMaker = input_error
) -> Check[str]:
    """A ``str``, non-empty unless ``nonempty=False``: "a non-empty string" / "a string"."""
    if nonempty:
        test: Callable[[Any], bool] = lambda value: type(value) is str and bool(value)  # noqa: E731
    else:
        test = lambda value: type(value) is str  # noqa: E731
    words = _or_none("a non-empty string" if nonempty else "a string", optional)
    return Check(test, words, optional=optional, error=error)


def check_span(
    low: timedelta = timedelta(0),
    high: timedelta | None = None,
    *,
    positive: bool = False,
    optional: bool = False,
    expected: str | None = None,
    error: ErrorMaker = input_error,
) -> Check[timedelta]:
    """A `timedelta` from ``low`` (excluded when ``positive``) to ``high`` inclusive:
    "a positive timedelta", "a timedelta from 0:00:00 to 1 day, 0:00:00" - pass
    ``expected`` for friendlier words."""

    def test(value: Any) -> bool:
        if type(value) is not timedelta or value < low or (positive and value <= low):
            return False
        return high is None or value <= high

    if expected is None:
        if high is None:
            expected = "a positive timedelta" if positive else f"a timedelta >= {low}"
        else:
            expected = f"a timedelta from {low} to {high}"
        expected = _or_none(expected, optional)
    return Check(test, expected, optional=optional, error=error)


def check_type(
    cls: type,
    *,
    optional: bool = False,
    expected: str | None = None,
    error: ErrorMaker = input_error,
) -> Check[Any]:
    """An instance of exactly ``cls`` (a subclass is refused: a `datetime` is not a
    `date` here): "a Region", "an Outcome or None"."""
    name = cls.__name__
    article = "an" if name[:1] in "AEIOU" else "a"
    words = expected or _or_none(f"{article} {name}", optional)
    return Check(lambda value: type(value) is cls, words, optional=optional, error=error)


_ZONE_WORDS = "an IANA time zone name such as 'America/Mexico_City'"


def _is_zone(value: Any) -> bool:
    return type(value) is str and _lookup_zone(value) is not None


def check_zone(*, optional: bool = False, error: ErrorMaker = input_error) -> Check[str]:
    """An IANA time-zone name `zone` finds (folders and data files refused)."""
    return Check(_is_zone, _or_none(_ZONE_WORDS, optional), optional=optional, error=error)


_MOMENT_WORDS = "a timezone-aware datetime"


def _is_aware(value: Any) -> bool:
    # The same acceptance as `aware_utc`: aware, and with a UTC time inside the calendar.
    if type(value) is datetime and value.tzinfo is UTC:
        return True
    if not isinstance(value, datetime):
        return False
    try:
        if value.utcoffset() is None:
            return False
        value.astimezone(UTC)
    except OverflowError:  # an offset through UTC, or year 0 / 10000 in UTC
        return False
    return True


def check_moment(*, optional: bool = False, error: ErrorMaker = input_error) -> Check[datetime]:
    """An aware `datetime` whose UTC time exists (what `aware_utc` accepts), kept as
    given: "a timezone-aware datetime", with "or None" when ``optional``."""
    return Check(_is_aware, _or_none(_MOMENT_WORDS, optional), optional=optional, error=error)


def to_member(
    cls: type[EnumT], field: str, *, error: ErrorMaker = input_error
) -> Callable[[Any], EnumT]:
    """A converter to a member of enum ``cls`` from a member or its value; anything
    else raises ``error(field, "one of 'a', 'b'", value)``."""
    labels = ", ".join(repr(m.value) for m in cls)

    def convert(value: Any) -> EnumT:
        try:
            return cls(value)
        except ValueError:
            raise error(field, f"one of {labels}", value) from None

    return convert


_text = check_text(nonempty=False)
_nonempty_text = check_text()
_optional_text = check(lambda value: type(value) is str, "a string or None", optional=True)
_count = check_int(0, expected="a non-negative integer")
_flag = check_flag()
_e164 = check(
    lambda value: type(value) is str and _E164.fullmatch(value) is not None,
    "a phone number in E.164 form (+ and 7-15 digits)",
)


def is_e164(value: str) -> bool:
    """True if ``value`` has the E.164 shape: ``+``, a non-zero digit, 7-15 digits in all."""
    return _E164.fullmatch(value) is not None


# --------------------------------------------------------------------------- field makers


def text(*, default: str | None = None) -> Any:
    """A ``str`` field; non-empty when it has no default."""
    if default is None:
        return attrs.field(validator=_nonempty_text, metadata={"codec": PLAIN})
    return attrs.field(default=default, validator=_text, metadata={"codec": PLAIN})


def optional_text() -> Any:
    """A ``str | None`` field defaulting to None."""
    return attrs.field(default=None, validator=_optional_text, metadata={"codec": PLAIN})


def e164() -> Any:
    """A phone number already in E.164 form (normalising is the importer's job)."""
    return attrs.field(validator=_e164, metadata={"codec": PLAIN})


def count(*, default: int | None = 0, minimum: int = 0) -> Any:
    """A non-negative ``int`` field (at least ``minimum``); required when ``default`` is None."""
    validator = _count if minimum == 0 else check_int(minimum)
    if default is None:
        return attrs.field(validator=validator, metadata={"codec": PLAIN})
    return attrs.field(default=default, validator=validator, metadata={"codec": PLAIN})


def ranged(*, default: int, low: int, high: int) -> Any:
    """An ``int`` field within ``low..high`` inclusive."""
    return attrs.field(default=default, validator=check_int(low, high), metadata={"codec": PLAIN})


def flag(*, default: bool = False) -> Any:
    """A ``bool`` field."""
    return attrs.field(default=default, validator=_flag, metadata={"codec": PLAIN})


def member_codec(cls: type[enum.Enum], *, optional: bool = False) -> Codec:
    """How a member of enum ``cls`` travels: as its value, read back by `load_member`
    (None both ways when ``optional``)."""

    def load(value: Any) -> Any:
        return None if value is None and optional else load_member(cls, value)

    return Codec(lambda v: None if v is None else v.value, load)


def member(cls: type[EnumT], *, default: EnumT | None = None, optional: bool = False) -> Any:
    """A field holding a member of enum ``cls`` (strings are not accepted: parse first)."""
    name = cls.__name__
    article = "an" if name[0] in "AEIOU" else "a"
    validator = check_type(cls, optional=optional, expected=_or_none(f"{article} {name}", optional))
    codec = member_codec(cls, optional=optional)
    if default is None and not optional:
        return attrs.field(validator=validator, metadata={"codec": codec})
    return attrs.field(default=default, validator=validator, metadata={"codec": codec})


# The converters' first parameter is annotated with what a caller should pass: attrs
# copies it into the generated __init__, so signatures read `at: datetime`, not Any.
# The run-time check stays: anything else is still a typed error.
def _to_utc(value: datetime | None, self_: Any, field: attrs.Attribute[Any]) -> datetime | None:
    if value is None:
        return None
    return aware_utc(value, field.name)


def _load_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{shown(value)} is not an ISO 8601 date-time") from None


def moment() -> Any:
    """An optional aware ``datetime``; stored in UTC, naive values refused."""
    return attrs.field(
        default=None,
        converter=attrs.Converter(_to_utc, takes_self=True, takes_field=True),
        metadata={"codec": Codec(lambda v: None if v is None else v.isoformat(), _load_datetime)},
    )


def _to_required_utc(value: datetime, self_: Any, field: attrs.Attribute[Any]) -> datetime:
    return aware_utc(value, field.name)


def instant() -> Any:
    """A required aware ``datetime``, stored in UTC; naive values refused."""
    return attrs.field(
        converter=attrs.Converter(_to_required_utc, takes_self=True, takes_field=True),
        metadata={"codec": Codec(datetime.isoformat, _load_datetime)},
    )


def _load_date(value: Any) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{shown(value)} is not an ISO 8601 date") from None


def day() -> Any:
    """An optional calendar ``date``."""
    codec = Codec(lambda v: None if v is None else v.isoformat(), _load_date)
    validator = check_type(date, optional=True)
    return attrs.field(default=None, validator=validator, metadata={"codec": codec})


def tag_set(value: Iterable[str], name: str) -> frozenset[str]:
    """``value`` (any collection of tag names: a set, a list, a frozenset) as a frozenset.

    The converter behind `tags`, public so that a record can name it in its class body
    (mypy's attrs plugin then types ``__init__`` as taking any ``Iterable[str]``).
    Raises `InvalidInput` naming ``name`` for a string, a non-iterable or an item that
    is not a non-empty string.
    """
    if isinstance(value, frozenset) and all(type(t) is str and t for t in value):
        return value
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise input_error(name, "a collection of tag names", value)
    items = list(value)
    # Checked before hashing: an unhashable item (a list) must not escape as TypeError.
    for tag in items:
        if type(tag) is not str or not tag:
            raise input_error(name, "a collection of non-empty strings", value)
    return frozenset(items)


def record_tuple(value: Iterable[T], cls: type[T], name: str) -> tuple[T, ...]:
    """``value`` (any sequence of ``cls`` records: a list, a tuple) as a tuple.

    The converter behind the tuple-of-records fields of the state records, public to
    the package so a record names it in its class body (mypy then types ``__init__``
    as taking any ``Iterable``). Raises `InvalidInput` naming ``name`` for a string,
    a mapping, a non-iterable or an item that is not exactly a ``cls``.
    """
    if type(value) is tuple and all(type(x) is cls for x in value):
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise input_error(name, f"a sequence of {cls.__name__}", value)
    items = tuple(value)
    if not all(type(x) is cls for x in items):
        raise InvalidInput(f"{name} must hold {cls.__name__} records; got {shown(value)}")
    return items


def _to_tags(value: Iterable[str], self_: Any, field: attrs.Attribute[Any]) -> frozenset[str]:
    return tag_set(value, field.name)


_NO_TAGS: frozenset[str] = frozenset()


def _load_tags(value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(type(t) is str and t for t in value):
        raise InvalidInput(f"tags must be a list of non-empty strings; got {shown(value)}")
    return frozenset(value)


def tags() -> Any:
    """A set of non-empty tag names, stored as a frozenset, serialised sorted."""
    return attrs.field(
        default=_NO_TAGS,
        converter=attrs.Converter(_to_tags, takes_self=True, takes_field=True),
        metadata={"codec": Codec(sorted, _load_tags)},
    )


def scalar_mapping(value: Mapping[str, Scalar], name: str) -> FrozenMap[str, Scalar]:
    """``value`` (a dict or any mapping of names to JSON scalars) as a read-only `FrozenMap`.

    The converter behind `scalar_map`, public so that a record can name it in its class
    body (mypy's attrs plugin then types ``__init__`` as taking any ``Mapping``).
    Raises `InvalidInput` naming ``name`` for a non-mapping, an empty or non-string key
    or a value that is not a JSON scalar.
    """
    if not isinstance(value, Mapping):
        raise input_error(name, "a mapping of names to JSON scalars", value)
    for key, item in value.items():
        if type(key) is not str or not key:
            raise input_error(name, "a mapping with non-empty string keys", value)
        if item is not None and type(item) not in (str, int, float, bool):
            raise InvalidInput(
                f"{name}[{key!r}] must be a string, number, boolean or None; got {shown(item)}"
            )
    return freeze(value)


def _scalar_map(
    value: Mapping[str, Scalar], self_: Any, field: attrs.Attribute[Any]
) -> FrozenMap[str, Scalar]:
    return scalar_mapping(value, field.name)


def _load_scalar_map(value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"must be a mapping of names to JSON scalars; got {shown(value)}")
    return freeze(value)


def scalar_map() -> Any:
    """A read-only mapping of names to JSON scalars."""
    return attrs.field(
        default=EMPTY,
        converter=attrs.Converter(_scalar_map, takes_self=True, takes_field=True),
        metadata={"codec": Codec(dict, _load_scalar_map)},
    )


def _load_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if type(value) is int:  # exact, and str() of an int over 4,300 digits raises
        return Decimal(value)
    if type(value) not in (str, float):
        raise InvalidInput(f"{shown(value)} is not a decimal number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{shown(value)} is not a decimal number") from None


MAX_MONEY_DIGITS = 15
"""Money amounts are below 10**15 and carry at most 30 significant digits: a
hostile ``"1e999999999"`` must not become a billion-digit number later."""


def money() -> Any:
    """An optional `Decimal` amount below 10**15 with at most 30 significant digits;
    serialised as a string so no digit is lost."""
    codec = Codec(lambda v: None if v is None else str(v), _load_decimal)
    return attrs.field(default=None, validator=_MONEY, metadata={"codec": codec})


def _is_money(value: Any) -> bool:
    return (
        type(value) is Decimal
        and value.is_finite()
        and not (value and value.adjusted() >= MAX_MONEY_DIGITS)
        and len(value.as_tuple().digits) <= 2 * MAX_MONEY_DIGITS
    )


_MONEY = check(
    _is_money, "a finite Decimal below 1e15 with at most 30 digits, or None", optional=True
)


# --------------------------------------------------------------------------- plain data


def dump(record: Any) -> dict[str, Any]:
    """``record`` as a dict of JSON types, field by field in declaration order."""
    return {
        a.name: a.metadata["codec"].dump(getattr(record, a.name))
        for a in attrs.fields(type(record))
    }


RecordT = TypeVar("RecordT")


def load(cls: type[RecordT], data: Mapping[str, Any]) -> RecordT:
    """Build a ``cls`` record from plain data; unknown keys and bad values raise `InvalidInput`."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{cls.__name__}.from_dict needs a mapping; got {shown(data)}")
    fields = attrs.fields_dict(cls)  # type: ignore[arg-type]
    unknown = sorted(map(repr, set(data) - set(fields)))  # repr: keys of mixed types
    if unknown:
        raise InvalidInput(f"{cls.__name__}: unknown field(s) {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        try:
            kwargs[name] = fields[name].metadata["codec"].load(value)
        except InvalidInput as exc:
            raise InvalidInput(f"{cls.__name__}.{name}: {exc}") from None
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a required field is missing
        raise InvalidInput(f"{cls.__name__}: {exc}") from None
    except InvalidInput as exc:  # a validator: its message names the field
        raise InvalidInput(f"{cls.__name__}: {exc}") from None


# ----------------------------------------------------------- helpers for hand-written codecs
# Records whose fields do not map one-to-one to a codec (policies with nested
# records, tagged unions) write their own to_dict/from_dict with these; each
# raises `InvalidInput` naming what was wrong, never KeyError or TypeError.


def mapping_with(
    data: Any, name: str, keys: frozenset[str], optional: frozenset[str] = frozenset()
) -> Mapping[str, Any]:
    """``data`` if it is a mapping with exactly ``keys`` (those in ``optional`` may be
    missing); else `InvalidInput` naming ``name`` and the keys expected."""
    if not isinstance(data, Mapping) or not keys - optional <= set(data) <= keys:
        raise InvalidInput(f"{name} must be a mapping with keys {sorted(keys)}; got {shown(data)}")
    return data


def seconds(span: timedelta) -> int | float:
    """``span`` in seconds: an ``int`` when whole, so ``to_dict`` output stays exact."""
    total = span.total_seconds()
    return int(total) if total.is_integer() else total


def load_seconds(value: Any) -> timedelta:
    """A number of seconds as a `timedelta`; `InvalidInput` for a bool, NaN, a
    non-number or more than ``timedelta`` holds."""
    if type(value) not in (int, float) or value != value:
        raise InvalidInput(f"{shown(value)} is not a number of seconds")
    try:
        return timedelta(seconds=value)
    except OverflowError:  # over 999,999,999 days
        raise InvalidInput(f"{shown(value)} seconds is out of range") from None


def load_clock(value: Any) -> time:
    """``"HH:MM:SS"`` as a `datetime.time`; `InvalidInput` otherwise."""
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{shown(value)} is not a time of day HH:MM:SS") from None


def load_day(value: Any) -> date:
    """An ISO 8601 date; `InvalidInput` otherwise."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{shown(value)} is not an ISO 8601 date") from None


def load_instant(value: Any, name: str = "at") -> datetime:
    """An ISO 8601 date-time with an offset, in UTC; `InvalidInput` naming ``name``
    otherwise."""
    if type(value) is not str:  # refused here, not as fromisoformat's TypeError
        raise input_error(name, "an ISO 8601 date-time", value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise input_error(name, "an ISO 8601 date-time", value) from None
    return aware_utc(parsed, name)


def load_moment(value: Any, name: str) -> datetime | None:
    """`load_instant`, or None for None."""
    return None if value is None else load_instant(value, name)


def iso(value: datetime | date | None) -> str | None:
    """``value.isoformat()``, or None."""
    return None if value is None else value.isoformat()


def load_mapping(value: Any, name: str) -> Mapping[str, Any]:
    """``value`` if it is a mapping; else `InvalidInput` naming ``name``."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{name} must be a mapping; got {shown(value)}")
    return value


def load_list(value: Any, name: str) -> list[Any]:
    """``value`` if it is a list; else `InvalidInput` naming ``name``."""
    if not isinstance(value, list):
        raise InvalidInput(f"{name} must be a list; got {shown(value)}")
    return value


def load_set(value: Any, name: str) -> frozenset[Any]:
    """A list of scalars as a frozenset; `InvalidInput` for a list or mapping inside."""
    items = load_list(value, name)
    for item in items:
        if isinstance(item, list | dict):
            raise InvalidInput(f"{name} must be a list of scalars; got {shown(item)} in it")
    return frozenset(items)


def load_member(cls: type[EnumT], value: Any) -> EnumT:
    """The member of enum ``cls`` whose value is ``value``; `InvalidInput` naming the
    labels otherwise (an unhashable value included)."""
    try:
        return cls(value)
    except (ValueError, TypeError):
        labels = ", ".join(repr(m.value) for m in cls)
        raise InvalidInput(
            f"{shown(value)} is not a {cls.__name__}; expected one of {labels}"
        ) from None


def replacer(cls: type[RecordT], *changed: str) -> Callable[..., RecordT]:
    """A fast ``evolve`` for hot paths that change only the fields ``changed``.

    The returned function takes a record and the new values of ``changed``, in
    order, and copies every other field as it is: they were validated when the
    record was built. It does not validate the new values, so callers pass
    values they have validated (a state from a transition table, a checked
    datetime). Generated once per call site, like attrs' own ``__init__``.

    Why not ``attrs.evolve``: it re-runs every validator and converter, which
    costs ~10x a state change. Why the shadow class: a frozen class refuses
    attribute stores, and ``object.__setattr__`` per field is the next cost.
    The copy is built as an instance of an unfrozen class with the very same
    slot layout, using plain (specialised, cheap) slot stores, and then
    becomes a ``cls`` by ``__class__`` assignment, which CPython allows for
    identical layouts. Records must therefore have no ``__weakref__`` slot.
    """
    names = [a.name for a in attrs.fields(cls)]  # type: ignore[arg-type]
    unknown = set(changed) - set(names)
    if unknown:
        raise ValueError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
    shadow = type(f"_Unfrozen{cls.__name__}", cls.__bases__, {"__slots__": cls.__slots__})  # type: ignore[attr-defined]
    probe: Any = object.__new__(shadow)
    probe.__class__ = cls  # fails loudly at import if the layouts ever diverge
    body = [f"def replace(record, {', '.join(changed)}):", "    new = _new(shadow)"]
    for name in names:
        source = name if name in changed else f"record.{name}"
        body.append(f"    new.{name} = {source}")
    body += ["    new.__class__ = cls", "    return new"]
    namespace: dict[str, Any] = {"_new": object.__new__, "shadow": shadow, "cls": cls}
    exec("\n".join(body), namespace)
    replace: Callable[..., RecordT] = namespace["replace"]
    replace.__qualname__ = f"replace_{cls.__name__}_{'_'.join(changed)}"
    return replace


def aware_utc(value: object, name: str = "now") -> datetime:
    """``value`` as a UTC datetime.

    Raises `InvalidInput` naming ``name`` if it is not an aware datetime, or if
    it lies at the edge of the calendar where its UTC time does not exist
    (``0001-01-01T00:00:00+05:30`` is in year 0 in UTC; ``9999-12-31T23:59:59-06:00``
    in year 10000).
    """
    if type(value) is datetime and value.tzinfo is UTC:
        return value
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be an aware datetime; got {shown(value)}")
    try:
        offset = value.utcoffset()
    except OverflowError:  # a tzinfo that converts through UTC to find its offset
        offset = None
    if value.tzinfo is None or offset is None:
        raise InvalidInput(
            f"{name} must be timezone-aware; got naive {value.isoformat()} "
            "(attach a tzinfo, e.g. datetime(..., tzinfo=ZoneInfo('America/Mexico_City')))"
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(
            f"{name} {value.isoformat()} is outside the calendar in UTC (years 1 to 9999)"
        ) from None


def zone(name: Any, field: str = "timezone") -> zoneinfo.ZoneInfo:
    """The `zoneinfo.ZoneInfo` called ``name`` (an IANA name such as ``"America/Mexico_City"``).

    The one place campaignkit turns a time-zone name into a zone; lookups are
    cached. Raises `InvalidInput` naming ``field`` for a non-string, an empty
    or over-long name (more than `MAX_ZONE_NAME` characters), a name that is
    not an IANA zone - including tzdata's folders (``"America"``) and data files
    (``"zone.tab"``). The message never shows where tzdata is installed.
    """
    if type(name) is not str:
        raise _not_a_zone(field, name)
    found = _lookup_zone(name)
    if found is None:
        raise _not_a_zone(field, name)
    return found


def _not_a_zone(field: str, name: Any) -> InvalidInput:
    return InvalidInput(
        f"{field} must be an IANA time zone name such as 'America/Mexico_City'; got {shown(name)}"
    )


@functools.lru_cache(maxsize=1024)
def _lookup_zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``, or None; cached both ways (the cache is bounded)."""
    if len(name) > MAX_ZONE_NAME or not _ZONE_NAME.fullmatch(name):
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, OSError, ValueError):
        # OSError: a tzdata folder (IsADirectoryError) or a name too long for the
        # file system; ValueError: a tzdata file that is not a zone ("zone.tab").
        # Their messages hold the install path, which must not reach a user.
        return None


# --------------------------------------------------------------------------- records


class PlainData:
    """``to_dict``/``from_dict`` through the fields' codecs: the base of every record."""

    __slots__ = ()

    def to_dict(self) -> JSONObject:
        """This record as a dict of JSON types (enums as labels, datetimes as ISO 8601)."""
        return dump(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Rebuild a record from `to_dict` output.

        Raises `InvalidInput` for unknown keys, missing required keys or bad values.
        """
        return load(cls, data)
