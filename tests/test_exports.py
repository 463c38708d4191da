"""The front door is pinned (issue 18): `campaignkit.__all__` holds exactly these
names, every one resolves, the old names resolve to their namespace, and
``import campaignkit`` loads nothing it does not need."""

from __future__ import annotations

import subprocess
import sys

import pytest

import campaignkit

FRONT_DOOR = {
    # vocabulary and machines
    "AnsweredBy",
    "CALL_MACHINE",
    "CAMPAIGN_MACHINE",
    "CONTACT_MACHINE",
    "CallStatus",
    "CampaignStatus",
    "Channel",
    "ContactStatus",
    "Outcome",
    "Priority",
    # records and errors
    "Call",
    "CallerLine",
    "Campaign",
    "CampaignkitError",
    "Contact",
    "Goal",
    "GoalResult",
    "GoalSet",
    "IllegalTransition",
    "InvalidConfig",
    "InvalidInput",
    # policies
    "BillingPolicy",
    "CallingWindow",
    "CampaignRules",
    "CompliancePolicy",
    "ConversionRule",
    "CyclePolicy",
    "MessageTemplate",
    "MessagingTier",
    "PacingPolicy",
    "RetryPolicy",
    "RotationPolicy",
    "Schedule",
    "WhatsAppSettings",
    # the engine: rows, events, the runner
    "CallUpdate",
    "CampaignCounts",
    "CampaignRunner",
    "CampaignState",
    "ContactCalledBack",
    "ContactConverted",
    "ContactState",
    "ConversationResult",
    "Dial",
    "MessageUpdate",
    "Notification",
    # metrics
    "CampaignStats",
    "heatmap",
    "retry_effectiveness",
}


def test_the_front_door_is_exactly_the_pinned_names() -> None:
    assert set(campaignkit.__all__) == FRONT_DOOR
    assert len(campaignkit.__all__) == len(FRONT_DOOR) <= 50


@pytest.mark.parametrize("name", sorted(FRONT_DOOR))
def test_every_front_door_name_resolves(name: str) -> None:
    assert getattr(campaignkit, name) is not None


def test_moved_names_resolve_to_their_namespace_with_a_warning() -> None:
    import importlib

    for name, namespace in campaignkit._MOVED.items():
        with pytest.warns(DeprecationWarning, match=f"{namespace}.{name}"):
            old = getattr(campaignkit, name)
        assert old is getattr(importlib.import_module(namespace), name)
        assert name in importlib.import_module(namespace).__all__


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        campaignkit.no_such_name  # noqa: B018


def test_import_campaignkit_loads_no_subpackage() -> None:
    code = (
        "import sys, campaignkit; "
        "print(sorted(m for m in sys.modules if m.startswith('campaignkit.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
