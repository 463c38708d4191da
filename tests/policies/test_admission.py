"""`admit`: every time policy combined - schedule, contact window, compliance, pacing and
rotation - into one allowed/refused answer with a caller line or reasons and a retry time."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    CallerLine,
    CallingWindow,
    Channel,
    CompliancePolicy,
    Contact,
    InvalidInput,
    Outcome,
    PacingPolicy,
    RotationPolicy,
    Schedule,
)
from campaignkit.policies import (
    AbandonedCallCooldown,
    Admission,
    Attempt,
    ComplianceRule,
    ConversationCooldown,
    FrequencyCap,
    PacingState,
    QuietHours,
    RotationStrategy,
    admit,
    line_calls_today,
    record_line_call,
)
from campaignkit.statuses import LineStatus

from ..time_strategies import ZONES, calling_windows, oracle_open

MX = ZoneInfo("America/Mexico_City")
NY = ZoneInfo("America/New_York")
MIAMI = Contact(id="fl", phone="+13055550123")
JUAN = Contact(id="123", phone="+5215555551234", name="Juan Pérez")
BUSINESS = Schedule.business_hours()  # Mon-Fri 09:00-18:00, Mexico City
MONDAY_NOON = datetime(2026, 6, 1, 12, 0, tzinfo=MX)


def at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)  # type: ignore[arg-type,misc]


def lines(n: int = 2, **kwargs: object) -> list[CallerLine]:
    return [
        CallerLine(id=f"L{i}", number=f"+5255000000{i:02d}", **kwargs)  # type: ignore[arg-type]
        for i in range(1, n + 1)
    ]


# --------------------------------------------------------------------------- allowed


def test_allowed_with_a_caller_line() -> None:
    admission = admit(JUAN, MONDAY_NOON, schedule=BUSINESS, lines=lines())
    assert admission
    assert admission.allowed
    assert admission.line is not None
    assert admission.line.id == "L1"
    assert admission.refusals == ()
    assert admission.retry_at is None
    assert admission.zones == ("America/Mexico_City",)
    assert admit(JUAN, MONDAY_NOON, lines=lines(), previous_line_id="L1").line == lines()[1]


def test_without_lines_no_line_is_assigned_and_with_none_nothing_dials() -> None:
    assert admit(JUAN, MONDAY_NOON).line is None
    refused = admit(JUAN, MONDAY_NOON, lines=[])
    assert not refused
    assert refused.refusals[0].rule == "no-caller-line"
    assert refused.retry_at is None


def test_sticky_rotation_uses_the_contacts_line() -> None:
    contact = Contact(id="1", phone=JUAN.phone, line_id="L2")
    sticky = RotationPolicy(sticky=True)
    assert admit(contact, MONDAY_NOON, rotation=sticky, lines=lines()).line == lines()[1]
    assert admit(contact, MONDAY_NOON, lines=lines()).line == lines()[0]


def test_weighted_rotation_is_deterministic_and_needs_rng() -> None:
    weighted = RotationPolicy(strategy=RotationStrategy.WEIGHTED)

    def picks(seed: int) -> list[str]:
        rng = random.Random(seed)
        out = []
        for _ in range(20):
            line = admit(JUAN, MONDAY_NOON, rotation=weighted, lines=lines(3), rng=rng).line
            assert line is not None
            out.append(line.id)
        return out

    assert picks(1) == picks(1)
    with pytest.raises(InvalidInput, match="rng"):
        admit(JUAN, datetime(2026, 6, 6, 12, tzinfo=MX), rotation=weighted, lines=lines())


# --------------------------------------------------------------------------- refused


def test_closed_schedule_is_campaign_wide_with_the_next_opening() -> None:
    friday_evening = datetime(2026, 6, 5, 18, 0, tzinfo=MX)
    admission = admit(JUAN, friday_evening, schedule=BUSINESS, lines=lines())
    assert not admission
    (refusal,) = admission.refusals
    assert refusal.rule == "schedule-closed"
    assert admission.campaign_wide
    assert admission.retry_at == datetime(2026, 6, 8, 9, 0, tzinfo=MX)
    assert admission.campaign_retry_at == admission.retry_at
    assert "09:00-18:00" in admission.reasons[0]


def test_a_start_time_is_explained() -> None:
    schedule = Schedule(start_at=datetime(2026, 6, 2, 10, 0, tzinfo=MX))
    admission = admit(JUAN, MONDAY_NOON, schedule=schedule)
    assert admission.reasons == ("the campaign starts at 2026-06-02T16:00:00+00:00",)
    assert admission.retry_at == datetime(2026, 6, 2, 10, 0, tzinfo=MX)


def test_contact_window_in_the_callees_zone_is_contact_specific() -> None:
    schedule = Schedule(contact_windows=(CallingWindow(time(9), time(20)),))
    admission = admit(MIAMI, datetime(2026, 6, 1, 19, 30, tzinfo=MX), schedule=schedule)
    (refusal,) = admission.refusals
    assert refusal.rule == "contact-window"
    assert not admission.campaign_wide
    assert admission.campaign_retry_at is None
    assert "America/New_York" in refusal.reason
    assert admission.retry_at == at(NY, 2026, 6, 2, 9, 0)


def test_every_reason_is_reported_and_the_retry_satisfies_them_all() -> None:
    compliance = CompliancePolicy.combine(CompliancePolicy.tcpa(), CompliancePolicy.florida())
    history = [Attempt(at(NY, 2026, 6, 5, 9 + k, 0)) for k in range(3)]  # Friday 9, 10, 11 ET
    friday = datetime(2026, 6, 5, 18, 30, tzinfo=MX)  # 20:30 in Miami
    admission = admit(
        MIAMI, friday, schedule=BUSINESS, compliance=compliance, history=history, lines=lines()
    )
    assert {r.rule for r in admission.refusals} == {
        "quiet-hours",  # Florida FTSA: 08:00-20:00 in Miami
        "frequency-cap",  # Florida FTSA: 3 calls in 24 hours, until Saturday 09:00 ET
        "schedule-closed",  # the campaign: Mon-Fri 09:00-18:00 Mexico City
    }
    assert admission.retry_at == datetime(2026, 6, 8, 9, 0, tzinfo=MX)  # Monday, 11:00 in Miami
    assert admit(
        MIAMI,
        admission.retry_at,
        schedule=BUSINESS,
        compliance=compliance,
        history=history,
        lines=lines(),
    )


def test_a_retry_landing_outside_the_window_moves_to_the_next_opening() -> None:
    due = datetime(2026, 6, 5, 17, 59, 50, tzinfo=MX) + timedelta(minutes=30)  # retry delay
    admission = admit(JUAN, due, schedule=BUSINESS)
    assert admission.retry_at == datetime(2026, 6, 8, 9, 0, tzinfo=MX)  # not lost


def test_do_not_call_is_final() -> None:
    admission = admit(JUAN, MONDAY_NOON, do_not_call={JUAN.phone})
    assert admission.refusals[0].rule == "do-not-call"
    assert admission.retry_at is None
    assert not admission.campaign_wide


def test_pacing_interval_and_concurrency() -> None:
    pacing = PacingPolicy(call_interval=timedelta(seconds=30), max_concurrent_calls=1)
    state = PacingState().started(MONDAY_NOON)
    admission = admit(JUAN, MONDAY_NOON + timedelta(seconds=10), pacing=pacing, pacing_state=state)
    assert {r.rule for r in admission.refusals} == {"call-interval", "max-concurrent-calls"}
    assert admission.retry_at is None  # a slot frees only when a call ends
    admission = admit(
        JUAN, MONDAY_NOON + timedelta(seconds=10), pacing=pacing, pacing_state=state.ended()
    )
    assert admission.retry_at == MONDAY_NOON + timedelta(seconds=30)
    assert admission.campaign_retry_at == admission.retry_at


def test_whatsapp_daily_limit_waits_for_the_next_campaign_day() -> None:
    with pytest.warns(DeprecationWarning, match="WhatsAppSettings.daily_limit"):
        pacing = PacingPolicy(whatsapp_daily_limit=1)
    state = PacingState().started(MONDAY_NOON).ended()
    admission = admit(
        JUAN,
        MONDAY_NOON + timedelta(hours=1),
        pacing=pacing,
        pacing_state=state,
        channel=Channel.WHATSAPP,
    )
    assert admission.reasons[0].startswith("WhatsApp daily send limit reached: 1 of 1")
    assert admission.retry_at == datetime(2026, 6, 2, 0, 0, tzinfo=MX)


def test_lines_at_their_cap_wait_for_the_next_opening_on_a_new_day() -> None:
    capped = lines(2, calls_today=100, counted_on=date(2026, 6, 5))
    friday = datetime(2026, 6, 5, 12, 0, tzinfo=MX)
    admission = admit(JUAN, friday, schedule=BUSINESS, lines=capped)
    assert admission.refusals[0].rule == "no-caller-line"
    assert admission.retry_at == datetime(2026, 6, 8, 9, 0, tzinfo=MX)
    disabled = lines(2, status=LineStatus.DISABLED)
    assert admit(JUAN, friday, lines=disabled).retry_at is None


def test_bad_arguments() -> None:
    with pytest.raises(InvalidInput):
        admit(JUAN, datetime(2026, 6, 1, 12))
    with pytest.raises(InvalidInput, match="distinct"):
        admit(JUAN, MONDAY_NOON, lines=lines(1) * 2)
    with pytest.raises(InvalidInput):
        admit(JUAN, MONDAY_NOON, channel="call")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        admit("123", MONDAY_NOON)  # type: ignore[arg-type]


def test_admission_is_a_frozen_record() -> None:
    admission = admit(JUAN, MONDAY_NOON)
    assert isinstance(admission, Admission)
    with pytest.raises(AttributeError):
        admission.allowed = False  # type: ignore[misc]


# --------------------------------------------------------------------------- properties


@st.composite
def setups(draw: st.DrawFn) -> dict[str, object]:
    zone = draw(st.sampled_from(ZONES))
    schedule = Schedule(
        timezone=zone,
        windows=draw(calling_windows(max_size=2)),
        contact_windows=draw(st.just(()) | calling_windows(max_size=1)),
    )
    rules: list[ComplianceRule] = []
    if draw(st.booleans()):
        rules.append(QuietHours(windows=draw(calling_windows(max_size=1))))
    if draw(st.booleans()):
        rules.append(ConversationCooldown(timedelta(hours=draw(st.integers(1, 72)))))
    if draw(st.booleans()):
        rules.append(AbandonedCallCooldown(timedelta(hours=draw(st.integers(1, 72)))))
    if draw(st.booleans()):
        rules.append(
            FrequencyCap(draw(st.integers(1, 4)), timedelta(hours=draw(st.integers(1, 72))))
        )
    fleet = [
        CallerLine(
            id=f"L{i}",
            number=f"+5255000000{i:02d}",
            status=draw(st.sampled_from([LineStatus.ACTIVE] * 4 + list(LineStatus))),
            spam_score=draw(st.integers(0, 2) | st.integers(0, 9)),
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    return {
        "schedule": schedule,
        "compliance": CompliancePolicy(tuple(rules)),
        "rotation": RotationPolicy(
            strategy=draw(st.sampled_from(RotationStrategy)), spam_threshold=draw(st.integers(1, 9))
        ),
        "pacing": PacingPolicy(
            call_interval=timedelta(seconds=draw(st.sampled_from([5, 60, 1800]))),
            max_calls_per_number_per_day=draw(st.integers(1, 4)),
        ),
        "lines": fleet,
        "zones": tuple(draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True))),
        "do_not_call": frozenset({JUAN.phone}) if draw(st.integers(0, 9)) == 0 else frozenset(),
    }


START = datetime(2026, 3, 6, tzinfo=UTC)  # a week across the US and EU DST changes


@given(setups(), st.lists(st.integers(60, 6 * 3600), min_size=1, max_size=40), st.integers(0, 99))
def test_a_simulated_campaign_never_breaks_a_rule(
    setup: dict[str, object], steps: list[int], seed: int
) -> None:
    """Drive admit like the engine would, on one contact; check each placed call
    independently: inside every window, under every cap, allowed by compliance."""
    schedule = setup["schedule"]
    compliance = setup["compliance"]
    rotation = setup["rotation"]
    pacing = setup["pacing"]
    fleet = setup["lines"]
    zones = setup["zones"]
    do_not_call = setup["do_not_call"]
    assert isinstance(do_not_call, frozenset)
    assert isinstance(schedule, Schedule)
    assert isinstance(compliance, CompliancePolicy)
    assert isinstance(rotation, RotationPolicy)
    assert isinstance(pacing, PacingPolicy)
    assert isinstance(fleet, list)
    assert isinstance(zones, tuple)
    rng = random.Random(seed)
    state = PacingState()
    history: list[Attempt] = []
    placed: Counter[tuple[str, date]] = Counter()
    campaign_zone = ZoneInfo(schedule.timezone)
    now = START
    previous = None
    for step in steps:
        now += timedelta(seconds=step)
        admission = admit(
            JUAN,
            now,
            schedule=schedule,
            pacing=pacing,
            pacing_state=state,
            rotation=rotation,
            compliance=compliance,
            lines=fleet,
            history=history,
            previous_line_id=previous,
            rng=rng,
            zones=zones,
            do_not_call=do_not_call,
        )
        if not admission:
            assert admission.refusals
            if admission.retry_at is not None:
                assert admission.retry_at > now
                now = max(now, admission.retry_at - timedelta(seconds=step))
            continue
        line = admission.line
        assert line is not None
        # Every window holds, in the campaign's zone and in each of the contact's.
        assert oracle_open(schedule.windows, campaign_zone, now)
        for z in zones:
            if schedule.contact_windows:
                assert oracle_open(schedule.contact_windows, ZoneInfo(z), now)
        for rule in compliance.rules:
            if isinstance(rule, QuietHours):
                assert all(oracle_open(rule.windows, ZoneInfo(z), now) for z in zones)
            if isinstance(rule, FrequencyCap):
                assert sum(a.at > now - rule.period for a in history) < rule.max_calls
            if isinstance(rule, ConversationCooldown):
                talks = [a for a in history if a.outcome in rule.outcomes]
                assert all(now >= a.at + rule.period for a in talks)
            if isinstance(rule, AbandonedCallCooldown):
                assert all(now >= a.at + rule.period for a in history if a.abandoned)
        assert JUAN.phone not in do_not_call
        # Lines: usable, and never beyond the daily cap of the campaign's day.
        assert line.status is LineStatus.ACTIVE
        assert line.spam_score <= rotation.spam_threshold
        day = now.astimezone(campaign_zone).date()
        placed[line.id, day] += 1
        assert placed[line.id, day] <= pacing.max_calls_per_number_per_day
        assert history == [] or now - history[-1].at >= pacing.call_interval
        # Place the call.
        fleet = [
            record_line_call(x, now, timezone=schedule.timezone) if x.id == line.id else x
            for x in fleet
        ]
        assert (
            line_calls_today(
                next(x for x in fleet if x.id == line.id), now, timezone=schedule.timezone
            )
            == placed[line.id, day]
        )
        state = state.started(now, timezone=schedule.timezone).ended()
        outcome = rng.choice(list(Outcome))
        history.append(Attempt(now, outcome, abandoned=outcome is Outcome.NO_CONVERSATION))
        previous = line.id


@given(setups(), st.integers(0, 7 * 24 * 60), st.integers(0, 6))
def test_the_retry_time_is_admissible_and_nothing_earlier_is(
    setup: dict[str, object], minute: int, calls: int
) -> None:
    now = START + timedelta(minutes=minute)
    history = [Attempt(now - timedelta(hours=k + 1)) for k in range(calls)]
    kwargs = dict(setup, history=history, rng=random.Random(0))
    admission = admit(JUAN, now, **kwargs)  # type: ignore[arg-type]
    if admission or admission.retry_at is None:
        return
    retry = admission.retry_at
    assert retry > now
    assert admit(JUAN, retry, **kwargs)  # type: ignore[arg-type]
    for k in range(8):
        probe = now + (retry - now) * k / 8
        assert not admit(JUAN, probe, **kwargs)  # type: ignore[arg-type]
    assert not admit(JUAN, retry - timedelta(microseconds=1), **kwargs)  # type: ignore[arg-type]
