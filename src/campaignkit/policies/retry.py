"""Retry policy: what happens to a contact after each attempt, as data.

A `RetryPolicy` is a frozen record. For every `Outcome` it holds a `RetryRule`
(retried or not, which per-cycle counter the retry spends, an optional tighter
limit and an optional fixed wait); around the rules it holds the two counter
limits, an optional lifetime cap on attempts, the spacing of waits (fixed,
linear, exponential, or an explicit list) and itellico's contact completion
timeout. `RetryPolicy.decide` is the pure function every engine uses.

A wait is either a `timedelta` - exact elapsed time, added to the moment in
UTC - or a `dateutil.relativedelta.relativedelta` in calendar units ("next
month", "in 1 day") - added on the wall clock of the policy's ``timezone``
(the campaign's zone) and converted back to UTC, so ``relativedelta(days=1)``
keeps the local time of day across a daylight-saving change where
``timedelta(days=1)`` moves it by an hour. `RetryDecision.due` (and
`add_wait`) is the one place that arithmetic happens.

The two counters are Altur's (seed 000). ``Contact.retries`` counts retries
that wait in ``retrying`` (Altur: voicemail -> retrying -> queue) and is
limited by ``max_retries``; ``Contact.failed_retries`` counts failed contacts
sent straight back to ``queued`` and is limited by ``max_failed_retries``
(Altur's hidden system limit, typically 1). Both reset at each cycle; the
lifetime ``Contact.attempts`` never does, and ``max_attempts`` caps it.

Presets reproduce each vendor: `RetryPolicy.altur`, `RetryPolicy.itellico`,
`RetryPolicy.exotel`. Out-of-range values raise `InvalidConfig` naming the
field, the accepted range and the value.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Self, TypeAlias, TypeVar

import attrs
from dateutil.relativedelta import relativedelta

from .. import _fields as f
from .._fields import Codec, JSONObject, aware_utc, dump, load
from .._fields import zone as lookup_zone
from .._frozen import FrozenMap
from ..errors import InvalidConfig, InvalidInput, shown
from ..models.records import Contact
from ..statuses import ContactStatus, Outcome

__all__ = [
    "MAX_WAIT",
    "RetryCounter",
    "RetryDecision",
    "RetryPolicy",
    "RetryRule",
    "Spacing",
    "Wait",
    "add_wait",
    "as_duration",
    "longest_span",
]

MAX_WAIT = timedelta(days=366)
"""The longest wait spacing ever produces: exponential waits stop growing here.
A calendar wait may span at most this long at its longest (see `longest_span`)."""

Wait: TypeAlias = timedelta | relativedelta
"""A retry wait: exact elapsed time (`timedelta`) or calendar units (`relativedelta`)."""

# The relative fields a calendar wait may use, in the order `to_dict` writes them.
# relativedelta normalises weeks into days and hours past 23 into days, so these
# seven are all it ever holds.
_CALENDAR_FIELDS = ("years", "months", "days", "hours", "minutes", "seconds", "microseconds")
# Absolute fields replace a part of the date ("month=1": January) instead of
# adding to it: they name a moment, not an interval, so a wait refuses them.
_ABSOLUTE_FIELDS = ("year", "month", "day", "weekday", "hour", "minute", "second", "microsecond")
# The longest a calendar unit can last, in seconds: a year 366 days, a month 31;
# a day 25 hours would be exact for DST, but the wall clock is what the wait keeps
# and `add_wait` clamps the elapsed time to MAX_WAIT anyway.
_LONGEST = {
    "years": 366 * 86_400_000_000,
    "months": 31 * 86_400_000_000,
    "days": 86_400_000_000,
    "hours": 3_600_000_000,
    "minutes": 60_000_000,
    "seconds": 1_000_000,
    "microseconds": 1,
}
_MAX_WAIT_US = MAX_WAIT // timedelta(microseconds=1)

_MOST_RETRIES = 100
EnumT = TypeVar("EnumT", bound=enum.Enum)
_UNITS = {"minutes": 1, "hours": 60, "days": 1440}


class Spacing(enum.StrEnum):
    """How the wait before retry *n* (1 for the first retry of the cycle) grows."""

    FIXED = "fixed"
    """Always ``interval`` (Exotel's *Linear* mechanism: 15 min, then 15 min)."""
    LINEAR = "linear"
    """``interval * n``: 15, 30, 45 minutes."""
    EXPONENTIAL = "exponential"
    """``interval * 2 ** (n - 1)``: 15, 30, 60 minutes (Exotel's *Exponential*)."""


class RetryCounter(enum.StrEnum):
    """Which per-cycle counter of the contact a retry spends, and where it waits."""

    RETRIES = "retries"
    """``Contact.retries``, limited by ``max_retries``; the contact waits in ``retrying``."""
    FAILED_RETRIES = "failed_retries"
    """``Contact.failed_retries``, limited by ``max_failed_retries``; the contact goes
    straight back to ``queued`` (Altur: "a failed contact returns to queue")."""


# --------------------------------------------------------------------------- codecs


_seconds = f.seconds
_load_seconds = f.load_seconds


def _dump_wait(value: Wait) -> int | float | dict[str, int]:
    """A `timedelta` as seconds; a `relativedelta` as its non-zero calendar fields."""
    if type(value) is relativedelta:
        return {name: getattr(value, name) for name in _CALENDAR_FIELDS if getattr(value, name)}
    return _seconds(value)  # type: ignore[arg-type]


def _load_wait(value: Any) -> Wait:
    """Seconds back to a `timedelta`; a mapping such as ``{"months": 1}`` back to a
    `relativedelta` (range checks are the validators' job). Raises `InvalidInput`."""
    if not isinstance(value, Mapping):
        return _load_seconds(value)
    unknown = sorted(map(repr, set(value) - set(_CALENDAR_FIELDS)))
    if unknown:
        raise InvalidInput(
            f"a calendar wait takes only {', '.join(_CALENDAR_FIELDS)}; got {', '.join(unknown)}"
        )
    for name, amount in value.items():
        if type(amount) is not int:
            raise InvalidInput(f"{name} must be a whole number; got {shown(amount)}")
    try:
        return relativedelta(**value)
    except (ValueError, OverflowError):
        raise InvalidInput(f"{shown(value)} is not a calendar interval") from None


_DURATION = Codec(_seconds, _load_seconds)
_WAIT = Codec(_dump_wait, _load_wait)
_OPTIONAL_WAIT = Codec(
    lambda v: None if v is None else _dump_wait(v), lambda v: None if v is None else _load_wait(v)
)
_OPTIONAL_DURATION = Codec(
    lambda v: None if v is None else _seconds(v), lambda v: None if v is None else _load_seconds(v)
)
_WAITS = Codec(lambda v: [_dump_wait(d) for d in v], lambda v: _load_waits(v))


def _load_waits(value: Any) -> list[Wait]:
    if not isinstance(value, list):
        raise InvalidInput(
            f"must be a list of waits (seconds or calendar fields); got {shown(value)}"
        )
    return [_load_wait(d) for d in value]


# --------------------------------------------------------------------------- validators


def _check_wait(name: str, value: Any, *, calendar: bool = False) -> None:
    if calendar and type(value) is relativedelta:
        _check_calendar(name, value)
    elif type(value) is not timedelta or not timedelta(0) <= value <= MAX_WAIT:
        also = " or a calendar relativedelta" if calendar else ""
        raise InvalidConfig(name, f"a timedelta from 0 to {MAX_WAIT.days} days{also}", value)


def longest_span(value: relativedelta) -> timedelta:
    """The longest elapsed time calendar wait ``value`` can last: a year counted as
    366 days, a month as 31. Raises `InvalidConfig` if that is beyond ``timedelta``."""
    micro = sum(getattr(value, name) * _LONGEST[name] for name in _CALENDAR_FIELDS)
    try:
        return timedelta(microseconds=micro)
    except OverflowError:
        raise InvalidConfig("wait", "a calendar interval of at most a year", value) from None


def _check_calendar(name: str, value: relativedelta) -> None:
    """A calendar wait must be a positive interval of whole relative fields, at most
    `MAX_WAIT` long at its longest."""
    if any(getattr(value, f) is not None for f in _ABSOLUTE_FIELDS) or value.leapdays:
        raise InvalidConfig(
            name,
            "a calendar interval (years=, months=, days=, ...) without absolute fields "
            "(year=, month=, day=, weekday=, hour=, ... name a date, not a wait)",
            value,
        )
    amounts = [getattr(value, f) for f in _CALENDAR_FIELDS]
    if any(type(a) is not int for a in amounts):
        raise InvalidConfig(name, "a calendar interval in whole units", value)
    if any(a < 0 for a in amounts) or not any(amounts):
        raise InvalidConfig(
            name,
            "a positive calendar interval (no negative fields; for none use timedelta(0))",
            value,
        )
    micro = sum(a * _LONGEST[f] for f, a in zip(_CALENDAR_FIELDS, amounts, strict=True))
    if micro > _MAX_WAIT_US:
        raise InvalidConfig(
            name,
            f"a calendar interval of at most {MAX_WAIT.days} days at its longest "
            "(a month counts 31 days, a year 366)",
            value,
        )


def _wait(*, optional: bool = False, calendar: bool = False) -> Any:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if optional and value is None:
            return
        _check_wait(attribute.name, value, calendar=calendar)

    return check


def add_wait(after: datetime, wait: Wait, timezone: str | None = None) -> datetime:
    """The moment ``wait`` after ``after``: where every retry's due time is computed.

    A `timedelta` is exact elapsed time: ``after + wait``, unchanged. A
    `relativedelta` is calendar units on the wall clock of ``timezone`` (the
    campaign's IANA zone; UTC when None): ``after`` is read as local time, the
    units are added to the local date and time, and the result is converted back
    to UTC. So one day after 10:00 is 10:00 the next day even across a DST change
    (23 or 25 hours later), and a month after 31 January is 28 (or 29) February.
    A local time that falls in a DST gap moves forward by the gap; one that occurs
    twice takes the first occurrence after ``after``. The result is never before
    ``after`` nor more than `MAX_WAIT` after it (a zone that changed its offset,
    like Pacific/Apia skipping 30 December 2011, could stretch a calendar wait).

    Raises `InvalidInput` for a naive ``after`` or a bad ``timezone``, and
    `OverflowError`, like ``datetime + timedelta``, past year 9999.
    """
    if type(wait) is timedelta:
        return after + wait
    start = aware_utc(after, "after")
    zone = UTC if timezone is None else lookup_zone(timezone, "timezone")
    try:
        wall = start.astimezone(zone).replace(tzinfo=None) + wait
    except ValueError:  # relativedelta past year 9999: "year 10000 is out of range"
        raise OverflowError("date value out of range") from None
    real = []
    for fold in (0, 1):
        moment = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if moment.astimezone(zone).replace(tzinfo=None) == wall:
            real.append(moment)
    if not real:
        # A wall-clock time in a gap (02:30 on a spring-forward night): fold=0 reads
        # it with the offset before the change, which lands after the gap (03:30).
        real.append(wall.replace(tzinfo=zone, fold=0).astimezone(UTC))
    later = [m for m in real if m >= start]
    due = min(later) if later else max(real)
    latest = start + MAX_WAIT
    return start if due < start else min(due, latest)


_check_flag = f.check_flag(error=InvalidConfig)


_check_zone = f.check_zone(optional=True, error=InvalidConfig)


_check_name = f.check_text(error=InvalidConfig)


_COUNTER = f.to_member(RetryCounter, "counter", error=InvalidConfig)
_SPACING = f.to_member(Spacing, "spacing", error=InvalidConfig)


def _to_counter(
    value: RetryCounter | str,
) -> RetryCounter:  # named: mypy's attrs plugin wants a def
    return _COUNTER(value)


def _to_spacing(value: Spacing | str) -> Spacing:
    return _SPACING(value)


def _to_waits(value: Iterable[Wait]) -> tuple[Wait, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidConfig("intervals", "a sequence of timedeltas or relativedeltas", value)
    waits = tuple(value)
    for wait in waits:
        _check_wait("intervals", wait, calendar=True)
    return waits


# --------------------------------------------------------------------------- rules


@attrs.frozen(weakref_slot=False)
class RetryRule:
    """What a `RetryPolicy` does after one outcome.

    The outcome is retried while ``retry`` is set, the contact's ``counter`` is
    below the policy's limit for that counter (and below ``limit`` when given),
    and the lifetime cap allows another attempt. Raises `InvalidConfig` for an
    out-of-range value.
    """

    retry: bool = attrs.field(default=True, validator=_check_flag, metadata={"codec": f.PLAIN})
    """Whether this outcome is retried at all."""
    counter: RetryCounter = attrs.field(
        default=RetryCounter.RETRIES,
        converter=_to_counter,
        metadata={"codec": f.member_codec(RetryCounter)},
    )
    """The per-cycle counter a retry spends (and so whether it waits in ``retrying``)."""
    limit: int | None = attrs.field(
        default=None,
        validator=f.check_int(0, _MOST_RETRIES, optional=True, error=InvalidConfig),
        metadata={"codec": f.PLAIN},
    )
    """A tighter limit on ``counter`` for this outcome; None uses the policy's limit."""
    delay: Wait | None = attrs.field(
        default=None,
        validator=_wait(optional=True, calendar=True),
        metadata={"codec": _OPTIONAL_WAIT},
    )
    """A fixed wait for this outcome (a `timedelta`, or a `relativedelta` in calendar
    units); None uses the policy's spacing."""

    def to_dict(self) -> JSONObject:
        """This rule as plain JSON types (a `timedelta` wait in seconds, a calendar
        wait as its fields, e.g. ``{"months": 1}``)."""
        return dump(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Rebuild a rule from `to_dict` output; raises `InvalidInput` or `InvalidConfig`."""
        return load(cls, data)


_OUTCOME_BY_LABEL: dict[Any, Outcome] = {o.value: o for o in Outcome}
_NO_RETRY = RetryRule(retry=False)
_RETRY = RetryRule()


def _default_rules() -> dict[Outcome, RetryRule]:
    return {o: _RETRY if o.retriable else _NO_RETRY for o in Outcome}


def _to_rules(value: Mapping[Outcome, RetryRule | bool]) -> FrozenMap[Outcome, RetryRule]:
    """A complete, ordered outcome -> rule map; outcomes left out keep their defaults."""
    if not isinstance(value, Mapping):
        raise InvalidConfig("rules", "a mapping of Outcome to RetryRule (or bool)", value)
    rules = _default_rules()
    for key, rule in value.items():
        outcome = key if type(key) is Outcome else _OUTCOME_BY_LABEL.get(key)
        if outcome is None:
            raise InvalidConfig("rules", "keys that are Outcome members or labels", key)
        if type(rule) is bool:
            rule = _RETRY if rule else _NO_RETRY
        if type(rule) is not RetryRule:
            raise InvalidConfig(f"rules[{outcome.value}]", "a RetryRule or a bool", rule)
        rules[outcome] = rule
    return FrozenMap(rules)


_RULES = Codec(
    lambda rules: {o.value: r.to_dict() for o, r in rules.items()},
    lambda data: {k: RetryRule.from_dict(v) for k, v in _as_mapping(data).items()},
)


def _as_mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidInput(f"rules must be a mapping of outcome labels to rules; got {shown(data)}")
    return data


@attrs.frozen(weakref_slot=False)
class RetryDecision:
    """A retry granted by `RetryPolicy.decide`: which counter it spends and how long to wait."""

    counter: RetryCounter
    """The counter to increment."""
    wait: Wait
    """How long after the attempt the contact is due again: exact time or calendar units."""
    number: int
    """Which retry of the cycle this is: 1 for the first."""
    timezone: str | None = None
    """The zone a calendar ``wait`` is counted in (the policy's ``timezone``)."""

    def due(self, after: datetime) -> datetime:
        """When the contact is due again: ``wait`` after ``after`` (see `add_wait`).

        Raises `InvalidInput` for a naive ``after``; `OverflowError` past year 9999.
        """
        return add_wait(after, self.wait, self.timezone)

    @property
    def status(self) -> ContactStatus:
        """Where the contact waits: ``retrying`` for `RetryCounter.RETRIES`, else ``queued``."""
        if self.counter is RetryCounter.RETRIES:
            return ContactStatus.RETRYING
        return ContactStatus.QUEUED


# --------------------------------------------------------------------------- policy


def as_duration(value: timedelta | tuple[int, str], name: str = "interval") -> timedelta:
    """A whole number of minutes, hours or days as a `timedelta` (itellico's units).

    Takes a ``timedelta`` that is a whole number of minutes, or a pair such as
    ``(2, "hours")``. Raises `InvalidConfig` naming ``name`` for anything else.
    """
    if type(value) is tuple and len(value) == 2:
        amount, unit = value
        if type(amount) is not int or amount < 0 or unit not in _UNITS:
            raise InvalidConfig(
                name, "(n, 'minutes' | 'hours' | 'days') with a whole n >= 0", value
            )
        return timedelta(minutes=amount * _UNITS[unit])
    if type(value) is not timedelta or value < timedelta(0) or value % timedelta(minutes=1):
        raise InvalidConfig(name, "a whole, non-negative number of minutes", value)
    return value


@attrs.frozen(weakref_slot=False)
class RetryPolicy:
    """How many times, after which outcomes and after how long a contact is called again.

    Evaluated by `decide` (the retry, or None when the contact is settled) and
    `wait` (the spacing). Construction raises `InvalidConfig` naming the field,
    the accepted range and the value.
    """

    name: str = attrs.field(default="custom", validator=_check_name, metadata={"codec": f.PLAIN})
    """A label for the preset, shown in reprs."""
    max_retries: int = attrs.field(
        default=2,
        validator=f.check_int(0, _MOST_RETRIES, error=InvalidConfig),
        metadata={"codec": f.PLAIN},
    )
    """Limit of ``Contact.retries`` per cycle (Altur's campaign retry limit, itellico's
    *Max Retry Attempts*, Exotel's ``number_of_retries``)."""
    max_failed_retries: int = attrs.field(
        default=0,
        validator=f.check_int(0, _MOST_RETRIES, error=InvalidConfig),
        metadata={"codec": f.PLAIN},
    )
    """Limit of ``Contact.failed_retries`` per cycle (Altur's system limit, typically 1)."""
    max_attempts: int | None = attrs.field(
        default=None,
        validator=f.check_int(1, 10_000, optional=True, error=InvalidConfig),
        metadata={"codec": f.PLAIN},
    )
    """A cap on ``Contact.attempts`` over the contact's lifetime, cycles included; None for none."""
    interval: Wait = attrs.field(
        default=timedelta(hours=1), validator=_wait(calendar=True), metadata={"codec": _WAIT}
    )
    """The base wait before a retry, spaced by ``spacing``. A `relativedelta` in
    calendar units ("1 month") needs ``timezone`` and `Spacing.FIXED`."""
    spacing: Spacing = attrs.field(
        default=Spacing.FIXED,
        converter=_to_spacing,
        metadata={"codec": f.member_codec(Spacing)},
    )
    """How the wait grows from one retry to the next."""
    intervals: tuple[Wait, ...] = attrs.field(
        default=(), converter=_to_waits, metadata={"codec": _WAITS}
    )
    """Explicit waits for retries 1, 2, 3, ... (e.g. 30, 60, 120 minutes, or 1 day,
    1 week, 1 month as `relativedelta`); the last one repeats. When given, they
    replace ``interval`` and ``spacing``."""
    max_interval: timedelta | None = attrs.field(
        default=None, validator=_wait(optional=True), metadata={"codec": _OPTIONAL_DURATION}
    )
    """The longest wait spacing may produce; None for `MAX_WAIT`."""
    completion_timeout: timedelta = attrs.field(
        default=timedelta(0), validator=_wait(), metadata={"codec": _DURATION}
    )
    """itellico's *contact completion timeout*: after a call the contact waits in
    ``awaiting-outcome`` this long, and a call-back in that window can still change
    the outcome. Zero settles the outcome at once."""
    rules: FrozenMap[Outcome, RetryRule] = attrs.field(
        factory=lambda: FrozenMap(_default_rules()), converter=_to_rules, metadata={"codec": _RULES}
    )
    """The rule for each outcome. Outcomes left out of a mapping given here keep the
    default: retried (spending ``retries``) if `Outcome.retriable`, else not."""
    timezone: str | None = attrs.field(
        default=None, validator=_check_zone, metadata={"codec": f.PLAIN}
    )
    """The campaign's IANA time zone, on whose wall clock calendar waits are added;
    required when any wait is a `relativedelta`, else None. `CampaignRules` checks it
    is the schedule's zone."""

    def __attrs_post_init__(self) -> None:
        calendar = [w for w in (self.interval, *self.intervals) if type(w) is relativedelta]
        calendar += [r.delay for r in self.rules.values() if type(r.delay) is relativedelta]
        if calendar and self.timezone is None:
            raise InvalidConfig(
                "timezone",
                "the campaign's IANA time zone when a wait is in calendar units "
                "(they are added on its wall clock)",
                None,
            )
        if type(self.interval) is relativedelta and not self.intervals:
            # Growth of a calendar step (1 month, 2 months, 4 months) cannot be capped
            # by a timedelta exactly; an explicit list says what is meant.
            if self.spacing is not Spacing.FIXED:
                raise InvalidConfig(
                    "spacing",
                    "Spacing.FIXED with a calendar interval (list growing calendar "
                    "waits in intervals)",
                    self.spacing,
                )
            if self.max_interval is not None:
                raise InvalidConfig(
                    "max_interval", "None with a calendar interval", self.max_interval
                )

    # ------------------------------------------------------------------ presets

    @classmethod
    def altur(
        cls,
        retries: int = 2,
        *,
        failed_retries: int = 1,
        interval: timedelta = timedelta(0),
    ) -> Self:
        """Altur (seed 000): voicemail is retried while ``retries < retries limit``
        (voicemail -> retrying -> queue); a failed contact - legacy no-answer, busy and
        unreachable included - returns to the queue while ``failed_retries`` is below
        the system limit (default 1); past the limits the status stays final. Nothing
        else is retried. Altur documents no default retry limit or wait: 2 retries,
        immediately, unless given. Raises `InvalidConfig` naming ``retries``,
        ``failed_retries`` or ``interval``.
        """
        _RETRY_COUNT.of("retries", retries)
        _RETRY_COUNT.of("failed_retries", failed_retries)
        _check_wait("interval", interval)
        failed = RetryRule(counter=RetryCounter.FAILED_RETRIES)
        rules = {
            o: failed if o.contact_status is ContactStatus.FAILED else _NO_RETRY for o in Outcome
        }
        rules[Outcome.VOICEMAIL] = _RETRY
        return cls(
            name="altur",
            max_retries=retries,
            max_failed_retries=failed_retries,
            interval=interval,
            rules=rules,
        )

    @classmethod
    def itellico(
        cls,
        max_retry_attempts: int = 2,
        *,
        retry_interval: timedelta | tuple[int, str] = timedelta(hours=1),
        contact_completion_timeout: timedelta | tuple[int, str] = timedelta(0),
    ) -> Self:
        """itellico (seed 002): *Max Retry Attempts* 0-10 (default 2); *Retry Interval*
        and *Contact Completion Timeout* in minutes, hours or days (a ``timedelta`` of
        whole minutes, or ``(n, "hours")``). Retried outcomes are the default
        retriable ones (no answer, busy, voicemail, no conversation, callback).
        itellico documents no default interval or timeout: 1 hour and none, unless
        given. Raises `InvalidConfig` naming the setting.
        """
        if type(max_retry_attempts) is not int or not 0 <= max_retry_attempts <= 10:
            raise InvalidConfig("max_retry_attempts", "an integer from 0 to 10", max_retry_attempts)
        interval = as_duration(retry_interval, "retry_interval")
        timeout = as_duration(contact_completion_timeout, "contact_completion_timeout")
        _check_wait("retry_interval", interval)
        _check_wait("contact_completion_timeout", timeout)
        return cls(
            name="itellico",
            max_retries=max_retry_attempts,
            interval=interval,
            completion_timeout=timeout,
        )

    @classmethod
    def exotel(
        cls,
        number_of_retries: int = 0,
        *,
        interval_mins: int = 15,
        mechanism: str = "Linear",
        on_status: Iterable[str] = ("busy", "no-answer"),
    ) -> Self:
        """Exotel (seed 001): busy and no-answer are retriable, failed and canceled
        terminal; ``number_of_retries`` (0-3, default 0, as Exotel's campaign API
        documents) retries ``interval_mins`` apart (1 or more; Exotel has no default,
        15 is its own example). ``mechanism`` ``"Linear"`` keeps the wait constant,
        ``"Exponential"`` doubles it each retry. ``on_status`` may add ``"failed"``,
        as Exotel's API allows. Raises `InvalidConfig` naming the setting.
        """
        if type(number_of_retries) is not int or not 0 <= number_of_retries <= 3:
            raise InvalidConfig("number_of_retries", "an integer from 0 to 3", number_of_retries)
        if type(interval_mins) is not int or not 1 <= interval_mins <= MAX_WAIT.days * 1440:
            raise InvalidConfig("interval_mins", "a whole number of minutes >= 1", interval_mins)
        spacing = _EXOTEL_MECHANISM.get(mechanism.lower() if isinstance(mechanism, str) else "")
        if spacing is None:
            raise InvalidConfig("mechanism", "'Linear' or 'Exponential'", mechanism)
        if isinstance(on_status, str) or not isinstance(on_status, Iterable):
            raise InvalidConfig(
                "on_status", "a collection of 'busy', 'no-answer', 'failed'", on_status
            )
        retried: set[Outcome] = set()
        for label in on_status:
            if label not in _EXOTEL_RETRIABLE:
                raise InvalidConfig(
                    "on_status", "labels among 'busy', 'no-answer', 'failed'", label
                )
            retried.add(_EXOTEL_RETRIABLE[label])
        return cls(
            name="exotel",
            max_retries=number_of_retries,
            interval=timedelta(minutes=interval_mins),
            spacing=spacing,
            rules={o: _RETRY if o in retried else _NO_RETRY for o in Outcome},
        )

    # ------------------------------------------------------------------ evaluation

    def rule(self, outcome: Outcome) -> RetryRule:
        """The rule for ``outcome``."""
        return self.rules[outcome]

    def wait(self, number: int) -> Wait:
        """The wait before retry ``number`` of a cycle (1 for the first): a `timedelta`,
        or a `relativedelta` when the policy counts in calendar units.

        Raises `InvalidInput` unless ``number`` is an integer >= 1.
        """
        if type(number) is not int or number < 1:
            raise InvalidInput(f"number must be an integer >= 1; got {number!r}")
        if self.intervals:
            return self.intervals[min(number, len(self.intervals)) - 1]
        base = self.interval
        if type(base) is relativedelta:
            return base  # always Spacing.FIXED (checked at construction)
        assert type(base) is timedelta
        ceiling = MAX_WAIT if self.max_interval is None else self.max_interval
        if self.spacing is Spacing.FIXED or not base:
            wait = base
        elif self.spacing is Spacing.LINEAR:
            wait = base * number if number <= ceiling // base else ceiling
        else:
            steps = ceiling // base
            wait = base * 2 ** (number - 1) if number - 1 < steps.bit_length() else ceiling
        return min(wait, ceiling)

    def attempts_left(self, contact: Contact) -> bool:
        """False once ``contact`` has used the lifetime ``max_attempts``."""
        return self.max_attempts is None or contact.attempts < self.max_attempts

    def decide(self, contact: Contact, outcome: Outcome) -> RetryDecision | None:
        """The retry ``contact`` gets after an attempt ending in ``outcome``, or None.

        ``contact`` carries the counters *before* this decision (its ``attempts``
        already count the attempt that just ended). None means the contact is
        settled: the outcome is not retried, its counter has reached its limit,
        or the lifetime cap is used up.
        """
        rule = self.rules[outcome]
        if not rule.retry or not self.attempts_left(contact):
            return None
        if rule.counter is RetryCounter.RETRIES:
            used, limit = contact.retries, self.max_retries
        else:
            used, limit = contact.failed_retries, self.max_failed_retries
        if rule.limit is not None and rule.limit < limit:
            limit = rule.limit
        if used >= limit:
            return None
        number = contact.retries + contact.failed_retries + 1
        wait = self.wait(number) if rule.delay is None else rule.delay
        return RetryDecision(rule.counter, wait, number, self.timezone)

    def max_attempts_per_cycle(self) -> int:
        """The most attempts one cycle can hold: the first and every retry both counters allow."""
        return 1 + self.max_retries + self.max_failed_retries

    # ------------------------------------------------------------------ plain data

    def to_dict(self) -> JSONObject:
        """This policy as plain JSON types (a `timedelta` wait in seconds, a calendar
        wait as its fields such as ``{"months": 1}``, outcomes by label). ``timezone``
        is written only when set, so policies without calendar waits keep the shape
        stored before it existed."""
        data = dump(self)
        if data["timezone"] is None:
            del data["timezone"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Rebuild a policy from `to_dict` output.

        Raises `InvalidInput` for unknown keys or bad data, `InvalidConfig` for
        out-of-range values.
        """
        return load(cls, data)


_RETRY_COUNT = f.check_int(0, _MOST_RETRIES, error=InvalidConfig)


_EXOTEL_MECHANISM = {"linear": Spacing.FIXED, "exponential": Spacing.EXPONENTIAL}
_EXOTEL_RETRIABLE = {"busy": Outcome.BUSY, "no-answer": Outcome.NO_ANSWER, "failed": Outcome.FAILED}
