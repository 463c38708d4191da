"""The ``hypothesis`` entry point: registers a strategy for each public record type.

Hypothesis calls `_hypothesis_setup_hook` while it is itself being imported - which
may be in the middle of importing `campaignkit.strategies` (that module imports
Hypothesis). So the hook must not need `campaignkit.strategies` to be complete: it
registers deferred strategies that look the real ones up on first use.
"""

from __future__ import annotations

import importlib
from typing import Any


def _lazy(name: str) -> Any:
    from hypothesis import strategies as st

    def build() -> Any:
        module = importlib.import_module("campaignkit.strategies")
        return getattr(module, name)()

    return st.deferred(build)


def _hypothesis_setup_hook() -> None:
    """Make ``st.from_type(Contact)`` (and Call, Campaign, CallerLine) work."""
    from hypothesis import strategies as st

    from .models import Call, CallerLine, Campaign, Contact

    for cls, name in (
        (Campaign, "campaigns"),
        (Contact, "contacts"),
        (Call, "calls"),
        (CallerLine, "caller_lines"),
    ):
        st.register_type_strategy(cls, _lazy(name))
