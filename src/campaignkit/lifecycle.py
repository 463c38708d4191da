"""Moved to `campaignkit.engine.lifecycle` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys
import warnings

from .engine import lifecycle as _moved
from .engine.lifecycle import *  # noqa: F403 - the names, for type checkers

warnings.warn(
    "campaignkit.lifecycle moved to campaignkit.engine.lifecycle; "
    "the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
