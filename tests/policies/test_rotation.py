"""Caller-ID rotation (itellico, seed 002): the four strategies, the spam threshold
(1-9, default 7) and auto-exclusion, disabled lines, daily caps, stickiness, and
determinism of the randomised strategy."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import CallerLine, InvalidConfig, InvalidInput, RotationPolicy
from campaignkit.policies import (
    Refusal,
    RotationStrategy,
    line_calls_today,
    record_line_call,
    spam_band,
)
from campaignkit.statuses import LineStatus

MX = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=MX)
TODAY = date(2026, 6, 1)


def line(id: str, **kwargs: object) -> CallerLine:
    return CallerLine(id=id, number=f"+52550000000{len(id)}", **kwargs)  # type: ignore[arg-type]


def three() -> list[CallerLine]:
    return [line("a"), line("b"), line("c")]


# --------------------------------------------------------------------------- settings


def test_seed_defaults() -> None:
    policy = RotationPolicy()
    assert policy.strategy is RotationStrategy.ROUND_ROBIN
    assert policy.spam_threshold == 7
    assert policy.sticky is False


@pytest.mark.parametrize(
    ("label", "strategy"),
    [
        ("Round Robin", RotationStrategy.ROUND_ROBIN),
        ("Lowest Spam", RotationStrategy.LOWEST_SPAM),
        ("Least Used Today", RotationStrategy.LEAST_USED_TODAY),
        ("Weighted", RotationStrategy.WEIGHTED),
        ("least-used-today", RotationStrategy.LEAST_USED_TODAY),
    ],
)
def test_itellico_strategy_labels(label: str, strategy: RotationStrategy) -> None:
    assert RotationPolicy(strategy=label).strategy is strategy
    assert strategy.label in {"Round Robin", "Lowest Spam", "Least Used Today", "Weighted"}


@pytest.mark.parametrize("threshold", range(1, 10))
def test_spam_threshold_accepts_1_to_9(threshold: int) -> None:
    assert RotationPolicy(spam_threshold=threshold).spam_threshold == threshold


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spam_threshold", 0),
        ("spam_threshold", 10),
        ("spam_threshold", 7.0),
        ("strategy", "Random"),
        ("strategy", 1),
        ("sticky", "yes"),
    ],
)
def test_bad_settings_raise_invalid_config(field: str, value: object) -> None:
    with pytest.raises(InvalidConfig) as info:
        RotationPolicy(**{field: value})  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "green"), (4, "green"), (5, "yellow"), (6, "yellow"), (7, "red"), (9, "red")],
)
def test_spam_bands(score: int, band: str) -> None:
    assert spam_band(score) == band


def test_spam_band_refuses_out_of_range() -> None:
    with pytest.raises(InvalidInput):
        spam_band(10)


# --------------------------------------------------------------------------- usability


def test_a_line_above_the_threshold_is_excluded_automatically() -> None:
    policy = RotationPolicy()
    assert policy.problem(line("a", spam_score=7), NOW) is None  # red, but not above 7
    assert "above the threshold 7" in str(policy.problem(line("a", spam_score=8), NOW))
    assert policy.refresh_status(line("a", spam_score=8)).status is LineStatus.EXCLUDED
    excluded = line("a", spam_score=3, status=LineStatus.EXCLUDED)
    assert policy.refresh_status(excluded).status is LineStatus.ACTIVE
    disabled = line("a", spam_score=9, status=LineStatus.DISABLED)
    assert policy.refresh_status(disabled) is disabled
    fine = line("a")
    assert policy.refresh_status(fine) is fine


def test_disabled_and_excluded_lines_are_never_used() -> None:
    policy = RotationPolicy()
    lines = [
        line("a", status=LineStatus.DISABLED),
        line("b", status=LineStatus.EXCLUDED),
        line("c"),
    ]
    for previous in (None, "a", "b", "c"):
        assert policy.select(lines, NOW, previous_line_id=previous) == lines[2]


def test_lines_at_their_daily_cap_are_skipped_until_the_next_day() -> None:
    policy = RotationPolicy()
    capped = line("a", calls_today=100, counted_on=TODAY)
    assert line_calls_today(capped, NOW) == 100
    assert policy.select([capped, line("b")], NOW) == line("b")
    refusal = policy.select([capped], NOW)
    assert isinstance(refusal, Refusal)
    assert refusal.rule == "no-caller-line"
    assert refusal.campaign_wide
    assert "daily cap (100 of 100" in refusal.reason
    assert refusal.retry_at == datetime(2026, 6, 2, 0, 0, tzinfo=MX)
    assert policy.select([capped], refusal.retry_at) == capped  # a new day: 0 calls today
    assert policy.select([capped], NOW, daily_cap=101) == capped


def test_yesterdays_count_is_zero_today() -> None:
    assert line_calls_today(line("a", calls_today=80, counted_on=date(2026, 5, 31)), NOW) == 0
    assert line_calls_today(line("a", calls_today=80), NOW) == 80  # no date: taken as today


def test_no_usable_line_is_explained() -> None:
    policy = RotationPolicy()
    lines = [line("a", status=LineStatus.DISABLED), line("b", spam_score=9)]
    refusal = policy.select(lines, NOW)
    assert isinstance(refusal, Refusal)
    assert refusal.retry_at is None  # waiting does not help: a person must act
    assert "line a is disabled" in refusal.reason
    assert "line b has spam score 9, above the threshold 7" in refusal.reason
    empty = policy.select([], NOW)
    assert isinstance(empty, Refusal)
    assert "no caller line" in empty.reason
    assert policy.unavailable([line("a")], NOW) is None


def test_duplicate_ids_and_missing_rng_are_refused() -> None:
    with pytest.raises(InvalidInput, match="distinct"):
        RotationPolicy().select([line("a"), line("a")], NOW)
    with pytest.raises(InvalidInput, match="rng"):
        RotationPolicy(strategy=RotationStrategy.WEIGHTED).select(three(), NOW)
    with pytest.raises(InvalidConfig):
        RotationPolicy().select(three(), NOW, daily_cap=0)


# --------------------------------------------------------------------------- strategies


def test_round_robin_continues_after_the_previous_line() -> None:
    policy = RotationPolicy()
    lines = three()
    order = []
    previous = None
    for _ in range(6):
        chosen = policy.select(lines, NOW, previous_line_id=previous)
        assert isinstance(chosen, CallerLine)
        order.append(chosen.id)
        previous = chosen.id
    assert order == ["a", "b", "c", "a", "b", "c"]
    assert policy.select(lines, NOW, previous_line_id="gone") == lines[0]


def test_round_robin_skips_unusable_lines() -> None:
    lines = [line("a"), line("b", status=LineStatus.DISABLED), line("c")]
    assert RotationPolicy().select(lines, NOW, previous_line_id="a") == lines[2]
    assert RotationPolicy().select(lines, NOW, previous_line_id="c") == lines[0]


def test_lowest_spam() -> None:
    policy = RotationPolicy(strategy=RotationStrategy.LOWEST_SPAM)
    lines = [
        line("a", spam_score=5),
        line("b", spam_score=2),
        line("c", spam_score=2, calls_today=0),
    ]
    lines[1] = line("b", spam_score=2, calls_today=3, counted_on=TODAY)
    assert policy.select(lines, NOW) == lines[2]  # tie on score: fewer calls today


def test_least_used_today() -> None:
    policy = RotationPolicy(strategy=RotationStrategy.LEAST_USED_TODAY)
    lines = [
        line("a", calls_today=5, counted_on=TODAY),
        line("b", calls_today=2, counted_on=TODAY),
        line("c", calls_today=90, counted_on=date(2026, 5, 31)),  # yesterday's count
    ]
    assert policy.select(lines, NOW) == lines[2]


def test_weighted_is_deterministic_per_seed_and_follows_weights() -> None:
    policy = RotationPolicy(strategy=RotationStrategy.WEIGHTED)
    lines = [line("a", weight=1), line("b", weight=3)]

    def run(seed: int) -> list[str]:
        rng = random.Random(seed)
        out = []
        for _ in range(400):
            chosen = policy.select(lines, NOW, rng=rng)
            assert isinstance(chosen, CallerLine)
            out.append(chosen.id)
        return out

    assert run(7) == run(7)
    assert run(7) != run(8)
    counts = Counter(run(7))
    assert 250 <= counts["b"] <= 350  # about 3/4 of 400


def test_stickiness_keeps_the_contact_on_its_line_while_usable() -> None:
    sticky = RotationPolicy(sticky=True)
    lines = three()
    assert sticky.select(lines, NOW, previous_line_id="a", sticky_line_id="c") == lines[2]
    assert RotationPolicy().select(lines, NOW, previous_line_id="a", sticky_line_id="c") == lines[1]
    lines[2] = line("c", status=LineStatus.DISABLED)
    assert sticky.select(lines, NOW, previous_line_id="a", sticky_line_id="c") == lines[1]


def test_a_single_line_is_used_whatever_the_strategy() -> None:
    only = [line("a", spam_score=4)]
    for strategy in RotationStrategy:
        policy = RotationPolicy(strategy=strategy)
        assert policy.select(only, NOW, rng=random.Random(0)) == only[0]


# --------------------------------------------------------------------------- counting


def test_record_line_call_counts_on_the_campaign_day() -> None:
    a = record_line_call(line("a"), datetime(2026, 6, 1, 23, 30, tzinfo=MX))
    assert (a.calls_today, a.counted_on, a.total_calls) == (1, TODAY, 1)
    b = record_line_call(a, datetime(2026, 6, 2, 0, 30, tzinfo=MX))
    assert (b.calls_today, b.counted_on, b.total_calls) == (1, date(2026, 6, 2), 2)
    c = record_line_call(b, datetime(2026, 6, 2, 6, 0, tzinfo=UTC), timezone="Asia/Kolkata")
    assert (c.calls_today, c.counted_on) == (2, date(2026, 6, 2))


# --------------------------------------------------------------------------- properties


@st.composite
def fleets(draw: st.DrawFn) -> list[CallerLine]:
    n = draw(st.integers(1, 5))
    return [
        CallerLine(
            id=f"L{i}",
            number=f"+5255000000{i:02d}",
            status=draw(st.sampled_from(LineStatus)),
            spam_score=draw(st.integers(0, 9)),
            calls_today=draw(st.integers(0, 12)),
            counted_on=draw(st.sampled_from([None, TODAY, date(2026, 5, 31)])),
            weight=draw(st.integers(1, 5)),
        )
        for i in range(n)
    ]


policies = st.builds(
    RotationPolicy,
    strategy=st.sampled_from(RotationStrategy),
    spam_threshold=st.integers(1, 9),
    sticky=st.booleans(),
)


@given(
    policies,
    fleets(),
    st.integers(1, 15),
    st.lists(st.integers(0, 3 * 3600), min_size=1, max_size=60),
    st.integers(0, 2**32),
)
def test_caps_are_never_exceeded_and_unusable_lines_never_used(
    policy: RotationPolicy,
    lines: list[CallerLine],
    cap: int,
    steps: list[int],
    seed: int,
) -> None:
    rng = random.Random(seed)
    now = datetime(2026, 6, 1, 8, 0, tzinfo=MX)
    previous = None
    # Calls per (line, campaign day), seeded with what the lines already count today.
    placed: Counter[tuple[str, date]] = Counter()
    for x in lines:
        placed[x.id, now.astimezone(MX).date()] = line_calls_today(x, now)
    for step in steps:
        now += timedelta(seconds=step)
        chosen = policy.select(lines, now, daily_cap=cap, previous_line_id=previous, rng=rng)
        if isinstance(chosen, Refusal):
            assert not policy.usable(lines, now, daily_cap=cap)
            continue
        assert chosen.status is LineStatus.ACTIVE
        assert chosen.spam_score <= policy.spam_threshold
        day = now.astimezone(MX).date()
        assert line_calls_today(chosen, now) < cap
        placed[chosen.id, day] += 1
        assert placed[chosen.id, day] <= max(cap, 0)
        lines = [record_line_call(x, now) if x.id == chosen.id else x for x in lines]
        previous = chosen.id


@given(policies, fleets(), st.integers(0, 2**32))
def test_selection_is_deterministic_for_a_seed(
    policy: RotationPolicy, lines: list[CallerLine], seed: int
) -> None:
    first = [policy.select(lines, NOW, rng=random.Random(seed)) for _ in range(3)]
    assert first[0] == first[1] == first[2]
