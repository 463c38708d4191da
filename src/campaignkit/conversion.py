"""Moved to `campaignkit.policies.conversion` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys
import warnings

from .policies import conversion as _moved
from .policies.conversion import *  # noqa: F403 - the names, for type checkers

warnings.warn(
    "campaignkit.conversion moved to campaignkit.policies.conversion; "
    "the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
