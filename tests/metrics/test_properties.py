"""Hypothesis properties of billing and `CampaignStats`: mergeable, exact, bounded."""

from __future__ import annotations

import functools
import json
import pickle
from decimal import Decimal
from functools import reduce

from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    BillingPolicy,
    Call,
    CallStatus,
    CampaignStats,
    Contact,
    ContactStatus,
    Outcome,
    strategies,
)
from campaignkit.metrics import GOAL_RESULTS
from campaignkit.policies import UnknownBilling, format_duration, parse_duration
from campaignkit.statuses import CallStatus as _CallStatus

calls = functools.partial(strategies.calls, statuses=tuple(_CallStatus), max_attempt=11)
moments = strategies.moments()


# Light strategies for the accumulator: every field metrics read is drawn, the others fixed
# (the full record strategies in `records` are exercised by the billing properties).
light_calls = st.builds(
    Call,
    id=st.just("CA1"),
    contact_id=st.sampled_from(["C1", "C2", "C3"]),
    to=st.just("+15555550100"),
    attempt=st.integers(1, 5),
    status=st.sampled_from(CallStatus),
    answered_by=st.none() | st.sampled_from(AnsweredBy),
    outcome=st.none() | st.sampled_from(Outcome),
    duration=st.integers(0, 4000),
    created_at=st.none() | moments,
    price=st.none() | st.decimals(min_value=-(10**9), max_value=10**9, places=4),
    price_unit=st.sampled_from([None, "USD", "pulses"]),
)
light_contacts = st.builds(
    Contact,
    id=st.just("C1"),
    phone=st.just("+15555550100"),
    status=st.sampled_from(ContactStatus),
    last_outcome=st.none() | st.sampled_from(Outcome),
    attempts=st.integers(0, 6),
    extracted=st.sampled_from([{}, {"email": "a@example.com"}]),
)
call_lists = st.lists(light_calls, max_size=10)
contact_lists = st.lists(light_contacts, max_size=10)
goal_lists = st.lists(st.tuples(st.sampled_from(GOAL_RESULTS), st.booleans()), max_size=6)
zones = st.sampled_from(["UTC", "Asia/Kolkata", "America/Mexico_City", "Asia/Kathmandu"])

policies = st.builds(
    BillingPolicy,
    machine_cap_seconds=st.none() | st.integers(0, 60),
    unknown=st.sampled_from(UnknownBilling),
    billed_outcomes=st.frozensets(st.sampled_from(Outcome)),
    increment_seconds=st.integers(1, 120),
    minimum_seconds=st.integers(0, 60),
    price_per_increment=st.decimals(min_value=0, max_value=100, places=4),
)


@st.composite
def stats(draw: st.DrawFn) -> CampaignStats:
    return CampaignStats.from_records(
        calls=draw(call_lists), contacts=draw(contact_lists), goals=draw(goal_lists)
    )


# ----------------------------------------------------------------------------- billing


@given(calls(), policies)
def test_billed_never_exceeds_duration(call: Call, policy: BillingPolicy) -> None:
    billed = policy.billed_seconds(call)
    assert 0 <= billed <= call.duration
    units = policy.billed_units(call)
    assert units >= 0
    assert units * policy.increment_seconds >= billed
    assert policy.cost(call) == units * policy.price_per_increment


@given(calls(), st.sampled_from(UnknownBilling))
def test_altur_machine_billed_at_most_five_seconds(call: Call, unknown: UnknownBilling) -> None:
    billed = BillingPolicy.altur(unknown=unknown).billed_seconds(call)
    assert billed <= call.duration
    if call.answered_by is not None and call.answered_by.is_machine:
        assert billed <= 5
    if call.answered_by is AnsweredBy.HUMAN and call.result is not None:
        assert billed == call.duration  # a live call (no outcome yet) is not billed


