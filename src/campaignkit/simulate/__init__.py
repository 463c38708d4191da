"""Discrete-event simulation of whole campaigns, for notebooks and policy studies.

The simulation drives the real engine - the same reducers and policies a
service uses - with call outcomes drawn from a pluggable `OutcomeModel`. All
randomness comes from one seeded `random.Random`, so the same seed gives the
same run.

The default model is calibrated to seed 001's retry-effectiveness example:
60% of contacts connect on the first attempt, 25% of those retried connect on
the first retry, and about 17% on the second; later attempts decay further.
`OutcomeModel.fit` estimates a model from your own call records instead, and
`compare` runs policies on it over many seeds, with intervals.
"""

from ._compare import RANGE, Comparison, Difference, Interval, compare
from ._model import OUTCOME_KINDS, OutcomeDraw, OutcomeModel, OutcomeSource
from ._run import DEFAULT_BILLING, SimulateOptions, SimulationResult, simulate

__all__ = [
    "DEFAULT_BILLING",
    "OUTCOME_KINDS",
    "RANGE",
    "Comparison",
    "Difference",
    "Interval",
    "OutcomeDraw",
    "OutcomeModel",
    "OutcomeSource",
    "SimulateOptions",
    "SimulationResult",
    "compare",
    "simulate",
]
