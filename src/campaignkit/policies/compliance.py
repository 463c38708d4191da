"""Compliance rules: pure predicates that refuse a call and say why, and until when.

None of the seed platforms enforces these; a service calling real people must.
Each rule looks at the callee's number (and the time zones it may be in), the
contact's tags, the contact's past attempts and the caller's do-not-call set,
and returns None or a `Refusal` whose ``retry_at`` is the earliest instant that
rule alone would allow:

* `QuietHours` - calls only inside windows of the callee's local time, in every
  zone the number may be in (US TCPA: 08:00-21:00; Florida FTSA: 08:00-20:00);
* `FrequencyCap` - at most N calls in any rolling period (US Regulation F: 7
  in 7 days; Florida FTSA: 3 in 24 hours);
* `ConversationCooldown` - no call for a period after a conversation (US
  Regulation F: 7 days);
* `AbandonedCallCooldown` - no repeat call for a period after an abandoned call
  (UK Ofcom: 72 hours);
* `DoNotCall` - never call numbers or tags on a do-not-call / opted-out list.

`CompliancePolicy` combines rules: every rule must allow the call, so the most
restrictive wins, and `CompliancePolicy.earliest_allowed` finds the first
instant at which all of them allow it. Rules may be limited to a `Region` of
callee numbers. History is passed in - `Call` records or the smaller `Attempt`
- and nothing is stored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any, ClassVar, Self, TypeAlias

import attrs
import phonenumbers

from .. import _fields as f
from .._fields import JSONObject, aware_utc, is_e164
from ..errors import InvalidConfig, InvalidInput, shown
from ..models.records import DEFAULT_TIMEZONE, Call, Contact
from ..statuses import Outcome
from .refusal import Refusal
from .schedule import (
    CallingWindow,
    checked_zones,
    contact_time_zones,
    describe_windows,
    earliest_common,
    gates_for,
    search_limit,
)

__all__ = [
    "AbandonedCallCooldown",
    "Attempt",
    "CompliancePolicy",
    "ComplianceRule",
    "ConversationCooldown",
    "DoNotCall",
    "FrequencyCap",
    "QuietHours",
    "Region",
    "rule_from_dict",
]

_NO_STRINGS: frozenset[str] = frozenset()
_ATTEMPT_KEYS = frozenset({"at", "outcome", "ended_at", "abandoned"})
_REGION_KEYS = frozenset({"name", "countries", "prefixes"})


# --------------------------------------------------------------------------- history


def _to_at(value: datetime) -> datetime:
    return aware_utc(value, "at")


def _optional_moment(value: datetime | None) -> datetime | None:
    return None if value is None else aware_utc(value, "ended_at")


_check_outcome = f.check_type(Outcome, optional=True)


_check_bool = f.check_flag()


@attrs.frozen(weakref_slot=False)
class Attempt:
    """One past call (or message) to the contact, as compliance rules need it.

    Raises `InvalidInput` for a naive datetime, an ``ended_at`` before ``at``,
    or an ``outcome`` that is not an `Outcome`.
    """

    at: datetime = attrs.field(converter=_to_at)
    """When the attempt was placed (UTC)."""
    outcome: Outcome | None = attrs.field(default=None, validator=_check_outcome)
    """How it ended; None while unknown."""
    ended_at: datetime | None = attrs.field(default=None, converter=_optional_moment)
    """When it ended, if known; cooldowns after a conversation run from here."""
    abandoned: bool = attrs.field(default=False, validator=_check_bool)
    """A person answered and no agent took the call (UK Ofcom's abandoned call)."""

    def __attrs_post_init__(self) -> None:
        if self.ended_at is not None and self.ended_at < self.at:
            raise InvalidInput(
                f"Attempt ended_at ({self.ended_at.isoformat()}) is before at "
                f"({self.at.isoformat()})"
            )

    @property
    def over_at(self) -> datetime:
        """When the attempt was over: ``ended_at``, else ``at``."""
        return self.ended_at or self.at

    def to_dict(self) -> JSONObject:
        """This attempt as JSON types (times ISO 8601, the outcome by its label);
        `from_dict` reverses it exactly."""
        return {
            "at": self.at.isoformat(),
            "outcome": None if self.outcome is None else self.outcome.value,
            "ended_at": f.iso(self.ended_at),
            "abandoned": self.abandoned,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The attempt `to_dict` gave. Raises `InvalidInput` for a bad shape or value."""
        d = f.mapping_with(data, "attempt", _ATTEMPT_KEYS)
        outcome, ended = d["outcome"], d["ended_at"]
        return cls(
            at=f.load_instant(d["at"]),
            outcome=None if outcome is None else f.load_member(Outcome, outcome),
            ended_at=None if ended is None else f.load_instant(ended, "ended_at"),
            abandoned=d["abandoned"],
        )

    @classmethod
    def from_call(cls, call: Call) -> Self:
        """The attempt a `Call` record describes.

        ``at`` is the first of ``created_at``, ``started_at``, ``ended_at``,
        ``updated_at`` that is set; ``outcome`` is ``call.result``. The call
        counts as abandoned when its result is `Outcome.NO_CONVERSATION` and no
        machine answered (a person picked up and nobody spoke to them). Raises
        `InvalidInput` for a call with no timestamp at all: it cannot be placed
        in time, and ignoring it could let a call through that a cap refuses.
        """
        at = call.created_at or call.started_at or call.ended_at or call.updated_at
        if at is None:
            raise InvalidInput(f"Call {shown(call.id)} has no timestamp; compliance needs one")
        result = call.result
        machine = call.answered_by is not None and call.answered_by.is_machine
        return cls(
            at=at,
            outcome=result,
            ended_at=call.ended_at if call.ended_at and call.ended_at >= at else None,
            abandoned=result is Outcome.NO_CONVERSATION and not machine,
        )


History: TypeAlias = Iterable[Call | Attempt]
"""A contact's past attempts: `Call` records, `Attempt` records, or a mix."""


def attempts_of(history: History) -> tuple[Attempt, ...]:
    """``history`` as `Attempt` records sorted by time. Raises `InvalidInput` for
    anything that is neither a `Call` nor an `Attempt`."""
    if isinstance(history, str | bytes):
        raise InvalidInput(f"history must be Call or Attempt records; got {shown(history)}")
    out: list[Attempt] = []
    for item in history:
        if type(item) is Attempt:
            out.append(item)
        elif type(item) is Call:
            out.append(Attempt.from_call(item))
        else:
            raise InvalidInput(f"history must hold Call or Attempt records; got {shown(item)}")
    out.sort(key=lambda a: a.at)
    return tuple(out)


# --------------------------------------------------------------------------- regions


def _strings(field: str, value: Any) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidConfig(field, "a collection of strings", value)
    items = frozenset(value)
    if not all(type(x) is str and x for x in items):
        raise InvalidConfig(field, "a collection of non-empty strings", value)
    return items


def _to_countries(value: Iterable[str]) -> frozenset[str]:
    return _strings("countries", value)


def _to_prefixes(value: Iterable[str]) -> frozenset[str]:
    return _strings("prefixes", value)


def _to_numbers(value: Iterable[str]) -> frozenset[str]:
    return _strings("numbers", value)


def _to_tags(value: Iterable[str]) -> frozenset[str]:
    return _strings("tags", value)


_check_prefixes = f.check(
    lambda value: all(p.startswith("+") and p[1:].isdigit() and p[1] != "0" for p in value),
    "E.164 prefixes such as '+1305'",
    error=InvalidConfig,
)


_check_name = f.check_text(error=InvalidConfig)


@functools.lru_cache(maxsize=65_536)
def _region_code(phone: str) -> str | None:
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    code: str | None = phonenumbers.region_code_for_number(number)
    if code is None:  # not a valid number: the country code's main region
        code = phonenumbers.region_code_for_country_code(number.country_code or 0)
    return None if code in (None, "ZZ") else code


@functools.lru_cache(maxsize=256)
def _prefix_tuple(prefixes: frozenset[str]) -> tuple[str, ...]:
    return tuple(prefixes)


_FLORIDA_AREA_CODES = (
    "239 305 321 324 352 386 407 448 561 645 656 689 727 728 754 772 786 813 850 863 904 941 954"
)
_US_REGIONS = frozenset({"US", "PR", "VI", "GU", "AS", "MP"})


@attrs.frozen(weakref_slot=False)
class Region:
    """A set of callee numbers a rule applies to: by country (ISO 3166 region codes, as
    ``phonenumbers`` assigns them) or by E.164 prefix (area codes).

    A number matches if its region is in ``countries`` or it starts with one of
    ``prefixes``. Raises `InvalidConfig` for an empty name or a malformed prefix.
    """

    name: str = attrs.field(validator=_check_name)
    """What the region is called in refusal reasons."""
    countries: frozenset[str] = attrs.field(default=_NO_STRINGS, converter=_to_countries)
    """Region codes such as ``"US"``, ``"GB"``."""
    prefixes: frozenset[str] = attrs.field(
        default=_NO_STRINGS, converter=_to_prefixes, validator=_check_prefixes
    )
    """E.164 prefixes such as ``"+1305"`` (an area code) or ``"+44"`` (a country code)."""

    def to_dict(self) -> JSONObject:
        """This region as JSON types (sorted lists); `from_dict` reverses it exactly."""
        return {
            "name": self.name,
            "countries": sorted(self.countries),
            "prefixes": sorted(self.prefixes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The region `to_dict` gave. Raises `InvalidInput` for a bad shape and
        `InvalidConfig` for a bad value."""
        d = f.mapping_with(data, "region", _REGION_KEYS)
        return cls(
            d["name"],
            countries=f.load_set(d["countries"], "countries"),
            prefixes=f.load_set(d["prefixes"], "prefixes"),
        )

    def matches(self, phone: str) -> bool:
        """True if the E.164 ``phone`` belongs to this region."""
        if self.prefixes and phone.startswith(_prefix_tuple(self.prefixes)):
            return True
        return bool(self.countries) and _region_code(phone) in self.countries

    @classmethod
    def us(cls) -> Self:
        """The United States and its territories (PR, VI, GU, AS, MP)."""
        return cls("US", countries=_US_REGIONS)

    @classmethod
    def florida(cls) -> Self:
        """Florida, by its area codes (NANPA: 239, 305, 321, ... 954)."""
        return cls("Florida", prefixes=frozenset(f"+1{a}" for a in _FLORIDA_AREA_CODES.split()))

    @classmethod
    def uk(cls) -> Self:
        """The United Kingdom's numbering plan (+44)."""
        return cls("UK", prefixes=frozenset({"+44"}))


# --------------------------------------------------------------------------- rules


class _Facts:
    """What the rules look at, gathered once per check."""

    __slots__ = ("attempts", "do_not_call", "phone", "tags", "zones")

    def __init__(
        self,
        phone: str,
        tags: frozenset[str],
        zones: tuple[str, ...],
        attempts: tuple[Attempt, ...],
        do_not_call: Container[str],
    ) -> None:
        self.phone = phone
        self.tags = tags
        self.zones = zones
        self.attempts = attempts
        self.do_not_call = do_not_call


def facts_for(
    contact: Contact,
    history: History = (),
    *,
    zones: Sequence[str] | None = None,
    fallback_timezone: str = DEFAULT_TIMEZONE,
    do_not_call: Container[str] = _NO_STRINGS,
) -> _Facts:
    """Gather what the rules need about ``contact``. Raises `InvalidInput`."""
    if type(contact) is not Contact:
        raise InvalidInput(f"contact must be a Contact; got {shown(contact)}")
    if zones is None:
        names = contact_time_zones(contact.phone, fallback=fallback_timezone)
    else:
        names = checked_zones(zones)
    return _Facts(contact.phone, contact.tags, names, attempts_of(history), do_not_call)


def _span_words(span: timedelta) -> str:
    """``7 days``, ``24 hours``, ``72 hours``, ``90 minutes``: days from a week up."""
    seconds = int(span.total_seconds())
    if seconds % 86_400 == 0 and seconds >= 604_800:
        n, unit = seconds // 86_400, "day"
    elif seconds % 3600 == 0:
        n, unit = seconds // 3600, "hour"
    elif seconds % 60 == 0:
        n, unit = seconds // 60, "minute"
    else:
        n, unit = seconds, "second"
    return f"{n} {unit}" + ("s" if n != 1 else "")


_check_positive_span = f.check_span(positive=True, error=InvalidConfig)


_check_region = f.check_type(
    Region, optional=True, expected="a Region or None (everywhere)", error=InvalidConfig
)


_check_max_calls = f.check_int(1, error=InvalidConfig)


def _to_quiet_windows(value: Iterable[CallingWindow]) -> tuple[CallingWindow, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidConfig("windows", "a non-empty sequence of CallingWindow", value)
    windows = tuple(value)
    if not windows or not all(type(w) is CallingWindow for w in windows):
        raise InvalidConfig("windows", "a non-empty sequence of CallingWindow", value)
    return windows


def _to_outcomes(value: Iterable[Outcome]) -> frozenset[Outcome]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidConfig("outcomes", "a collection of Outcome members", value)
    outcomes = frozenset(value)
    if not outcomes or not all(type(o) is Outcome for o in outcomes):
        raise InvalidConfig("outcomes", "a non-empty collection of Outcome members", value)
    return outcomes


def _region_to_dict(region: Region | None) -> dict[str, Any] | None:
    return None if region is None else region.to_dict()


def _region_from_dict(data: Any) -> Region | None:
    return None if data is None else Region.from_dict(data)


def _load_windows(value: Any) -> tuple[CallingWindow, ...]:
    return tuple(CallingWindow.from_dict(w) for w in f.load_list(value, "windows"))


def _load_outcomes(value: Any) -> frozenset[Outcome]:
    return frozenset(f.load_member(Outcome, o) for o in f.load_list(value, "outcomes"))


# Each rule field carries its codec, so the rules share one to_dict/from_dict
# (`_RuleBase`) instead of five hand-written pairs (issue 18: one home per rule).
_SPAN = f.Codec(f.seconds, f.load_seconds)
_WINDOWS = f.Codec(lambda ws: [w.to_dict() for w in ws], _load_windows)
_OUTCOMES = f.Codec(lambda os: sorted(o.value for o in os), _load_outcomes)
_REGION = f.Codec(_region_to_dict, _region_from_dict)


def _string_set(name: str) -> f.Codec:
    return f.Codec(sorted, lambda value: f.load_set(value, name))


def _region() -> Any:
    """The ``region`` field every rule but `DoNotCall` has: None for every callee."""
    return attrs.field(default=None, validator=_check_region, metadata={"codec": _REGION})


def _name(default: str) -> Any:
    """The ``name`` field every rule has, shown in its refusal reasons."""
    return attrs.field(default=default, validator=_check_name, metadata={"codec": f.PLAIN})


class _RuleBase:
    """What every rule shares: the public ``check`` and the tagged plain-data codec
    (each field's codec, under a ``"rule"`` tag); subclasses implement ``refuse``."""

    __slots__ = ()

    KIND: ClassVar[str]
    """The ``"rule"`` tag of the rule in `to_dict` output."""

    def to_dict(self) -> JSONObject:
        """This rule as JSON types, tagged ``"rule": KIND`` (periods in seconds, sets as
        sorted lists, outcomes by label); `from_dict` reverses it exactly."""
        return {"rule": self.KIND, **f.dump(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The rule `to_dict` gave. Raises `InvalidInput` for a bad shape and
        `InvalidConfig` for a value out of range."""
        fields = attrs.fields(cls)  # type: ignore[arg-type]
        d = _tagged(data, cls.KIND, frozenset(a.name for a in fields))
        return cls(**{a.name: a.metadata["codec"].load(d[a.name]) for a in fields})

    def refuse(self, facts: _Facts, t: datetime) -> Refusal | None:
        raise NotImplementedError

    def check(
        self,
        contact: Contact,
        now: datetime,
        history: History = (),
        *,
        zones: Sequence[str] | None = None,
        fallback_timezone: str = DEFAULT_TIMEZONE,
        do_not_call: Container[str] = _NO_STRINGS,
    ) -> Refusal | None:
        """None if this rule allows calling ``contact`` at ``now`` given its past
        attempts ``history``; otherwise the `Refusal` explaining why.

        ``zones`` overrides the time zones taken from the phone number, and
        ``fallback_timezone`` is used when the number tells nothing. Raises
        `InvalidInput` for a naive ``now`` or malformed history.
        """
        facts = facts_for(
            contact,
            history,
            zones=zones,
            fallback_timezone=fallback_timezone,
            do_not_call=do_not_call,
        )
        return self.refuse(facts, aware_utc(now))


class _RegionalRule(_RuleBase):
    """A rule limited to the callees of its ``region`` (None: every callee): the region
    test lives here, once; subclasses implement ``_refuse`` for the callees inside."""

    __slots__ = ()

    region: Region | None

    def refuse(self, facts: _Facts, t: datetime) -> Refusal | None:
        """The refusal at ``t``, or None (see `check`); None outside ``region``."""
        region = self.region
        if region is not None and not region.matches(facts.phone):
            return None
        return self._refuse(facts, t)

    def _refuse(self, facts: _Facts, t: datetime) -> Refusal | None:
        raise NotImplementedError


def _cooldown_end(ends: Sequence[datetime], period: timedelta, t: datetime) -> datetime | None:
    """When the cooldown of ``period`` after the latest of ``ends`` lifts, if after ``t``."""
    until = max(ends, default=None)
    if until is None or until + period <= t:
        return None
    return until + period


@attrs.frozen(weakref_slot=False)
class QuietHours(_RegionalRule):
    """Calls only inside ``windows`` of the callee's local time, in every zone the
    number may be in (the safest reading when a number spans several zones).

    Default: 08:00-21:00 every day (US TCPA). Raises `InvalidConfig`.
    """

    windows: tuple[CallingWindow, ...] = attrs.field(
        default=(CallingWindow(time(8), time(21)),),
        converter=_to_quiet_windows,
        metadata={"codec": _WINDOWS},
    )
    """When calls are allowed, in the callee's local time."""
    region: Region | None = _region()
    """Callee numbers the rule applies to; None for all."""
    name: str = _name("quiet hours")
    """Shown in refusal reasons, e.g. ``"US TCPA"``."""

    KIND: ClassVar[str] = "quiet-hours"

    @classmethod
    def between(
        cls, start: time, end: time, *, region: Region | None = None, name: str = "quiet hours"
    ) -> Self:
        """Calls allowed from ``start`` to ``end`` (callee's local time) every day."""
        return cls(windows=(CallingWindow(start, end),), region=region, name=name)

    def _refuse(self, facts: _Facts, t: datetime) -> Refusal | None:
        gates = gates_for(self.windows, facts.zones)
        # Every zone the number may be in must be open: a number whose area spans two
        # zones may ring in either, and 07:30 in the western one is still too early.
        # The strictest reading is the only one that never calls outside the window.
        closed = [z for z, g in zip(facts.zones, gates, strict=True) if not g.is_open(t)]
        if not closed:
            return None
        retry = earliest_common(gates, t, search_limit(t))
        where = ", ".join(
            f"{t.astimezone(g.zone).strftime('%H:%M')} in {z}"
            for z, g in zip(facts.zones, gates, strict=True)
            if z in closed
        )
        return Refusal(
            "quiet-hours",
            f"{self.name}: calls are allowed {describe_windows(self.windows)} in the callee's "
            f"local time; it is {where}",
            retry,
        )


@attrs.frozen(weakref_slot=False)
class FrequencyCap(_RegionalRule):
    """At most ``max_calls`` attempts in any rolling ``period`` (US Regulation F: 7 in 7
    days). Every past attempt counts, answered or not. Raises `InvalidConfig`."""

    max_calls: int = attrs.field(validator=_check_max_calls, metadata={"codec": f.PLAIN})
    """Attempts allowed within any ``period``."""
    period: timedelta = attrs.field(validator=_check_positive_span, metadata={"codec": _SPAN})
    """The rolling window's length."""
    region: Region | None = _region()
    """Callee numbers the rule applies to; None for all."""
    name: str = _name("frequency cap")
    """Shown in refusal reasons."""

    KIND: ClassVar[str] = "frequency-cap"

    def _refuse(self, facts: _Facts, t: datetime) -> Refusal | None:
        since = t - self.period
        recent = [a.at for a in facts.attempts if a.at > since]
        if len(recent) < self.max_calls:
            return None
        # The cap lifts when enough attempts leave the rolling window that fewer than
        # max_calls remain: the oldest of the last max_calls attempts (attempts_of sorts
        # them by time) leaving it is that moment.
        retry = recent[len(recent) - self.max_calls] + self.period
        return Refusal(
            "frequency-cap",
            f"{self.name}: {len(recent)} calls in the last {_span_words(self.period)}; "
            f"at most {self.max_calls} allowed",
            retry,
        )


_CONVERSATIONS = frozenset(o for o in Outcome if o.human_answered)


@attrs.frozen(weakref_slot=False)
class ConversationCooldown(_RegionalRule):
    """No call for ``period`` after a conversation with the contact ended (US Regulation
    F: 7 days). A conversation is an attempt whose outcome is in ``outcomes``
    (default: every outcome in which a person answered). Raises `InvalidConfig`."""

    period: timedelta = attrs.field(validator=_check_positive_span, metadata={"codec": _SPAN})
    """How long after a conversation no call is placed."""
    outcomes: frozenset[Outcome] = attrs.field(
        default=_CONVERSATIONS, converter=_to_outcomes, metadata={"codec": _OUTCOMES}
    )
    """The outcomes that count as a conversation."""
    region: Region | None = _region()
    """Callee numbers the rule applies to; None for all."""
    name: str = _name("conversation cooldown")
    """Shown in refusal reasons."""

    KIND: ClassVar[str] = "conversation-cooldown"

    def _refuse(self, facts: _Facts, t: datetime) -> Refusal | None:
        # Counted from when the conversation *ended* (over_at), not when it was placed:
        # Regulation F's 7 days run after the conversation, and a long call must not
        # shorten the quiet period.
        ends = [a.over_at for a in facts.attempts if a.outcome in self.outcomes]
        until = _cooldown_end(ends, self.period, t)
        if until is None:
            return None
        return Refusal(
            "conversation-cooldown",
            f"{self.name}: a conversation ended at {max(ends).isoformat()}; no call for "
            f"{_span_words(self.period)} after a conversation",
            until,
        )


@attrs.frozen(weakref_slot=False)
class AbandonedCallCooldown(_RegionalRule):
    """No repeat call for ``period`` after an abandoned call (UK Ofcom: 72 hours).
    Raises `InvalidConfig`."""

    period: timedelta = attrs.field(
        default=timedelta(hours=72), validator=_check_positive_span, metadata={"codec": _SPAN}
    )
    """How long after an abandoned call no call is placed."""
    region: Region | None = _region()
    """Callee numbers the rule applies to; None for all."""
    name: str = _name("abandoned-call rule")
    """Shown in refusal reasons."""

    KIND: ClassVar[str] = "abandoned-call-cooldown"

    def _refuse(self, facts: _Facts, t: datetime) -> Refusal | None:
        ends = [a.over_at for a in facts.attempts if a.abandoned]
        until = _cooldown_end(ends, self.period, t)
        if until is None:
            return None
        return Refusal(
            "abandoned-call",
            f"{self.name}: a call was abandoned at {max(ends).isoformat()}; no repeat call "
            f"within {_span_words(self.period)}",
            until,
        )


@attrs.frozen(weakref_slot=False)
class DoNotCall(_RuleBase):
    """Never call a number on the list or a contact carrying one of ``tags`` (e.g.
    ``"opted-out"``). The do-not-call set passed at check time is always honoured
    as well, with or without this rule. Raises `InvalidConfig`."""

    numbers: frozenset[str] = attrs.field(
        default=_NO_STRINGS, converter=_to_numbers, metadata={"codec": _string_set("numbers")}
    )
    """E.164 numbers never to call."""
    tags: frozenset[str] = attrs.field(
        default=_NO_STRINGS, converter=_to_tags, metadata={"codec": _string_set("tags")}
    )
    """Contact tags that mark an opt-out."""
    name: str = _name("do-not-call list")
    """Shown in refusal reasons."""

    KIND: ClassVar[str] = "do-not-call"

    def __attrs_post_init__(self) -> None:
        bad = sorted(n for n in self.numbers if not is_e164(n))
        if bad:
            raise InvalidConfig("numbers", "phone numbers in E.164 form", bad)

    def refuse(self, facts: _Facts, t: datetime) -> Refusal | None:
        """The refusal at ``t``, or None (see `check`)."""
        if facts.phone in self.numbers:
            return Refusal("do-not-call", f"{self.name}: {facts.phone} is on it")
        opted = sorted(self.tags & facts.tags)
        if opted:
            return Refusal("do-not-call", f"{self.name}: the contact is tagged {shown(opted[0])}")
        return None


ComplianceRule: TypeAlias = (
    QuietHours | FrequencyCap | ConversationCooldown | AbandonedCallCooldown | DoNotCall
)
"""Any of the compliance rules."""

_RULE_TYPES = (QuietHours, FrequencyCap, ConversationCooldown, AbandonedCallCooldown, DoNotCall)
_RULE_BY_KIND: dict[str, type[ComplianceRule]] = {t.KIND: t for t in _RULE_TYPES}


def rule_from_dict(data: object) -> ComplianceRule:
    """The compliance rule a rule's ``to_dict`` gave, by its ``"rule"`` tag
    (``"quiet-hours"``, ``"frequency-cap"``, ...). Raises `InvalidInput` for a bad
    shape or an unknown tag and `InvalidConfig` for a value out of range."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"a compliance rule must be a mapping; got {shown(data)}")
    kind = data.get("rule")
    cls = _RULE_BY_KIND.get(kind) if type(kind) is str else None
    if cls is None:
        keys = sorted(map(repr, frozenset(data) - {"rule"}))
        raise InvalidInput(f"unknown compliance rule {shown(kind)} (keys {shown(keys)})")
    return cls.from_dict(data)


def _tagged(data: Any, kind: str, keys: frozenset[str]) -> Mapping[str, Any]:
    """``data`` checked to be rule ``kind``'s mapping: its tag and exactly ``keys``."""
    d = f.mapping_with(data, kind, keys | {"rule"})
    if d["rule"] != kind:
        raise InvalidInput(f"{kind} rule data must have 'rule': {kind!r}; got {shown(d['rule'])}")
    return d


def _to_rules(value: Iterable[ComplianceRule]) -> tuple[ComplianceRule, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidConfig("rules", "a sequence of compliance rules", value)
    rules = tuple(value)
    if not all(type(r) in _RULE_TYPES for r in rules):
        raise InvalidConfig("rules", "a sequence of compliance rules", value)
    return rules


_MAX_ROUNDS = 10_000


def earliest_clear(
    refusals_at: Callable[[datetime], Sequence[Refusal]],
    t: datetime,
    refusals: Sequence[Refusal] | None = None,
) -> datetime | None:
    """The first instant from ``t`` at which ``refusals_at`` refuses nothing: ``t``
    itself when it refuses nothing there, else the search jumps to the latest
    ``retry_at`` of the refusals (before it, some rule still refuses) and asks again.

    ``refusals`` are those at ``t`` when the caller already has them. None when a
    refusal has no ``retry_at`` (it never lifts: do-not-call) or nothing is found
    within `search_limit` (a year) - the caller's "never". Shared by
    `CompliancePolicy.earliest_at` and the admission rule (one home, issue 18).
    """
    limit = search_limit(t)
    if refusals is None:
        refusals = refusals_at(t)
    # Each round jumps past every refusal's retry_at, so it moves forward; the round cap
    # only guards a rule whose retry_at fails to advance.
    for _ in range(_MAX_ROUNDS):
        if not refusals:
            return t
        if any(r.retry_at is None for r in refusals):
            return None
        t = max(r.retry_at for r in refusals if r.retry_at is not None)
        if t > limit:
            return None
        refusals = refusals_at(t)
    return None


@attrs.frozen(weakref_slot=False)
class CompliancePolicy:
    """A set of compliance rules, all of which must allow a call (the most restrictive
    wins). The default has no rules; a do-not-call set passed at check time is
    honoured regardless. Presets: `tcpa`, `regulation_f`, `florida`, `uk`, and
    `combine` to join them. Raises `InvalidConfig` for anything but rules.
    """

    rules: tuple[ComplianceRule, ...] = attrs.field(default=(), converter=_to_rules)
    """The rules, checked in order."""

    def to_dict(self) -> JSONObject:
        """This policy as JSON types: ``{"rules": [...]}``, each rule tagged with its
        kind (see `rule_from_dict`); `from_dict` reverses it exactly."""
        return {"rules": [r.to_dict() for r in self.rules]}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The policy `to_dict` gave. Raises `InvalidInput` for a bad shape or an
        unknown rule and `InvalidConfig` for a value out of range."""
        d = f.mapping_with(data, "compliance", frozenset({"rules"}))
        return cls(tuple(rule_from_dict(r) for r in f.load_list(d["rules"], "rules")))

    @property
    def lookback(self) -> timedelta:
        """How far back any rule looks at past attempts (the longest frequency-cap or
        cooldown period): an attempt over for longer than this before a new one was
        placed can never refuse a call again, so a contact's ledger forgets it."""
        periods = [
            r.period
            for r in self.rules
            if isinstance(r, FrequencyCap | ConversationCooldown | AbandonedCallCooldown)
        ]
        return max(periods, default=timedelta(0))

    @classmethod
    def tcpa(cls) -> Self:
        """US TCPA: calls only 08:00-21:00 in the callee's local time (US numbers)."""
        return cls((QuietHours.between(time(8), time(21), region=Region.us(), name="US TCPA"),))

    @classmethod
    def regulation_f(cls) -> Self:
        """US Regulation F (debt collection): at most 7 calls in 7 consecutive days, and
        none for 7 days after a conversation (US numbers)."""
        week = timedelta(days=7)
        us = Region.us()
        return cls(
            (
                FrequencyCap(7, week, region=us, name="US Regulation F"),
                ConversationCooldown(week, region=us, name="US Regulation F"),
            )
        )

    @classmethod
    def florida(cls) -> Self:
        """Florida FTSA: calls only 08:00-20:00 local time, at most 3 in 24 hours
        (Florida area codes)."""
        fl = Region.florida()
        return cls(
            (
                QuietHours.between(time(8), time(20), region=fl, name="Florida FTSA"),
                FrequencyCap(3, timedelta(hours=24), region=fl, name="Florida FTSA"),
            )
        )

    @classmethod
    def uk(cls) -> Self:
        """UK Ofcom: no repeat call within 72 hours after an abandoned call (+44 numbers)."""
        return cls(
            (AbandonedCallCooldown(timedelta(hours=72), region=Region.uk(), name="UK Ofcom"),)
        )

    @classmethod
    def combine(cls, *policies: CompliancePolicy) -> Self:
        """One policy with the rules of all ``policies``, in order."""
        return cls(tuple(rule for p in policies for rule in p.rules))

    def refusals_at(self, facts: _Facts, t: datetime) -> tuple[Refusal, ...]:
        """Every refusal at ``t`` for gathered ``facts`` (the engine's fast path)."""
        out: list[Refusal] = []
        if facts.phone in facts.do_not_call:
            out.append(Refusal("do-not-call", f"{facts.phone} is on the do-not-call list given"))
        for rule in self.rules:
            refusal = rule.refuse(facts, t)
            if refusal is not None:
                out.append(refusal)
        return tuple(out)

    def check(
        self,
        contact: Contact,
        now: datetime,
        history: History = (),
        *,
        do_not_call: Container[str] = _NO_STRINGS,
        zones: Sequence[str] | None = None,
        fallback_timezone: str = DEFAULT_TIMEZONE,
    ) -> tuple[Refusal, ...]:
        """Every refusal of calling ``contact`` at ``now``; empty when all rules allow it.

        ``history`` is the contact's past attempts (`Call` or `Attempt` records),
        ``do_not_call`` a set of E.164 numbers never to call (always honoured),
        ``zones`` overrides the zones taken from the number and
        ``fallback_timezone`` (pass the campaign's) is used when the number tells
        nothing. Raises `InvalidInput` for a naive ``now`` or malformed history.
        """
        facts = facts_for(
            contact,
            history,
            zones=zones,
            fallback_timezone=fallback_timezone,
            do_not_call=do_not_call,
        )
        return self.refusals_at(facts, aware_utc(now))

    def earliest_at(self, facts: _Facts, t: datetime) -> datetime | None:
        """`earliest_allowed` for gathered ``facts`` (see `earliest_clear`)."""
        return earliest_clear(lambda u: self.refusals_at(facts, u), t)

    def earliest_allowed(
        self,
        contact: Contact,
        now: datetime,
        history: History = (),
        *,
        do_not_call: Container[str] = _NO_STRINGS,
        zones: Sequence[str] | None = None,
        fallback_timezone: str = DEFAULT_TIMEZONE,
    ) -> datetime | None:
        """The first instant at or after ``now`` at which every rule allows calling
        ``contact`` (``now`` itself if they all do), assuming no further attempts;
        None if a rule never will (do-not-call) or none is found within a year.
        Arguments and errors as in `check`."""
        facts = facts_for(
            contact,
            history,
            zones=zones,
            fallback_timezone=fallback_timezone,
            do_not_call=do_not_call,
        )
        return self.earliest_at(facts, aware_utc(now))
