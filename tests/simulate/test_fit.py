"""OutcomeModel.fit: a model estimated from call records recovers the model that made them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    Call,
    CallStatus,
    Contact,
    InvalidConfig,
    InvalidInput,
    Outcome,
    RetryPolicy,
    Schedule,
)
from campaignkit.io import export_calls, read_call_export
from campaignkit.simulate import OUTCOME_KINDS, OutcomeModel, simulate

MX = ZoneInfo("America/Mexico_City")
MONDAY = datetime(2026, 6, 1, tzinfo=MX)
PHONE = "+5215555551234"  # a Mexico City number: its zone is the campaign's

STATUS = {
    Outcome.HUMAN_CONVERSATION: (CallStatus.COMPLETED, AnsweredBy.HUMAN),
    Outcome.VOICEMAIL: (CallStatus.COMPLETED, AnsweredBy.MACHINE),
    Outcome.BUSY: (CallStatus.BUSY, None),
    Outcome.NO_ANSWER: (CallStatus.NO_ANSWER, None),
    Outcome.FAILED: (CallStatus.FAILED, None),
}

TRUTH = OutcomeModel(
    connect_by_attempt=(0.5, 0.3, 0.2),
    later_decay=0.6,
    human_share=0.7,
    busy_share=0.3,
    no_answer_share=0.5,
    failed_share=0.2,
    human_seconds=(30, 300),
    voicemail_seconds=(10, 30),
)


def call(
    i: int, attempt: int, when: datetime, outcome: Outcome, duration: int = 0, to: str = PHONE
) -> Call:
    status, answered_by = STATUS[outcome]
    return Call(
        id=f"x{i}",
        contact_id=f"c{i}",
        to=to,
        attempt=attempt,
        status=status,
        answered_by=answered_by,
        outcome=outcome,
        created_at=when.astimezone(UTC),
        duration=duration,
    )


def drawn_calls(model: OutcomeModel, n: int, seed: int) -> list[Call]:
    """``n`` calls from ``model``: attempts 1-5, every weekday, 08:00-21:00 local."""
    rng = random.Random(seed)
    calls = []
    for i in range(n):
        attempt = rng.choice((1, 1, 1, 2, 2, 3, 4, 5))
        when = MONDAY + timedelta(
            days=rng.randrange(7), hours=rng.randrange(8, 21), minutes=rng.randrange(60)
        )
        draw = model.draw(rng, attempt=attempt, local_time=when)
        calls.append(call(i, attempt, when, draw.outcome, draw.duration))
    return calls


@pytest.fixture(scope="module")
def fitted() -> OutcomeModel:
    return OutcomeModel.fit(drawn_calls(TRUTH, 30_000, seed=5), timezone="America/Mexico_City")


def test_fit_recovers_the_attempt_rates_and_decay(fitted: OutcomeModel) -> None:
    # Stated tolerance: 0.02 absolute on each rate at 30,000 calls (about 3 standard
    # errors for the thinnest attempt); attempts 4 and 5 have enough calls for their own.
    expected = [TRUTH.base_probability(a) for a in range(1, 6)]
    got = [fitted.base_probability(a) for a in range(1, 6)]
    assert got == pytest.approx(expected, abs=0.02)
    assert fitted.fitted_calls == 30_000


def test_fit_recovers_the_outcome_splits_and_durations(fitted: OutcomeModel) -> None:
    assert fitted.human_share == pytest.approx(0.7, abs=0.02)
    assert fitted.busy_share == pytest.approx(0.3, abs=0.02)
    assert fitted.no_answer_share == pytest.approx(0.5, abs=0.02)
    assert fitted.failed_share == pytest.approx(0.2, abs=0.02)
    # Uniform ranges by mean and spread: within 5% of their width.
    assert fitted.human_seconds == pytest.approx((30, 300), abs=14)
    assert fitted.voicemail_seconds == pytest.approx((10, 30), abs=1)


def test_fit_recovers_the_hour_and_weekday_shape(fitted: OutcomeModel) -> None:
    # Both sets of weights are relative to the weekday business-hour average.
    hour_ref = sum(TRUTH.hour_weights[9:18]) / 9
    day_ref = sum(TRUTH.weekday_weights[:5]) / 5
    for h in range(8, 21):
        assert fitted.hour_weights[h] == pytest.approx(TRUTH.hour_weights[h] / hour_ref, abs=0.12)
    for d in range(7):
        assert fitted.weekday_weights[d] == pytest.approx(
            TRUTH.weekday_weights[d] / day_ref, abs=0.06
        )
    # The slot probabilities agree where there were calls.
    noon_sat = MONDAY + timedelta(days=5, hours=12)
    assert fitted.connect_probability(1, noon_sat) == pytest.approx(
        TRUTH.connect_probability(1, noon_sat), abs=0.04
    )


def test_hours_without_calls_take_the_overall_rate(fitted: OutcomeModel) -> None:
    # No call was placed at 03:00: shrinkage leaves the weight at the overall level,
    # between the fitted extremes (no data, no made-up night dip or peak).
    weights = [fitted.hour_weights[h] for h in range(8, 21)]
    assert min(weights) <= fitted.hour_weights[3] <= max(weights)


def seed_001_cdrs() -> list[Call]:
    """Seed 001's retry example as call records: 2,500 contacts; 1,500 connect on the
    first attempt, 250 of the 1,000 retried on the first retry, 125 of the 750 left
    on the second. Each attempt's calls fill the 45 weekday business hours in turn,
    connects spread evenly through them (every hour within one call of the rate)."""
    calls: list[Call] = []
    waiting = list(range(2500))
    for attempt, connects in ((1, 1500), (2, 250), (3, 125)):
        n = len(waiting)
        hits = set()
        for k, contact in enumerate(waiting):
            slot = k * 45 // n
            when = MONDAY + timedelta(days=slot // 9, hours=9 + slot % 9, minutes=attempt * 15)
            hit = (k + 1) * connects // n > k * connects // n
            outcome = Outcome.HUMAN_CONVERSATION if hit else Outcome.NO_ANSWER
            calls.append(call(len(calls), attempt, when, outcome, 60 if hit else 0))
            if hit:
                hits.add(contact)
        waiting = [c for c in waiting if c not in hits]
    return calls


def test_seed_001_retry_table_is_fitted_back() -> None:
    model = OutcomeModel.fit(seed_001_cdrs(), timezone="America/Mexico_City")
    assert model.connect_by_attempt == pytest.approx((0.60, 0.25, 125 / 750), abs=0.005)
    rows = model.to_records("attempt")
    assert [round(r["connect"], 2) for r in rows[:3]] == [0.60, 0.25, 0.17]


def test_seed_001_fitted_model_reproduces_the_retry_table_in_simulation() -> None:
    model = OutcomeModel.fit(seed_001_cdrs(), timezone="America/Mexico_City")
    people = [Contact(id=f"c{i}", phone=f"+52155{i:08d}") for i in range(2500)]
    run = simulate(
        people,
        start=datetime(2026, 6, 1, 9, tzinfo=MX),
        retry=RetryPolicy.exotel(2, on_status=("busy", "no-answer", "failed")),
        model=model,
        seed=1,
        max_concurrent=20,
        runner_options={"schedule": Schedule.business_hours(timezone="America/Mexico_City")},
    )
    rates = [row.connect_rate for row in run.stats.retry_effectiveness().rows]
    # 60/25/17% within sampling noise of 2,500 contacts.
    assert rates[:3] == pytest.approx([0.60, 0.25, 0.17], abs=0.035)


def test_fit_reads_a_call_export() -> None:
    # Any dialect's calls: here Altur's call export, written and read back.
    people = [Contact(id=f"c{i}", phone=f"+52155{i:08d}") for i in range(400)]
    run = simulate(
        people,
        start=datetime(2026, 6, 1, 9, tzinfo=MX),
        retry=RetryPolicy.exotel(2, on_status=("busy", "no-answer", "failed")),
        seed=3,
    )
    calls = read_call_export(export_calls(run.calls), timezone="America/Mexico_City")
    direct = OutcomeModel.fit(run.calls, timezone="America/Mexico_City")
    again = OutcomeModel.fit(calls, timezone="America/Mexico_City")
    assert again.fitted_calls == direct.fitted_calls == len(run.calls)
    assert again.connect_by_attempt == pytest.approx(direct.connect_by_attempt, abs=1e-9)


def test_later_attempts_pool_into_the_decay() -> None:
    calls = drawn_calls(TRUTH, 3000, seed=2)
    few = [c for c in calls if c.attempt <= 3]
    model = OutcomeModel.fit(few + [c for c in calls if c.attempt > 3][:40], min_calls=30)
    assert len(model.connect_by_attempt) >= 3
    assert 0.0 <= model.later_decay <= 1.0


def test_the_table_views() -> None:
    model = OutcomeModel()
    by_attempt = model.to_records()
    assert [r["attempt"] for r in by_attempt] == [1, 2, 3, 4, 5]
    for row in by_attempt:
        assert sum(row[k] for k in OUTCOME_KINDS) == pytest.approx(1.0)
        assert row["human"] + row["voicemail"] == pytest.approx(row["connect"])
    assert len(model.to_records("hour")) == 24
    assert model.to_records("weekday")[0]["weekday"] == "Mon"
    assert len(model.to_records("slot", attempt=2)) == 168
    with pytest.raises(InvalidConfig, match="by"):
        model.to_records("minute")
    with pytest.raises(InvalidConfig, match="attempt"):
        model.to_records(attempt=0)


def test_to_frame_has_float_columns() -> None:
    pd = pytest.importorskip("pandas")
    table = OutcomeModel().to_frame("hour")
    assert table["connect"].dtype == "float64"
    assert table["hour"].dtype == "int64"
    assert isinstance(table, pd.DataFrame)


def test_a_model_round_trips_through_plain_data() -> None:
    model = OutcomeModel.fit(seed_001_cdrs())
    assert OutcomeModel.from_dict(model.to_dict()) == model
    with pytest.raises(InvalidInput, match="unknown OutcomeModel keys: speed"):
        OutcomeModel.from_dict({"speed": 1})


def test_bad_fit_input() -> None:
    with pytest.raises(InvalidInput, match="needs finished calls"):
        OutcomeModel.fit([])
    live = Call(id="a", contact_id="a", to=PHONE, status=CallStatus.IN_PROGRESS)
    with pytest.raises(InvalidInput, match="none of 1"):
        OutcomeModel.fit([live])
    with pytest.raises(InvalidInput, match="Call records"):
        OutcomeModel.fit(["not a call"])  # type: ignore[list-item]
    with pytest.raises(InvalidConfig, match="smoothing"):
        OutcomeModel.fit(seed_001_cdrs(), smoothing=-1)
    with pytest.raises(InvalidConfig, match="min_calls"):
        OutcomeModel.fit(seed_001_cdrs(), min_calls=0)
    with pytest.raises(InvalidInput, match="timezone"):
        OutcomeModel.fit(seed_001_cdrs(), timezone="Mars/Olympus")


outcomes = st.sampled_from(sorted(STATUS, key=lambda o: o.value))


@given(
    st.lists(
        st.tuples(st.integers(1, 6), st.integers(0, 24 * 7 - 1), outcomes, st.integers(0, 600)),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from([0.0, 1.0, 20.0]),
)
def test_any_calls_fit_a_valid_model(rows, smoothing) -> None:
    # Whatever the records, the fit is a valid model (its validators run) whose
    # chances lie in [0, 1] and sum to 1 in every slot, fitted on every call given.
    calls = [
        call(i, attempt, MONDAY + timedelta(hours=hour), outcome, seconds * outcome.connected)
        for i, (attempt, hour, outcome, seconds) in enumerate(rows)
    ]
    model = OutcomeModel.fit(calls, smoothing=smoothing, timezone="America/Mexico_City")
    assert model.fitted_calls == len(calls)
    for attempt in (1, 2, 7):
        for row in model.to_records("slot", attempt=attempt)[::13]:
            chances = [row[k] for k in OUTCOME_KINDS]
            assert all(0.0 <= p <= 1.0 for p in chances)
            assert sum(chances) == pytest.approx(1.0)
