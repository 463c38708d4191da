"""Plain-data codecs for the time policies, for `CampaignRunner.snapshot`.

`Schedule`, `PacingPolicy`, `RotationPolicy`, `CompliancePolicy` (and the
records around them: `PacingState`, `Attempt`, `Refusal`) are frozen records
without ``to_dict``; the runner's snapshot needs them as JSON types and back,
losslessly. Times of day are ``"HH:MM:SS"``, durations seconds, dates and
instants ISO 8601, sets sorted lists. Loading raises `InvalidInput` for
malformed data and lets the records' own `InvalidConfig` through.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from .._fields import aware_utc
from ..errors import InvalidInput, shown
from ..statuses import Outcome
from .compliance import (
    AbandonedCallCooldown,
    Attempt,
    CompliancePolicy,
    ComplianceRule,
    ConversationCooldown,
    DoNotCall,
    FrequencyCap,
    QuietHours,
    Region,
)
from .pacing import PacingPolicy, PacingState
from .refusal import Refusal
from .rotation import RotationPolicy
from .schedule import CallingWindow, Schedule

__all__ = [
    "attempt_from_dict",
    "attempt_to_dict",
    "compliance_from_dict",
    "compliance_to_dict",
    "pacing_from_dict",
    "pacing_state_from_dict",
    "pacing_state_to_dict",
    "pacing_to_dict",
    "refusal_from_dict",
    "refusal_to_dict",
    "rng_from_data",
    "rng_to_data",
    "rotation_from_dict",
    "rotation_to_dict",
    "schedule_from_dict",
    "schedule_to_dict",
]

T = TypeVar("T")


# --------------------------------------------------------------------------- scalars


def _fields(
    data: Any, name: str, keys: frozenset[str], optional: frozenset[str] = frozenset()
) -> Mapping[str, Any]:
    if not isinstance(data, Mapping) or not keys - optional <= set(data) <= keys:
        raise InvalidInput(f"{name} must be a mapping with keys {sorted(keys)}; got {shown(data)}")
    return data


def _seconds(span: timedelta) -> int | float:
    seconds = span.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _span(value: Any) -> timedelta:
    if type(value) not in (int, float) or value != value:
        raise InvalidInput(f"{shown(value)} is not a number of seconds")
    try:
        return timedelta(seconds=value)
    except OverflowError:  # over 999,999,999 days
        raise InvalidInput(f"{shown(value)} seconds is out of range") from None


def _clock(value: Any) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{shown(value)} is not a time of day HH:MM:SS") from None


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{shown(value)} is not an ISO 8601 date") from None


def _instant(value: Any, name: str = "at") -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{shown(value)} is not an ISO 8601 date-time") from None
    return aware_utc(parsed, name)


def _optional(load: Callable[[Any], T], value: Any) -> T | None:
    return None if value is None else load(value)


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput(f"{name} must be a list; got {shown(value)}")
    return value


def _set(value: Any, name: str) -> frozenset[Any]:
    """A list of scalars as a frozenset; `InvalidInput` for a list or mapping inside."""
    items = _list(value, name)
    for item in items:
        if isinstance(item, list | dict):
            raise InvalidInput(f"{name} must be a list of scalars; got {shown(item)} in it")
    return frozenset(items)


# --------------------------------------------------------------------------- schedule

_WINDOW_KEYS = frozenset({"start", "end", "weekdays"})
_SCHEDULE_KEYS = frozenset(
    {"timezone", "windows", "closed_dates", "start_at", "contact_windows", "closed_rules"}
)
_SCHEDULE_OPTIONAL = frozenset({"closed_rules"})  # snapshots from before recurring closures


def _window_to_dict(window: CallingWindow) -> dict[str, Any]:
    return {
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "weekdays": sorted(window.weekdays),
    }


def _window_from_dict(data: Any) -> CallingWindow:
    d = _fields(data, "a calling window", _WINDOW_KEYS)
    return CallingWindow(_clock(d["start"]), _clock(d["end"]), _set(d["weekdays"], "weekdays"))


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """``schedule`` as JSON types."""
    return {
        "timezone": schedule.timezone,
        "windows": [_window_to_dict(w) for w in schedule.windows],
        "closed_dates": sorted(d.isoformat() for d in schedule.closed_dates),
        "start_at": _iso(schedule.start_at),
        "contact_windows": [_window_to_dict(w) for w in schedule.contact_windows],
        "closed_rules": list(schedule.closed_rules),
    }


def schedule_from_dict(data: Any) -> Schedule:
    """The `Schedule` `schedule_to_dict` gave. Raises `InvalidInput` or `InvalidConfig`."""
    d = _fields(data, "schedule", _SCHEDULE_KEYS, _SCHEDULE_OPTIONAL)
    return Schedule(
        timezone=d["timezone"],
        windows=tuple(_window_from_dict(w) for w in _list(d["windows"], "windows")),
        closed_dates=frozenset(_day(x) for x in _list(d["closed_dates"], "closed_dates")),
        start_at=_optional(_instant, d["start_at"]),
        contact_windows=tuple(
            _window_from_dict(w) for w in _list(d["contact_windows"], "contact_windows")
        ),
        closed_rules=tuple(_list(d.get("closed_rules", []), "closed_rules")),
    )


# --------------------------------------------------------------------------- pacing

_PACING_KEYS = frozenset(
    {
        "call_interval",
        "ring_timeout",
        "max_calls_per_number_per_day",
        "whatsapp_daily_limit",
        "max_concurrent_calls",
    }
)
_STATE_KEYS = frozenset({"in_flight", "last_started_at", "sent_today", "counted_on"})


def pacing_to_dict(pacing: PacingPolicy) -> dict[str, Any]:
    """``pacing`` as JSON types (durations in seconds)."""
    return {
        "call_interval": _seconds(pacing.call_interval),
        "ring_timeout": _seconds(pacing.ring_timeout),
        "max_calls_per_number_per_day": pacing.max_calls_per_number_per_day,
        "whatsapp_daily_limit": pacing.whatsapp_daily_limit,
        "max_concurrent_calls": pacing.max_concurrent_calls,
    }


def pacing_from_dict(data: Any) -> PacingPolicy:
    """The `PacingPolicy` `pacing_to_dict` gave. Raises `InvalidInput` or `InvalidConfig`."""
    d = _fields(data, "pacing", _PACING_KEYS)
    return PacingPolicy(
        call_interval=_span(d["call_interval"]),
        ring_timeout=_span(d["ring_timeout"]),
        max_calls_per_number_per_day=d["max_calls_per_number_per_day"],
        whatsapp_daily_limit=d["whatsapp_daily_limit"],
        max_concurrent_calls=d["max_concurrent_calls"],
    )


def pacing_state_to_dict(state: PacingState) -> dict[str, Any]:
    """``state`` as JSON types."""
    return {
        "in_flight": state.in_flight,
        "last_started_at": _iso(state.last_started_at),
        "sent_today": state.sent_today,
        "counted_on": _iso(state.counted_on),
    }


def pacing_state_from_dict(data: Any) -> PacingState:
    """The `PacingState` `pacing_state_to_dict` gave. Raises `InvalidInput`."""
    d = _fields(data, "pacing_state", _STATE_KEYS)
    return PacingState(
        in_flight=d["in_flight"],
        last_started_at=_optional(_instant, d["last_started_at"]),
        sent_today=d["sent_today"],
        counted_on=_optional(_day, d["counted_on"]),
    )


# --------------------------------------------------------------------------- rotation

_ROTATION_KEYS = frozenset({"strategy", "spam_threshold", "sticky"})


def rotation_to_dict(rotation: RotationPolicy) -> dict[str, Any]:
    """``rotation`` as JSON types."""
    return {
        "strategy": rotation.strategy.value,
        "spam_threshold": rotation.spam_threshold,
        "sticky": rotation.sticky,
    }


def rotation_from_dict(data: Any) -> RotationPolicy:
    """The `RotationPolicy` `rotation_to_dict` gave. Raises `InvalidInput` or `InvalidConfig`."""
    d = _fields(data, "rotation", _ROTATION_KEYS)
    return RotationPolicy(
        strategy=d["strategy"], spam_threshold=d["spam_threshold"], sticky=d["sticky"]
    )


# --------------------------------------------------------------------------- compliance

_REGION_KEYS = frozenset({"name", "countries", "prefixes"})


def _region_to_dict(region: Region | None) -> dict[str, Any] | None:
    if region is None:
        return None
    return {
        "name": region.name,
        "countries": sorted(region.countries),
        "prefixes": sorted(region.prefixes),
    }


def _region_from_dict(data: Any) -> Region | None:
    if data is None:
        return None
    d = _fields(data, "region", _REGION_KEYS)
    return Region(
        d["name"],
        countries=_set(d["countries"], "countries"),
        prefixes=_set(d["prefixes"], "prefixes"),
    )


_OUTCOMES = {o.value: o for o in Outcome}


def _outcome(value: Any) -> Outcome:
    outcome = _OUTCOMES.get(value) if type(value) is str else None
    if outcome is None:
        raise InvalidInput(f"{shown(value)} is not an Outcome")
    return outcome


def _rule_to_dict(rule: ComplianceRule) -> dict[str, Any]:
    if type(rule) is QuietHours:
        return {
            "rule": "quiet-hours",
            "windows": [_window_to_dict(w) for w in rule.windows],
            "region": _region_to_dict(rule.region),
            "name": rule.name,
        }
    if type(rule) is FrequencyCap:
        return {
            "rule": "frequency-cap",
            "max_calls": rule.max_calls,
            "period": _seconds(rule.period),
            "region": _region_to_dict(rule.region),
            "name": rule.name,
        }
    if type(rule) is ConversationCooldown:
        return {
            "rule": "conversation-cooldown",
            "period": _seconds(rule.period),
            "outcomes": sorted(o.value for o in rule.outcomes),
            "region": _region_to_dict(rule.region),
            "name": rule.name,
        }
    if type(rule) is AbandonedCallCooldown:
        return {
            "rule": "abandoned-call-cooldown",
            "period": _seconds(rule.period),
            "region": _region_to_dict(rule.region),
            "name": rule.name,
        }
    assert type(rule) is DoNotCall
    return {
        "rule": "do-not-call",
        "numbers": sorted(rule.numbers),
        "tags": sorted(rule.tags),
        "name": rule.name,
    }


def _rule_from_dict(data: Any) -> ComplianceRule:
    if not isinstance(data, Mapping):
        raise InvalidInput(f"a compliance rule must be a mapping; got {shown(data)}")
    kind = data.get("rule")
    keys = frozenset(data) - {"rule"}
    if kind == "quiet-hours":
        d = _fields(data, kind, frozenset({"rule", "windows", "region", "name"}))
        return QuietHours(
            tuple(_window_from_dict(w) for w in _list(d["windows"], "windows")),
            region=_region_from_dict(d["region"]),
            name=d["name"],
        )
    if kind == "frequency-cap":
        d = _fields(data, kind, frozenset({"rule", "max_calls", "period", "region", "name"}))
        return FrequencyCap(
            d["max_calls"],
            _span(d["period"]),
            region=_region_from_dict(d["region"]),
            name=d["name"],
        )
    if kind == "conversation-cooldown":
        d = _fields(data, kind, frozenset({"rule", "period", "outcomes", "region", "name"}))
        return ConversationCooldown(
            _span(d["period"]),
            outcomes=frozenset(_outcome(o) for o in _list(d["outcomes"], "outcomes")),
            region=_region_from_dict(d["region"]),
            name=d["name"],
        )
    if kind == "abandoned-call-cooldown":
        d = _fields(data, kind, frozenset({"rule", "period", "region", "name"}))
        return AbandonedCallCooldown(
            _span(d["period"]), region=_region_from_dict(d["region"]), name=d["name"]
        )
    if kind == "do-not-call":
        d = _fields(data, kind, frozenset({"rule", "numbers", "tags", "name"}))
        return DoNotCall(
            numbers=_set(d["numbers"], "numbers"),
            tags=_set(d["tags"], "tags"),
            name=d["name"],
        )
    raise InvalidInput(
        f"unknown compliance rule {shown(kind)} (keys {shown(sorted(map(repr, keys)))})"
    )


def compliance_to_dict(policy: CompliancePolicy) -> dict[str, Any]:
    """``policy`` as JSON types: its rules in order, each tagged with its kind."""
    return {"rules": [_rule_to_dict(r) for r in policy.rules]}


def compliance_from_dict(data: Any) -> CompliancePolicy:
    """The `CompliancePolicy` `compliance_to_dict` gave. Raises `InvalidInput` or
    `InvalidConfig`."""
    d = _fields(data, "compliance", frozenset({"rules"}))
    return CompliancePolicy(tuple(_rule_from_dict(r) for r in _list(d["rules"], "rules")))


# --------------------------------------------------------------------------- records

_ATTEMPT_KEYS = frozenset({"at", "outcome", "ended_at", "abandoned"})
_REFUSAL_KEYS = frozenset({"rule", "reason", "retry_at", "campaign_wide"})


def attempt_to_dict(attempt: Attempt) -> dict[str, Any]:
    """``attempt`` as JSON types."""
    return {
        "at": attempt.at.isoformat(),
        "outcome": None if attempt.outcome is None else attempt.outcome.value,
        "ended_at": _iso(attempt.ended_at),
        "abandoned": attempt.abandoned,
    }


def attempt_from_dict(data: Any) -> Attempt:
    """The `Attempt` `attempt_to_dict` gave. Raises `InvalidInput`."""
    d = _fields(data, "attempt", _ATTEMPT_KEYS)
    return Attempt(
        at=_instant(d["at"]),
        outcome=_optional(_outcome, d["outcome"]),
        ended_at=_optional(_instant, d["ended_at"]),
        abandoned=d["abandoned"],
    )


def refusal_to_dict(refusal: Refusal) -> dict[str, Any]:
    """``refusal`` as JSON types."""
    return {
        "rule": refusal.rule,
        "reason": refusal.reason,
        "retry_at": _iso(refusal.retry_at),
        "campaign_wide": refusal.campaign_wide,
    }


def refusal_from_dict(data: Any) -> Refusal:
    """The `Refusal` `refusal_to_dict` gave. Raises `InvalidInput`."""
    d = _fields(data, "refusal", _REFUSAL_KEYS)
    return Refusal(d["rule"], d["reason"], _optional(_instant, d["retry_at"]), d["campaign_wide"])


def rng_to_data(rng: random.Random) -> list[Any]:
    """The state of ``rng`` as JSON types (`random.Random.getstate`)."""
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def rng_from_data(data: Any) -> random.Random:
    """A `random.Random` in the state `rng_to_data` gave. Raises `InvalidInput`."""
    rng = random.Random()
    try:
        version, internal, gauss = data
        rng.setstate((version, tuple(internal), gauss))
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"not a random.Random state: {shown(data)[:60]}") from None
    return rng
