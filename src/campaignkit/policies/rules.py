"""`CampaignRules`: every policy a campaign runs with, as one frozen, validated record.

The pure steps (`campaignkit.engine.steps`) take it as their ``rules``
argument; `CampaignRunner` and the stores keep one. It round-trips to JSON
types with ``to_dict``/``from_dict``, so a service stores it beside the
campaign row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Self

import attrs

from .. import _fields as f
from .._fields import JSONObject
from ..errors import InvalidConfig, InvalidInput, shown
from ..models.goals import GoalSet
from .billing import BillingPolicy
from .compliance import CompliancePolicy
from .conversion import ConversionKind, ConversionRule
from .cycles import CyclePolicy
from .messaging import MessagingTier, WhatsAppSettings
from .pacing import PacingPolicy
from .retry import RetryPolicy
from .rotation import RotationPolicy
from .schedule import Schedule

__all__ = ["CampaignRules"]

_NOBODY: frozenset[str] = frozenset()


def _optional(cls: type) -> f.Check[Any]:
    return f.check_type(cls, optional=True)


_check_retry = f.check_type(RetryPolicy)


def _to_numbers(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInput(f"do_not_call must be a collection of numbers; got {shown(value)}")
    numbers = frozenset(value)
    if not all(type(n) is str and n for n in numbers):
        raise InvalidInput(f"do_not_call must hold E.164 numbers; got {shown(value)}")
    return numbers


@attrs.frozen(weakref_slot=False)
class CampaignRules:
    """Every policy a campaign runs with: retries, cycles, the time policies,
    do-not-call, WhatsApp settings, conversion, goals and billing.

    Only ``retry`` is always there (default `RetryPolicy()`); a policy left None
    does not apply (no schedule: open around the clock in the campaign's zone;
    no pacing: no interval or concurrency cap; and so on). Raises `InvalidInput`
    for a field of the wrong type and `InvalidConfig` for a primary-goal
    conversion rule without ``goals``.
    """

    retry: RetryPolicy = attrs.field(factory=RetryPolicy, validator=_check_retry)
    """How outcomes are retried (and the completion timeout)."""
    cycles: CyclePolicy | None = attrs.field(default=None, validator=_optional(CyclePolicy))
    """Retry loops after the first pass (Altur), or None for a single pass."""
    schedule: Schedule | None = attrs.field(default=None, validator=_optional(Schedule))
    """The calling schedule and the callee's windows, or None (always open)."""
    pacing: PacingPolicy | None = attrs.field(default=None, validator=_optional(PacingPolicy))
    """Call interval, concurrency and daily caps, or None."""
    rotation: RotationPolicy | None = attrs.field(default=None, validator=_optional(RotationPolicy))
    """Caller-ID rotation over the campaign's lines, or None (Round Robin)."""
    compliance: CompliancePolicy | None = attrs.field(
        default=None, validator=_optional(CompliancePolicy)
    )
    """TCPA, Regulation F, UK and other rules, or None."""
    do_not_call: frozenset[str] = attrs.field(default=_NOBODY, converter=_to_numbers)
    """E.164 numbers never to call or message."""
    whatsapp: WhatsAppSettings | None = attrs.field(
        default=None, validator=_optional(WhatsAppSettings)
    )
    """A WhatsApp campaign's settings (templates, daily limit, consent, response window)."""
    tier: MessagingTier | None = attrs.field(default=None, validator=_optional(MessagingTier))
    """The WhatsApp messaging tier, or None (no tier limit)."""
    conversion: ConversionRule | None = attrs.field(
        default=None, validator=_optional(ConversionRule)
    )
    """When a contact counts as converted, or None (only explicit conversions)."""
    goals: GoalSet | None = attrs.field(default=None, validator=_optional(GoalSet))
    """The campaign's goals, or None."""
    billing: BillingPolicy | None = attrs.field(default=None, validator=_optional(BillingPolicy))
    """How calls are billed, or None (not billed by the engine)."""

    def __attrs_post_init__(self) -> None:
        conversion = self.conversion
        if (
            conversion is not None
            and conversion.kind is ConversionKind.PRIMARY_GOAL
            and self.goals is None
        ):
            raise InvalidConfig("goals", "a GoalSet for a primary-goal conversion rule", None)
        zone = self.retry.timezone
        if zone is not None and self.schedule is not None and zone != self.schedule.timezone:
            # Calendar waits are counted on the campaign's wall clock (issue 13): one
            # campaign, one zone, or "next day at the same time" means two things.
            raise InvalidConfig(
                "retry.timezone", f"the schedule's time zone {self.schedule.timezone!r}", zone
            )

    @property
    def time_policies(self) -> bool:
        """True when any rule of admission applies (schedule, pacing, rotation,
        compliance, do-not-call); the caller lines count too (see `CampaignState`)."""
        return (
            self.schedule is not None
            or self.pacing is not None
            or self.rotation is not None
            or self.compliance is not None
            or bool(self.do_not_call)
        )

    def to_dict(self) -> JSONObject:
        """The rules as JSON types; `from_dict` rebuilds them exactly."""

        def plain(value: Any, dump: Callable[[Any], Any]) -> Any:
            return None if value is None else dump(value)

        return {
            "retry": self.retry.to_dict(),
            "cycles": plain(self.cycles, CyclePolicy.to_dict),
            "schedule": plain(self.schedule, Schedule.to_dict),
            "pacing": plain(self.pacing, PacingPolicy.to_dict),
            "rotation": plain(self.rotation, RotationPolicy.to_dict),
            "compliance": plain(self.compliance, CompliancePolicy.to_dict),
            "do_not_call": sorted(self.do_not_call),
            "whatsapp": plain(self.whatsapp, WhatsAppSettings.to_dict),
            "tier": plain(self.tier, lambda t: t.value),
            "conversion": plain(self.conversion, ConversionRule.to_dict),
            "goals": plain(self.goals, GoalSet.to_dict),
            "billing": plain(self.billing, BillingPolicy.to_dict),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The rules `to_dict` wrote. Raises `InvalidInput` (naming the policy) or
        `InvalidConfig` for values out of range."""
        if not isinstance(data, Mapping) or set(data) != _KEYS:
            got = sorted(map(str, data)) if isinstance(data, Mapping) else data
            raise InvalidInput(f"campaign rules must have keys {sorted(_KEYS)}; got {shown(got)}")
        loaders: dict[str, Callable[[Any], Any]] = {
            "retry": _mapped(RetryPolicy.from_dict),
            "cycles": _mapped(CyclePolicy.from_dict),
            "schedule": Schedule.from_dict,
            "pacing": PacingPolicy.from_dict,
            "rotation": RotationPolicy.from_dict,
            "compliance": CompliancePolicy.from_dict,
            "whatsapp": _mapped(WhatsAppSettings.from_dict),
            "tier": _load_tier,
            "conversion": _mapped(ConversionRule.from_dict),
            "goals": _mapped(GoalSet.from_dict),
            "billing": BillingPolicy.from_dict,
        }
        options: dict[str, Any] = {}
        for name, load in loaders.items():
            value = data[name]
            if value is None:
                continue
            try:
                options[name] = load(value)
            except InvalidConfig as error:
                raise InvalidConfig(f"{name}.{error.field}", error.expected, error.value) from None
            except InvalidInput as error:
                raise InvalidInput(f"{name}: {error}") from None
        dnc = data["do_not_call"]
        if not isinstance(dnc, list):
            raise InvalidInput(f"do_not_call must be a list; got {shown(dnc)}")
        return cls(do_not_call=frozenset(_hashable(dnc, "do_not_call")), **options)


_KEYS = frozenset(attrs.fields_dict(CampaignRules))


def _mapped(load: Callable[[Mapping[str, Any]], Any]) -> Callable[[Any], Any]:
    def checked(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise InvalidInput(f"must be a mapping; got {shown(value)}")
        return load(value)

    return checked


def _hashable(values: list[Any], name: str) -> list[Any]:
    for value in values:
        if not isinstance(value, str):
            raise InvalidInput(f"{name} must hold strings; got {shown(value)}")
    return values


def _load_tier(value: Any) -> MessagingTier:
    if not isinstance(value, str):
        raise InvalidInput(f"{shown(value)} is not a MessagingTier")
    try:
        return MessagingTier(value)
    except ValueError:
        raise InvalidInput(f"{shown(value)} is not a MessagingTier") from None
