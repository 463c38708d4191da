"""Moved to `campaignkit.policies.billing` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys

from .policies import billing as _moved
from .policies.billing import *  # noqa: F403 - the names, for type checkers

sys.modules[__name__] = _moved
