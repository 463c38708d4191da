"""The ``hypothesis`` entry point: registers a strategy for each public record type.

Hypothesis calls `_hypothesis_setup_hook` while it is itself being imported - which
may be in the middle of importing `campaignkit.strategies` (that module imports
Hypothesis). So the hook must not need `campaignkit.strategies` to be complete: it
registers deferred strategies that look the real ones up on first use.
"""

from __future__ import annotations

import importlib
from typing import Any


def _lazy(name: str, **kwargs: Any) -> Any:
    from hypothesis import strategies as st

    def build() -> Any:
        module = importlib.import_module("campaignkit.strategies")
        return getattr(module, name)(**kwargs)

    return st.deferred(build)


def _registrations() -> list[tuple[type[Any], str, dict[str, Any]]]:
    """Each public record type with its strategy's name and arguments."""
    from .dialects.exotel import CallScheduleEvent, CampaignSnapshot, CampaignStatusEvent, Stats
    from .engine import (
        CallStatusNotification,
        CallUpdate,
        CampaignCounts,
        CampaignStatusNotification,
        ContactCalledBack,
        ContactConverted,
        ContactFinalNotification,
        ConversationResult,
        Dial,
        MessageUpdate,
        Round,
        Send,
    )
    from .metrics import CampaignStats
    from .metrics.tables import CostAudit, CostRow, RetryRow, RetryTable, Summary
    from .models.analyses import Analysis, Answer
    from .models.goals import Goal, GoalResult, GoalSet
    from .models.records import Call, CallerLine, Campaign, Contact
    from .models.state import CampaignState, ContactState, Halt
    from .policies.admission import Admission
    from .policies.billing import BillingPolicy
    from .policies.compliance import (
        AbandonedCallCooldown,
        Attempt,
        CompliancePolicy,
        ConversationCooldown,
        DoNotCall,
        FrequencyCap,
        QuietHours,
        Region,
    )
    from .policies.conversion import ConversionRule, Extraction
    from .policies.cycles import CyclePolicy
    from .policies.messaging import MessageTemplate, WhatsAppSettings, WhatsAppStats
    from .policies.pacing import PacingPolicy, PacingState
    from .policies.refusal import Refusal
    from .policies.retry import RetryDecision, RetryPolicy, RetryRule
    from .policies.rotation import RotationPolicy
    from .policies.rules import CampaignRules
    from .policies.schedule import CallingWindow, Schedule

    rules: list[tuple[type[Any], str, dict[str, Any]]] = [
        (kind, "compliance_rules", {"kinds": (kind,)})
        for kind in (
            QuietHours,
            FrequencyCap,
            ConversationCooldown,
            AbandonedCallCooldown,
            DoNotCall,
        )
    ]
    events: list[tuple[type[Any], str, dict[str, Any]]] = [
        (kind, "events", {"kinds": (kind,)})
        for kind in (ContactCalledBack, ContactConverted, MessageUpdate, ConversationResult)
    ]
    notices: list[tuple[type[Any], str, dict[str, Any]]] = [
        (kind, "notifications", {"kinds": (kind,)})
        for kind in (CallStatusNotification, ContactFinalNotification, CampaignStatusNotification)
    ]
    exotel: list[tuple[type[Any], str, dict[str, Any]]] = [
        (kind, "exotel_records", {"kind": kind})
        for kind in (Stats, CampaignSnapshot, CampaignStatusEvent, CallScheduleEvent)
    ]
    return [
        (Campaign, "campaigns", {}),
        (Contact, "contacts", {}),
        (Call, "calls", {}),
        (CallerLine, "caller_lines", {}),
        (CallUpdate, "call_updates", {}),
        (CampaignCounts, "campaign_counts", {}),
        (RetryRule, "retry_rules", {}),
        (RetryPolicy, "retry_policies", {}),
        (CyclePolicy, "cycle_policies", {}),
        (CallingWindow, "calling_windows", {}),
        (Schedule, "schedules", {}),
        (PacingPolicy, "pacing_policies", {}),
        (RotationPolicy, "rotation_policies", {}),
        (BillingPolicy, "billing_policies", {}),
        (Region, "compliance_regions", {}),
        *rules,
        (CompliancePolicy, "compliance_policies", {}),
        (Goal, "goals", {}),
        (GoalSet, "goal_sets", {}),
        (GoalResult, "goal_results", {}),
        *events,
        *notices,
        (Dial, "dials", {}),
        (Send, "sends", {}),
        (Attempt, "attempts", {}),
        (Extraction, "extractions", {}),
        (PacingState, "pacing_states", {}),
        (Refusal, "refusals", {}),
        (Halt, "halts", {}),
        (Admission, "admissions", {}),
        (ContactState, "contact_states", {}),
        (CampaignState, "campaign_states", {}),
        (Round, "rounds", {}),
        (MessageTemplate, "message_templates", {}),
        (WhatsAppSettings, "whatsapp_settings", {}),
        (WhatsAppStats, "whatsapp_stats", {}),
        (ConversionRule, "conversion_rules", {}),
        (CampaignRules, "campaign_rules", {}),
        (Analysis, "analyses", {}),
        (Answer, "answers", {}),
        (CampaignStats, "campaign_stats", {}),
        (Summary, "summaries", {}),
        (RetryTable, "retry_tables", {}),
        (RetryRow, "retry_rows", {}),
        (CostAudit, "cost_audits", {}),
        (CostRow, "cost_rows", {}),
        (RetryDecision, "retry_decisions", {}),
        *exotel,
    ]


def _hypothesis_setup_hook() -> None:
    """Make ``st.from_type(Contact)`` work - and every other public record type: the
    records, policies, rules, events, notifications, state rows, ledgers, analyses,
    stats and the Exotel records, each with its strategy in `campaignkit.strategies`."""
    from hypothesis import strategies as st

    for cls, name, kwargs in _registrations():
        st.register_type_strategy(cls, _lazy(name, **kwargs))
