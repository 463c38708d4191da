"""Seed 001's key rates from any stats object, each against its healthy range.

Seed 001 (Exotel) defines the rates over its ``stats`` object and gives each a
healthy range. The same formulas apply to anything that carries those counts: the
one stats record, `CampaignCounts` (the runner's, a store's, `CampaignStats.counts`),
and a parsed Exotel ``Stats`` (where a webhook may leave counts out). A rate whose counts are
missing, or whose denominator is 0, is unknown (None, with the reason), never 0.
"""

from __future__ import annotations

from typing import Protocol

from ..engine.reducers import EXOTEL_RATES
from ..errors import InvalidInput
from .tables import HealthReport, HealthyRange, RateCheck, rate_formula

__all__ = ["HEALTHY_RANGES", "HealthCounts", "campaign_health"]


class HealthCounts(Protocol):
    """What `campaign_health` reads: seed 001's contact counts, each a non-negative
    integer or None when unknown. `CampaignCounts` (the runner's, a store's,
    `CampaignStats.counts`) and a parsed Exotel ``Stats`` have them."""

    @property
    def created(self) -> int | None: ...
    @property
    def completed(self) -> int | None: ...
    @property
    def failed(self) -> int | None: ...
    @property
    def busy(self) -> int | None: ...
    @property
    def no_answer(self) -> int | None: ...


HEALTHY_RANGES = {
    "connect_rate": HealthyRange(0.40, 0.70),
    "answer_rate": HealthyRange(0.50, 0.80),
    "failure_rate": HealthyRange(None, 0.15, below=True),
    "retry_success_rate": HealthyRange(0.20, 0.40),
}
"""Seed 001's healthy ranges: connect 40-70%, answer 50-80%, failure below 15%, retry
success 20-40%."""

_FORMULAS = {
    **{name: rate_formula(name) for name in EXOTEL_RATES},
    "retry_success_rate": "completed on retries / total retried",
}
_FIELDS = ("created", "completed", "failed", "busy", "no_answer")


def _count(counts: object, name: str) -> int | None:
    if not hasattr(counts, name):
        raise InvalidInput(
            f"campaign_health needs a stats object with {', '.join(_FIELDS)}; "
            f"{type(counts).__name__} has no {name!r}"
        )
    value = getattr(counts, name)
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise InvalidInput(f"campaign_health: {name} must be a count; got {value!r}")
    return value


def _check(
    name: str, parts: dict[str, int | None], numerator: str, denominator: tuple[str, ...]
) -> RateCheck:
    missing = [p for p in (numerator, *denominator) if parts[p] is None]
    healthy = HEALTHY_RANGES[name]
    if missing:
        note = f"the stats object does not carry {', '.join(missing)}"
        return RateCheck(name, None, _FORMULAS[name], healthy, "unknown", note)
    below = sum(parts[p] or 0 for p in denominator)
    if below == 0:
        note = f"{' + '.join(denominator)} is 0: no contacts to rate yet"
        return RateCheck(name, None, _FORMULAS[name], healthy, "unknown", note)
    value = (parts[numerator] or 0) / below
    return RateCheck(name, value, _FORMULAS[name], healthy, healthy.verdict(value))


def retry_check(value: float | None, note: str = "") -> RateCheck:
    """The retry-success `RateCheck` of ``value`` (None: unknown, because ``note``)."""
    healthy = HEALTHY_RANGES["retry_success_rate"]
    return RateCheck(
        "retry_success_rate",
        value,
        _FORMULAS["retry_success_rate"],
        healthy,
        healthy.verdict(value),
        "" if value is not None else note,
    )


def campaign_health(
    counts: HealthCounts, *, retry_success_rate: float | None = None
) -> HealthReport:
    """Seed 001's connect, answer, failure and retry-success rates of ``counts``, each
    compared with its healthy range.

    ``counts`` is any object with ``created``, ``completed``, ``failed``, ``busy`` and
    ``no_answer`` counts (a count may be None when unknown): the runner's
    `CampaignCounts` (also `CampaignStats.counts`), a parsed Exotel ``Stats``. A stats object does
    not count retries, so the retry success rate is unknown unless given (from call
    records: `CampaignStats.retry_success_rate`). Raises `InvalidInput` for an object
    without those counts or a count that is not a non-negative integer, and for a
    ``retry_success_rate`` outside [0, 1].
    """
    parts = {name: _count(counts, name) for name in _FIELDS}
    if retry_success_rate is not None and (
        isinstance(retry_success_rate, bool)
        or not isinstance(retry_success_rate, int | float)
        or not 0 <= retry_success_rate <= 1
    ):
        raise InvalidInput(
            f"campaign_health: retry_success_rate must be a rate from 0 to 1; "
            f"got {retry_success_rate!r}"
        )
    return HealthReport(
        (
            *(_check(name, parts, *EXOTEL_RATES[name]) for name in EXOTEL_RATES),
            retry_check(
                None if retry_success_rate is None else float(retry_success_rate),
                "a stats object does not count retries; it needs call records (CDRs)",
            ),
        )
    )
