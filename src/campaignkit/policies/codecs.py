"""Function forms of the policies' plain-data codecs, kept for their callers.

Each policy and state record now has its own public ``to_dict``/``from_dict``
(issue 18: one home per codec): `Schedule`, `CallingWindow`, `PacingPolicy`,
`PacingState`, `RotationPolicy`, `CompliancePolicy` and its rules, `Region`,
`Attempt`, `Refusal`, `BillingPolicy`. The functions below only delegate to
them; new code calls the methods. ``rng_to_data``/``rng_from_data`` (the
runner's `random.Random` state) have no record to live on and stay here.
Loading raises `InvalidInput` for malformed data and lets the records' own
`InvalidConfig` through.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from .._fields import JSON, JSONObject
from ..errors import InvalidInput, shown
from .compliance import Attempt, CompliancePolicy
from .pacing import PacingPolicy, PacingState
from .refusal import Refusal
from .rotation import RotationPolicy
from .schedule import Schedule

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


def schedule_to_dict(schedule: Schedule) -> JSONObject:
    """`Schedule.to_dict`."""
    return schedule.to_dict()


def schedule_from_dict(data: Mapping[str, object]) -> Schedule:
    """`Schedule.from_dict`. Raises `InvalidInput` or `InvalidConfig`."""
    return Schedule.from_dict(data)


def pacing_to_dict(pacing: PacingPolicy) -> JSONObject:
    """`PacingPolicy.to_dict`."""
    return pacing.to_dict()


def pacing_from_dict(data: Mapping[str, object]) -> PacingPolicy:
    """`PacingPolicy.from_dict`. Raises `InvalidInput` or `InvalidConfig`."""
    return PacingPolicy.from_dict(data)


def pacing_state_to_dict(state: PacingState) -> JSONObject:
    """`PacingState.to_dict`."""
    return state.to_dict()


def pacing_state_from_dict(data: Mapping[str, object]) -> PacingState:
    """`PacingState.from_dict`. Raises `InvalidInput`."""
    return PacingState.from_dict(data)


def rotation_to_dict(rotation: RotationPolicy) -> JSONObject:
    """`RotationPolicy.to_dict`."""
    return rotation.to_dict()


def rotation_from_dict(data: Mapping[str, object]) -> RotationPolicy:
    """`RotationPolicy.from_dict`. Raises `InvalidInput` or `InvalidConfig`."""
    return RotationPolicy.from_dict(data)


def compliance_to_dict(policy: CompliancePolicy) -> JSONObject:
    """`CompliancePolicy.to_dict`."""
    return policy.to_dict()


def compliance_from_dict(data: Mapping[str, object]) -> CompliancePolicy:
    """`CompliancePolicy.from_dict`. Raises `InvalidInput` or `InvalidConfig`."""
    return CompliancePolicy.from_dict(data)


def attempt_to_dict(attempt: Attempt) -> JSONObject:
    """`Attempt.to_dict`."""
    return attempt.to_dict()


def attempt_from_dict(data: Mapping[str, object]) -> Attempt:
    """`Attempt.from_dict`. Raises `InvalidInput`."""
    return Attempt.from_dict(data)


def refusal_to_dict(refusal: Refusal) -> JSONObject:
    """`Refusal.to_dict`."""
    return refusal.to_dict()


def refusal_from_dict(data: Mapping[str, object]) -> Refusal:
    """`Refusal.from_dict`. Raises `InvalidInput`."""
    return Refusal.from_dict(data)


def rng_to_data(rng: random.Random) -> list[JSON]:
    """The state of ``rng`` as JSON types (`random.Random.getstate`)."""
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def rng_from_data(data: object) -> random.Random:
    """A `random.Random` in the state `rng_to_data` gave. Raises `InvalidInput`."""
    rng = random.Random()
    state: Any = data  # any shape: a wrong one is the InvalidInput below
    try:
        version, internal, gauss = state
        rng.setstate((version, tuple(internal), gauss))
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"not a random.Random state: {shown(data)[:60]}") from None
    return rng
