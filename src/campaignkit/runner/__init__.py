"""`CampaignRunner`: one campaign in memory, a store over the decision layer.

``memory`` holds the runner (it keeps rows and calls steps), ``view`` what it shows,
``queue`` its due index and ``snapshot`` its plain-data form.
"""

from .memory import CampaignRunner
from .snapshot import SNAPSHOT_FORMAT

__all__ = ["SNAPSHOT_FORMAT", "CampaignRunner"]
