"""Moved to `campaignkit.models.analyses` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys

from .models import analyses as _moved
from .models.analyses import *  # noqa: F403 - the names, for type checkers

sys.modules[__name__] = _moved
