"""``st.from_type`` works for every public record type (issue 18 item 7).

The ``hypothesis`` entry point (`campaignkit._hypothesis_hook`) registers a strategy of
`campaignkit.strategies` for each type; this test finds the types by walking the
public namespaces, so a record added later without a strategy fails here.
"""

from __future__ import annotations

import importlib
import inspect
import json
import warnings
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NAMESPACES = (
    "campaignkit",
    "campaignkit.models",
    "campaignkit.policies",
    "campaignkit.engine",
    "campaignkit.metrics",
    "campaignkit.io",
    "campaignkit.dialects",
    "campaignkit.runner",
    "campaignkit.stores",
)


def _public_records() -> dict[str, type[Any]]:
    """Every attrs class named in a namespace's ``__all__`` (and in the ``__all__`` of
    the public modules it lists, such as ``campaignkit.dialects.exotel``)."""
    found: dict[type[Any], str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # moved names resolve too
        for name in NAMESPACES:
            module = importlib.import_module(name)
            for attr in getattr(module, "__all__", ()):
                value = getattr(module, attr)
                if inspect.ismodule(value) and value.__name__.startswith(f"{name}."):
                    for inner in getattr(value, "__all__", ()):
                        record = getattr(value, inner)
                        if inspect.isclass(record) and attrs.has(record):
                            found.setdefault(record, f"{value.__name__}.{inner}")
                elif inspect.isclass(value) and attrs.has(value):
                    found.setdefault(value, f"{name}.{attr}")
    return {where: cls for cls, where in found.items()}


RECORDS = _public_records()


def test_the_walk_finds_the_records() -> None:
    # 54 when issue 18 counted them; the walk also reaches the vendor modules' records.
    assert len(RECORDS) >= 54
    for where in (
        "campaignkit.Contact",
        "campaignkit.CampaignRules",
        "campaignkit.ContactState",
        "campaignkit.policies.PacingState",
        "campaignkit.engine.ContactFinalNotification",
    ):
        assert where in RECORDS


def _round_trip(value: Any) -> Any:
    """``value`` through its plain-data codec, if it has one; the JSON text too."""
    cls = type(value)
    if not (hasattr(value, "to_dict") and hasattr(cls, "from_dict")):
        return value
    data = value.to_dict()
    json.dumps(data)
    return cls.from_dict(json.loads(json.dumps(data)))


@pytest.mark.parametrize("where", sorted(RECORDS))
def test_from_type_draws_valid_records(where: str) -> None:
    cls = RECORDS[where]

    @settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
    @given(st.from_type(cls))
    def check(value: Any) -> None:
        assert type(value) is cls
        # The record passes its own validators again (evolve re-runs them all) ...
        assert attrs.evolve(value) == value
        # ... and comes back from plain data exactly.
        assert _round_trip(value) == value

    check()
