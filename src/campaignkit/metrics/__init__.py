"""Campaign metrics: the mergeable `CampaignStats` accumulator and its result tables.

Import from `campaignkit`; the modules here (``stats``, ``tables``) are layout.
"""

from .stats import GOAL_RESULTS, CampaignStats, cost_audit, heatmap, retry_effectiveness
from .tables import (
    WEEKDAYS,
    Breakdown,
    CostAudit,
    CostRow,
    ExotelStats,
    GoalAchievement,
    Heatmap,
    HourTable,
    RetryRow,
    RetryTable,
    Summary,
)

__all__ = [
    "GOAL_RESULTS",
    "WEEKDAYS",
    "Breakdown",
    "CampaignStats",
    "CostAudit",
    "CostRow",
    "ExotelStats",
    "GoalAchievement",
    "Heatmap",
    "HourTable",
    "RetryRow",
    "RetryTable",
    "Summary",
    "cost_audit",
    "heatmap",
    "retry_effectiveness",
]
