"""Moved to `campaignkit.models.goals` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys
import warnings

from .models import goals as _moved
from .models.goals import *  # noqa: F403 - the names, for type checkers

warnings.warn(
    "campaignkit.goals moved to campaignkit.models.goals; the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
