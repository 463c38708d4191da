"""campaignkit: typed, sans-I/O rules for outbound call and WhatsApp campaigns.

The public API is re-exported here; every other module is an implementation
detail whose layout may change.
"""

from ._frozen import FrozenMap
from .billing import BillingPolicy, UnknownBilling, format_duration, parse_duration
from .errors import CampaignkitError, IllegalTransition, InvalidConfig, InvalidInput
from .lifecycle import apply_call_report, apply_campaign_event, apply_contact_event
from .machines import (
    CALL_MACHINE,
    CAMPAIGN_MACHINE,
    CONTACT_MACHINE,
    CallEvent,
    CampaignEvent,
    ContactEvent,
    StateMachine,
)
from .models import DEFAULT_TIMEZONE, Call, CallerLine, Campaign, Contact
from .statuses import (
    AnsweredBy,
    CallStatus,
    CampaignStatus,
    Channel,
    ContactStatus,
    Direction,
    LineStatus,
    Outcome,
    Priority,
    classify_outcome,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "CALL_MACHINE",
    "CAMPAIGN_MACHINE",
    "CONTACT_MACHINE",
    "DEFAULT_TIMEZONE",
    "AnsweredBy",
    "BillingPolicy",
    "Call",
    "CallEvent",
    "CallStatus",
    "CallerLine",
    "Campaign",
    "CampaignEvent",
    "CampaignStatus",
    "CampaignkitError",
    "Channel",
    "Contact",
    "ContactEvent",
    "ContactStatus",
    "Direction",
    "FrozenMap",
    "IllegalTransition",
    "InvalidConfig",
    "InvalidInput",
    "LineStatus",
    "Outcome",
    "Priority",
    "StateMachine",
    "UnknownBilling",
    "__version__",
    "apply_call_report",
    "apply_campaign_event",
    "apply_contact_event",
    "classify_outcome",
    "format_duration",
    "parse_duration",
]
