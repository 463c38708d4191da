"""Billing rules: billed duration, billing increments (seconds, minutes, pulses) and cost.

One frozen record, `BillingPolicy`, describes how a vendor turns a call into
billed time and money; its presets reproduce the seeds:

* Altur (seed 000): billed duration equals duration for a human, is capped at
  5 seconds for a machine, and follows configuration for ``unknown`` (full,
  capped or free). Billed never exceeds duration.
* Exotel (seed 001): the price of an attempt is counted in pulses; the pulse
  length and the price of one pulse are configurable.
* thinkrr (seed 003): "Total Time Spent" counts only connected calls
  (Completed, No Answer, No Message, Left Message), never Issue Dialing or Failed.
* Twilio-style: per-minute round-up, a 1-second minimum for completed calls,
  non-completed calls free.

Every function here is pure. `format_duration` and `parse_duration` read and
write the Altur exports' readable durations (``MM:SS``, ``H:MM:SS`` past an hour).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Self

import attrs

from .. import _fields as f
from .._fields import JSONObject
from ..errors import InvalidConfig, InvalidInput, shown
from ..models.records import Call
from ..statuses import AnsweredBy, Outcome

__all__ = [
    "ALL_OUTCOMES",
    "CONNECTED_OUTCOMES",
    "MAX_DURATION_DIGITS",
    "THINKRR_TIME_SPENT_OUTCOMES",
    "BillingPolicy",
    "UnknownBilling",
    "format_duration",
    "parse_duration",
]

_BILLING_KEYS = frozenset(
    {
        "name",
        "machine_cap_seconds",
        "unknown",
        "billed_outcomes",
        "increment_seconds",
        "minimum_seconds",
        "price_per_increment",
        "unit",
    }
)

ALL_OUTCOMES: frozenset[Outcome] = frozenset(Outcome)
"""Every outcome: a call's recorded duration is billed whatever its outcome (Altur, Exotel)."""

CONNECTED_OUTCOMES: frozenset[Outcome] = frozenset(o for o in Outcome if o.connected)
"""Outcomes of calls the carrier connected (a person or a machine picked up): Twilio bills these."""

THINKRR_TIME_SPENT_OUTCOMES: frozenset[Outcome] = CONNECTED_OUTCOMES | {Outcome.NO_ANSWER}
"""What thinkrr's Total Time Spent counts (seed 003): Completed, No Answer, No Message,
Left Message - and the other connected outcomes (User Hung Up, Callback) - but never
Issue Dialing or Failed."""


# --------------------------------------------------------------------------- durations

# At most 15 digits in the leading field (over 31 million years of seconds): longer
# numbers are refused before int() sees them, which raises a bare ValueError past
# 4,300 digits (issue 14) and costs quadratic time well before that.
MAX_DURATION_DIGITS = 15
_MM_SS = re.compile(r"(\d{1,15}):([0-5]\d)")
_H_MM_SS = re.compile(r"(\d{1,15}):([0-5]\d):([0-5]\d)")
_SECONDS = re.compile(r"\d{1,15}")


def format_duration(seconds: int) -> str:
    """``seconds`` as the Altur exports write it: ``MM:SS``, or ``H:MM:SS`` from one hour up.

    ``format_duration(43) == "00:43"``, ``format_duration(3725) == "1:02:05"``.
    Raises `InvalidInput` unless ``seconds`` is a non-negative ``int``.
    """
    if type(seconds) is not int or seconds < 0:
        raise InvalidInput(f"seconds must be a non-negative integer; got {seconds!r}")
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes:02d}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def parse_duration(text: str) -> int:
    """Seconds in a readable duration: ``MM:SS`` (minutes may exceed 59), ``H:MM:SS``,
    or bare whole seconds (``"43"``, as Exotel's CDRs give them).

    Surrounding whitespace is ignored. Raises `InvalidInput` for anything else
    (empty text, negative or fractional numbers, seconds or minutes of 60 or more
    in a field that has a larger unit above it, a number of more than
    `MAX_DURATION_DIGITS` digits).
    """
    if not isinstance(text, str):
        raise InvalidInput(f"a duration must be text like '01:05'; got {shown(text)}")
    value = text.strip()
    if match := _MM_SS.fullmatch(value):
        return int(match[1]) * 60 + int(match[2])
    if match := _H_MM_SS.fullmatch(value):
        return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])
    if _SECONDS.fullmatch(value):
        return int(value)
    raise InvalidInput(
        f"{shown(text)} is not a duration; expected MM:SS, H:MM:SS or whole seconds "
        f"of at most {MAX_DURATION_DIGITS} digits (e.g. '01:05')"
    )


