"""CyclePolicy (Altur retry loops, seeds 000 and 004) and cycles run by the engine."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    CALL_MACHINE,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignkitError,
    CampaignRunner,
    CampaignStatus,
    Contact,
    ContactStatus,
    CyclePolicy,
    IllegalTransition,
    InvalidConfig,
    InvalidInput,
    RetryPolicy,
    strategies,
)
from campaignkit.engine import CampaignStatusNotification
from campaignkit.statuses import ContactStatus as _ContactStatus

from ..engine_strategies import T0, cycle_policies

contacts = functools.partial(strategies.contacts, statuses=tuple(_ContactStatus))

MEXICO = "America/Mexico_City"


def _contact(**changes: object) -> Contact:
    return attrs.evolve(Contact(id="1", phone="+5215555551234"), **changes)


# --------------------------------------------------------------------------- the policy


def test_defaults_and_validation() -> None:
    policy = CyclePolicy()
    assert (policy.max_loops_per_day, policy.cooldown, policy.max_loops) == (1, timedelta(0), None)
    assert CyclePolicy(cooldown=90).cooldown == timedelta(minutes=90)  # minutes, as Altur
    for field, value in [
        ("max_loops_per_day", 0),
        ("max_loops_per_day", 1441),
        ("max_loops", 0),
        ("cooldown", timedelta(seconds=30)),
        ("cooldown", -5),
        ("status_filters", ["answered", "shouting"]),
        ("status_filters", "answered"),
        ("tag_filters", [""]),
    ]:
        with pytest.raises(InvalidConfig) as raised:
            CyclePolicy(**{field: value})  # type: ignore[arg-type]
        assert raised.value.field == field


def test_status_filters_take_labels() -> None:
    policy = CyclePolicy(status_filters=["answered", ContactStatus.VOICEMAIL])
    assert policy.status_filters == {ContactStatus.ANSWERED, ContactStatus.VOICEMAIL}


def test_who_returns_to_the_queue() -> None:
    # "Contacts that do not reach a successful final status will be retried";
    # "Status filters (e.g. skip users who already answered)";
    # "Tag filters (e.g. skip numbers marked as invalid)".
    policy = CyclePolicy(status_filters={ContactStatus.ANSWERED}, tag_filters={"invalid"})
    assert policy.eligible(_contact(status=ContactStatus.FAILED))
    assert policy.eligible(_contact(status=ContactStatus.VOICEMAIL))
    assert policy.eligible(_contact(status=ContactStatus.NO_CONVERSATION))
    assert not policy.eligible(_contact(status=ContactStatus.CONVERTED))
    assert not policy.eligible(_contact(status=ContactStatus.ANSWERED))
    assert not policy.eligible(_contact(status=ContactStatus.FAILED, tags={"invalid"}))
    assert CyclePolicy().eligible(_contact(status=ContactStatus.ANSWERED))
    for unsettled in (ContactStatus.QUEUED, ContactStatus.RETRYING, ContactStatus.DIALING):
        assert not CyclePolicy().eligible(_contact(status=unsettled))


@given(contacts(), st.integers(1, 5))
def test_requeue_resets_per_cycle_counters_and_keeps_lifetime_ones(
    contact: Contact, ahead: int
) -> None:
    policy = CyclePolicy()
    cycle = contact.cycle + ahead
    if contact.status not in (
        ContactStatus.FAILED,
        ContactStatus.VOICEMAIL,
        ContactStatus.ANSWERED,
    ):
        return
    assert policy.eligible(contact)
    requeued = policy.requeue(contact, cycle=cycle, now=T0)
    assert requeued.status is ContactStatus.QUEUED
    assert (requeued.retries, requeued.failed_retries) == (0, 0)
    assert requeued.cycle == cycle
    assert requeued.attempts == contact.attempts
    assert requeued.last_outcome is contact.last_outcome
    assert requeued.next_attempt_at == T0


def test_requeue_refuses_bad_input() -> None:
    policy = CyclePolicy()
    with pytest.raises(InvalidInput, match="cycle"):
        policy.requeue(_contact(status=ContactStatus.FAILED, cycle=2), cycle=2, now=T0)
    with pytest.raises(IllegalTransition):
        policy.requeue(_contact(status=ContactStatus.CONVERTED), cycle=1, now=T0)
    with pytest.raises(InvalidInput, match="timezone-aware"):
        policy.requeue(_contact(status=ContactStatus.FAILED), cycle=1, now=datetime(2026, 1, 1))


def test_next_loop_after_the_cooldown() -> None:
    policy = CyclePolicy(cooldown=45, max_loops_per_day=2)
    assert policy.next_loop_at(ended_at=T0, loop_starts=[], timezone=MEXICO) == T0 + timedelta(
        minutes=45
    )


def test_loops_per_day_are_counted_in_the_campaign_time_zone() -> None:
    zone = ZoneInfo(MEXICO)
    policy = CyclePolicy(cooldown=30, max_loops_per_day=1)
    morning = datetime(2026, 6, 1, 9, 0, tzinfo=zone)
    # One loop already ran on 1 June (local): the next waits for 2 June, local midnight.
    next_at = policy.next_loop_at(
        ended_at=morning + timedelta(hours=2), loop_starts=[morning], timezone=MEXICO
    )
    assert next_at == datetime(2026, 6, 2, 0, 0, tzinfo=zone)
    # 23:50 local on 1 June is 05:50 UTC on 2 June: still the 1 June in Mexico City.
    late = datetime(2026, 6, 1, 23, 50, tzinfo=zone)
    assert late.astimezone(UTC).date().day == 2
    assert policy.next_loop_at(ended_at=late, loop_starts=[morning], timezone=MEXICO) == (
        late + timedelta(minutes=30)
    )
    with pytest.raises(InvalidInput, match="timezone"):
        policy.next_loop_at(ended_at=T0, loop_starts=[], timezone="Mars/Olympus")


def test_a_day_starting_in_a_dst_gap_still_counts() -> None:
    # Santiago moved its clocks from 00:00 to 01:00 on 2023-09-03.
    zone = ZoneInfo("America/Santiago")
    policy = CyclePolicy(max_loops_per_day=1)
    start = datetime(2023, 9, 2, 10, 0, tzinfo=zone)
    at = policy.next_loop_at(ended_at=start, loop_starts=[start], timezone="America/Santiago")
    local = at.astimezone(zone)
    assert (local.day, local.hour) == (3, 1)


@given(cycle_policies())
def test_policy_round_trips_through_plain_data(policy: CyclePolicy) -> None:
    assert CyclePolicy.from_dict(policy.to_dict()) == policy


def test_loops_left() -> None:
    assert CyclePolicy().loops_left(10_000)
    assert CyclePolicy(max_loops=2).loops_left(1)
    assert not CyclePolicy(max_loops=2).loops_left(2)


# --------------------------------------------------------------------------- cycles in the runner


def _end(runner: CampaignRunner, status: CallStatus, at: datetime, **details: object) -> None:
    for dial in runner.due(at):
        update = CallUpdate(
            contact_id=dial.contact.id, attempt=dial.attempt, status=status, at=at, **details
        )
        runner.handle(update)  # type: ignore[arg-type]


def test_campaign_goes_active_cooldown_active_and_finishes_after_the_last_loop() -> None:
    campaign = Campaign(id="loops", name="Loops")
    runner = CampaignRunner(
        campaign,
        retry=RetryPolicy.altur(0, failed_retries=0),
        cycles=CyclePolicy(cooldown=60, max_loops=2, max_loops_per_day=5, tag_filters={"invalid"}),
    )
    runner.add_contacts(
        [
            Contact(id="a", phone="+5215550000001"),
            Contact(id="b", phone="+5215550000002", tags={"invalid"}),
        ],
        now=T0,
    )
    runner.start(T0)
    assert runner.campaign.status is CampaignStatus.ACTIVE
    _end(runner, CallStatus.NO_ANSWER, T0)
    assert runner.campaign.status is CampaignStatus.COOLDOWN
    assert runner.next_wakeup() == runner.next_loop_at == T0 + timedelta(minutes=60)
    assert runner.due(T0 + timedelta(minutes=59)) == []
    loop = T0 + timedelta(minutes=60)
    _end(runner, CallStatus.NO_ANSWER, loop)
    assert runner.campaign.cycle == 1
    a = runner.contact("a")
    assert (a.cycle, a.attempts, a.retries, a.failed_retries) == (1, 2, 0, 0)
    assert runner.campaign.status is CampaignStatus.COOLDOWN
    _end(runner, CallStatus.NO_ANSWER, loop + timedelta(minutes=60))
    assert runner.campaign.status is CampaignStatus.FINISHED
    assert runner.campaign.cycle == 2
    assert runner.contact("a").attempts == 3
    assert runner.contact("b").attempts == 1  # tagged invalid: never looped
    statuses = [
        (n.previous.value, n.status.value)
        for n in runner.drain()
        if isinstance(n, CampaignStatusNotification)
    ]
    assert statuses == [
        ("pending", "ready"),
        ("ready", "scheduled"),
        ("scheduled", "active"),
        ("active", "cooldown"),
        ("cooldown", "active"),
        ("active", "cooldown"),
        ("cooldown", "active"),
        ("active", "finished"),
    ]


def test_per_cycle_counters_reset_while_attempts_accumulate() -> None:
    runner = CampaignRunner(
        Campaign(id="loops", name="Loops"),
        retry=RetryPolicy.altur(1, failed_retries=1),
        cycles=CyclePolicy(max_loops=1, max_loops_per_day=3),
    )
    runner.add_contacts([Contact(id="a", phone="+5215550000001")], now=T0)
    runner.start(T0)
    now = T0
    for status in (CallStatus.NO_ANSWER, CallStatus.NO_ANSWER):
        _end(runner, status, now)
    a = runner.contact("a")
    assert (a.status, a.failed_retries, a.attempts) == (ContactStatus.FAILED, 1, 2)
    assert runner.campaign.status is CampaignStatus.COOLDOWN
    now += timedelta(seconds=1)
    (dial,) = runner.due(now)
    assert (dial.contact.cycle, dial.contact.failed_retries, dial.attempt) == (1, 0, 3)
    runner.handle(CallUpdate(contact_id="a", attempt=3, status=CallStatus.NO_ANSWER, at=now))
    assert runner.contact("a").status is ContactStatus.QUEUED  # failed_retries reset: 0 < 1


def test_no_loop_when_nobody_is_eligible() -> None:
    runner = CampaignRunner(
        Campaign(id="loops", name="Loops"),
        retry=RetryPolicy.altur(0, failed_retries=0),
        cycles=CyclePolicy(status_filters={"answered"}),
    )
    runner.add_contacts([Contact(id="a", phone="+5215550000001")], now=T0)
    runner.start(T0)
    _end(runner, CallStatus.COMPLETED, T0)
    assert runner.contact("a").status is ContactStatus.ANSWERED
    assert runner.campaign.status is CampaignStatus.FINISHED


def test_loops_respect_the_lifetime_attempt_cap() -> None:
    runner = CampaignRunner(
        Campaign(id="loops", name="Loops"),
        retry=RetryPolicy(max_retries=0, max_attempts=1),
        cycles=CyclePolicy(),
    )
    runner.add_contacts([Contact(id="a", phone="+5215550000001")], now=T0)
    runner.start(T0)
    _end(runner, CallStatus.BUSY, T0)
    assert runner.campaign.status is CampaignStatus.FINISHED


def test_pausing_in_cooldown_keeps_the_next_loop_time() -> None:
    runner = CampaignRunner(
        Campaign(id="loops", name="Loops"),
        retry=RetryPolicy(max_retries=0),
        cycles=CyclePolicy(cooldown=60, max_loops=1),
    )
    runner.add_contacts([Contact(id="a", phone="+5215550000001")], now=T0)
    runner.start(T0)
    _end(runner, CallStatus.BUSY, T0)
    next_loop = runner.next_loop_at
    runner.pause(T0 + timedelta(minutes=1))
    assert runner.next_wakeup() is None
    runner.resume(T0 + timedelta(minutes=2))
    assert runner.campaign.status is CampaignStatus.COOLDOWN
    assert runner.next_loop_at == next_loop
    assert [d.contact.id for d in runner.due(next_loop)] == ["a"]
    assert CALL_MACHINE.is_terminal(CallStatus.BUSY)


@pytest.mark.parametrize(
    "changes",
    [
        {"status_filters": ["nope"]},
        {"status_filters": [["answered"]]},
        {"status_filters": 5},
        {"tag_filters": [["x"]]},
        {"tag_filters": "x"},
        {"cooldown": 10**20},
        {"cooldown": 10**5000},
    ],
)
def test_from_dict_refuses_hostile_values_with_typed_errors(changes: dict[str, object]) -> None:
    # Issue 14 (5): bad labels, nested lists and oversized cooldowns were bare errors.
    with pytest.raises(CampaignkitError, match=r"CyclePolicy|status_filters|tag_filters"):
        CyclePolicy.from_dict({**CyclePolicy().to_dict(), **changes})


def test_next_loop_at_refuses_a_tzdata_folder() -> None:
    with pytest.raises(InvalidInput, match="timezone"):
        CyclePolicy().next_loop_at(
            ended_at=datetime(2026, 1, 1, tzinfo=UTC), loop_starts=[], timezone="America"
        )
