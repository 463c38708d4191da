"""campaignkit: typed, sans-I/O rules for outbound call and WhatsApp campaigns.

The front door: the names most programs need, pinned by ``tests/test_exports.py``.
Everything else lives in a namespace - `campaignkit.engine` (events, reducers,
steps), `campaignkit.models`, `campaignkit.policies`, `campaignkit.metrics`,
`campaignkit.io`, `campaignkit.dialects`, `campaignkit.stores`,
`campaignkit.strategies`, `campaignkit.simulate`.

Names load on first use (PEP 562), so ``import campaignkit`` costs next to nothing
and a program pays only for the parts it touches (issue 15: the eager import took
221 ms, 6.3x ``import phonenumbers``). Names that used to be exported here and now
live in a namespace still resolve, with a `DeprecationWarning`, for one release.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"

_FRONT = {
    "AnsweredBy": "campaignkit.statuses",
    "BillingPolicy": "campaignkit.policies.billing",
    "CALL_MACHINE": "campaignkit.machines",
    "CAMPAIGN_MACHINE": "campaignkit.machines",
    "CONTACT_MACHINE": "campaignkit.machines",
    "Call": "campaignkit.models.records",
    "CallStatus": "campaignkit.statuses",
    "CallUpdate": "campaignkit.engine",
    "CallerLine": "campaignkit.models.records",
    "CallingWindow": "campaignkit.policies.schedule",
    "Campaign": "campaignkit.models.records",
    "CampaignCounts": "campaignkit.engine",
    "CampaignRules": "campaignkit.policies.rules",
    "CampaignRunner": "campaignkit.runner.memory",
    "CampaignState": "campaignkit.engine",
    "CampaignStats": "campaignkit.metrics",
    "CampaignStatus": "campaignkit.statuses",
    "CampaignkitError": "campaignkit.errors",
    "Channel": "campaignkit.statuses",
    "CompliancePolicy": "campaignkit.policies.compliance",
    "Contact": "campaignkit.models.records",
    "ContactCalledBack": "campaignkit.engine",
    "ContactConverted": "campaignkit.engine",
    "ContactState": "campaignkit.engine",
    "ContactStatus": "campaignkit.statuses",
    "ConversationResult": "campaignkit.engine",
    "ConversionRule": "campaignkit.policies.conversion",
    "CyclePolicy": "campaignkit.policies.cycles",
    "Dial": "campaignkit.engine",
    "Goal": "campaignkit.models.goals",
    "GoalResult": "campaignkit.models.goals",
    "GoalSet": "campaignkit.models.goals",
    "IllegalTransition": "campaignkit.errors",
    "InvalidConfig": "campaignkit.errors",
    "InvalidInput": "campaignkit.errors",
    "MessageTemplate": "campaignkit.policies.messaging",
    "MessageUpdate": "campaignkit.engine",
    "MessagingTier": "campaignkit.policies.messaging",
    "Notification": "campaignkit.engine",
    "Outcome": "campaignkit.statuses",
    "PacingPolicy": "campaignkit.policies.pacing",
    "Priority": "campaignkit.statuses",
    "RetryPolicy": "campaignkit.policies.retry",
    "RotationPolicy": "campaignkit.policies.rotation",
    "Schedule": "campaignkit.policies.schedule",
    "WhatsAppSettings": "campaignkit.policies.messaging",
    "heatmap": "campaignkit.metrics",
    "retry_effectiveness": "campaignkit.metrics",
}
"""The front door: each name and the module that defines it."""

_MOVED = {
    "AbandonedCallCooldown": "campaignkit.policies",
    "Admission": "campaignkit.policies",
    "AmdMode": "campaignkit.statuses",
    "Analysis": "campaignkit.models",
    "AnalysisType": "campaignkit.models",
    "Answer": "campaignkit.models",
    "AnswerValue": "campaignkit.models",
    "Attempt": "campaignkit.policies",
    "Breakdown": "campaignkit.metrics",
    "CALL_INTERVAL_CHOICES": "campaignkit.policies",
    "CallEvent": "campaignkit.machines",
    "CallStatusNotification": "campaignkit.engine",
    "CampaignCommand": "campaignkit.engine",
    "CampaignEvent": "campaignkit.machines",
    "CampaignStatusNotification": "campaignkit.engine",
    "ComplianceRule": "campaignkit.policies",
    "ContactEvent": "campaignkit.machines",
    "ContactFinalNotification": "campaignkit.engine",
    "ConversationCooldown": "campaignkit.policies",
    "ConversionKind": "campaignkit.policies",
    "CostAudit": "campaignkit.metrics",
    "DEFAULT_TIMEZONE": "campaignkit.models",
    "Direction": "campaignkit.statuses",
    "DoNotCall": "campaignkit.policies",
    "Extraction": "campaignkit.policies",
    "FrequencyCap": "campaignkit.policies",
    "FrozenMap": "campaignkit.models",
    "GoalAchievement": "campaignkit.metrics",
    "GoalKind": "campaignkit.models",
    "GoalOutcome": "campaignkit.models",
    "HealthReport": "campaignkit.metrics",
    "Heatmap": "campaignkit.metrics",
    "HourTable": "campaignkit.metrics",
    "ImportResult": "campaignkit.io",
    "LineStatus": "campaignkit.statuses",
    "MESSAGE_STATUSES": "campaignkit.policies",
    "MessageKind": "campaignkit.policies",
    "PacingState": "campaignkit.policies",
    "QuietHours": "campaignkit.policies",
    "RING_TIMEOUT_CHOICES": "campaignkit.policies",
    "RateCheck": "campaignkit.metrics",
    "Refusal": "campaignkit.policies",
    "Region": "campaignkit.policies",
    "RejectReason": "campaignkit.io",
    "Rejection": "campaignkit.io",
    "RetryCounter": "campaignkit.policies",
    "RetryDecision": "campaignkit.policies",
    "RetryRule": "campaignkit.policies",
    "RetryTable": "campaignkit.metrics",
    "RotationStrategy": "campaignkit.policies",
    "SERVICE_WINDOW": "campaignkit.policies",
    "Spacing": "campaignkit.policies",
    "StateMachine": "campaignkit.machines",
    "UnknownBilling": "campaignkit.policies",
    "WhatsAppStats": "campaignkit.policies",
    "active_analyses": "campaignkit.models",
    "add_tags": "campaignkit.policies",
    "admit": "campaignkit.policies",
    "allows_retry_loops": "campaignkit.policies",
    "apply_call": "campaignkit.engine",
    "apply_call_back": "campaignkit.engine",
    "apply_call_report": "campaignkit.engine",
    "apply_campaign_event": "campaignkit.engine",
    "apply_command": "campaignkit.engine",
    "apply_contact_event": "campaignkit.engine",
    "apply_message_status": "campaignkit.policies",
    "apply_message_update": "campaignkit.engine",
    "callback_time": "campaignkit.policies",
    "campaign_health": "campaignkit.metrics",
    "check_consent": "campaignkit.policies",
    "check_retry_loops": "campaignkit.policies",
    "classify_outcome": "campaignkit.statuses",
    "close_contact": "campaignkit.engine",
    "combine_goal_results": "campaignkit.models",
    "contact_bucket": "campaignkit.engine",
    "contact_time_zones": "campaignkit.policies",
    "contacts_from_calls": "campaignkit.metrics",
    "cost_audit": "campaignkit.metrics",
    "dial": "campaignkit.engine",
    "enqueue": "campaignkit.engine",
    "export_calls": "campaignkit.io",
    "export_contact_list": "campaignkit.io",
    "export_contacts": "campaignkit.io",
    "export_results": "campaignkit.io",
    "finalize_outcome": "campaignkit.engine",
    "format_duration": "campaignkit.policies",
    "has_extracted_data": "campaignkit.policies",
    "import_contacts": "campaignkit.io",
    "in_service_window": "campaignkit.policies",
    "is_converted": "campaignkit.policies",
    "is_due": "campaignkit.engine",
    "is_empty_value": "campaignkit.policies",
    "line_calls_today": "campaignkit.policies",
    "mark_converted": "campaignkit.engine",
    "may_send": "campaignkit.policies",
    "merge_extracted": "campaignkit.policies",
    "move_campaign": "campaignkit.engine",
    "notification_from_dict": "campaignkit.engine",
    "open_campaign": "campaignkit.engine",
    "parse_duration": "campaignkit.policies",
    "postpone": "campaignkit.engine",
    "read_call_export": "campaignkit.io",
    "read_contact_export": "campaignkit.io",
    "record_line_call": "campaignkit.policies",
    "refuse_contact": "campaignkit.engine",
    "schedule_callback": "campaignkit.policies",
    "send_message": "campaignkit.engine",
    "sends_remaining": "campaignkit.policies",
    "settle_message": "campaignkit.engine",
    "spam_band": "campaignkit.policies",
    "tag_columns": "campaignkit.policies",
    "to_e164": "campaignkit.io",
    "unique_recipients": "campaignkit.policies",
    "validate_answer": "campaignkit.models",
    "whatsapp_delivery_rate": "campaignkit.policies",
    "whatsapp_reach": "campaignkit.policies",
    "whatsapp_read_rate": "campaignkit.policies",
}
"""Names exported here before issue 18, and the namespace that holds them now."""

_RETIRED = {
    "ExotelStats": "campaignkit.metrics.ExotelStats is deprecated: CampaignStats.counts "
    "returns CampaignCounts (the one stats record; issue 18), and "
    "campaignkit.metrics.counts_table(counts) shows it; it goes in the next release",
}
"""Names exported here before issue 18 that are going away, with what replaces them."""

__all__ = [
    "CALL_MACHINE",
    "CAMPAIGN_MACHINE",
    "CONTACT_MACHINE",
    "AnsweredBy",
    "BillingPolicy",
    "Call",
    "CallStatus",
    "CallUpdate",
    "CallerLine",
    "CallingWindow",
    "Campaign",
    "CampaignCounts",
    "CampaignRules",
    "CampaignRunner",
    "CampaignState",
    "CampaignStats",
    "CampaignStatus",
    "CampaignkitError",
    "Channel",
    "CompliancePolicy",
    "Contact",
    "ContactCalledBack",
    "ContactConverted",
    "ContactState",
    "ContactStatus",
    "ConversationResult",
    "ConversionRule",
    "CyclePolicy",
    "Dial",
    "Goal",
    "GoalResult",
    "GoalSet",
    "IllegalTransition",
    "InvalidConfig",
    "InvalidInput",
    "MessageTemplate",
    "MessageUpdate",
    "MessagingTier",
    "Notification",
    "Outcome",
    "PacingPolicy",
    "Priority",
    "RetryPolicy",
    "RotationPolicy",
    "Schedule",
    "WhatsAppSettings",
    "heatmap",
    "retry_effectiveness",
]


def __getattr__(name: str) -> Any:
    module = _FRONT.get(name)
    if name in _RETIRED:
        warnings.warn(_RETIRED[name], DeprecationWarning, stacklevel=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # warned once, just above
            return getattr(importlib.import_module("campaignkit.metrics"), name)
    if module is None:
        module = _MOVED.get(name)
        if module is None:
            raise AttributeError(f"module 'campaignkit' has no attribute {name!r}")
        warnings.warn(
            f"campaignkit.{name} moved to {module}.{name}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
    value = getattr(importlib.import_module(module), name)
    if name in _FRONT:
        globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return [*__all__, "__version__"]


if TYPE_CHECKING:
    from .engine import (
        CallUpdate,
        CampaignCounts,
        CampaignState,
        ContactCalledBack,
        ContactConverted,
        ContactState,
        ConversationResult,
        Dial,
        MessageUpdate,
        Notification,
    )
    from .errors import CampaignkitError, IllegalTransition, InvalidConfig, InvalidInput
    from .machines import CALL_MACHINE, CAMPAIGN_MACHINE, CONTACT_MACHINE
    from .metrics import CampaignStats, heatmap, retry_effectiveness
    from .models.goals import Goal, GoalResult, GoalSet
    from .models.records import Call, CallerLine, Campaign, Contact
    from .policies.billing import BillingPolicy
    from .policies.compliance import CompliancePolicy
    from .policies.conversion import ConversionRule
    from .policies.cycles import CyclePolicy
    from .policies.messaging import MessageTemplate, MessagingTier, WhatsAppSettings
    from .policies.pacing import PacingPolicy
    from .policies.retry import RetryPolicy
    from .policies.rotation import RotationPolicy
    from .policies.rules import CampaignRules
    from .policies.schedule import CallingWindow, Schedule
    from .runner.memory import CampaignRunner
    from .statuses import (
        AnsweredBy,
        CallStatus,
        CampaignStatus,
        Channel,
        ContactStatus,
        Outcome,
        Priority,
    )