# --------------------------------------------------------------------------- policy


class UnknownBilling(enum.StrEnum):
    """How a call answered by ``unknown`` is billed (Altur: "according to configuration")."""

    FULL = "full"
    """Billed like a human: the whole duration."""
    CAPPED = "capped"
    """Billed like a machine: capped at the machine cap."""
    FREE = "free"
    """Not billed."""


_check_optional_seconds = f.check_int(
    0, optional=True, expected="a non-negative integer of seconds or None", error=InvalidConfig
)


_check_unknown = f.check_type(
    UnknownBilling, expected="an UnknownBilling (full, capped or free)", error=InvalidConfig
)


def _to_outcomes(value: Iterable[Outcome]) -> frozenset[Outcome]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidConfig("billed_outcomes", "a collection of Outcome members", value)
    outcomes = frozenset(value)
    if not all(type(o) is Outcome for o in outcomes):
        raise InvalidConfig("billed_outcomes", "a collection of Outcome members", value)
    return outcomes


_check_price = f.check(
    lambda value: type(value) is Decimal and value.is_finite() and value >= 0,
    "a finite, non-negative Decimal",
    error=InvalidConfig,
)


_check_text = f.check_text(nonempty=False, error=InvalidConfig)


def _duration(value: Any, name: str = "duration") -> int:
    if type(value) is not int or value < 0:
        raise InvalidInput(f"{name} must be a non-negative integer of seconds; got {value!r}")
    return value


def _unknown(value: UnknownBilling | str) -> UnknownBilling:
    try:
        return UnknownBilling(value)
    except ValueError:
        raise InvalidConfig("unknown", "one of 'full', 'capped', 'free'", value) from None


# How the answered-by of a call selects its rule: 0 full, 1 capped, 2 by `unknown`.
_FULL, _CAPPED, _BY_UNKNOWN = 0, 1, 2
_RULE_OF_ANSWERED_BY: dict[AnsweredBy, int] = {
    a: {AnsweredBy.HUMAN: _FULL, AnsweredBy.MACHINE: _CAPPED}.get(a.coarse, _BY_UNKNOWN)
    for a in AnsweredBy
}


