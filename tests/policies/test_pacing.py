"""Pacing: itellico's call interval and ring timeout lists, the per-number daily cap
range and default (seed 002), Altur's WhatsApp daily send limit (seed 004), concurrency,
and "today" in the campaign's time zone."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import Channel, InvalidConfig, InvalidInput, PacingPolicy
from campaignkit.policies import CALL_INTERVAL_CHOICES, RING_TIMEOUT_CHOICES, PacingState

MX = ZoneInfo("America/Mexico_City")
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)


def test_seed_002_call_interval_choices() -> None:
    assert CALL_INTERVAL_CHOICES == (
        5 * S,
        10 * S,
        20 * S,
        30 * S,
        1 * MIN,
        2 * MIN,
        5 * MIN,
        10 * MIN,
        20 * MIN,
        30 * MIN,
    )
    for interval in CALL_INTERVAL_CHOICES:
        assert PacingPolicy(call_interval=interval).call_interval == interval


def test_seed_002_ring_timeout_choices() -> None:
    assert tuple(s * S for s in (10, 15, 20, 25, 30, 45, 60)) == RING_TIMEOUT_CHOICES
    for timeout in RING_TIMEOUT_CHOICES:
        assert PacingPolicy(ring_timeout=timeout).ring_timeout == timeout


def test_defaults() -> None:
    policy = PacingPolicy()
    assert policy.max_calls_per_number_per_day == 100  # seed 002 default
    assert policy.call_interval in CALL_INTERVAL_CHOICES
    assert policy.ring_timeout in RING_TIMEOUT_CHOICES
    assert policy.whatsapp_daily_limit is None
    assert policy.max_concurrent_calls is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("call_interval", 4 * S),
        ("call_interval", 30 * MIN + S),
        ("call_interval", 30),
        ("ring_timeout", 9 * S),
        ("ring_timeout", 61 * S),
        ("ring_timeout", None),
        ("max_calls_per_number_per_day", 0),
        ("max_calls_per_number_per_day", 1001),
        ("max_calls_per_number_per_day", 50.0),
        ("max_calls_per_number_per_day", True),
        ("whatsapp_daily_limit", 0),
        ("whatsapp_daily_limit", "100"),
        ("max_concurrent_calls", 0),
    ],
)
def test_out_of_range_values_raise_invalid_config(field: str, value: object) -> None:
    with pytest.raises(InvalidConfig) as info:
        PacingPolicy(**{field: value})  # type: ignore[arg-type]
    assert info.value.field == field
    assert info.value.value == value


@pytest.mark.parametrize("cap", [1, 100, 1000])
def test_daily_cap_range_ends_are_accepted(cap: int) -> None:
    assert PacingPolicy(max_calls_per_number_per_day=cap).max_calls_per_number_per_day == cap


def test_call_interval_spaces_call_starts() -> None:
    policy = PacingPolicy(call_interval=30 * S)
    start = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    state = PacingState().started(start)
    (refusal,) = policy.check(state, start + 10 * S)
    assert refusal.rule == "call-interval"
    assert refusal.campaign_wide
    assert refusal.retry_at == start + 30 * S
    assert policy.check(state, start + 30 * S) == ()


def test_concurrency_cap_lifts_when_a_call_ends() -> None:
    policy = PacingPolicy(call_interval=5 * S, max_concurrent_calls=2)
    now = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    state = PacingState().started(now).started(now + 5 * S)
    assert state.in_flight == 2
    (refusal,) = policy.check(state, now + MIN)
    assert refusal.rule == "max-concurrent-calls"
    assert refusal.retry_at is None
    assert policy.check(state.ended(), now + MIN) == ()
    assert PacingState().ended().in_flight == 0


def _deprecated(limit: int) -> PacingPolicy:
    """A policy with the deprecated WhatsApp daily limit (issue 18: its home is
    WhatsAppSettings.daily_limit); it still applies for one release, with a warning."""
    with pytest.warns(DeprecationWarning, match=r"WhatsAppSettings\.daily_limit"):
        return PacingPolicy(whatsapp_daily_limit=limit)


def test_whatsapp_daily_send_limit_resets_at_campaign_midnight() -> None:
    policy = _deprecated(2)
    evening = datetime(2026, 6, 1, 23, 0, tzinfo=MX)  # 05:00 UTC on June 2nd
    state = PacingState().started(evening).started(evening + MIN)
    assert state.counted_on == date(2026, 6, 1)  # the campaign's day, not UTC's
    (refusal,) = policy.check(state, evening + 2 * MIN, channel=Channel.WHATSAPP)
    assert refusal.rule == "daily-send-limit"
    assert refusal.retry_at == datetime(2026, 6, 2, 0, 0, tzinfo=MX)
    assert (
        policy.check(state, datetime(2026, 6, 2, 0, 0, tzinfo=MX), channel=Channel.WHATSAPP) == ()
    )
    # The call interval does not apply to messages, and the limit not to calls.
    assert policy.check(state, evening + 2 * MIN, channel=Channel.CALL) == ()


def test_a_counter_without_a_date_counts_as_today() -> None:
    policy = _deprecated(5)
    state = PacingState(sent_today=5)
    assert policy.check(state, datetime(2026, 6, 1, tzinfo=UTC), channel=Channel.WHATSAPP)


def test_today_follows_the_given_time_zone() -> None:
    now = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)
    assert PacingState().started(now, timezone="Asia/Kolkata").counted_on == date(2026, 6, 2)
    assert PacingState().started(now).counted_on == date(2026, 6, 1)  # Mexico City


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInput):
        PacingPolicy().check(PacingState(), datetime(2026, 6, 1))
    with pytest.raises(InvalidInput):
        PacingPolicy().check("state", datetime(2026, 6, 1, tzinfo=UTC))  # type: ignore[arg-type]
    with pytest.raises(InvalidConfig):
        PacingState().started(datetime(2026, 6, 1, tzinfo=UTC), timezone="Nowhere")
    with pytest.raises(InvalidInput):
        PacingState(in_flight=-1)


@given(
    limit=st.integers(1, 20),
    steps=st.lists(st.integers(0, 6 * 3600), min_size=1, max_size=150),
    zone=st.sampled_from(["America/Mexico_City", "Asia/Kolkata", "Australia/Lord_Howe"]),
)
def test_the_whatsapp_daily_limit_is_never_exceeded(
    limit: int, steps: list[int], zone: str
) -> None:
    policy = _deprecated(limit)
    state = PacingState()
    now = datetime(2026, 3, 30, tzinfo=UTC)
    sent: dict[date, int] = {}
    for step in steps:
        now += timedelta(seconds=step)
        if policy.check(state, now, channel=Channel.WHATSAPP, timezone=zone):
            continue
        state = state.started(now, timezone=zone).ended()
        day = now.astimezone(ZoneInfo(zone)).date()
        sent[day] = sent.get(day, 0) + 1
        assert sent[day] <= limit


@given(
    interval=st.sampled_from(CALL_INTERVAL_CHOICES),
    steps=st.lists(st.integers(0, 120), min_size=1, max_size=100),
)
def test_admitted_call_starts_are_never_closer_than_the_interval(
    interval: timedelta, steps: list[int]
) -> None:
    policy = PacingPolicy(call_interval=interval)
    state = PacingState()
    now = datetime(2026, 6, 1, tzinfo=UTC)
    starts: list[datetime] = []
    for step in steps:
        now += timedelta(seconds=step)
        refusals = policy.check(state, now)
        if refusals:
            assert all(r.retry_at is not None and r.retry_at > now for r in refusals)
            continue
        state = state.started(now).ended()
        starts.append(now)
    assert all(b - a >= interval for a, b in itertools.pairwise(starts))


# ----------------------------------------------------------------------------- one daily limit


def test_the_whatsapp_daily_limit_on_pacing_is_deprecated() -> None:
    # issue 18 item 2: one setting for the WhatsApp daily limit - WhatsAppSettings.daily_limit
    assert PacingPolicy().whatsapp_daily_limit is None  # no warning without it
    policy = _deprecated(3)
    assert policy.whatsapp_daily_limit == 3  # still works for one release
    data = PacingPolicy().to_dict()
    assert data["whatsapp_daily_limit"] is None  # the stored shape is kept for one release
    assert PacingPolicy.from_dict(data) == PacingPolicy()


def test_stored_pacing_with_the_old_key_still_loads() -> None:
    base = PacingPolicy().to_dict()
    without = {k: v for k, v in base.items() if k != "whatsapp_daily_limit"}
    assert PacingPolicy.from_dict(without) == PacingPolicy()
    with pytest.warns(DeprecationWarning, match="daily_limit"):
        old = PacingPolicy.from_dict({**base, "whatsapp_daily_limit": 7})
    assert old.whatsapp_daily_limit == 7
    with pytest.warns(DeprecationWarning, match="daily_limit"):
        assert PacingPolicy.from_dict(old.to_dict()) == old
    with pytest.raises(InvalidInput, match="pacing must be a mapping"):
        PacingPolicy.from_dict({**base, "daily_limit": 7})


@given(st.none() | st.integers(1, 50), st.none() | st.integers(1, 50))
def test_one_effective_daily_limit(new: int | None, old: int | None) -> None:
    from campaignkit import MessageTemplate, WhatsAppSettings
    from campaignkit.policies.messaging import effective_daily_limit

    settings = WhatsAppSettings([MessageTemplate("hello")], daily_limit=new)
    pacing = PacingPolicy() if old is None else _deprecated(old)
    if new is not None and old is not None and new != old:
        with pytest.raises(InvalidConfig) as info:
            effective_daily_limit(settings, pacing)
        assert info.value.field == "pacing.whatsapp_daily_limit"
        assert info.value.value == old
    else:
        assert effective_daily_limit(settings, pacing) == (new if new is not None else old)
    assert effective_daily_limit(settings) == new
