"""Campaign metrics: the mergeable `CampaignStats` accumulator and its result tables.

Import from `campaignkit`; the modules here (``stats``, ``tables``) are layout.
"""

from .calls import contacts_from_calls
from .health import HEALTHY_RANGES, campaign_health
from .stats import GOAL_RESULTS, CampaignStats, cost_audit, heatmap, retry_effectiveness
from .tables import (
    WEEKDAYS,
    Breakdown,
    CostAudit,
    CostRow,
    ExotelStats,
    GoalAchievement,
    HealthReport,
    HealthyRange,
    Heatmap,
    HourTable,
    RateCheck,
    RetryRow,
    RetryTable,
    Summary,
)

__all__ = [
    "GOAL_RESULTS",
    "HEALTHY_RANGES",
    "WEEKDAYS",
    "Breakdown",
    "CampaignStats",
    "CostAudit",
    "CostRow",
    "ExotelStats",
    "GoalAchievement",
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
    "heatmap",
    "retry_effectiveness",
]
