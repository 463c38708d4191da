"""Moved to `campaignkit.policies.codecs` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys
import warnings

from .policies import codecs as _moved
from .policies.codecs import *  # noqa: F403 - the names, for type checkers

warnings.warn(
    "campaignkit._policy_data moved to campaignkit.policies.codecs; "
    "the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
