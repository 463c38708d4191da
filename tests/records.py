"""Test-local Hypothesis strategies for the core records (the public ones live in
`campaignkit.strategies` once that module exists)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    Call,
    CallerLine,
    CallStatus,
    Campaign,
    CampaignStatus,
    Channel,
    Contact,
    ContactStatus,
    Outcome,
    Priority,
)
from campaignkit.statuses import AmdMode, Direction, LineStatus

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
phones = st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    names,
)
scalar_maps = st.dictionaries(ids, scalars, max_size=4)


def campaigns() -> st.SearchStrategy[Campaign]:
    return st.builds(
        Campaign,
        id=ids,
        name=names.filter(bool),
        channel=st.sampled_from(Channel),
        timezone=st.sampled_from(["America/Mexico_City", "Asia/Kolkata", "UTC", "Europe/London"]),
        status=st.sampled_from(CampaignStatus),
        description=names,
        created_at=st.none() | moments,
        start_at=st.none() | moments,
        cycle=st.integers(0, 50),
        settings=scalar_maps,
        amd_mode=st.sampled_from(AmdMode),
    )


def contacts() -> st.SearchStrategy[Contact]:
    return st.builds(
        Contact,
        id=ids,
        phone=phones,
        name=names,
        context=names,
        external_id=st.none() | ids,
        agent_name=st.none() | names,
        voice_id=st.none() | ids,
        priority=st.sampled_from(Priority),
        tags=st.frozensets(ids, max_size=4),
        extracted=scalar_maps,
        attributes=scalar_maps,
        status=st.sampled_from(ContactStatus),
        retries=st.integers(0, 20),
        failed_retries=st.integers(0, 20),
        cycle=st.integers(0, 20),
        attempts=st.integers(0, 100),
        next_attempt_at=st.none() | moments,
        updated_at=st.none() | moments,
        follow_up=st.booleans(),
        last_outcome=st.none() | st.sampled_from(Outcome),
        line_id=st.none() | ids,
    )


@st.composite
def calls(draw: st.DrawFn) -> Call:
    created = draw(moments)
    started = created + timedelta(seconds=draw(st.integers(0, 120)))
    ended = started + timedelta(seconds=draw(st.integers(0, 3600)))
    return Call(
        id=draw(ids),
        contact_id=draw(ids),
        to=draw(phones),
        from_number=draw(names),
        attempt=draw(st.integers(1, 11)),
        direction=draw(st.sampled_from(Direction)),
        status=draw(st.sampled_from(CallStatus)),
        answered_by=draw(st.none() | st.sampled_from(AnsweredBy)),
        outcome=draw(st.none() | st.sampled_from(Outcome)),
        created_at=created,
        started_at=draw(st.none() | st.just(started)),
        ended_at=draw(st.none() | st.just(ended)),
        updated_at=draw(st.none() | moments),
        duration=int((ended - started).total_seconds()),
        recording_url=draw(st.none() | st.just("https://example.com/r.mp3")),
        price=draw(st.none() | st.decimals(min_value=-(10**12), max_value=10**12, places=4)),
        price_unit=draw(st.none() | st.sampled_from(["USD", "INR", "pulses"])),
        campaign_id=draw(st.none() | ids),
    )


def caller_lines() -> st.SearchStrategy[CallerLine]:
    return st.builds(
        CallerLine,
        id=ids,
        number=phones,
        name=names,
        status=st.sampled_from(LineStatus),
        spam_score=st.integers(0, 9),
        calls_today=st.integers(0, 1000),
        counted_on=st.none() | st.dates(),
        total_calls=st.integers(0, 10**6),
        weight=st.integers(1, 100),
    )


__all__ = ["UTC", "Decimal", "caller_lines", "calls", "campaigns", "contacts", "moments"]
