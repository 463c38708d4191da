"""Moved to `campaignkit.policies.messaging` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys
import warnings

from .policies import messaging as _moved
from .policies.messaging import *  # noqa: F403 - the names, for type checkers

warnings.warn(
    "campaignkit.whatsapp moved to campaignkit.policies.messaging; "
    "the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
