"""Hypothesis strategies for campaignkit's records, events and policies.

Installed with the ``hypothesis`` extra (``pip install "campaignkit[hypothesis]"``).
The strategies follow Hypothesis' own API style: keyword-only arguments with
defaults, ``min_value``/``max_value`` and ``min_size``/``max_size`` bounds,
plural names, and `hypothesis.errors.InvalidArgument` for bad arguments.
Everything they generate passes the records' validators (the test suite checks
it), and once the extra is installed ``st.from_type(campaignkit.Contact)`` -
and every other record type with a strategy here, policies included - works
through the ``hypothesis`` entry point.

Examples shrink towards simple values: the region's example number, the first
status of a lifecycle, no tags, attempt 1, zero durations - and each policy
towards its own defaults (``RetryPolicy()``, ``Schedule()``, ``PacingPolicy()``,
...), which are the seeds' defaults.

`CampaignStateMachine` is a ready `RuleBasedStateMachine`: subclass it to run
your own policies through a `CampaignRunner` against the library's invariants.
"""

from __future__ import annotations

from ._campaigns import (
    CampaignSetup,
    RunnerOptions,
    call_updates,
    campaign_counts,
    campaign_setups,
    goal_results,
    goal_sets,
    goals,
)
from ._common import (
    DEFAULT_REGIONS,
    DEFAULT_TIMEZONES,
    RESERVED_TAGS,
    identifiers,
    json_scalars,
    moments,
)
from ._engine import (
    EVENT_KINDS,
    NOTIFICATION_KINDS,
    admissions,
    attempts,
    campaign_states,
    contact_states,
    dials,
    events,
    extractions,
    halts,
    notifications,
    pacing_states,
    refusals,
    rounds,
    sends,
)
from ._machine import CampaignStateMachine
from ._policies import (
    billing_policies,
    calling_windows,
    compliance_policies,
    compliance_regions,
    compliance_rules,
    cycle_policies,
    pacing_policies,
    retry_policies,
    retry_rules,
    rotation_policies,
    schedules,
)
from ._records import (
    CallReport,
    call_report_sequences,
    caller_lines,
    calls,
    campaigns,
    contacts,
    messy_phone_numbers,
    phone_numbers,
)
from ._settings import (
    analyses,
    answers,
    campaign_rules,
    campaign_stats,
    conversion_rules,
    cost_audits,
    cost_rows,
    exotel_records,
    exotel_stats,
    message_templates,
    retry_decisions,
    retry_rows,
    retry_tables,
    summaries,
    whatsapp_settings,
    whatsapp_stats,
)

__all__ = [
    "DEFAULT_REGIONS",
    "DEFAULT_TIMEZONES",
    "EVENT_KINDS",
    "NOTIFICATION_KINDS",
    "RESERVED_TAGS",
    "CallReport",
    "CampaignSetup",
    "CampaignStateMachine",
    "RunnerOptions",
    "admissions",
    "analyses",
    "answers",
    "attempts",
    "billing_policies",
    "call_report_sequences",
    "call_updates",
    "caller_lines",
    "calling_windows",
    "calls",
    "campaign_counts",
    "campaign_rules",
    "campaign_setups",
    "campaign_states",
    "campaign_stats",
    "campaigns",
    "compliance_policies",
    "compliance_regions",
    "compliance_rules",
    "contact_states",
    "contacts",
    "conversion_rules",
    "cost_audits",
    "cost_rows",
    "cycle_policies",
    "dials",
    "events",
    "exotel_records",
    "exotel_stats",
    "extractions",
    "goal_results",
    "goal_sets",
    "goals",
    "halts",
    "identifiers",
    "json_scalars",
    "message_templates",
    "messy_phone_numbers",
    "moments",
    "notifications",
    "pacing_policies",
    "pacing_states",
    "phone_numbers",
    "refusals",
    "retry_decisions",
    "retry_policies",
    "retry_rows",
    "retry_rules",
    "retry_tables",
    "rotation_policies",
    "rounds",
    "schedules",
    "sends",
    "summaries",
    "whatsapp_settings",
    "whatsapp_stats",
]
