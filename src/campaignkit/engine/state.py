"""Moved to `campaignkit.models.state` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys
import warnings

from ..models import state as _moved
from ..models.state import *  # noqa: F403 - the names, for type checkers

warnings.warn(
    "campaignkit.engine.state moved to campaignkit.models.state; "
    "the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
