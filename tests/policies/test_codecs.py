"""Every policy and state a service stores has a public ``to_dict``/``from_dict``
(issue 18 item 3) with one meaning: a dict of plain JSON values that ``from_dict``
turns back into an equal record, through ``json.dumps``/``json.loads`` too; a bad
shape raises a typed error (never KeyError or TypeError)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import strategies as cs
from campaignkit.errors import CampaignkitError, InvalidInput
from campaignkit.policies import (
    Attempt,
    BillingPolicy,
    CallingWindow,
    CampaignRules,
    CompliancePolicy,
    ConversionKind,
    ConversionRule,
    CyclePolicy,
    Extraction,
    MessageTemplate,
    PacingPolicy,
    PacingState,
    Refusal,
    Region,
    RetryPolicy,
    RotationPolicy,
    Schedule,
    WhatsAppSettings,
    codecs,
)
from campaignkit.policies.compliance import rule_from_dict
from campaignkit.statuses import Outcome

# Local strategies for the records campaignkit.strategies does not draw (yet).
_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_NAMES = st.text("abcxyz -", min_size=1, max_size=8)

pacing_states = st.builds(
    PacingState,
    in_flight=st.integers(0, 50),
    last_started_at=st.none() | _MOMENTS,
    sent_today=st.integers(0, 10_000),
    counted_on=st.none() | _MOMENTS.map(lambda t: t.date()),
)


@st.composite
def attempts(draw: st.DrawFn) -> Attempt:
    at = draw(_MOMENTS)
    ended = draw(st.none() | st.timedeltas(timedelta(0), timedelta(hours=2)).map(lambda d: at + d))
    return Attempt(
        at=at,
        outcome=draw(st.none() | st.sampled_from(Outcome)),
        ended_at=ended,
        abandoned=draw(st.booleans()),
    )


refusals = st.builds(
    Refusal,
    rule=_NAMES,
    reason=_NAMES,
    retry_at=st.none() | _MOMENTS,
    campaign_wide=st.booleans(),
)
templates = st.builds(
    MessageTemplate,
    name=_NAMES,
    language=st.none() | st.sampled_from(["es_MX", "en_US"]),
)
whatsapp_settings = st.builds(
    WhatsAppSettings,
    templates=st.lists(templates, min_size=1, max_size=2, unique_by=lambda t: t.name),
    daily_limit=st.none() | st.integers(1, 10_000),
    consent=st.booleans(),
    response_window=st.none() | st.integers(1, 30 * 24).map(lambda h: timedelta(hours=h)),
)
conversion_rules = st.one_of(
    st.builds(ConversionRule, kind=st.just(ConversionKind.TAG), tag=_NAMES),
    st.builds(ConversionRule, kind=st.just(ConversionKind.EXTRACTED_FIELD), field=_NAMES),
)
extractions = st.builds(
    Extraction,
    conversation_id=_NAMES,
    at=_MOMENTS,
    fields=st.dictionaries(_NAMES, st.none() | st.booleans() | st.integers() | _NAMES),
)

CASES: list[tuple[type[Any], st.SearchStrategy[Any]]] = [
    (Schedule, cs.schedules()),
    (CallingWindow, cs.calling_windows()),
    (PacingPolicy, cs.pacing_policies()),
    (PacingState, pacing_states),
    (RotationPolicy, cs.rotation_policies()),
    (CompliancePolicy, cs.compliance_policies()),
    (Region, cs.compliance_regions()),
    (Attempt, attempts()),
    (Refusal, refusals),
    (BillingPolicy, cs.billing_policies()),
    (RetryPolicy, cs.retry_policies()),
    (CyclePolicy, cs.cycle_policies()),
    (WhatsAppSettings, whatsapp_settings),
    (MessageTemplate, templates),
    (ConversionRule, conversion_rules),
    (Extraction, extractions),
]
IDS = [cls.__name__ for cls, _ in CASES]


def _plain(value: Any) -> bool:
    """True for a tree of str/int/float/bool/None, lists and str-keyed dicts."""
    if value is None or type(value) in (str, int, float, bool):
        return True
    if type(value) is list:
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    return False


@pytest.mark.parametrize(("cls", "records"), CASES, ids=IDS)
@given(data=st.data())
def test_from_dict_reverses_to_dict_through_json(
    cls: type[Any], records: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    record = data.draw(records)
    plain = record.to_dict()
    assert _plain(plain)
    assert cls.from_dict(plain) == record
    through_json = json.loads(json.dumps(plain))
    assert cls.from_dict(through_json) == record
    assert cls.from_dict(through_json).to_dict() == plain


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@pytest.mark.parametrize(("cls", "records"), CASES, ids=IDS)
@given(data=st.data())
def test_a_bad_shape_raises_a_typed_error(
    cls: type[Any], records: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    """One value replaced by any JSON (or a key dropped, or one added): the result
    is a record or a CampaignkitError - never KeyError, TypeError, AttributeError."""
    plain = data.draw(records).to_dict()
    keys = sorted(plain)
    how = data.draw(st.sampled_from(["replace", "drop", "add", "whole"]))
    if how == "replace":
        plain[data.draw(st.sampled_from(keys))] = data.draw(_JSON)
    elif how == "drop":
        del plain[data.draw(st.sampled_from(keys))]
    elif how == "add":
        plain[data.draw(st.text(min_size=1, max_size=5).filter(lambda k: k not in plain))] = 1
    else:
        plain = data.draw(_JSON)
    with contextlib.suppress(CampaignkitError):
        cls.from_dict(plain)


def test_the_campaign_rules_keep_their_stored_shape() -> None:
    """CampaignRules.to_dict nests each policy's own to_dict, as the snapshot
    fixtures (tests/data) stored it through the codec functions."""
    rules = CampaignRules(
        schedule=Schedule.business_hours(),
        pacing=PacingPolicy(max_concurrent_calls=3),
        rotation=RotationPolicy(sticky=True),
        compliance=CompliancePolicy.combine(CompliancePolicy.tcpa(), CompliancePolicy.uk()),
        billing=BillingPolicy.altur(),
    )
    data = rules.to_dict()
    assert data["schedule"] == codecs.schedule_to_dict(rules.schedule) == rules.schedule.to_dict()  # type: ignore[union-attr]
    assert data["compliance"]["rules"][0]["rule"] == "quiet-hours"
    assert data["billing"]["price_per_increment"] == "0"
    assert set(data["pacing"]) == {
        "call_interval",
        "ring_timeout",
        "max_calls_per_number_per_day",
        "whatsapp_daily_limit",
        "max_concurrent_calls",
    }
    assert CampaignRules.from_dict(json.loads(json.dumps(data))) == rules


def test_bad_shapes_name_what_was_wrong() -> None:
    with pytest.raises(InvalidInput, match="schedule must be a mapping with keys"):
        Schedule.from_dict({"timezone": "UTC"})
    with pytest.raises(InvalidInput, match="unknown compliance rule 'curfew'"):
        rule_from_dict({"rule": "curfew"})
    with pytest.raises(InvalidInput, match="is not a UnknownBilling"):
        BillingPolicy.from_dict({**BillingPolicy().to_dict(), "unknown": ["full"]})
    with pytest.raises(InvalidInput, match="at must be an ISO 8601 date-time; got 3"):
        Attempt.from_dict({**Attempt(at=datetime(2026, 1, 1, tzinfo=UTC)).to_dict(), "at": 3})
    with pytest.raises(InvalidInput, match="not a number of seconds"):
        PacingPolicy.from_dict({**PacingPolicy().to_dict(), "ring_timeout": "30"})
    # data from before recurring closures had no closed_rules
    old = Schedule.business_hours().to_dict()
    del old["closed_rules"]
    assert Schedule.from_dict(old) == Schedule.business_hours()
