"""Test-local Hypothesis strategies for retry and cycle policies and engine inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    CallStatus,
    Contact,
    ContactStatus,
    CyclePolicy,
    Outcome,
    Priority,
    RetryPolicy,
)
from campaignkit.policies import RetryCounter, RetryRule, Spacing

T0 = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)

waits = st.integers(0, 3 * 86400).map(lambda s: timedelta(seconds=s))
short_waits = st.sampled_from([0, 60, 900, 3600, 86400]).map(lambda s: timedelta(seconds=s))

retry_rules = st.builds(
    RetryRule,
    retry=st.booleans(),
    counter=st.sampled_from(RetryCounter),
    limit=st.none() | st.integers(0, 5),
    delay=st.none() | short_waits,
)


def retry_policies(*, timeouts: bool = True) -> st.SearchStrategy[RetryPolicy]:
    """Retry policies with small limits, every spacing, and sometimes a completion timeout."""
    return st.builds(
        RetryPolicy,
        max_retries=st.integers(0, 3),
        max_failed_retries=st.integers(0, 2),
        max_attempts=st.none() | st.integers(1, 8),
        interval=short_waits,
        spacing=st.sampled_from(Spacing),
        intervals=st.lists(short_waits, max_size=3).map(tuple),
        max_interval=st.none() | short_waits,
        completion_timeout=(
            st.sampled_from([timedelta(0), timedelta(minutes=30)])
            if timeouts
            else st.just(timedelta(0))
        ),
        rules=st.dictionaries(st.sampled_from(Outcome), retry_rules, max_size=4),
    )


def vendor_policies() -> st.SearchStrategy[RetryPolicy]:
    """The three presets over their documented ranges."""
    return st.one_of(
        st.builds(RetryPolicy.altur, st.integers(0, 3), failed_retries=st.integers(0, 2)),
        st.builds(
            RetryPolicy.itellico,
            st.integers(0, 10),
            retry_interval=st.tuples(st.integers(1, 5), st.sampled_from(["minutes", "hours"])),
            contact_completion_timeout=st.sampled_from([(0, "minutes"), (30, "minutes")]),
        ),
        st.builds(
            RetryPolicy.exotel,
            st.integers(0, 3),
            interval_mins=st.integers(1, 60),
            mechanism=st.sampled_from(["Linear", "Exponential"]),
        ),
    )


def cycle_policies() -> st.SearchStrategy[CyclePolicy]:
    """Cycle policies with few loops, short cooldowns and some filters."""
    return st.builds(
        CyclePolicy,
        max_loops_per_day=st.integers(1, 3),
        cooldown=st.sampled_from([0, 30, 120]),
        max_loops=st.none() | st.integers(1, 3),
        status_filters=st.frozensets(
            st.sampled_from(
                [ContactStatus.ANSWERED, ContactStatus.VOICEMAIL, ContactStatus.NO_CONVERSATION]
            ),
            max_size=2,
        ),
        tag_filters=st.frozensets(st.sampled_from(["invalid", "vip"]), max_size=1),
    )


def fresh_contacts(count: int) -> st.SearchStrategy[list[Contact]]:
    """``count`` queued contacts with distinct ids and phones, random priority and tags."""
    return st.lists(
        st.tuples(st.sampled_from(Priority), st.frozensets(st.sampled_from(["invalid", "vip"]))),
        min_size=count,
        max_size=count,
    ).map(
        lambda specs: [
            Contact(id=f"c{i}", phone=f"+5215550000{i:03d}", priority=p, tags=t)
            for i, (p, t) in enumerate(specs)
        ]
    )


end_statuses = st.sampled_from(
    [
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.FAILED,
        CallStatus.CANCELLED,
    ]
)
report_statuses = st.sampled_from([s for s in CallStatus if s is not CallStatus.CREATED])
answered_bys = st.none() | st.sampled_from([AnsweredBy.HUMAN, AnsweredBy.MACHINE])
outcomes = st.sampled_from(Outcome)
