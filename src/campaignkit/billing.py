"""Moved to `campaignkit.policies.billing` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys
import warnings

from .policies import billing as _moved
from .policies.billing import *  # noqa: F403 - the names, for type checkers

warnings.warn(
    "campaignkit.billing moved to campaignkit.policies.billing; "
    "the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
