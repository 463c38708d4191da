"""The records: a campaign, its contacts (each with its row, `ContactState`), calls,
caller lines, goals and analyses. Frozen, slotted, validated `attrs` classes that
round-trip to plain data; changed only through the steps of `campaignkit.engine`."""

from .._fields import JSON, JSONObject, Scalar
from .._frozen import FrozenMap
from .analyses import Analysis, AnalysisType, Answer, AnswerValue, active_analyses, validate_answer
from .goals import Goal, GoalKind, GoalOutcome, GoalResult, GoalSet, combine_goal_results
from .records import DEFAULT_TIMEZONE, Call, CallerLine, Campaign, Contact
from .state import CampaignState, ContactState, Halt

__all__ = [
    "DEFAULT_TIMEZONE",
    "JSON",
    "Analysis",
    "AnalysisType",
    "Answer",
    "AnswerValue",
    "Call",
    "CallerLine",
    "Campaign",
    "CampaignState",
    "Contact",
    "ContactState",
    "FrozenMap",
    "Goal",
    "GoalKind",
    "GoalOutcome",
    "GoalResult",
    "GoalSet",
    "Halt",
    "JSONObject",
    "Scalar",
    "active_analyses",
    "combine_goal_results",
    "validate_answer",
]
