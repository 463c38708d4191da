"""The engine: pure reducers over records, and the decision layer over contact rows.

* `campaignkit.engine.reducers` - the record-level reducers (`dial`,
  `apply_call`, `settle_message`, ...), the events and the notifications.
* `campaignkit.engine.lifecycle` - one transition of a record (`apply_call_report`).
* `ContactState` and `CampaignState` (from `campaignkit.models`), the rows a
  service stores.
* `campaignkit.engine.steps` - every campaign rule as a pure step over those
  rows; `CampaignRunner` and the stores only keep what the steps return.
"""

from ..models.state import CampaignState, ContactState, Halt
from .lifecycle import CallDetails, apply_call_report, apply_campaign_event, apply_contact_event
from .reducers import *  # noqa: F403
from .reducers import __all__ as _reducers_all
from .steps import Round, Step

__all__ = [
    *_reducers_all,
    "CallDetails",
    "CampaignState",
    "ContactState",
    "Halt",
    "Round",
    "Step",
    "apply_call_report",
    "apply_campaign_event",
    "apply_contact_event",
]
