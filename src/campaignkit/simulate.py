"""Discrete-event simulation of whole campaigns, for notebooks and policy studies.

The simulation drives the real engine - the same reducers and policies a
service uses - with call outcomes drawn from a pluggable `OutcomeModel`. All
randomness comes from one seeded `random.Random`, so the same seed gives the
same run.

The default model is calibrated to seed 001's retry-effectiveness example:
60% of contacts connect on the first attempt, 25% of those retried connect on
the first retry, and about 17% on the second; later attempts decay further.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import attrs

from .errors import InvalidConfig
from .statuses import AnsweredBy, Outcome

__all__ = ["OutcomeDraw", "OutcomeModel", "OutcomeSource"]


@attrs.frozen
class OutcomeDraw:
    """One simulated attempt's result: what happened, how long it lasted, who answered."""

    outcome: Outcome
    duration: int
    """Seconds from answer to hang-up (0 when nothing connected)."""
    answered_by: AnsweredBy | None
    ring_seconds: int
    """Seconds the phone rang (or the attempt took) before the outcome."""


class OutcomeSource(Protocol):
    """Anything that can draw an attempt's outcome: plug your own model in here."""

    def draw(self, rng: random.Random, *, attempt: int, local_time: datetime) -> OutcomeDraw:
        """The result of attempt number ``attempt`` placed at the callee's ``local_time``."""
        ...


def _probability(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise InvalidConfig(name, "a probability from 0 to 1", value)


# Relative answer propensity by local hour: low at dawn and late evening, peaks
# late morning and early evening. Normalised so business hours average 1.0.
_HOURS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.6, 0.8, 0.95, 1.1, 1.15,
    1.0, 0.9, 0.95, 1.0, 1.1, 1.15, 1.1, 0.95, 0.8, 0.6, 0.4, 0.3,
)  # fmt: skip
_WEEKDAYS = (1.0, 1.02, 1.02, 1.0, 0.96, 0.8, 0.7)  # Monday .. Sunday


def _business_mean(hours: Sequence[float], weekdays: Sequence[float]) -> float:
    day = sum(hours[9:18]) / 9
    week = sum(weekdays[:5]) / 5
    return day * week


@attrs.frozen
class OutcomeModel:
    """A parametric outcome model: connect probability by attempt, hour and weekday.

    The chance that attempt *n* connects is ``connect_by_attempt[n-1]`` (past the
    end of the tuple, the last value times ``later_decay`` per extra attempt),
    scaled by the callee's local hour and weekday weights, relative to the
    average weekday business hour (9:00-18:00), and capped at 0.95. A connected
    call is a person with probability ``human_share`` and voicemail otherwise;
    a call that does not connect is busy, unanswered or failed in the given
    proportions. Raises `InvalidConfig` for probabilities outside 0..1 or
    weights of the wrong length.
    """

    connect_by_attempt: tuple[float, ...] = (0.60, 0.25, 0.17)
    later_decay: float = 0.7
    human_share: float = 0.8
    busy_share: float = 0.2
    no_answer_share: float = 0.65
    failed_share: float = 0.15
    hour_weights: tuple[float, ...] = _HOURS
    weekday_weights: tuple[float, ...] = _WEEKDAYS
    human_seconds: tuple[int, int] = (20, 240)
    """Uniform range of a conversation's length."""
    voicemail_seconds: tuple[int, int] = (8, 40)

    def __attrs_post_init__(self) -> None:
        if not self.connect_by_attempt:
            raise InvalidConfig("connect_by_attempt", "at least one probability", ())
        for value in self.connect_by_attempt:
            _probability("connect_by_attempt", value)
        for name in ("later_decay", "human_share", "busy_share", "no_answer_share", "failed_share"):
            _probability(name, getattr(self, name))
        if abs(self.busy_share + self.no_answer_share + self.failed_share - 1.0) > 1e-9:
            raise InvalidConfig(
                "busy_share + no_answer_share + failed_share",
                "1.0",
                self.busy_share + self.no_answer_share + self.failed_share,
            )
        if len(self.hour_weights) != 24 or min(self.hour_weights) < 0:
            raise InvalidConfig("hour_weights", "24 non-negative weights", self.hour_weights)
        if len(self.weekday_weights) != 7 or min(self.weekday_weights) < 0:
            raise InvalidConfig("weekday_weights", "7 non-negative weights", self.weekday_weights)
        for name in ("human_seconds", "voicemail_seconds"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise InvalidConfig(name, "a range 0 <= low <= high", (low, high))

    def connect_probability(self, attempt: int, local_time: datetime) -> float:
        """The chance that attempt number ``attempt`` placed at ``local_time`` connects."""
        if attempt < 1:
            raise InvalidConfig("attempt", "an integer >= 1", attempt)
        table = self.connect_by_attempt
        if attempt <= len(table):
            base = table[attempt - 1]
        else:
            base = table[-1] * self.later_decay ** (attempt - len(table))
        scale = (
            self.hour_weights[local_time.hour]
            * self.weekday_weights[local_time.weekday()]
            / _business_mean(self.hour_weights, self.weekday_weights)
        )
        return min(0.95, base * scale)

    def draw(self, rng: random.Random, *, attempt: int, local_time: datetime) -> OutcomeDraw:
        """Draw one attempt's result with ``rng`` (three draws per attempt, always)."""
        connect, kind, length = rng.random(), rng.random(), rng.random()
        if connect < self.connect_probability(attempt, local_time):
            ring = 3 + int(length * 17)
            if kind < self.human_share:
                low, high = self.human_seconds
                return OutcomeDraw(
                    Outcome.HUMAN_CONVERSATION,
                    low + int(length * (high - low)),
                    AnsweredBy.HUMAN,
                    ring,
                )
            low, high = self.voicemail_seconds
            return OutcomeDraw(
                Outcome.VOICEMAIL, low + int(length * (high - low)), AnsweredBy.MACHINE, ring
            )
        if kind < self.busy_share:
            return OutcomeDraw(Outcome.BUSY, 0, None, 2)
        if kind < self.busy_share + self.no_answer_share:
            return OutcomeDraw(Outcome.NO_ANSWER, 0, None, 30)
        return OutcomeDraw(Outcome.FAILED, 0, None, 1)
