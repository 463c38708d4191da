"""The vocabulary metrics read counts with: Altur's reach, the labels of attempts and
goal results, and the way to a vendor's status labels (in `campaignkit.dialects`,
with itellico's answer statuses). Which Exotel field a contact counts in is
`campaignkit.statuses.bucket_of`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from .._fields import zone as lookup_zone
from ..errors import InvalidConfig, InvalidInput
from ..models.goals import GoalOutcome
from ..statuses import ContactStatus

GOAL_RESULTS: tuple[str, ...] = tuple(outcome.value for outcome in GoalOutcome)
"""itellico's goal results (seed 002) as the canonical `GoalOutcome` values, as
`CampaignStats.add_goal` accepts them: achieved, partially-achieved, not-achieved,
unknown."""

# Altur's reach (seed 000): calls answered + converted; WhatsApp delivered + accepted
# + read + converted. The call and WhatsApp statuses are disjoint, so one set serves both.
REACHED = frozenset(
    {
        ContactStatus.ANSWERED,
        ContactStatus.CONVERTED,
        ContactStatus.DELIVERED,
        ContactStatus.ACCEPTED,
        ContactStatus.READ,
    }
)


def breakdown(vendor: str) -> tuple[tuple[str, ...], Callable[[ContactStatus], str]]:
    """The rows of a contacts-by-status breakdown and the row of each status: the
    canonical labels, or a vendor's from its dialect (``altur``, ``itellico``: all
    vendor vocabulary lives in `campaignkit.dialects`). Raises `InvalidConfig` for
    another vendor."""
    if vendor == "canonical":
        return CANONICAL_LABELS, _canonical_label
    # Imported here: the dialects pull in the readers (campaignkit.io), which the
    # rest of the metrics never need.
    from ..dialects import altur, itellico

    if vendor == "altur":
        return altur.BREAKDOWN_LABELS, altur.breakdown_label
    if vendor == "itellico":
        return itellico.BREAKDOWN_LABELS, itellico.breakdown_label
    raise InvalidConfig("vendor", "one of 'canonical', 'altur', 'itellico'", vendor)


CANONICAL_LABELS = tuple(s.value for s in ContactStatus)


def _canonical_label(status: ContactStatus) -> str:
    return status.value


UNKNOWABLE = {
    "pending": "pending",
    "conversion_rate": "converted / contacts",
    "extracted_rate": "with extracted data / contacts",
    "abandonment_rate": "hung up / human answered",
}
"""Figures a `CampaignStats` can carry as unknown (None, shown as ``-``), with why:
those its input may simply not contain (`CampaignStats.with_unknown`)."""

CALLS_ONLY = {
    "pending": "contacts not yet dialled do not appear in call records",
    "conversion_rate": "call records do not say which contacts converted",
    "extracted_rate": "call records carry no extracted data",
}
"""Why each figure is unknown in stats built from call records alone (issue 13)."""

NO_EXPLICIT_OUTCOME = (
    "no call carries an explicit outcome, and carrier statuses cannot tell a hang-up "
    "from a conversation"
)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def attempt_label(attempt: int) -> str:
    return "1st attempt" if attempt == 1 else f"{ordinal(attempt - 1)} retry"


def zone(timezone: str | tzinfo) -> tuple[str, tzinfo]:
    """(name, zone) of a tzinfo or an IANA name; `InvalidInput` for anything else,
    tzdata folders such as ``America`` included (issue 14: never a bare OSError)."""
    if isinstance(timezone, tzinfo):
        return str(timezone), timezone
    return timezone, lookup_zone(timezone, "timezone")


def goal_label(result: Any) -> str:
    raw = getattr(result, "outcome", result)  # a GoalResult gives its GoalOutcome
    raw = getattr(raw, "value", raw)
    if isinstance(raw, str):
        label = raw.strip().lower().replace("_", "-").replace(" ", "-")
        if label in GOAL_RESULTS:
            return label
    raise InvalidInput(f"a goal result must be one of {', '.join(GOAL_RESULTS)}; got {result!r}")
