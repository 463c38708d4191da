"""RetryPolicy: the seeds' retry rules, ranges and defaults, spacing, and its caps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import MO, relativedelta
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    Call,
    CallStatus,
    CampaignkitError,
    Contact,
    ContactStatus,
    InvalidConfig,
    InvalidInput,
    Outcome,
    RetryPolicy,
)
from campaignkit.engine import apply_call, dial
from campaignkit.policies import CampaignRules, RetryCounter, RetryRule, Schedule, Spacing
from campaignkit.policies.retry import MAX_WAIT, Wait, add_wait, as_duration, longest_span

from ..engine_strategies import T0, retry_policies, vendor_policies
from ..seed_vocabulary import ALTUR_CONTACT_STATUS, EXOTEL_CALL_STATUS, EXOTEL_CATEGORY

MIN = timedelta(minutes=1)
_CALENDAR_OK = "a timedelta from 0 to 366 days or a calendar relativedelta"
_END_STATUS = {
    Outcome.BUSY: CallStatus.BUSY,
    Outcome.NO_ANSWER: CallStatus.NO_ANSWER,
    Outcome.FAILED: CallStatus.FAILED,
    Outcome.CANCELLED: CallStatus.CANCELLED,
    Outcome.REJECTED: CallStatus.FAILED,
}


def _contact(**changes: object) -> Contact:
    return attrs.evolve(Contact(id="1", phone="+5215555551234"), **changes)


def _attempt(contact: Contact, outcome: Outcome, policy: RetryPolicy) -> Contact:
    """Dial ``contact`` and end the call with ``outcome``; the contact afterwards."""
    placed = dial(contact, now=T0)
    call = Call(
        id=f"CA{placed.attempt}",
        contact_id=contact.id,
        to=contact.phone,
        attempt=placed.attempt,
        status=_END_STATUS.get(outcome, CallStatus.COMPLETED),
        outcome=outcome,
    )
    settled, _ = apply_call(placed.contact, call, policy, now=T0)
    return settled


# --------------------------------------------------------------------------- Altur (seed 000)


def test_altur_voicemail_goes_retrying_then_queue_while_retries_below_the_limit() -> None:
    policy = RetryPolicy.altur(2)
    contact = _attempt(_contact(), Outcome.VOICEMAIL, policy)
    assert contact.status is ContactStatus.RETRYING
    assert contact.retries == 1
    assert contact.next_attempt_at == T0  # Altur documents no wait: attempted again
    # "the contact will be attempted again": retrying -> queue -> dialing
    again = dial(contact, now=T0).contact
    assert again.status is ContactStatus.DIALING
    contact = _attempt(contact, Outcome.VOICEMAIL, policy)
    assert (contact.status, contact.retries) == (ContactStatus.RETRYING, 2)
    # retries == limit: "the status remains as final"
    contact = _attempt(contact, Outcome.VOICEMAIL, policy)
    assert (contact.status, contact.retries) == (ContactStatus.VOICEMAIL, 2)
    assert contact.next_attempt_at is None
    assert contact.attempts == 3


def test_altur_failed_returns_to_queue_once_by_default() -> None:
    policy = RetryPolicy.altur()
    assert policy.max_failed_retries == 1  # "typically 1"
    contact = _attempt(_contact(), Outcome.FAILED, policy)
    assert contact.status is ContactStatus.QUEUED  # straight back, not retrying
    assert (contact.retries, contact.failed_retries) == (0, 1)
    contact = _attempt(contact, Outcome.FAILED, policy)
    assert contact.status is ContactStatus.FAILED
    assert contact.next_attempt_at is None


@pytest.mark.parametrize("legacy", ["no-answer", "busy", "unreachable"])
def test_altur_legacy_labels_count_as_failed(legacy: str) -> None:
    # The legacy labels map to failed (seed 000); their outcomes spend failed_retries.
    assert ALTUR_CONTACT_STATUS[legacy] is ContactStatus.FAILED
    outcome = {"no-answer": Outcome.NO_ANSWER, "busy": Outcome.BUSY}.get(legacy, Outcome.FAILED)
    assert outcome.contact_status is ContactStatus.FAILED
    rule = RetryPolicy.altur().rule(outcome)
    assert rule.retry
    assert rule.counter is RetryCounter.FAILED_RETRIES


def test_altur_counters_are_separate() -> None:
    policy = RetryPolicy.altur(1, failed_retries=1)
    contact = _attempt(_contact(), Outcome.BUSY, policy)
    contact = _attempt(contact, Outcome.VOICEMAIL, policy)
    assert (contact.status, contact.retries, contact.failed_retries) == (
        ContactStatus.RETRYING,
        1,
        1,
    )
    contact = _attempt(contact, Outcome.NO_ANSWER, policy)  # failed limit reached
    assert contact.status is ContactStatus.FAILED
    assert contact.attempts == 3


def test_altur_answered_is_not_retried() -> None:
    policy = RetryPolicy.altur()
    for outcome in (Outcome.HUMAN_CONVERSATION, Outcome.HUNG_UP, Outcome.CALLBACK_REQUESTED):
        assert policy.decide(_contact(attempts=1), outcome) is None


def test_altur_preset_validates_its_arguments() -> None:
    with pytest.raises(InvalidConfig, match="retries must be an integer from 0 to 100; got -1"):
        RetryPolicy.altur(-1)
    with pytest.raises(InvalidConfig, match="failed_retries"):
        RetryPolicy.altur(failed_retries=1.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Exotel (seed 001)


@pytest.mark.parametrize(("label", "category"), sorted(EXOTEL_CATEGORY.items()))
def test_exotel_status_categories(label: str, category: str) -> None:
    policy = RetryPolicy.exotel(2)
    status = EXOTEL_CALL_STATUS[label]
    call = Call(id="CA1", contact_id="1", to="+5215555551234", status=status)
    outcome = call.result
    assert outcome is not None
    decision = policy.decide(_contact(attempts=1), outcome)
    if category == "retriable":
        assert decision is not None
        assert decision.counter is RetryCounter.RETRIES
        assert decision.status is ContactStatus.RETRYING
    else:  # success and terminal are never retried
        assert decision is None
    assert (category == "success") is outcome.connected


def test_exotel_retries_busy_and_no_answer_number_of_retries_times_interval_apart() -> None:
    # The seed's call schedule callback: FinalStatus no-answer, AttemptCount 3.
    policy = RetryPolicy.exotel(2, interval_mins=15)
    contact = _attempt(_contact(), Outcome.BUSY, policy)
    assert contact.next_attempt_at == T0 + 15 * MIN
    contact = _attempt(contact, Outcome.NO_ANSWER, policy)
    assert contact.next_attempt_at == T0 + 15 * MIN  # Linear: the same wait again
    contact = _attempt(contact, Outcome.NO_ANSWER, policy)
    assert contact.status is ContactStatus.FAILED
    assert contact.last_outcome is Outcome.NO_ANSWER
    assert contact.attempts == 3


def test_exotel_defaults_and_ranges() -> None:
    policy = RetryPolicy.exotel()
    assert policy.max_retries == 0  # Exotel's API default: no retry
    assert policy.spacing is Spacing.FIXED
    for bad in (-1, 4, True):
        with pytest.raises(InvalidConfig, match="number_of_retries must be an integer from 0 to 3"):
            RetryPolicy.exotel(bad)
    with pytest.raises(InvalidConfig, match="interval_mins"):
        RetryPolicy.exotel(1, interval_mins=0)
    with pytest.raises(InvalidConfig, match="mechanism must be 'Linear' or 'Exponential'"):
        RetryPolicy.exotel(1, mechanism="Quadratic")
    with pytest.raises(InvalidConfig, match="on_status"):
        RetryPolicy.exotel(1, on_status=["completed"])


def test_exotel_exponential_doubles_and_on_status_may_add_failed() -> None:
    policy = RetryPolicy.exotel(3, interval_mins=10, mechanism="exponential", on_status=["failed"])
    assert [policy.wait(n) for n in (1, 2, 3)] == [10 * MIN, 20 * MIN, 40 * MIN]
    assert policy.decide(_contact(attempts=1), Outcome.FAILED) is not None
    assert policy.decide(_contact(attempts=1), Outcome.BUSY) is None


# --------------------------------------------------------------------------- itellico (seed 002)


def test_itellico_defaults_and_range() -> None:
    policy = RetryPolicy.itellico()
    assert policy.max_retries == 2  # "Max Retry Attempts (0-10, default: 2)"
    for good in (0, 10):
        assert RetryPolicy.itellico(good).max_retries == good
    for bad in (-1, 11, 2.0, None):
        with pytest.raises(InvalidConfig) as raised:
            RetryPolicy.itellico(bad)  # type: ignore[arg-type]
        assert raised.value.field == "max_retry_attempts"
        assert raised.value.expected == "an integer from 0 to 10"
        assert raised.value.value == bad


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ((45, "minutes"), timedelta(minutes=45)),
        ((4, "hours"), timedelta(hours=4)),
        ((2, "days"), timedelta(days=2)),
        (timedelta(minutes=90), timedelta(minutes=90)),
    ],
)
def test_itellico_intervals_in_minutes_hours_or_days(value: object, expected: timedelta) -> None:
    policy = RetryPolicy.itellico(retry_interval=value, contact_completion_timeout=value)  # type: ignore[arg-type]
    assert policy.interval == expected
    assert policy.completion_timeout == expected
    assert as_duration(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", [(1, "weeks"), (-1, "hours"), (1.5, "hours"), timedelta(seconds=30), "1h"]
)
def test_itellico_refuses_other_units(bad: object) -> None:
    with pytest.raises(InvalidConfig, match="retry_interval"):
        RetryPolicy.itellico(retry_interval=bad)  # type: ignore[arg-type]


def test_itellico_retries_the_default_retriable_outcomes() -> None:
    policy = RetryPolicy.itellico()
    retried = {o for o in Outcome if policy.rule(o).retry}
    assert retried == {o for o in Outcome if o.retriable}
    assert Outcome.NO_CONVERSATION in retried  # itellico's "No Conversation"


# --------------------------------------------------------------------------- generic policy


def test_spacing_fixed_linear_exponential() -> None:
    fixed = RetryPolicy(interval=15 * MIN)
    linear = RetryPolicy(interval=15 * MIN, spacing=Spacing.LINEAR)
    exponential = RetryPolicy(interval=15 * MIN, spacing="exponential")  # type: ignore[arg-type]
    assert [fixed.wait(n) for n in (1, 2, 3)] == [15 * MIN] * 3
    assert [linear.wait(n) for n in (1, 2, 3)] == [15 * MIN, 30 * MIN, 45 * MIN]
    assert [exponential.wait(n) for n in (1, 2, 3)] == [15 * MIN, 30 * MIN, 60 * MIN]
    capped = attrs.evolve(exponential, max_interval=40 * MIN)
    assert [capped.wait(n) for n in (1, 2, 3, 99)] == [15 * MIN, 30 * MIN, 40 * MIN, 40 * MIN]
    assert exponential.wait(10_000) == MAX_WAIT
    assert linear.wait(10**9) == MAX_WAIT


def test_explicit_intervals_30_60_120_and_the_last_repeats() -> None:
    policy = RetryPolicy(intervals=(30 * MIN, 60 * MIN, 120 * MIN), max_retries=5)
    assert [policy.wait(n) for n in (1, 2, 3, 4, 5)] == [m * MIN for m in (30, 60, 120, 120, 120)]
    with pytest.raises(InvalidInput):
        policy.wait(0)


def test_a_rule_can_tighten_a_limit_and_fix_a_delay() -> None:
    policy = RetryPolicy(
        max_retries=3,
        rules={Outcome.VOICEMAIL: RetryRule(limit=1, delay=5 * MIN), Outcome.BUSY: True},
    )
    first = policy.decide(_contact(attempts=1), Outcome.VOICEMAIL)
    assert first is not None
    assert first.wait == 5 * MIN
    assert policy.decide(_contact(attempts=2, retries=1), Outcome.VOICEMAIL) is None
    assert policy.decide(_contact(attempts=2, retries=1), Outcome.BUSY) is not None


def test_lifetime_cap_on_attempts() -> None:
    policy = RetryPolicy(max_retries=5, max_attempts=2)
    assert policy.decide(_contact(attempts=1), Outcome.NO_ANSWER) is not None
    assert policy.decide(_contact(attempts=2, retries=1), Outcome.NO_ANSWER) is None


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("max_retries", 101, "an integer from 0 to 100"),
        ("max_retries", -1, "an integer from 0 to 100"),
        ("max_failed_retries", "1", "an integer from 0 to 100"),
        ("max_attempts", 0, "an integer from 1 to 10000 or None"),
        ("interval", timedelta(seconds=-1), _CALENDAR_OK),
        ("interval", 60, _CALENDAR_OK),
        ("completion_timeout", timedelta(days=400), "a timedelta from 0 to 366 days"),
        ("spacing", "quadratic", "one of 'fixed', 'linear', 'exponential'"),
        ("name", "", "a non-empty string"),
    ],
)
def test_out_of_range_values_name_field_range_and_value(
    field: str, value: object, expected: str
) -> None:
    with pytest.raises(InvalidConfig) as raised:
        RetryPolicy(**{field: value})  # type: ignore[arg-type]
    assert (raised.value.field, raised.value.expected, raised.value.value) == (
        field,
        expected,
        value,
    )
    assert str(raised.value) == f"{field} must be {expected}; got {value!r}"


def test_bad_rules_and_rule_fields() -> None:
    with pytest.raises(InvalidConfig, match="rules"):
        RetryPolicy(rules={"shouting": True})
    with pytest.raises(InvalidConfig, match=r"rules\[busy\]"):
        RetryPolicy(rules={Outcome.BUSY: "yes"})  # type: ignore[dict-item]
    with pytest.raises(InvalidConfig, match="limit"):
        RetryRule(limit=-1)
    with pytest.raises(InvalidConfig, match="counter"):
        RetryRule(counter="calls")  # type: ignore[arg-type]


def test_rules_given_by_label_and_left_out_keep_defaults() -> None:
    policy = RetryPolicy(rules={"voicemail": False})
    assert not policy.rule(Outcome.VOICEMAIL).retry
    assert policy.rule(Outcome.BUSY).retry  # default: Outcome.BUSY.retriable
    assert not policy.rule(Outcome.FAILED).retry
    assert list(policy.rules) == list(Outcome)


# --------------------------------------------------------------------------- properties


@given(retry_policies() | vendor_policies())
def test_policy_round_trips_through_plain_data(policy: RetryPolicy) -> None:
    data = policy.to_dict()
    assert RetryPolicy.from_dict(data) == policy
    assert RetryPolicy.from_dict(data).to_dict() == data


def test_from_dict_refuses_bad_data() -> None:
    data = RetryPolicy().to_dict()
    with pytest.raises(InvalidInput, match="unknown field"):
        RetryPolicy.from_dict({**data, "colour": "red"})
    with pytest.raises(InvalidInput, match="seconds"):
        RetryPolicy.from_dict({**data, "interval": "an hour"})
    with pytest.raises(InvalidConfig):
        RetryPolicy.from_dict({**data, "max_retries": 1000})


@given(
    retry_policies() | vendor_policies(),
    st.sampled_from(Outcome),
    st.integers(0, 6),
    st.integers(0, 6),
    st.integers(1, 20),
)
def test_a_granted_retry_stays_within_every_cap(
    policy: RetryPolicy, outcome: Outcome, retries: int, failed: int, attempts: int
) -> None:
    contact = _contact(retries=retries, failed_retries=failed, attempts=attempts)
    decision = policy.decide(contact, outcome)
    if decision is None:
        return
    rule = policy.rule(outcome)
    assert rule.retry
    if decision.counter is RetryCounter.RETRIES:
        assert retries + 1 <= policy.max_retries
    else:
        assert failed + 1 <= policy.max_failed_retries
    if rule.limit is not None:
        assert (retries if decision.counter is RetryCounter.RETRIES else failed) < rule.limit
    if policy.max_attempts is not None:
        assert attempts < policy.max_attempts
    assert decision.number == retries + failed + 1
    assert timedelta(0) <= decision.wait <= MAX_WAIT


@given(retry_policies(timeouts=False) | vendor_policies(), st.lists(st.sampled_from(Outcome)))
def test_attempts_in_a_cycle_never_exceed_the_caps(
    policy: RetryPolicy, outcomes: list[Outcome]
) -> None:
    if policy.completion_timeout:
        policy = attrs.evolve(policy, completion_timeout=timedelta(0))
    contact = _contact()
    for outcome in outcomes:
        if contact.status not in (ContactStatus.QUEUED, ContactStatus.RETRYING):
            break
        contact = _attempt(contact, outcome, policy)
        assert contact.retries <= policy.max_retries
        assert contact.failed_retries <= policy.max_failed_retries
        assert contact.attempts <= policy.max_attempts_per_cycle()
        if policy.max_attempts is not None:
            assert contact.attempts <= policy.max_attempts
        # each attempt after the first of a cycle spent exactly one counter
        waiting = contact.next_attempt_at is not None
        assert contact.attempts == contact.retries + contact.failed_retries + (not waiting)


@pytest.mark.parametrize(
    "changes",
    [
        {"intervals": 5},
        {"intervals": [[60]]},
        {"intervals": [10**30]},
        {"interval": 1e300},
        {"spacing": ["fixed"]},
        {"spacing": 10**5000},
        {"rules": [["voicemail"]]},
        {"rules": {"voicemail": {"counter": 10**5000}}},
    ],
)
def test_from_dict_refuses_hostile_values_with_typed_errors(changes: dict[str, object]) -> None:
    # Issue 14 (5): non-list and oversized intervals were TypeError / OverflowError.
    with pytest.raises(CampaignkitError):
        RetryPolicy.from_dict({**RetryPolicy().to_dict(), **changes})


# ----------------------------------------------------------------- calendar waits (issue 13)

_NY = "America/New_York"
_MX = "America/Mexico_City"


def _local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def _retried_at(policy: RetryPolicy, now: datetime) -> datetime | None:
    """The next attempt time after a voicemail at ``now``, through the engine."""
    placed = dial(_contact(), now=now)
    call = Call(
        id="CA1",
        contact_id="1",
        to=placed.contact.phone,
        attempt=placed.attempt,
        status=CallStatus.COMPLETED,
        outcome=Outcome.VOICEMAIL,
    )
    settled, _ = apply_call(placed.contact, call, policy, now=now)
    return settled.next_attempt_at


def test_a_retry_next_month_across_a_month_end_keeps_the_local_time() -> None:
    policy = RetryPolicy(interval=relativedelta(months=1), timezone=_MX)
    now = _local(_MX, 2026, 1, 31, 10, 0)
    # relativedelta clips to the month's last day: 31 January -> 28 February.
    assert _retried_at(policy, now) == _local(_MX, 2026, 2, 28, 10, 0)
    leap = _local(_MX, 2028, 1, 31, 10, 0)
    assert _retried_at(policy, leap) == _local(_MX, 2028, 2, 29, 10, 0)


def test_one_calendar_day_across_dst_keeps_the_wall_clock_where_24h_does_not() -> None:
    calendar = RetryPolicy(interval=relativedelta(days=1), timezone=_NY)
    exact = RetryPolicy(interval=timedelta(days=1))
    spring = _local(_NY, 2026, 3, 7, 10, 0)  # 10:00 EST; clocks go forward on 8 March
    assert _retried_at(calendar, spring) == _local(_NY, 2026, 3, 8, 10, 0)
    assert _retried_at(calendar, spring) - spring == timedelta(hours=23)  # type: ignore[operator]
    assert _retried_at(exact, spring) == _local(_NY, 2026, 3, 8, 11, 0)
    # Mexico City still kept DST in 2021: back on 31 October, so that day lasts 25 h.
    autumn = _local(_MX, 2021, 10, 30, 10, 0)
    due = _retried_at(RetryPolicy(interval=relativedelta(days=1), timezone=_MX), autumn)
    assert due == _local(_MX, 2021, 10, 31, 10, 0)
    assert due - autumn == timedelta(hours=25)  # type: ignore[operator]
    assert _retried_at(exact, autumn) == _local(_MX, 2021, 10, 31, 9, 0)


def test_a_calendar_wait_into_a_dst_gap_or_overlap() -> None:
    # 02:30 on 8 March 2026 does not exist in New York: it moves forward by the gap.
    gap = add_wait(_local(_NY, 2026, 3, 7, 2, 30), relativedelta(days=1), _NY)
    assert gap == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    # 01:30 happens twice on 1 November 2026: ten minutes after each is 01:40 of the
    # same occurrence, never an hour before.
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST
    ten = relativedelta(minutes=10)
    assert add_wait(first, ten, _NY) == datetime(2026, 11, 1, 5, 40, tzinfo=UTC)
    assert add_wait(second, ten, _NY) == datetime(2026, 11, 1, 6, 40, tzinfo=UTC)


def test_timedelta_waits_are_unchanged_and_decisions_carry_the_zone() -> None:
    now = datetime(2026, 3, 7, 15, tzinfo=UTC)
    assert add_wait(now, timedelta(days=1), _NY) == now + timedelta(days=1)
    policy = RetryPolicy(intervals=[timedelta(hours=1), relativedelta(weeks=1)], timezone=_NY)
    decision = policy.decide(_contact(retries=1), Outcome.BUSY)
    assert decision is not None
    assert decision.wait == relativedelta(days=7)
    assert decision.timezone == _NY
    assert decision.due(now) == datetime(2026, 3, 14, 14, tzinfo=UTC)  # same 10:00, now EDT


def test_a_year_9999_calendar_wait_overflows_like_a_timedelta() -> None:
    late = datetime(9999, 12, 31, tzinfo=UTC)
    with pytest.raises(OverflowError):
        add_wait(late, relativedelta(months=1), _MX)
    with pytest.raises(OverflowError):
        add_wait(late, timedelta(days=31))


@pytest.mark.parametrize(
    ("field", "changes", "expected"),
    [
        ("interval", {"interval": relativedelta(days=-1)}, "a positive calendar interval"),
        ("interval", {"interval": relativedelta()}, "a positive calendar interval"),
        ("interval", {"interval": relativedelta(months=1, days=-1)}, "no negative fields"),
        ("interval", {"interval": relativedelta(month=1)}, "without absolute fields"),
        ("interval", {"interval": relativedelta(weekday=MO)}, "without absolute fields"),
        ("interval", {"interval": relativedelta(years=1, days=1)}, "at most 366 days"),
        ("interval", {"interval": relativedelta(months=12, days=1)}, "at most 366 days"),
        ("interval", {"interval": relativedelta(days=1.5)}, "whole units"),
        ("intervals", {"intervals": [relativedelta(years=2)]}, "at most 366 days"),
        ("timezone", {"interval": relativedelta(days=1), "timezone": None}, "IANA time zone"),
        ("timezone", {"timezone": "Mars/Olympus"}, "IANA time zone"),
        ("spacing", {"interval": relativedelta(days=1), "spacing": Spacing.LINEAR}, "FIXED"),
        (
            "max_interval",
            {"interval": relativedelta(days=1), "max_interval": timedelta(days=2)},
            "None with a calendar interval",
        ),
        ("completion_timeout", {"completion_timeout": relativedelta(days=1)}, "a timedelta"),
    ],
)
def test_bad_calendar_waits_raise_invalid_config_naming_the_field(
    field: str, changes: dict[str, object], expected: str
) -> None:
    changes = {"timezone": _MX, **changes}
    with pytest.raises(InvalidConfig, match=expected) as raised:
        RetryPolicy(**changes)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_a_rule_delay_in_calendar_units_is_checked_too() -> None:
    with pytest.raises(InvalidConfig, match="at most 366 days") as raised:
        RetryRule(delay=relativedelta(months=13))
    assert raised.value.field == "delay"
    with pytest.raises(InvalidConfig, match="timezone"):
        RetryPolicy(rules={Outcome.BUSY: RetryRule(delay=relativedelta(days=1))})


def test_the_campaign_rules_refuse_a_retry_zone_that_is_not_the_schedules() -> None:
    policy = RetryPolicy(interval=relativedelta(days=1), timezone=_NY)
    with pytest.raises(InvalidConfig, match="schedule's time zone") as raised:
        CampaignRules(retry=policy, schedule=Schedule(timezone=_MX))
    assert raised.value.field == "retry.timezone"
    CampaignRules(retry=policy, schedule=Schedule(timezone=_NY))


def test_calendar_waits_in_plain_data() -> None:
    policy = RetryPolicy(
        interval=relativedelta(months=1),
        intervals=[timedelta(minutes=30), relativedelta(days=1, hours=2)],
        rules={Outcome.BUSY: RetryRule(delay=relativedelta(weeks=1))},
        timezone=_MX,
    )
    data = policy.to_dict()
    assert data["interval"] == {"months": 1}
    assert data["intervals"] == [1800, {"days": 1, "hours": 2}]
    assert data["rules"]["busy"]["delay"] == {"days": 7}
    assert data["timezone"] == _MX
    assert RetryPolicy.from_dict(json.loads(json.dumps(data))) == policy
    assert "timezone" not in RetryPolicy().to_dict()  # the shape stored before calendar waits
    rules = CampaignRules(retry=policy)
    assert CampaignRules.from_dict(json.loads(json.dumps(rules.to_dict()))) == rules


@pytest.mark.parametrize(
    ("interval", "error", "match"),
    [
        ({"fortnights": 1}, InvalidInput, "takes only"),
        ({"days": "1"}, InvalidInput, "whole number"),
        ({"days": True}, InvalidInput, "whole number"),
        ({"days": 1.5}, InvalidInput, "whole number"),
        ({1: 2}, InvalidInput, "takes only"),
        ({"days": -1}, InvalidConfig, "positive"),
        ({}, InvalidConfig, "positive"),
        ({"years": 10**400}, InvalidConfig, "366 days"),
        ([1, 2], InvalidInput, "seconds"),
    ],
)
def test_from_dict_refuses_bad_calendar_waits_with_typed_errors(
    interval: object, error: type[Exception], match: str
) -> None:
    data = {**RetryPolicy().to_dict(), "timezone": _MX, "interval": interval}
    with pytest.raises(error, match=match):
        RetryPolicy.from_dict(data)


_ZONES = st.sampled_from(
    [_MX, _NY, "Europe/London", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Kolkata", "UTC"]
)


@st.composite
def calendar_waits(draw: st.DrawFn) -> relativedelta:
    """Valid calendar waits: at most a year, one unit at least, shrinking to one minute."""
    wait = relativedelta(
        years=draw(st.integers(0, 1)),
        months=draw(st.integers(0, 11)),
        days=draw(st.integers(0, 40)),
        hours=draw(st.integers(0, 23)),
        minutes=draw(st.integers(0, 59)),
    )
    if wait.years:
        wait = relativedelta(years=1)
    if longest_span(wait) > MAX_WAIT:
        wait = relativedelta(months=wait.months)
    return wait if wait else relativedelta(minutes=1)


@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    calendar_waits() | st.timedeltas(min_value=timedelta(0), max_value=MAX_WAIT),
    _ZONES,
)
def test_a_retry_is_due_at_or_after_now_and_within_max_wait(
    now: datetime, wait: Wait, zone: str
) -> None:
    policy = RetryPolicy(interval=wait, timezone=zone)
    decision = policy.decide(_contact(), Outcome.BUSY)
    assert decision is not None
    due = decision.due(now)
    assert now <= due <= now + MAX_WAIT
    if type(wait) is relativedelta:
        assert due > now
        local = due.astimezone(ZoneInfo(zone))
        start = now.astimezone(ZoneInfo(zone))
        if (start.replace(tzinfo=None) + wait).replace(tzinfo=ZoneInfo(zone)).utcoffset() == (
            local.utcoffset()
        ):  # no gap at the target: the wall clock moved by exactly the calendar units
            assert local.replace(tzinfo=None) == start.replace(tzinfo=None) + wait


@given(
    st.lists(calendar_waits() | st.timedeltas(min_value=timedelta(0), max_value=MAX_WAIT)),
    calendar_waits() | st.timedeltas(min_value=timedelta(0), max_value=MAX_WAIT),
    _ZONES,
)
def test_calendar_policies_round_trip_through_json(
    intervals: list[Wait], interval: Wait, zone: str
) -> None:
    policy = RetryPolicy(interval=interval, intervals=intervals, timezone=zone)
    data = json.loads(json.dumps(policy.to_dict()))
    assert RetryPolicy.from_dict(data) == policy
    assert RetryPolicy.from_dict(data).to_dict() == data
