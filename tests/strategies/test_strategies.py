"""The shipped Hypothesis strategies: what they generate is valid, consistent and realistic."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import attrs
import phonenumbers
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

import campaignkit
import campaignkit.io
import campaignkit.policies
from campaignkit import (
    CALL_MACHINE,
    BillingPolicy,
    Call,
    CallingWindow,
    CallStatus,
    CampaignStatus,
    CompliancePolicy,
    Contact,
    ContactStatus,
    CyclePolicy,
    GoalResult,
    GoalSet,
    PacingPolicy,
    RetryPolicy,
    RotationPolicy,
    Schedule,
    strategies,
)
from campaignkit._fields import is_e164
from campaignkit._hypothesis_hook import _registrations
from campaignkit.models import GoalOutcome
from campaignkit.policies import RotationStrategy


@given(strategies.phone_numbers())
def test_phone_numbers_are_valid_e164(number: str) -> None:
    assert is_e164(number)
    assert phonenumbers.is_valid_number(phonenumbers.parse(number))


@given(strategies.messy_phone_numbers())
def test_messy_numbers_normalise_to_their_e164(triple: tuple[str, str, str]) -> None:
    typed, region, e164 = triple
    parsed = phonenumbers.parse(typed, region)
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == e164


@given(
    st.one_of(
        strategies.campaigns(),
        strategies.contacts(),
        strategies.calls(),
        strategies.caller_lines(),
    )
)
def test_generated_records_pass_their_validators(record) -> None:
    # from_dict re-runs every validator and converter from plain data.
    assert type(record).from_dict(record.to_dict()) == record


@given(strategies.contacts(max_attempts=4))
def test_contact_counters_are_consistent(contact: Contact) -> None:
    assert contact.retries + contact.failed_retries <= contact.attempts <= 4


@given(strategies.calls(statuses=list(CallStatus)))
def test_calls_agree_with_their_status(call: Call) -> None:
    connected = call.started_at is not None
    assert connected == (call.answered_by is not None)
    if CALL_MACHINE.is_terminal(call.status):
        assert call.ended_at is not None
        assert call.started_at is None or call.duration == int(
            (call.ended_at - call.started_at).total_seconds()
        )
    else:
        assert call.ended_at is None
    if not connected:
        assert call.duration == 0


@given(strategies.call_report_sequences())
def test_report_sequences_reconcile_to_the_real_final_status(pair) -> None:
    reports, final = pair
    assert CALL_MACHINE.is_terminal(final)
    assert any(r.status is final for r in reports)
    state, at = CALL_MACHINE.initial, None
    for report in reports:
        new = CALL_MACHINE.reconcile(state, report.status, current_at=at, reported_at=report.at)
        if new is not state:
            state, at = new, report.at
    assert state is final


REGISTERED = [cls for cls, _, _ in _registrations()]
# find() searches until an example fits: with a fixed seed and a generous budget, the
# same examples come out on every run under every profile (issue 13: the itellico
# preset was missed in about 2% of fresh runs with the profile's 50 examples).
FRESH = settings(database=None, derandomize=True, max_examples=2000)


# Every registered type draws valid records through st.from_type: test_from_type.py,
# which walks the public namespaces for the types.


def test_every_public_policy_and_record_type_has_a_strategy() -> None:
    for name in (
        "Campaign",
        "Contact",
        "Call",
        "CallerLine",
        "RetryPolicy",
        "RetryRule",
        "CyclePolicy",
        "Schedule",
        "CallingWindow",
        "PacingPolicy",
        "RotationPolicy",
        "BillingPolicy",
        "CompliancePolicy",
        "QuietHours",
        "FrequencyCap",
        "ConversationCooldown",
        "AbandonedCallCooldown",
        "DoNotCall",
        "Region",
        "Goal",
        "GoalSet",
        "GoalResult",
        "CampaignCounts",
        "CallUpdate",
    ):
        home = campaignkit if name in campaignkit.__all__ else campaignkit.policies
        assert getattr(home, name) in REGISTERED, name


@pytest.mark.parametrize(
    "make",
    [
        lambda: strategies.phone_numbers(regions=[]),
        lambda: strategies.phone_numbers(regions="MX"),
        lambda: strategies.phone_numbers(regions=["XX"]),
        lambda: strategies.contacts(max_attempts=-1),
        lambda: strategies.contacts(statuses=[]),
        lambda: strategies.contacts(min_value=datetime(2020, 1, 1)),
        lambda: strategies.calls(min_attempt=3, max_attempt=2),
        lambda: strategies.caller_lines(min_spam_score=5, max_spam_score=4),
        lambda: strategies.call_report_sequences(max_duplicates=-1),
        lambda: strategies.retry_rules(max_limit=101),
        lambda: strategies.retry_rules(min_wait=timedelta(hours=2), max_wait=timedelta(hours=1)),
        lambda: strategies.retry_policies(max_retries=-1),
        lambda: strategies.retry_policies(max_retries=101),
        lambda: strategies.retry_policies(max_failed_retries=2.5),
        lambda: strategies.retry_policies(max_attempts=0),
        lambda: strategies.retry_policies(max_wait=timedelta(days=400)),
        lambda: strategies.retry_policies(min_wait=timedelta(seconds=-1)),
        lambda: strategies.retry_policies(presets="yes"),
        lambda: strategies.cycle_policies(max_loops_per_day=0),
        lambda: strategies.cycle_policies(max_loops_per_day=1441),
        lambda: strategies.cycle_policies(max_loops=0),
        lambda: strategies.cycle_policies(max_cooldown=timedelta(days=-1)),
        lambda: strategies.cycle_policies(tags=[""]),
        lambda: strategies.cycle_policies(tags="vip"),
        lambda: strategies.calling_windows(weekdays=[]),
        lambda: strategies.calling_windows(weekdays=[7]),
        lambda: strategies.calling_windows(step=timedelta(minutes=7)),
        lambda: strategies.calling_windows(step=timedelta(0)),
        lambda: strategies.schedules(timezones=["Mars/Olympus"]),
        lambda: strategies.schedules(timezones=[]),
        lambda: strategies.schedules(max_windows=0),
        lambda: strategies.schedules(min_value=datetime(2030, 1, 1)),
        lambda: strategies.pacing_policies(max_calls_per_number_per_day=1001),
        lambda: strategies.pacing_policies(max_concurrent_calls=0),
        lambda: strategies.pacing_policies(max_whatsapp_daily_limit=0),
        lambda: strategies.rotation_policies(strategies=[]),
        lambda: strategies.rotation_policies(strategies=["Fastest"]),
        lambda: strategies.rotation_policies(min_spam_threshold=0),
        lambda: strategies.rotation_policies(min_spam_threshold=8, max_spam_threshold=7),
        lambda: strategies.billing_policies(max_price=Decimal(-1)),
        lambda: strategies.billing_policies(max_price=Decimal("NaN")),
        lambda: strategies.billing_policies(max_price=1),
        lambda: strategies.billing_policies(units=[]),
        lambda: strategies.compliance_rules(kinds=[]),
        lambda: strategies.compliance_rules(kinds=[Contact]),
        lambda: strategies.compliance_regions(regions=["XX"]),
        lambda: strategies.compliance_policies(max_rules=-1),
        lambda: strategies.goals(kinds=[]),
        lambda: strategies.goal_sets(min_size=0),
        lambda: strategies.goal_sets(min_size=3, max_size=2),
        lambda: strategies.goal_results(goal_ids=[]),
        lambda: strategies.goal_results(outcomes=[]),
        lambda: strategies.campaign_counts(max_value=-1),
        lambda: strategies.call_updates(max_attempt=0),
        lambda: strategies.call_updates(contact_ids=[]),
        lambda: strategies.campaign_setups(min_contacts=3, max_contacts=2),
        lambda: strategies.campaign_setups(retry=RetryPolicy()),
        lambda: strategies.campaign_setups(timezones=["Nowhere"]),
        lambda: strategies.campaign_setups(max_lines=-1),
    ],
)
def test_bad_arguments_raise_invalid_argument(make) -> None:
    with pytest.raises(InvalidArgument):
        make().example()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: strategies.moments(offsets=1), "offsets must be True or False; got 1"),
        (lambda: strategies.goal_sets(min_size=0), "min_size must be an integer >= 1; got 0"),
        (lambda: strategies.campaign_setups(retry=RetryPolicy()), "retry must be a SearchStrategy"),
        (
            lambda: strategies.retry_policies(max_wait=timedelta(-1)),
            "max_wait must be a timedelta from 0:00:00 to",
        ),
    ],
)
def test_argument_checks_word_their_errors_like_the_records(make, message: str) -> None:
    """The strategies' argument checks are the records' validator family raising
    InvalidArgument (issue 18 item 3): the same "<name> must be <expected>; got <value>"."""
    with pytest.raises(InvalidArgument) as raised:
        make().example()
    assert str(raised.value).startswith(message)


def test_module_is_importable_from_the_package() -> None:
    assert campaignkit.strategies is strategies


# --------------------------------------------------------------------------- policies and more


def assert_valid(record: object) -> None:
    """Re-running the validators gives the same record: from plain data where the record
    has a codec, and by re-construction (attrs.evolve calls __init__) always."""
    assert attrs.evolve(record) == record
    if hasattr(record, "to_dict") and hasattr(type(record), "from_dict"):
        assert type(record).from_dict(record.to_dict()) == record


EVERY_STRATEGY = {
    "retry_rules": strategies.retry_rules(),
    "retry_policies": strategies.retry_policies(),
    "retry_policies(full range)": strategies.retry_policies(
        max_retries=100, max_failed_retries=100, max_attempts=10_000, max_wait=timedelta(days=366)
    ),
    "cycle_policies": strategies.cycle_policies(),
    "calling_windows": strategies.calling_windows(),
    "schedules": strategies.schedules(),
    "pacing_policies": strategies.pacing_policies(),
    "pacing_policies(choices)": strategies.pacing_policies(choices_only=True),
    "rotation_policies": strategies.rotation_policies(),
    "billing_policies": strategies.billing_policies(),
    "compliance_regions": strategies.compliance_regions(),
    "compliance_rules": strategies.compliance_rules(),
    "compliance_policies": strategies.compliance_policies(),
    "goals": strategies.goals(),
    "goal_sets": strategies.goal_sets(),
    "goal_results": strategies.goal_results(),
    "campaign_counts": strategies.campaign_counts(),
    "call_updates": strategies.call_updates(),
}


@pytest.mark.parametrize("name", sorted(EVERY_STRATEGY))
def test_generated_policies_pass_their_validators(name: str) -> None:
    @given(EVERY_STRATEGY[name])
    def check(record: object) -> None:
        assert_valid(record)

    check()


@pytest.mark.parametrize(
    ("strategy", "default"),
    [
        (strategies.retry_policies(), RetryPolicy()),
        (strategies.cycle_policies(), CyclePolicy()),
        (strategies.schedules(), Schedule()),
        (strategies.pacing_policies(), PacingPolicy()),
        (strategies.pacing_policies(choices_only=True), PacingPolicy()),
        (strategies.rotation_policies(), RotationPolicy()),
        (strategies.billing_policies(), BillingPolicy()),
        (strategies.compliance_policies(), CompliancePolicy()),
    ],
    ids=lambda x: type(x).__name__,
)
def test_policies_shrink_towards_the_defaults(strategy, default) -> None:
    assert find(strategy, lambda _: True, settings=FRESH) == default


def test_bounded_retry_policies_stay_within_their_bounds() -> None:
    low, high = timedelta(minutes=1), timedelta(hours=2)

    @given(
        strategies.retry_policies(
            max_retries=1, max_failed_retries=0, max_attempts=3, min_wait=low, max_wait=high
        )
    )
    def check(policy: RetryPolicy) -> None:
        assert policy.max_retries <= 1
        assert policy.max_failed_retries == 0
        assert policy.max_attempts is None or policy.max_attempts <= 3
        waits = [policy.interval, *policy.intervals]
        waits += [r.delay for r in policy.rules.values() if r.delay is not None]
        if policy.max_interval is not None:
            waits.append(policy.max_interval)
        assert all(low <= w <= high for w in waits), waits
        assert timedelta(0) <= policy.completion_timeout <= high
        for rule in policy.rules.values():
            assert rule.limit is None or rule.limit <= 1

    check()


def test_no_completion_timeouts_means_none() -> None:
    @given(strategies.retry_policies(completion_timeouts=False))
    def check(policy: RetryPolicy) -> None:
        assert policy.completion_timeout == timedelta(0)

    check()


def test_the_presets_are_drawn_too() -> None:
    for name in ("altur", "itellico", "exotel"):
        find(strategies.retry_policies(), lambda p, name=name: p.name == name, settings=FRESH)
    for name in ("altur", "exotel", "thinkrr", "twilio"):
        find(strategies.billing_policies(), lambda p, name=name: p.name == name, settings=FRESH)
    assert (
        find(
            strategies.compliance_policies(),
            lambda p: CompliancePolicy.tcpa().rules[0] in p.rules,
            settings=FRESH,
        )
        == CompliancePolicy.tcpa()
    )
    with pytest.raises(NoSuchExample):
        find(strategies.retry_policies(presets=False), lambda p: p.name != "custom", settings=FRESH)


def test_bounded_time_policies_stay_within_their_bounds() -> None:
    @given(
        strategies.calling_windows(weekdays=[5, 6], step=timedelta(hours=1)),
        strategies.schedules(timezones=["Asia/Kolkata"], contact_windows=False),
        strategies.rotation_policies(
            strategies=[RotationStrategy.WEIGHTED], min_spam_threshold=3, max_spam_threshold=4
        ),
        strategies.pacing_policies(max_calls_per_number_per_day=5, max_concurrent_calls=2),
    )
    def check(window: CallingWindow, schedule: Schedule, rotation, pacing) -> None:
        assert window.weekdays <= {5, 6}
        assert window.start.minute == window.end.minute == 0
        assert schedule.timezone == "Asia/Kolkata"
        assert schedule.contact_windows == ()
        assert rotation.strategy is RotationStrategy.WEIGHTED
        assert 3 <= rotation.spam_threshold <= 4
        assert pacing.max_calls_per_number_per_day <= 5
        assert pacing.max_concurrent_calls in (None, 1, 2)

    check()


@given(strategies.goal_sets(min_size=2, max_size=4))
def test_goal_sets_have_one_active_primary(goals: GoalSet) -> None:
    assert 2 <= len(goals.goals) <= 4
    assert goals.primary.is_primary
    assert not goals.primary.archived


@given(strategies.goal_results(goal_ids=["book"], outcomes=[GoalOutcome.UNKNOWN]))
def test_unknown_goal_results_have_no_score(result: GoalResult) -> None:
    assert result.goal_id == "book"
    assert result.score is None


@given(strategies.campaign_setups(max_contacts=5))
def test_campaign_setups_load_into_a_runner(setup: strategies.CampaignSetup) -> None:
    assert setup.campaign.status is CampaignStatus.PENDING
    assert setup.campaign.timezone == setup.schedule.timezone
    assert 1 <= len(setup.contacts) <= 5
    assert all(c.status is ContactStatus.QUEUED and c.attempts == 0 for c in setup.contacts)
    assert_valid(setup.campaign)
    for part in (setup.retry, setup.schedule, setup.billing, *setup.contacts):
        assert_valid(part)
    runner = setup.runner(datetime(2026, 6, 1, 15, tzinfo=UTC))
    assert runner.counts.created == len(setup.contacts)
    assert runner.campaign.status is CampaignStatus.READY
    assert set(setup.runner_options()) <= {
        "schedule",
        "pacing",
        "rotation",
        "compliance",
        "lines",
        "rng",
    }


def test_campaign_setups_without_time_policies_use_the_defaults() -> None:
    @given(
        strategies.campaign_setups(
            time_policies=False, retry=st.just(RetryPolicy.altur()), cycles=st.none()
        )
    )
    def check(setup: strategies.CampaignSetup) -> None:
        assert setup.schedule == Schedule(timezone=setup.campaign.timezone)
        assert (setup.pacing, setup.rotation, setup.compliance) == (
            None,
            RotationPolicy(),
            CompliancePolicy(),
        )
        assert setup.retry == RetryPolicy.altur()
        assert setup.cycles is None

    check()


@settings(max_examples=5)
@given(strategies.campaign_setups(min_contacts=2))
def test_a_setup_refuses_repeated_ids(setup: strategies.CampaignSetup) -> None:
    with pytest.raises(InvalidArgument, match="distinct ids"):
        attrs.evolve(setup, contacts=(setup.contacts[0], setup.contacts[0]))


def test_quiet_hours_shrink_to_tcpa_hours() -> None:
    rule = find(
        strategies.compliance_rules(kinds=[campaignkit.policies.QuietHours]),
        lambda _: True,
        settings=FRESH,
    )
    assert rule == campaignkit.policies.QuietHours(windows=(CallingWindow(time(8), time(21)),))


@given(st.lists(strategies.contacts(), max_size=4, unique_by=lambda c: c.id))
def test_drawn_contacts_export_and_come_back_with_their_tags(people: list[Contact]) -> None:
    # issue 13 item 19: a tag named like a fixed column (follow_up) made export_contacts
    # refuse a drawn contact; strategies draw only what the library accepts everywhere
    for tag in {t for c in people for t in c.tags}:
        assert tag.casefold() not in strategies.RESERVED_TAGS
        assert not campaignkit.io.is_formula(tag)
    for extended in (False, True):
        text = campaignkit.io.export_contacts(people, extended=extended)
        tags = sorted({t for c in people for t in c.tags})
        back = campaignkit.io.read_contact_export(text, tags=tags, region=None)
        assert [c.tags for c in back.contacts] == [c.tags for c in people]
    campaignkit.io.export_calls([], contacts=people)


def test_reserved_tags_cover_every_fixed_export_column() -> None:
    from campaignkit.io import (
        CALL_EXPORT_COLUMNS,
        CONTACT_EXPORT_COLUMNS,
        EXTENDED_CONTACT_COLUMNS,
    )

    assert "follow_up" in strategies.RESERVED_TAGS
    assert set(CONTACT_EXPORT_COLUMNS + EXTENDED_CONTACT_COLUMNS + CALL_EXPORT_COLUMNS) <= (
        strategies.RESERVED_TAGS
    )


@pytest.mark.parametrize("name", ["America", "Europe", "x" * 300])
def test_zone_folders_are_refused_as_arguments(name: str) -> None:
    # issue 14 item 3: tzdata folders gave a bare IsADirectoryError
    with pytest.raises(InvalidArgument, match="IANA"):
        strategies.schedules(timezones=[name])


@pytest.mark.parametrize("channel", list(campaignkit.Channel))
def test_drawn_rules_are_accepted_by_setup_for_their_channel(channel: campaignkit.Channel) -> None:
    # issue 13 item 19: strategies draw only what the library accepts everywhere - a
    # call campaign's rules carry no WhatsApp settings, a WhatsApp campaign's carry
    # consent and no loops, so `setup` takes every one of them.
    import random

    from campaignkit.engine.steps import setup

    @settings(max_examples=20)
    @given(strategies.campaign_rules(channels=(channel,)))
    def check(rules: campaignkit.policies.CampaignRules) -> None:
        campaign = campaignkit.Campaign(id="c", name="Rules", channel=channel)
        setup(campaign, rules=rules, rng=random.Random(0))

    check()


@settings(max_examples=20)
@given(strategies.contact_states())
def test_drawn_contact_states_round_trip_as_json(state: object) -> None:
    # A drawn row is one a service can store and load again as JSON.
    import json

    from campaignkit.models import ContactState

    assert isinstance(state, ContactState)
    assert ContactState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
