"""Moved to `campaignkit.models.state` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys

from ..models import state as _moved
from ..models.state import *  # noqa: F403 - the names, for type checkers

sys.modules[__name__] = _moved
