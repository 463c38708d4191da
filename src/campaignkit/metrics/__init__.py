"""Campaign metrics: the mergeable `CampaignStats` accumulator and its result tables.

Import from `campaignkit`; the modules here (``stats``, ``tables``) are layout.
"""

import warnings
from typing import Any

from . import tables
from .calls import contacts_from_calls
from .health import HEALTHY_RANGES, HealthCounts, campaign_health
from .stats import GOAL_RESULTS, CampaignStats, cost_audit, heatmap, retry_effectiveness
from .tables import (
    WEEKDAYS,
    Breakdown,
    Cell,
    CostAudit,
    CostRow,
    GoalAchievement,
    HealthReport,
    HealthyRange,
    Heatmap,
    HourTable,
    RateCheck,
    RetryRow,
    RetryTable,
    Summary,
    counts_table,
)

__all__ = [
    "GOAL_RESULTS",
    "HEALTHY_RANGES",
    "WEEKDAYS",
    "Breakdown",
    "CampaignStats",
    "Cell",
    "CostAudit",
    "CostRow",
    "GoalAchievement",
    "HealthCounts",
    "HealthReport",
    "HealthyRange",
    "Heatmap",
    "HourTable",
    "RateCheck",
    "RetryRow",
    "RetryTable",
    "Summary",
    "campaign_health",
    "contacts_from_calls",
    "cost_audit",
    "counts_table",
    "heatmap",
    "retry_effectiveness",
]


def __getattr__(name: str) -> Any:
    # issue 18: ExotelStats (deprecated) resolves, with a warning, for one release.
    if name == "ExotelStats":
        warnings.warn(tables._EXOTEL_STATS_MOVED, DeprecationWarning, stacklevel=2)
        return tables._ExotelStats
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