@attrs.frozen(weakref_slot=False, repr=False)
class BillingPolicy:
    """How calls become billed seconds, billing increments and cost.

    ``billed_seconds(call)`` is the time billed *before* rounding: 0 unless the
    call's outcome is in ``billed_outcomes``; the whole duration for a human;
    at most ``machine_cap_seconds`` for a machine (any Twilio ``machine_*``
    detail and fax included); for ``unknown``, as ``unknown`` says. A call
    without answered-by is billed in full unless its outcome is voicemail, then
    as a machine. It never exceeds the call's duration.

    ``billed_units(call)`` rounds it up to whole increments (seconds, minutes,
    pulses) after raising it to ``minimum_seconds``; ``cost(call)`` is units
    times ``price_per_increment``. Construction raises `InvalidConfig` for any
    value out of range.
    """

    name: str = attrs.field(default="custom", validator=_check_text)
    """A label for the preset, shown in reprs."""
    machine_cap_seconds: int | None = attrs.field(default=5, validator=_check_optional_seconds)
    """The most a machine-answered call is billed, in seconds; None for no cap (Altur: 5)."""
    unknown: UnknownBilling = attrs.field(default=UnknownBilling.FULL, validator=_check_unknown)
    """How ``answered_by=unknown`` is billed: full, capped at the machine cap, or free."""
    billed_outcomes: frozenset[Outcome] = attrs.field(default=ALL_OUTCOMES, converter=_to_outcomes)
    """Calls with these outcomes are billed; any other call (and a live one) costs nothing."""
    increment_seconds: int = attrs.field(default=1, validator=f.check_int(1, error=InvalidConfig))
    """The billing increment: 1 per second, 60 per minute, the pulse length for pulses."""
    minimum_seconds: int = attrs.field(default=0, validator=f.check_int(0, error=InvalidConfig))
    """The least a billed call is charged for, before rounding (Twilio: 1 second)."""
    price_per_increment: Decimal = attrs.field(default=Decimal(0), validator=_check_price)
    """The price of one increment, in ``unit``."""
    unit: str = attrs.field(default="", validator=_check_text)
    """The currency or unit of prices (``"USD"``, ``"INR"``, ``"pulses"``)."""

    def __repr__(self) -> str:
        outcomes = self.billed_outcomes
        named = {
            ALL_OUTCOMES: "ALL_OUTCOMES",
            CONNECTED_OUTCOMES: "CONNECTED_OUTCOMES",
            THINKRR_TIME_SPENT_OUTCOMES: "THINKRR_TIME_SPENT_OUTCOMES",
        }
        shown = named.get(outcomes) or "{" + ", ".join(sorted(o.value for o in outcomes)) + "}"
        return (
            f"BillingPolicy(name={self.name!r}, machine_cap_seconds={self.machine_cap_seconds!r}, "
            f"unknown={self.unknown.value!r}, billed_outcomes={shown}, "
            f"increment_seconds={self.increment_seconds}, minimum_seconds={self.minimum_seconds}, "
            f"price_per_increment={str(self.price_per_increment)!r}, unit={self.unit!r})"
        )

    # ------------------------------------------------------------------ plain data

    def to_dict(self) -> JSONObject:
        """This policy as JSON types: outcomes sorted labels, the price a decimal string
        (no digit lost); `from_dict` reverses it exactly."""
        return {
            "name": self.name,
            "machine_cap_seconds": self.machine_cap_seconds,
            "unknown": self.unknown.value,
            "billed_outcomes": sorted(o.value for o in self.billed_outcomes),
            "increment_seconds": self.increment_seconds,
            "minimum_seconds": self.minimum_seconds,
            "price_per_increment": str(self.price_per_increment),
            "unit": self.unit,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The policy `to_dict` gave. Raises `InvalidInput` for a bad shape or value
        and `InvalidConfig` for one out of range."""
        d = f.mapping_with(data, "billing", _BILLING_KEYS)
        outcomes = f.load_list(d["billed_outcomes"], "billed_outcomes")
        price = d["price_per_increment"]
        # A long string could spell a huge exponent ("1e999999999"); 64 characters
        # hold any price the validator accepts.
        if not isinstance(price, str) or len(price) > 64:
            raise InvalidInput(f"price_per_increment must be a decimal string; got {shown(price)}")
        try:
            amount = Decimal(price)
        except InvalidOperation:
            raise InvalidInput(f"{shown(price)} is not a decimal number") from None
        return cls(
            name=d["name"],
            machine_cap_seconds=d["machine_cap_seconds"],
            unknown=f.load_member(UnknownBilling, d["unknown"]),
            billed_outcomes=frozenset(f.load_member(Outcome, o) for o in outcomes),
            increment_seconds=d["increment_seconds"],
            minimum_seconds=d["minimum_seconds"],
            price_per_increment=amount,
            unit=d["unit"],
        )

    # ------------------------------------------------------------------ presets

    @classmethod
    def altur(
        cls,
        *,
        unknown: UnknownBilling | str = UnknownBilling.FULL,
        machine_cap_seconds: int = 5,
        price_per_second: Decimal = Decimal(0),
        unit: str = "",
    ) -> Self:
        """Altur (seed 000): human billed in full, machine capped at 5 s, unknown per
        configuration (default full), per-second billing. Raises `InvalidConfig`."""
        return cls(
            name="altur",
            machine_cap_seconds=machine_cap_seconds,
            unknown=_unknown(unknown),
            price_per_increment=price_per_second,
            unit=unit,
        )

    @classmethod
    def exotel(
        cls,
        *,
        pulse_seconds: int = 30,
        price_per_pulse: Decimal = Decimal(1),
        unit: str = "pulses",
    ) -> Self:
        """Exotel (seed 001): the attempt's price in pulses of ``pulse_seconds``, each
        ``price_per_pulse``. With the defaults, cost is the pulse count, as in the CDR
        ``price`` field (the seed's row: 43 s, price 2). No answered-by cap.
        Raises `InvalidConfig`."""
        return cls(
            name="exotel",
            machine_cap_seconds=None,
            increment_seconds=pulse_seconds,
            price_per_increment=price_per_pulse,
            unit=unit,
        )

    @classmethod
    def thinkrr(cls, *, price_per_second: Decimal = Decimal(0), unit: str = "") -> Self:
        """thinkrr (seed 003): Total Time Spent counts connected calls (Completed, No
        Answer, No Message, Left Message, ...) in full, never Issue Dialing or Failed.
        Raises `InvalidConfig`."""
        return cls(
            name="thinkrr",
            machine_cap_seconds=None,
            billed_outcomes=THINKRR_TIME_SPENT_OUTCOMES,
            price_per_increment=price_per_second,
            unit=unit,
        )

    @classmethod
    def twilio(cls, *, price_per_minute: Decimal = Decimal(0), unit: str = "USD") -> Self:
        """Twilio-style: completed (connected) calls rounded up to whole minutes with a
        1-second minimum; busy, no-answer, failed and canceled calls free.
        Raises `InvalidConfig`."""
        return cls(
            name="twilio",
            machine_cap_seconds=None,
            billed_outcomes=CONNECTED_OUTCOMES,
            increment_seconds=60,
            minimum_seconds=1,
            price_per_increment=price_per_minute,
            unit=unit,
        )

    # ------------------------------------------------------------------ rules

    def billed_seconds(self, call: Call) -> int:
        """The seconds of ``call`` billed, before rounding; never more than its duration."""
        seconds = self._billed(call.result, call.answered_by, call.duration)
        return 0 if seconds is None else seconds

    def billed_units(self, call: Call) -> int:
        """Whole increments charged for ``call`` (seconds, minutes or pulses): its billed
        seconds raised to ``minimum_seconds`` and rounded up; 0 for a call not billed."""
        seconds = self._billed(call.result, call.answered_by, call.duration)
        return 0 if seconds is None else self.units_for(seconds)

    def billed_seconds_for(
        self, outcome: Outcome | None, answered_by: AnsweredBy | None, duration: int
    ) -> int:
        """`billed_seconds` of a call described by its outcome, answered-by and duration.

        Raises `InvalidInput` for a negative or non-integer ``duration``.
        """
        seconds = self._billed(outcome, answered_by, _duration(duration))
        return 0 if seconds is None else seconds

    def billed_units_for(
        self, outcome: Outcome | None, answered_by: AnsweredBy | None, duration: int
    ) -> int:
        """`billed_units` of a call described by its outcome, answered-by and duration.

        Raises `InvalidInput` for a negative or non-integer ``duration``.
        """
        seconds = self._billed(outcome, answered_by, _duration(duration))
        return 0 if seconds is None else self.units_for(seconds)

    def _billed(
        self, outcome: Outcome | None, answered_by: AnsweredBy | None, duration: int
    ) -> int | None:
        """Billed seconds before rounding, or None for a call that is not billed at all."""
        if outcome is None or outcome not in self.billed_outcomes:
            return None
        # Without an answered_by (a vendor that does not report one) the outcome is the
        # only witness. seed 000: "the billable duration automatically applies the limit
        # to voicemail calls" - so a voicemail gets the machine cap, anything else full.
        if answered_by is None:
            rule = _CAPPED if outcome is Outcome.VOICEMAIL else _FULL
        else:
            rule = _RULE_OF_ANSWERED_BY[answered_by]
            if rule == _BY_UNKNOWN:
                if self.unknown is UnknownBilling.FREE:
                    return None
                rule = _CAPPED if self.unknown is UnknownBilling.CAPPED else _FULL
        cap = self.machine_cap_seconds
        # min(cap, duration): a 3 s machine call bills 3 s, not 5 - billed never
        # exceeds duration (DESIGN, "things easy to get wrong").
        if rule == _CAPPED and cap is not None and cap < duration:
            return cap
        return duration

    def units_for(self, seconds: int) -> int:
        """Whole increments charged for ``seconds`` of billed time on a billed call.

        Raises `InvalidInput` for a negative or non-integer ``seconds``.
        """
        seconds = max(_duration(seconds, "seconds"), self.minimum_seconds)
        return -(-seconds // self.increment_seconds)

    def cost(self, call: Call) -> Decimal:
        """What ``call`` costs under this policy: billed units times the increment price."""
        return self.billed_units(call) * self.price_per_increment

    def total_seconds(self, calls: Iterable[Call]) -> int:
        """The billed seconds of all ``calls`` (thinkrr's Total Time Spent under `thinkrr`)."""
        return sum(self.billed_seconds(call) for call in calls)

    def total_cost(self, calls: Iterable[Call]) -> Decimal:
        """The cost of all ``calls`` under this policy."""
        return sum((self.cost(call) for call in calls), Decimal(0))
