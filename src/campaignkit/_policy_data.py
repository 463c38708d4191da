"""Moved to `campaignkit.policies.codecs` (issue 18: folders by layer); this
path stays an alias of that module for one release."""

import sys

from .policies import codecs as _moved
from .policies.codecs import *  # noqa: F403 - the names, for type checkers

sys.modules[__name__] = _moved
