"""`Refusal`: why a call may not be placed now, and when it could be.

Every time policy (schedule, pacing, rotation, compliance) answers "may this
contact be called at ``now``?" with zero or more refusals; none means yes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Self

import attrs

from .. import _fields as f
from .._fields import JSONObject, aware_utc

__all__ = ["Refusal"]


_check_text = f.check_text()


def _optional_utc(value: datetime | None) -> datetime | None:
    return None if value is None else aware_utc(value, "retry_at")


_check_flag = f.check_flag()


@attrs.frozen(weakref_slot=False)
class Refusal:
    """One rule saying no: which rule, why (in words), and the earliest time it would say yes.

    ``retry_at`` is the earliest instant (UTC) at which *this* rule alone allows
    the call, assuming nothing else happens meanwhile; None when waiting alone
    never lifts it (an opted-out number, every caller line disabled, all
    concurrent-call slots busy until a call ends). ``campaign_wide`` is True for
    refusals that hold for every contact of the campaign (its schedule, its
    pacing, its caller lines), False for those about this contact (its local
    window, compliance rules). Raises `InvalidInput` for an empty ``rule`` or
    ``reason`` or a naive ``retry_at``.
    """

    rule: str = attrs.field(validator=_check_text)
    """A stable code: ``"quiet-hours"``, ``"frequency-cap"``, ``"schedule-closed"``, ..."""
    reason: str = attrs.field(validator=_check_text)
    """The refusal explained in one sentence, naming the rule and the numbers."""
    retry_at: datetime | None = attrs.field(default=None, converter=_optional_utc)
    """The earliest instant this rule allows the call; None if waiting never does."""
    campaign_wide: bool = attrs.field(default=False, validator=_check_flag)
    """True when the refusal blocks every contact of the campaign, not just this one."""

    def __str__(self) -> str:
        return self.reason

    def to_dict(self) -> JSONObject:
        """This refusal as JSON types (``retry_at`` ISO 8601); `from_dict` reverses it."""
        return {
            "rule": self.rule,
            "reason": self.reason,
            "retry_at": f.iso(self.retry_at),
            "campaign_wide": self.campaign_wide,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The refusal `to_dict` gave. Raises `InvalidInput` for a bad shape or value."""
        d = f.mapping_with(data, "refusal", _REFUSAL_KEYS)
        at = d["retry_at"]
        retry_at = None if at is None else f.load_instant(at, "retry_at")
        return cls(d["rule"], d["reason"], retry_at, d["campaign_wide"])


_REFUSAL_KEYS = frozenset({"rule", "reason", "retry_at", "campaign_wide"})
