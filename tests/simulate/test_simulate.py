"""The simulator's outcome model: calibrated to seed 001, deterministic, validated."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import Contact, ContactStatus, InvalidConfig, Outcome, RetryPolicy
from campaignkit.simulate import OutcomeDraw, OutcomeModel, compare, simulate

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


# --------------------------------------------------------------------------- runs

START = datetime(2026, 6, 1, 9, tzinfo=MX)
PEOPLE = [Contact(id=f"c{i}", phone=f"+52155{i:08d}") for i in range(600)]
EXOTEL_2 = RetryPolicy.exotel(2, on_status=("busy", "no-answer", "failed"))


def test_same_seed_same_run_and_different_seed_different_run() -> None:
    first = simulate(PEOPLE, start=START, retry=EXOTEL_2, seed=7)
    again = simulate(PEOPLE, start=START, retry=EXOTEL_2, seed=7)
    other = simulate(PEOPLE, start=START, retry=EXOTEL_2, seed=8)
    assert first.calls == again.calls
    assert first.contacts == again.contacts
    assert first.calls != other.calls


def test_a_run_goes_through_the_engine_and_respects_the_policy() -> None:
    result = simulate(PEOPLE, start=START, retry=EXOTEL_2, seed=3)
    assert result.finished
    assert len(result.contacts) == len(PEOPLE)
    # Every contact settled, never more than 1 + 2 attempts, and the engine's
    # attempt counters agree with the calls the simulator saw.
    per_contact: dict[str, int] = {}
    for call in result.calls:
        per_contact[call.contact_id] = per_contact.get(call.contact_id, 0) + 1
    for contact in result.contacts:
        assert contact.status is not ContactStatus.QUEUED
        assert contact.attempts == per_contact[contact.id] <= 3
        assert contact.next_attempt_at is None
    assert result.stats.calls == len(result.calls)
    assert result.cost == result.stats.cost(result.billing) > Decimal(0)
    assert result.ended_at > result.started_at


def test_retry_table_matches_the_seed_shape() -> None:
    table = simulate(PEOPLE * 1, start=START, retry=EXOTEL_2, seed=1).stats.retry_effectiveness()
    rates = [row.connect_rate for row in table.rows[:3]]
    assert rates[0] == pytest.approx(0.60, abs=0.06)
    assert rates[1] == pytest.approx(0.25, abs=0.08)
    assert rates[2] == pytest.approx(0.17, abs=0.08)


class AlwaysBusy:
    """A user-supplied outcome model: nobody ever picks up."""

    def draw(self, rng: random.Random, *, attempt: int, local_time: datetime) -> OutcomeDraw:
        return OutcomeDraw(Outcome.BUSY, 0, None, 2)


def test_custom_models_plug_in() -> None:
    result = simulate(PEOPLE[:50], start=START, retry=EXOTEL_2, model=AlwaysBusy())
    assert {c.result for c in result.calls} == {Outcome.BUSY}
    assert len(result.calls) == 50 * 3
    assert result.stats.connect_rate == 0.0


def test_compare_uses_the_same_draws_for_every_policy() -> None:
    table = compare(
        {"no retry": RetryPolicy.exotel(0), "2 retries": EXOTEL_2},
        PEOPLE[:300],
        start=START,
        seeds=(0, 1),
    )
    rows = {row["policy"]: row for row in table.to_records()}
    # Common random numbers: the first attempts are identical, so retries can only add.
    assert rows["2 retries"]["connect_rate"] > rows["no retry"]["connect_rate"]
    assert rows["no retry"]["calls"] == 300
    assert "Policy comparison" in repr(table)
    assert "<table" in table._repr_html_()


def test_bad_arguments() -> None:
    with pytest.raises(InvalidConfig, match="max_concurrent"):
        simulate(PEOPLE[:1], start=START, max_concurrent=0)
    with pytest.raises(InvalidConfig, match="policies"):
        compare({}, PEOPLE[:1], start=START)


def test_simulated_calls_pass_the_validators() -> None:
    # The simulator builds calls without re-validating; rebuilding them from plain
    # data runs every validator and must give the same records.
    result = simulate(PEOPLE[:100], start=START, retry=EXOTEL_2, seed=5)
    for call in result.calls:
        assert type(call).from_dict(call.to_dict()) == call


def test_a_campaign_with_no_caller_lines_is_stuck_not_finished() -> None:
    # issue 14 item 16: lines=[] (demo --lines 0) dials nobody; that is not "settled"
    run = simulate(PEOPLE[:20], start=START, runner_options={"lines": []}, seed=1)
    assert not run.finished
    assert run.stuck
    assert run.unsettled == 20
    assert run.calls == ()
    assert run.blocked, "the runner's reasons travel with the result"
    assert run.status.startswith("stuck with 20 contacts unsettled: ")
    assert run.blocked[0].reason in run.status
    assert run.summary()["stuck"] is True


def test_a_settled_run_is_finished_and_drains_the_outbox() -> None:
    run = simulate(PEOPLE[:50], start=START, retry=EXOTEL_2, seed=2)
    assert run.finished
    assert not run.stuck
    assert run.blocked == ()
    assert run.status == "all contacts settled"
    assert run.unsettled == 0
    # every call reported a status: the notifications were drained as they came
    assert run.notifications >= len(run.calls)


def test_a_run_cut_by_the_horizon_is_neither() -> None:
    run = simulate(PEOPLE[:50], start=START, retry=EXOTEL_2, seed=2, horizon=timedelta(minutes=1))
    assert not run.finished
    assert not run.stuck
    assert run.status.startswith("horizon reached with ")


def test_figures_the_simulation_does_not_model_are_unknown() -> None:
    # issue 13 item 4: conversion, extracted data and abandonment are not 0.0%
    stats = simulate(PEOPLE[:30], start=START, seed=3).stats
    assert stats.conversion_rate is None
    assert stats.extracted_rate is None
    assert stats.abandonment_rate is None
    assert set(stats.unknown) == {"conversion_rate", "extracted_rate", "abandonment_rate"}
    summary = stats.summary()
    assert dict(summary.notes)["conversion_rate"].startswith("the simulation does not model")
    assert "conversion_rate: unknown (-)" in repr(summary)


def test_simulated_retry_table_stays_below_the_connect_rate() -> None:
    # issue 13: the Altur preset retries voicemail; the retry table counts contacts, so its
    # total can never pass the share of contacts reached (it showed 74.2% against 60.25%)
    run = simulate(PEOPLE[:200], start=START, retry=RetryPolicy.altur(), seed=4)
    table = run.stats.retry_effectiveness()
    reached = {c.contact_id for c in run.calls if c.result is not None and c.result.connected}
    assert table.total.connected == len(reached)
    assert table.total.contacts == len({c.contact_id for c in run.calls})
    assert all(0.0 <= r.connect_rate <= 1.0 for r in (*table.rows, table.total))


# --------------------------------------------------------------------------- intervals


POLICIES = {"no retry": RetryPolicy.exotel(0), "2 retries": EXOTEL_2}


@pytest.fixture(scope="module")
def over_seeds():
    return compare(POLICIES, PEOPLE[:150], start=START, seeds=(0, 1, 2, 3))


def test_each_figure_has_a_mean_and_a_90_percent_range(over_seeds) -> None:
    for name in over_seeds.policies:
        runs = dict(over_seeds.runs)[name]
        assert len(runs) == 4
        values = sorted(run["connect_rate"] for run in runs)
        span = over_seeds.interval(name)
        assert values[0] <= span.low <= span.mean <= span.high <= values[-1]
        assert span.mean == pytest.approx(sum(values) / 4)
    record = over_seeds.to_records()[1]
    assert record["connect_rate_low"] <= record["connect_rate"] <= record["connect_rate_high"]
    assert isinstance(record["cost_low"], Decimal)


def test_a_clear_difference_is_beyond_noise_and_a_policy_against_itself_within(
    over_seeds,
) -> None:
    gain = over_seeds.difference("2 retries", "no retry")
    assert gain.interval.low > 0  # common random numbers: retries only add connects
    assert gain.within_noise is False
    same = over_seeds.difference("no retry", "no retry", "cost")
    assert same.within_noise is True
    assert same.interval.mean == 0
    assert "beyond noise" in repr(over_seeds)
    one_seed = compare(POLICIES, PEOPLE[:20], start=START, seeds=(0,))
    assert one_seed.difference("2 retries", "no retry").within_noise is None


def test_noise_between_near_identical_policies() -> None:
    # With flat hour and weekday weights the model's chances do not depend on when a
    # retry is placed, so retrying after 2 or after 3 hours reaches the same people
    # (the same draws): no difference beyond noise. Under the default model the later
    # retry lands in other hours, and that difference is real (-1.3 points here).
    flat = OutcomeModel(hour_weights=(1.0,) * 24, weekday_weights=(1.0,) * 7)
    a = RetryPolicy.exotel(2, interval_mins=120, on_status=("busy", "no-answer", "failed"))
    b = RetryPolicy.exotel(2, interval_mins=180, on_status=("busy", "no-answer", "failed"))
    people = PEOPLE[:150]
    table = compare({"2 h": a, "3 h": b}, people, start=START, seeds=(0, 1, 2), model=flat)
    assert table.difference("3 h", "2 h").within_noise is True
    shaped = compare({"2 h": a, "3 h": b}, people, start=START, seeds=(0, 1, 2, 3, 4))
    assert shaped.difference("3 h", "2 h").within_noise is False


def test_processes_and_dask_give_the_same_table(over_seeds) -> None:
    pooled = compare(POLICIES, PEOPLE[:150], start=START, seeds=(0, 1, 2, 3), workers=2)
    assert pooled.overview() == over_seeds.overview()
    pytest.importorskip("dask")
    on_dask = compare(
        POLICIES, PEOPLE[:150], start=START, seeds=(0, 1, 2, 3), scheduler="synchronous"
    )
    assert on_dask.overview() == over_seeds.overview()


def test_bad_comparison_options(over_seeds) -> None:
    with pytest.raises(InvalidConfig, match="workers"):
        compare(POLICIES, PEOPLE[:5], start=START, workers=0)
    with pytest.raises(InvalidConfig, match="progress"):
        compare(POLICIES, PEOPLE[:5], start=START, workers=2, progress=print)
    with pytest.raises(InvalidConfig, match="figure"):
        over_seeds.interval("no retry", "happiness")
    with pytest.raises(KeyError):
        over_seeds.interval("5 retries")


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_intervals_hold_the_mean_and_lie_within_the_runs(values) -> None:
    from campaignkit.simulate import Comparison

    runs = tuple({"connect_rate": v} for v in values)
    table = Comparison(
        rows=({"policy": "p"},), seeds=tuple(range(len(values))), runs=(("p", runs),)
    )
    span = table.interval("p")
    assert min(values) - 1e-12 <= span.low <= span.high <= max(values) + 1e-12
    assert span.mean == pytest.approx(sum(values) / len(values))


def test_to_dict_on_a_run_and_a_comparison_is_a_deprecated_overview(over_seeds) -> None:
    # issue 18 item 5: to_dict is a record's reversible JSON form; a run and a comparison
    # have none, so their plain-data view is overview() and to_dict warns
    run = simulate(PEOPLE[:20], start=START, retry=POLICIES["no retry"], seed=1)
    with pytest.warns(DeprecationWarning, match="use overview"):
        assert run.to_dict() == run.overview()
    assert run.overview()["calls"] == len(run.calls)
    with pytest.warns(DeprecationWarning, match="use overview"):
        assert over_seeds.to_dict() == over_seeds.overview()
    assert over_seeds.overview()["seeds"] == list(over_seeds.seeds)


def test_simulation_records_are_typed_columns(over_seeds) -> None:
    # issue 18 item 5: to_records rows pandas reads as typed columns
    pd = pytest.importorskip("pandas")
    run = simulate(PEOPLE[:30], start=START, retry=EXOTEL_2, seed=4)
    calls = pd.DataFrame(run.to_records())
    for column in ("attempt", "duration"):
        assert pd.api.types.is_numeric_dtype(calls[column]), column
    for column in ("created_at", "ended_at"):
        assert pd.api.types.is_datetime64_any_dtype(calls[column]), column
    assert {type(cost) for cost in calls["cost"]} == {Decimal}  # exact money, one type
    rows = pd.DataFrame(over_seeds.to_records())
    for column in ("contacts", "calls", "connect_rate", "connect_rate_low", "elapsed_hours"):
        assert pd.api.types.is_numeric_dtype(rows[column]), column
    assert rows["finished"].dtype == bool
    model = pd.DataFrame(OutcomeModel().to_records("slot"))
    assert all(pd.api.types.is_numeric_dtype(model[c]) for c in model.columns if c != "weekday")
