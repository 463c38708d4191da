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
    from .engine import CallUpdate, CampaignCounts
    from .models.goals import Goal, GoalResult, GoalSet
    from .models.records import Call, CallerLine, Campaign, Contact
    from .policies.billing import BillingPolicy
    from .policies.compliance import (
        AbandonedCallCooldown,
        CompliancePolicy,
        ConversationCooldown,
        DoNotCall,
        FrequencyCap,
        QuietHours,
        Region,
    )
    from .policies.cycles import CyclePolicy
    from .policies.pacing import PacingPolicy
    from .policies.retry import RetryPolicy, RetryRule
    from .policies.rotation import RotationPolicy
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
    ]


def _hypothesis_setup_hook() -> None:
    """Make ``st.from_type(Contact)`` work - and Call, Campaign, CallerLine, the policies,
    goals, counts and call updates: every public record type with a strategy."""
    from hypothesis import strategies as st

    for cls, name, kwargs in _registrations():
        st.register_type_strategy(cls, _lazy(name, **kwargs))
