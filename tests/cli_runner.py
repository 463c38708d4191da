"""The command line as a user runs it, for the command-line tests (one home for the
subprocess call three test modules used to write out)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


def run_cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``python -m campaignkit ARGS`` in a subprocess: UTF-8 text, 200 columns, 300 s at most.

    ``kwargs`` go to `subprocess.run` (``cwd``, ``input``, ``errors``, ...).
    Never raises for a failing command: the exit code is in the result.
    """
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "campaignkit", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
        check=False,
        **kwargs,
    )
