"""The public state-machine base class: it passes on the library, it can be subclassed
with users' policies, and it catches runners and policies that break an invariant."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, run_state_machine_as_test

from campaignkit import (
    CallStatus,
    Campaign,
    CampaignRunner,
    CyclePolicy,
    RetryPolicy,
)
from campaignkit.strategies import (
    CampaignSetup,
    CampaignStateMachine,
    RunnerOptions,
    campaign_setups,
    retry_policies,
)

# A failing run must be found, and shrunk, quickly: no explain phase, fixed seed.
FIND = settings(
    max_examples=300,
    stateful_step_count=50,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


def fails(machine: type[CampaignStateMachine]) -> str:
    """Run ``machine`` and return the assertion it failed with (fail the test if none)."""
    with pytest.raises(AssertionError) as info:
        run_state_machine_as_test(machine, settings=FIND)
    return str(info.value)


# --------------------------------------------------------------------------- it passes

TestDefaultMachine = CampaignStateMachine.TestCase
TestDefaultMachine.settings = settings(stateful_step_count=50, deadline=None)


class VendorPresets(CampaignStateMachine):
    """Altur's retry policy and loops, Exotel's, itellico's with a completion timeout."""

    def retry_policy(self) -> st.SearchStrategy[RetryPolicy]:
        return st.sampled_from(
            [
                RetryPolicy.altur(2, failed_retries=1),
                RetryPolicy.exotel(3, interval_mins=15, mechanism="Exponential"),
                RetryPolicy.itellico(2, contact_completion_timeout=(30, "minutes")),
            ]
        )

    def cycle_policy(self) -> CyclePolicy:
        return CyclePolicy(max_loops_per_day=2, cooldown=30, max_loops=2)


TestVendorPresets = VendorPresets.TestCase
TestVendorPresets.settings = settings(stateful_step_count=50, deadline=None)


SETUPS = campaign_setups(max_contacts=4, max_lines=3)


class WithTimePolicies(CampaignStateMachine):
    """Generated schedules, pacing, rotation, compliance and caller lines plugged in."""

    def runner_options(self) -> st.SearchStrategy[RunnerOptions]:
        return SETUPS.map(CampaignSetup.runner_options)


TestWithTimePolicies = WithTimePolicies.TestCase
TestWithTimePolicies.settings = settings(stateful_step_count=40, deadline=None)


def test_hooks_may_return_plain_values() -> None:
    class Plain(CampaignStateMachine):
        def retry_policy(self) -> RetryPolicy:
            return RetryPolicy(max_retries=1)

        def cycle_policy(self) -> None:
            return None

        def call_endings(self) -> CallStatus:
            return CallStatus.BUSY

        @invariant()
        def at_most_two_calls(self) -> None:
            for contact in self.runner.contacts.values():
                assert contact.attempts <= 2

    run_state_machine_as_test(
        Plain, settings=settings(max_examples=20, stateful_step_count=30, deadline=None)
    )


# --------------------------------------------------------------------------- it catches bugs


class _Liar(CampaignRunner):
    """A runner that says it follows one retry policy and follows a looser one."""

    __slots__ = ()

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(max_retries=0, max_failed_retries=0)


def test_a_runner_retrying_past_its_policy_is_caught() -> None:
    class Machine(CampaignStateMachine):
        def retry_policy(self) -> RetryPolicy:
            return RetryPolicy(max_retries=2)

        def make_runner(self, campaign: Campaign, **options: Any) -> CampaignRunner:
            return _Liar(campaign, **options)

    assert "retries" in fails(Machine)


