"""The simulator's outcome model: calibrated to seed 001, deterministic, validated."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import InvalidConfig
from campaignkit.simulate import OutcomeModel

MX = ZoneInfo("America/Mexico_City")
MONDAY = datetime(2026, 6, 1, tzinfo=MX)


def business_hour(rng: random.Random) -> datetime:
    return MONDAY + timedelta(days=rng.randrange(5), hours=9 + rng.random() * 9)


@pytest.mark.parametrize(("attempt", "expected"), [(1, 0.60), (2, 0.25), (3, 0.17)])
def test_default_model_reproduces_exotel_retry_table(attempt: int, expected: float) -> None:
    # Seed 001: 1,500/2,500 = 60% on the 1st attempt, 250/1,000 = 25% on the 1st retry,
    # 125/750 = 17% on the 2nd - over weekday business hours.
    model = OutcomeModel()
    rng = random.Random(1)
    n = 40_000
    connected = sum(
        model.draw(rng, attempt=attempt, local_time=business_hour(rng)).outcome.connected
        for _ in range(n)
    )
    assert connected / n == pytest.approx(expected, abs=0.01)


def test_later_attempts_decay() -> None:
    model = OutcomeModel()
    noon = MONDAY.replace(hour=12)
    probabilities = [model.connect_probability(a, noon) for a in range(1, 8)]
    assert probabilities == sorted(probabilities, reverse=True)


def test_nights_and_sundays_connect_less() -> None:
    model = OutcomeModel()
    assert model.connect_probability(1, MONDAY.replace(hour=3)) < model.connect_probability(
        1, MONDAY.replace(hour=11)
    )
    sunday = MONDAY + timedelta(days=6, hours=11)
    assert model.connect_probability(1, sunday) < model.connect_probability(
        1, MONDAY.replace(hour=11)
    )


@given(st.integers(0, 2**32), st.integers(1, 10), st.integers(0, 24 * 7 - 1))
def test_draws_are_deterministic_and_consistent(seed: int, attempt: int, hour: int) -> None:
    model = OutcomeModel()
    when = MONDAY + timedelta(hours=hour)
    first = model.draw(random.Random(seed), attempt=attempt, local_time=when)
    again = model.draw(random.Random(seed), attempt=attempt, local_time=when)
    assert first == again
    assert first.outcome.connected == (first.answered_by is not None)
    if not first.outcome.connected:
        assert first.duration == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"connect_by_attempt": (1.2,)}, "connect_by_attempt"),
        ({"connect_by_attempt": ()}, "connect_by_attempt"),
        ({"human_share": -0.1}, "human_share"),
        ({"busy_share": 0.5}, "busy_share + no_answer_share + failed_share"),
        ({"hour_weights": (1.0,) * 23}, "hour_weights"),
        ({"voicemail_seconds": (10, 5)}, "voicemail_seconds"),
    ],
)
def test_bad_model_parameters_are_refused(kwargs, field) -> None:
    with pytest.raises(InvalidConfig) as info:
        OutcomeModel(**kwargs)
    assert info.value.field == field
