"""``python -m campaignkit``: the command line (see `campaignkit.cli`)."""

import sys

from .cli import main

sys.exit(main())
