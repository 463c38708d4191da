"""Retry policy: what happens to a contact after each attempt, as data.

A `RetryPolicy` is a frozen record. For every `Outcome` it holds a `RetryRule`
(retried or not, which per-cycle counter the retry spends, an optional tighter
limit and an optional fixed wait); around the rules it holds the two counter
limits, an optional lifetime cap on attempts, the spacing of waits (fixed,
linear, exponential, or an explicit list) and itellico's contact completion
timeout. `RetryPolicy.decide` is the pure function every engine uses.

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
from datetime import timedelta
from typing import Any, Self, TypeVar

import attrs

from .._fields import Codec, dump, load
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
    "as_duration",
]

MAX_WAIT = timedelta(days=366)
"""The longest wait spacing ever produces: exponential waits stop growing here."""

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


def _seconds(value: timedelta) -> int | float:
    seconds = value.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _load_seconds(value: Any) -> timedelta:
    if type(value) not in (int, float) or value != value:  # rejects bool and NaN
        raise InvalidInput(f"{shown(value)} is not a number of seconds")
    try:
        return timedelta(seconds=value)
    except OverflowError:
        raise InvalidInput(f"{shown(value)} seconds is out of range") from None


_DURATION = Codec(_seconds, _load_seconds)
_OPTIONAL_DURATION = Codec(
    lambda v: None if v is None else _seconds(v), lambda v: None if v is None else _load_seconds(v)
)
_DURATIONS = Codec(lambda v: [_seconds(d) for d in v], lambda v: _load_durations(v))


def _load_durations(value: Any) -> list[timedelta]:
    if not isinstance(value, list):
        raise InvalidInput(f"must be a list of seconds; got {shown(value)}")
    return [_load_seconds(d) for d in value]


_PLAIN = Codec(lambda v: v, lambda v: v)


def _enum_codec(cls: type[enum.Enum]) -> Codec:
    def load_member(value: Any) -> Any:
        try:
            return cls(value)
        except ValueError:
            labels = ", ".join(repr(m.value) for m in cls)
            raise InvalidInput(
                f"{shown(value)} is not a {cls.__name__}; expected {labels}"
            ) from None

    return Codec(lambda v: v.value, load_member)


# --------------------------------------------------------------------------- validators


def _int_range(low: int, high: int, *, optional: bool = False) -> Any:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if optional and value is None:
            return
        if type(value) is not int or not low <= value <= high:
            suffix = " or None" if optional else ""
            raise InvalidConfig(attribute.name, f"an integer from {low} to {high}{suffix}", value)

    return check


def _check_wait(name: str, value: Any) -> None:
    if type(value) is not timedelta or not timedelta(0) <= value <= MAX_WAIT:
        raise InvalidConfig(name, f"a timedelta from 0 to {MAX_WAIT.days} days", value)


def _wait(*, optional: bool = False) -> Any:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if optional and value is None:
            return
        _check_wait(attribute.name, value)

    return check


def _check_flag(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not bool:
        raise InvalidConfig(attribute.name, "True or False", value)


def _check_name(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not str or not value:
        raise InvalidConfig(attribute.name, "a non-empty string", value)


def _member(cls: type[EnumT], name: str, value: Any) -> EnumT:
    try:
        return cls(value)
    except ValueError:
        labels = ", ".join(repr(m.value) for m in cls)
        raise InvalidConfig(name, f"one of {labels}", value) from None


def _to_counter(value: Any) -> RetryCounter:
    return _member(RetryCounter, "counter", value)


def _to_spacing(value: Any) -> Spacing:
    return _member(Spacing, "spacing", value)


def _to_waits(value: Any) -> tuple[timedelta, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidConfig("intervals", "a sequence of timedeltas", value)
    waits = tuple(value)
    for wait in waits:
        _check_wait("intervals", wait)
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

    retry: bool = attrs.field(default=True, validator=_check_flag, metadata={"codec": _PLAIN})
    """Whether this outcome is retried at all."""
    counter: RetryCounter = attrs.field(
        default=RetryCounter.RETRIES,
        converter=_to_counter,
        metadata={"codec": _enum_codec(RetryCounter)},
    )
    """The per-cycle counter a retry spends (and so whether it waits in ``retrying``)."""
    limit: int | None = attrs.field(
        default=None,
        validator=_int_range(0, _MOST_RETRIES, optional=True),
        metadata={"codec": _PLAIN},
    )
    """A tighter limit on ``counter`` for this outcome; None uses the policy's limit."""
    delay: timedelta | None = attrs.field(
        default=None, validator=_wait(optional=True), metadata={"codec": _OPTIONAL_DURATION}
    )
    """A fixed wait for this outcome; None uses the policy's spacing."""

    def to_dict(self) -> dict[str, Any]:
        """This rule as plain JSON types (waits in seconds)."""
        return dump(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild a rule from `to_dict` output; raises `InvalidInput` or `InvalidConfig`."""
        return load(cls, data)


_OUTCOME_BY_LABEL: dict[Any, Outcome] = {o.value: o for o in Outcome}
_NO_RETRY = RetryRule(retry=False)
_RETRY = RetryRule()


def _default_rules() -> dict[Outcome, RetryRule]:
    return {o: _RETRY if o.retriable else _NO_RETRY for o in Outcome}


def _to_rules(value: Any) -> FrozenMap[Outcome, RetryRule]:
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
    wait: timedelta
    """How long after the attempt the contact is due again."""
    number: int
    """Which retry of the cycle this is: 1 for the first."""

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

    name: str = attrs.field(default="custom", validator=_check_name, metadata={"codec": _PLAIN})
    """A label for the preset, shown in reprs."""
    max_retries: int = attrs.field(
        default=2, validator=_int_range(0, _MOST_RETRIES), metadata={"codec": _PLAIN}
    )
    """Limit of ``Contact.retries`` per cycle (Altur's campaign retry limit, itellico's
    *Max Retry Attempts*, Exotel's ``number_of_retries``)."""
    max_failed_retries: int = attrs.field(
        default=0, validator=_int_range(0, _MOST_RETRIES), metadata={"codec": _PLAIN}
    )
    """Limit of ``Contact.failed_retries`` per cycle (Altur's system limit, typically 1)."""
    max_attempts: int | None = attrs.field(
        default=None, validator=_int_range(1, 10_000, optional=True), metadata={"codec": _PLAIN}
    )
    """A cap on ``Contact.attempts`` over the contact's lifetime, cycles included; None for none."""
    interval: timedelta = attrs.field(
        default=timedelta(hours=1), validator=_wait(), metadata={"codec": _DURATION}
    )
    """The base wait before a retry, spaced by ``spacing``."""
    spacing: Spacing = attrs.field(
        default=Spacing.FIXED,
        converter=_to_spacing,
        metadata={"codec": _enum_codec(Spacing)},
    )
    """How the wait grows from one retry to the next."""
    intervals: tuple[timedelta, ...] = attrs.field(
        default=(), converter=_to_waits, metadata={"codec": _DURATIONS}
    )
    """Explicit waits for retries 1, 2, 3, ... (e.g. 30, 60, 120 minutes); the last one
    repeats. When given, they replace ``interval`` and ``spacing``."""
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
        _check_count("retries", retries)
        _check_count("failed_retries", failed_retries)
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

    def wait(self, number: int) -> timedelta:
        """The wait before retry ``number`` of a cycle (1 for the first).

        Raises `InvalidInput` unless ``number`` is an integer >= 1.
        """
        if type(number) is not int or number < 1:
            raise InvalidInput(f"number must be an integer >= 1; got {number!r}")
        if self.intervals:
            return self.intervals[min(number, len(self.intervals)) - 1]
        ceiling = MAX_WAIT if self.max_interval is None else self.max_interval
        base = self.interval
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
        return RetryDecision(rule.counter, wait, number)

    def max_attempts_per_cycle(self) -> int:
        """The most attempts one cycle can hold: the first and every retry both counters allow."""
        return 1 + self.max_retries + self.max_failed_retries

    # ------------------------------------------------------------------ plain data

    def to_dict(self) -> dict[str, Any]:
        """This policy as plain JSON types (waits in seconds, outcomes by label)."""
        return dump(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild a policy from `to_dict` output.

        Raises `InvalidInput` for unknown keys or bad data, `InvalidConfig` for
        out-of-range values.
        """
        return load(cls, data)


def _check_count(name: str, value: Any) -> None:
    if type(value) is not int or not 0 <= value <= _MOST_RETRIES:
        raise InvalidConfig(name, f"an integer from 0 to {_MOST_RETRIES}", value)


_EXOTEL_MECHANISM = {"linear": Spacing.FIXED, "exponential": Spacing.EXPONENTIAL}
_EXOTEL_RETRIABLE = {"busy": Outcome.BUSY, "no-answer": Outcome.NO_ANSWER, "failed": Outcome.FAILED}