@given(calls())
def test_twilio_bills_whole_minutes_of_connected_calls_only(call: Call) -> None:
    twilio = BillingPolicy.twilio(price_per_minute=Decimal("0.014"))
    result = call.result
    if result is None or not result.connected:
        assert twilio.billed_units(call) == 0
    else:
        assert twilio.billed_units(call) == max(1, -(-call.duration // 60))


@given(st.integers(0, 10**7))
def test_readable_durations_round_trip(seconds: int) -> None:
    text = format_duration(seconds)
    assert parse_duration(text) == seconds
    assert text.count(":") == (2 if seconds >= 3600 else 1)


# ----------------------------------------------------------------------------- merging


@given(stats(), stats(), stats())
def test_merge_is_associative(a: CampaignStats, b: CampaignStats, c: CampaignStats) -> None:
    assert (a + b) + c == a + (b + c)


@given(stats(), stats())
def test_merge_is_commutative(a: CampaignStats, b: CampaignStats) -> None:
    assert a + b == b + a


@given(stats())
def test_empty_stats_are_the_identity(a: CampaignStats) -> None:
    assert a + CampaignStats() == a == CampaignStats() + a


@given(call_lists, contact_lists, st.data())
def test_split_anywhere_then_merge_equals_one_pass(
    call_list: list[Call], contact_list: list[Contact], data: st.DataObject
) -> None:
    whole = CampaignStats.from_records(calls=call_list, contacts=contact_list)
    i = data.draw(st.integers(0, len(call_list)))
    j = data.draw(st.integers(0, len(contact_list)))
    left = CampaignStats.from_records(calls=call_list[:i], contacts=contact_list[:j])
    right = CampaignStats.from_records(calls=call_list[i:], contacts=contact_list[j:])
    assert left.merge(right) == whole
    assert right.merge(left) == whole


@given(call_lists, contact_lists)
def test_event_by_event_equals_one_pass(call_list: list[Call], contact_list: list[Contact]) -> None:
    stream = reduce(CampaignStats.add_call, call_list, CampaignStats())
    stream = reduce(CampaignStats.add_contact, contact_list, stream)
    assert stream == CampaignStats.from_records(calls=call_list, contacts=contact_list)


@given(stats(), stats())
def test_taking_a_part_back_out_restores_the_rest(a: CampaignStats, b: CampaignStats) -> None:
    assert a.merge(b).merge(b.negated()) == a


@given(stats())
def test_state_and_pickle_round_trips(a: CampaignStats) -> None:
    assert CampaignStats.from_dict(json.loads(json.dumps(a.to_dict()))) == a
    assert pickle.loads(pickle.dumps(a)) == a
    assert hash(pickle.loads(pickle.dumps(a))) == hash(a)


# ----------------------------------------------------------------------------- bounds


@given(stats(), zones)
def test_every_rate_lies_in_its_scale(a: CampaignStats, zone: str) -> None:
    for rate in (
        a.connect_rate,
        a.answer_rate,
        a.failure_rate,
        a.reach_rate,
        a.conversion_rate,
        a.extracted_rate,
        a.penetration,
        a.retry_success_rate,
    ):
        assert rate is not None
        assert 0.0 <= rate <= 1.0
    assert a.saturation >= 0.0
    assert a.average_call_duration >= 0.0
    assert a.average_attempts_to_connect == 0.0 or a.average_attempts_to_connect >= 1.0
    assert a.abandonment_rate is None or 0.0 <= a.abandonment_rate <= 1.0
    for success in ("connected", "human"):
        retry = a.retry_effectiveness(success=success)
        assert all(0.0 <= r.connect_rate <= 1.0 for r in (*retry.rows, retry.total))
    assert all(check.value is None or 0.0 <= check.value <= 1.0 for check in a.health().checks)
    for table in (a.answer_status_rates(), a.outcome_counts(), a.status_breakdown("itellico")):
        assert all(0.0 <= row["share"] <= 1.0 for row in table.to_records())
        assert sum(n for _, n in table.counts) == table.total
    hours = a.best_time_to_call(zone)
    assert all(0.0 <= hours.connect_rate(h) <= 1.0 for h in range(24))
    assert all(0.0 <= row["rate"] <= 1.0 for row in a.heatmap(zone).to_records())


@given(stats())
def test_exotel_counts_add_up_to_created(a: CampaignStats) -> None:
    k = a.counts
    assert k.created == a.contacts
    assert k.completed + k.failed + k.pending + k.in_progress + k.busy + k.no_answer == k.created


@given(call_lists, zones)
def test_tables_account_for_every_call(call_list: list[Call], zone: str) -> None:
    a = CampaignStats.from_records(calls=call_list)
    assert a.best_time_to_call(zone).calls == tuple(
        sum(row[h] for row in a.heatmap(zone, measure="calls").counts) for h in range(24)
    )
    timed = sum(1 for c in call_list if c.created_at or c.started_at or c.ended_at)
    assert sum(a.best_time_to_call(zone).calls) == timed
    human_timed = sum(
        1
        for c in call_list
        if c.created_at is not None and c.result is not None and c.result.human_answered
    )
    assert a.heatmap(zone).total == human_timed
    retry = a.retry_effectiveness()
    # issue 13: contacts, not calls - the total counts each contact once
    assert retry.total.contacts == len({c.contact_id for c in call_list})
    assert retry.total.connected == len(
        {c.contact_id for c in call_list if c.result is not None and c.result.connected}
    )
    assert retry.total.connected <= a.connected_calls
    audit = a.cost_audit()
    assert audit.total.calls == a.calls
    assert audit.total.duration_seconds == a.total_duration == sum(c.duration for c in call_list)
    assert audit.total.billed_seconds <= audit.total.duration_seconds


@given(call_lists, policies)
def test_stats_bill_exactly_as_the_policy_does_call_by_call(
    call_list: list[Call], policy: BillingPolicy
) -> None:
    a = CampaignStats.from_records(calls=call_list)
    assert a.billed_seconds(policy) == policy.total_seconds(call_list)
    assert a.cost(policy) == policy.total_cost(call_list)


@given(stats(), policies)
def test_records_are_typed_rows_with_totals_apart(a: CampaignStats, policy: BillingPolicy) -> None:
    # issue 18 item 5: every row an observation (the total apart, and equal to the rows'
    # sum), every value of a numeric column a number
    retry = a.retry_effectiveness()
    rows = retry.to_records()
    assert len(rows) == len(retry.rows)
    assert all(type(r["attempt"]) is int and type(r["contacts"]) is int for r in rows)
    assert retry.to_records(total=True) == [*rows, retry.to_records(total=True)[-1]]
    audit = a.cost_audit(policy)
    lines = audit.to_records()
    assert [r["answered_by"] for r in lines] == [r.answered_by for r in audit.rows]
    for name in ("calls", "duration_seconds", "billed_seconds", "units"):
        assert sum(r[name] for r in lines) == getattr(audit.total, name)
    assert sum((r["cost"] for r in lines), Decimal(0)) == audit.total.cost
    values = [r["value"] for r in a.summary(policy).to_records()]
    assert all(v is None or type(v) in (int, float) for v in values)
    counts = a.counts_table().to_records()
    assert all(type(r["count"]) is int and type(r["share"]) is float for r in counts)
