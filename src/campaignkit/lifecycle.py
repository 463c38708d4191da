"""Moved to `campaignkit.engine.lifecycle` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys

from .engine import lifecycle as _moved
from .engine.lifecycle import *  # noqa: F403 - the names, for type checkers

sys.modules[__name__] = _moved
