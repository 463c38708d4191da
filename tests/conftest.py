"""Shared test settings: the Hypothesis profiles.

Every profile is deterministic (``derandomize=True``, no example database): a test
that passes once passes on every machine and every run, so the README's
``python -m pytest`` never fails by chance (issue 13: a ``find()`` missed a preset in
about 2% of fresh runs). ``dev`` (50 examples) is what a plain ``python -m pytest``
loads, and what ``.ci/run`` runs; ``ci`` (200 examples) is the same, deeper. To hunt
for new failures, ``explore`` draws fresh random examples on each run (500 of them):
``HYPOTHESIS_PROFILE=explore python -m pytest tests/test_metrics_properties.py``.
"""

import os

from hypothesis import HealthCheck, settings

from .pg_server import postgres_conninfo  # noqa: F401  (the session's PostgreSQL server)

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None, derandomize=True, database=None)
settings.register_profile(
    "explore",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