class _Echo(CampaignRunner):
    """A runner that counts every report it is handed in its outbox-visible state:
    duplicates and stale reports change it."""

    __slots__ = ("reports",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reports = 0

    def handle(self, event: Any) -> None:
        super().handle(event)
        self.reports += 1


def test_a_runner_changed_by_duplicate_reports_is_caught() -> None:
    class Machine(CampaignStateMachine):
        def make_runner(self, campaign: Campaign, **options: Any) -> CampaignRunner:
            return _Echo(campaign, **options)

        def state(self) -> tuple[Any, ...]:
            assert isinstance(self.runner, _Echo)
            return (*super().state(), self.runner.reports)

    assert "report changed the runner" in fails(Machine)


# --------------------------------------------------------------------------- the documented bug

MAX_CALLS = 4


def capped(policy: RetryPolicy, max_calls: int = MAX_CALLS) -> RetryPolicy:
    """A user's rule: the vendor's policy, never more than ``max_calls`` calls per cycle -
    and, by mistake, nothing about later cycles."""
    retries = min(policy.max_retries, max_calls - 1)
    failed = min(policy.max_failed_retries, max_calls - 1 - retries)
    return attrs.evolve(policy, max_retries=retries, max_failed_retries=failed)


def capped_for_life(policy: RetryPolicy, max_calls: int = MAX_CALLS) -> RetryPolicy:
    """The fix: the lifetime cap as well."""
    return attrs.evolve(capped(policy, max_calls), max_attempts=max_calls)


POLICIES = retry_policies(max_retries=6, max_failed_retries=3)


class CappedMachine(CampaignStateMachine):
    def retry_policy(self) -> st.SearchStrategy[RetryPolicy]:
        return POLICIES.map(capped)

    def cycle_policy(self) -> CyclePolicy:
        return CyclePolicy(max_loops=2)

    @invariant()
    def nobody_is_called_more_than_max_calls(self) -> None:
        for contact in self.runner.contacts.values():
            assert contact.attempts <= MAX_CALLS, f"{contact.id} called {contact.attempts} times"


def test_a_wrapper_that_forgets_the_lifetime_cap_is_caught() -> None:
    # Within the profile's own budget (dev: 50 examples of 50 steps): the machine's
    # rounds of unanswered calls drive a contact through its retries and loops fast.
    with pytest.raises(AssertionError) as info:
        run_state_machine_as_test(CappedMachine)
    assert str(info.value).startswith(f"c0 called {MAX_CALLS + 1} times")


class _Forgetful(CampaignRunner):
    """A runner wrapper that passes the retry policy on without its lifetime cap."""

    __slots__ = ()

    def __init__(self, campaign: Campaign, *, retry: RetryPolicy, **options: Any) -> None:
        super().__init__(campaign, retry=attrs.evolve(retry, max_attempts=None), **options)


def test_a_runner_that_forgets_the_lifetime_cap_is_caught() -> None:
    # The machine holds the runner to the policy it was given, not the one it reports;
    # its default policies draw small lifetime caps often.
    class Machine(CampaignStateMachine):
        def make_runner(self, campaign: Campaign, **options: Any) -> CampaignRunner:
            return _Forgetful(campaign, **options)

    with pytest.raises(AssertionError, match="over the lifetime cap"):
        run_state_machine_as_test(Machine)


def test_the_fixed_wrapper_passes() -> None:
    class Fixed(CappedMachine):
        def retry_policy(self) -> st.SearchStrategy[RetryPolicy]:
            return POLICIES.map(capped_for_life)

    run_state_machine_as_test(
        Fixed, settings=settings(FIND, max_examples=100, phases=[Phase.generate])
    )


def test_the_per_cycle_cap_alone_holds() -> None:
    # What a test of the wrapper alone checks, and why it is not enough: each cycle
    # is capped; only running cycles through the engine shows the lifetime bug.
    @given(POLICIES)
    def check(policy: RetryPolicy) -> None:
        assert capped(policy).max_attempts_per_cycle() <= MAX_CALLS

    check()


def test_waits_bounded_for_the_machine() -> None:
    # The default retry strategy of the machine keeps runs short: waits within 6 hours.
    machine = CampaignStateMachine()
    strategy = machine.retry_policy()
    assert isinstance(strategy, st.SearchStrategy)

    @given(strategy)
    def check(policy: RetryPolicy) -> None:
        assert policy.interval <= timedelta(hours=6)

    check()
