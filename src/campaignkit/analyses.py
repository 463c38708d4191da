"""Moved to `campaignkit.models.analyses` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys
import warnings

from .models import analyses as _moved
from .models.analyses import *  # noqa: F403 - the names, for type checkers

warnings.warn(
    "campaignkit.analyses moved to campaignkit.models.analyses; "
    "the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _moved
