"""RetryPolicy: the seeds' retry rules, ranges and defaults, spacing, and its caps."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
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
from campaignkit.policies import RetryCounter, RetryRule, Spacing
from campaignkit.policies.retry import MAX_WAIT, as_duration

from ..engine_strategies import T0, retry_policies, vendor_policies
from ..seed_vocabulary import ALTUR_CONTACT_STATUS, EXOTEL_CALL_STATUS, EXOTEL_CATEGORY

MIN = timedelta(minutes=1)
_END_STATUS = {
    Outcome.BUSY: CallStatus.BUSY,
    Outcome.NO_ANSWER: CallStatus.NO_ANSWER,
    Outcome.FAILED: CallStatus.FAILED,
    Outcome.CANCELED: CallStatus.CANCELED,
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
        ("interval", timedelta(seconds=-1), "a timedelta from 0 to 366 days"),
        ("interval", 60, "a timedelta from 0 to 366 days"),
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
