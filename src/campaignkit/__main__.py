"""``python -m campaignkit``: the command line (see `campaignkit.cli`).

Ctrl-C while the command line's modules load exits with 130 and no traceback,
like Ctrl-C during a command (issue 14 item 20).
"""

import sys

try:
    from .cli import main
except KeyboardInterrupt:
    sys.exit(130)

sys.exit(main())
