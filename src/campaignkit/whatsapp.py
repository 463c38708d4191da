"""Moved to `campaignkit.policies.messaging` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys

from .policies import messaging as _moved
from .policies.messaging import *  # noqa: F403 - the names, for type checkers

sys.modules[__name__] = _moved
