"""Tags, extracted fields, the conversion rule and callbacks (seeds 000 and 003)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    Contact,
    ContactStatus,
    ConversionRule,
    GoalResult,
    InvalidConfig,
    InvalidInput,
    Outcome,
    strategies,
)
from campaignkit.models import GoalOutcome
from campaignkit.policies import (
    ConversionKind,
    Extraction,
    add_tags,
    callback_time,
    has_extracted_data,
    is_converted,
    is_empty_value,
    merge_extracted,
    schedule_callback,
    tag_columns,
)
from campaignkit.statuses import ContactStatus as _ContactStatus

from ..seed_vocabulary import THINKRR_OUTCOME

contacts = functools.partial(strategies.contacts, statuses=tuple(_ContactStatus))
ids = strategies.identifiers()
moments = strategies.moments()
scalars = strategies.json_scalars()

T0 = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
JUAN = Contact(id="123", phone="+5215555551234", name="Juan Pérez")


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# --------------------------------------------------------------------------- extracted fields


def test_the_latest_non_empty_value_wins() -> None:
    merged = merge_extracted(
        [
            Extraction("c1", at(0), {"email": "old@example.com", "interest": "high"}),
            Extraction("c2", at(1), {"email": "new@example.com", "interest": None}),
            Extraction("c3", at(2), {"email": "  ", "rating": 4}),
        ]
    )
    assert merged == {"email": "new@example.com", "interest": "high", "rating": 4}


def test_a_field_never_filled_is_left_out() -> None:
    assert merge_extracted([Extraction("c1", at(0), {"email": None, "note": ""})]) == {}
    assert merge_extracted([]) == {}


def test_zero_and_false_are_values() -> None:
    assert not is_empty_value(0)
    assert not is_empty_value(False)
    assert is_empty_value(None)
    assert is_empty_value(" \t")
    merged = merge_extracted([Extraction("c1", at(0), {"rating": 0, "opt_in": False})])
    assert merged == {"rating": 0, "opt_in": False}


def test_an_extraction_needs_an_aware_time() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        Extraction("c1", datetime(2026, 6, 1), {})
    with pytest.raises(InvalidInput):
        Extraction("c1", at(0), {"email": ["a", "b"]})
    with pytest.raises(InvalidInput):
        merge_extracted([{"email": "x"}])  # type: ignore[list-item]


extractions = st.builds(
    Extraction,
    conversation_id=st.sampled_from(["c1", "c2", "c3"]),
    at=st.integers(0, 3).map(at),
    fields=st.dictionaries(st.sampled_from(["email", "interest", "rating"]), scalars, max_size=3),
)


@given(
    st.lists(extractions, max_size=8).flatmap(lambda e: st.tuples(st.just(e), st.permutations(e)))
)
def test_merging_does_not_depend_on_the_order_of_conversations(
    orders: tuple[list[Extraction], list[Extraction]],
) -> None:
    first, second = orders
    assert merge_extracted(first) == merge_extracted(second)


@given(st.lists(extractions, max_size=8))
def test_every_merged_value_is_non_empty_and_from_the_latest_conversation_that_had_one(
    items: list[Extraction],
) -> None:
    merged = merge_extracted(items)
    for name, value in merged.items():
        assert not is_empty_value(value)
        filled = [e for e in items if not is_empty_value(e.fields.get(name))]
        latest = max(e.at for e in filled)
        assert any(e.at == latest and e.fields[name] == value for e in filled)
    for e in items:
        for name, value in e.fields.items():
            if not is_empty_value(value):
                assert name in merged


@given(extractions)
def test_extractions_round_trip_to_plain_data(extraction: Extraction) -> None:
    assert Extraction.from_dict(extraction.to_dict()) == extraction


def test_the_results_export_keeps_contacts_with_extracted_data() -> None:
    assert not has_extracted_data(JUAN)
    assert not has_extracted_data(Contact(id="1", phone="+5215555551234", extracted={"e": None}))
    assert has_extracted_data(Contact(id="1", phone="+5215555551234", extracted={"e": "x"}))


# --------------------------------------------------------------------------- tags


def test_tags_accumulate_and_export_one_column_each() -> None:
    tagged = add_tags(add_tags(JUAN, ["interested"]), {"callback", "interested"})
    assert tagged.tags == {"interested", "callback"}
    assert add_tags(tagged, ["callback"]) is tagged
    assert tag_columns(tagged, ["interested", "invalid-number", "callback"]) == {
        "interested": True,
        "invalid-number": False,
        "callback": True,
    }
    with pytest.raises(InvalidInput):
        add_tags(JUAN, "interested")
    with pytest.raises(InvalidInput):
        add_tags(JUAN, [""])


# --------------------------------------------------------------------------- conversion


def test_conversion_rules() -> None:
    assert ConversionRule() == ConversionRule.primary_goal()
    assert ConversionRule.on_tag("sale").kind is ConversionKind.TAG
    assert ConversionRule.on_field("email").field == "email"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": ConversionKind.TAG},
        {"kind": ConversionKind.EXTRACTED_FIELD},
        {"kind": ConversionKind.PRIMARY_GOAL, "tag": "sale"},
        {"kind": ConversionKind.TAG, "tag": "sale", "field": "email"},
        {"kind": ConversionKind.TAG, "tag": ""},
        {"kind": "tag", "tag": "sale"},
    ],
)
def test_inconsistent_rules_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidConfig):
        ConversionRule(**kwargs)


def test_plain_data_with_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidConfig, match="kind"):
        ConversionRule.from_dict({"kind": "sale"})


def test_converted_by_primary_goal() -> None:
    rule = ConversionRule.primary_goal()
    assert is_converted(rule, JUAN, primary_goal=GoalResult("book", GoalOutcome.ACHIEVED, 100))
    assert not is_converted(
        rule, JUAN, primary_goal=GoalResult("book", GoalOutcome.PARTIALLY_ACHIEVED)
    )
    assert not is_converted(rule, JUAN, primary_goal=GoalResult("book"))
    assert not is_converted(rule, JUAN)


def test_converted_by_tag_or_field() -> None:
    assert is_converted(ConversionRule.on_tag("sale"), add_tags(JUAN, ["sale"]))
    assert not is_converted(ConversionRule.on_tag("sale"), add_tags(JUAN, ["lead"]))
    rule = ConversionRule.on_field("email")
    with_email = Contact(id="1", phone="+5215555551234", extracted={"email": "a@example.com"})
    assert is_converted(rule, with_email)
    assert not is_converted(rule, Contact(id="1", phone="+5215555551234", extracted={"email": ""}))
    assert not is_converted(rule, JUAN)


rules = st.one_of(
    st.just(ConversionRule.primary_goal()),
    ids.map(ConversionRule.on_tag),
    ids.map(ConversionRule.on_field),
)


@given(rules, contacts())
def test_a_converted_contact_always_counts_and_rules_round_trip(
    rule: ConversionRule, contact: Contact
) -> None:
    assert ConversionRule.from_dict(rule.to_dict()) == rule
    if contact.status is ContactStatus.CONVERTED:
        assert is_converted(rule, contact)
    if rule.kind is ConversionKind.TAG:
        assert is_converted(rule, add_tags(contact, [rule.tag or ""]))


# --------------------------------------------------------------------------- callbacks


def test_thinkrr_callback_is_a_retriable_outcome() -> None:
    # Seed 003: "If a user requests a callback, the system marks the status as Callback."
    callback = THINKRR_OUTCOME["Callback"]
    assert callback is Outcome.CALLBACK_REQUESTED
    assert callback.retriable
    assert not callback.final


def test_a_callback_is_due_at_the_requested_time() -> None:
    assert callback_time(at(3), now=T0) == at(3)
    assert callback_time(at(-1), now=T0) == T0  # already past: as soon as possible


def test_the_calling_window_adjustment_is_applied() -> None:
    def next_morning(due: datetime) -> datetime:
        return due if due.hour < 20 else (due + timedelta(days=1)).replace(hour=9, minute=0)

    assert callback_time(at(5), now=T0, adjust=next_morning) == datetime(
        2026, 6, 2, 9, 0, tzinfo=UTC
    )
    with pytest.raises(InvalidInput, match="back"):
        callback_time(at(3), now=T0, adjust=lambda due: due - timedelta(minutes=1))
    with pytest.raises(InvalidInput, match="timezone-aware"):
        callback_time(at(3), now=T0, adjust=lambda due: due.replace(tzinfo=None))
    with pytest.raises(InvalidInput, match="timezone-aware"):
        callback_time(datetime(2026, 6, 1, 18), now=T0)


def test_scheduling_a_callback_sets_the_follow_up_flag() -> None:
    scheduled = schedule_callback(JUAN, at(2), now=T0)
    assert scheduled.follow_up
    assert scheduled.next_attempt_at == at(2)
    assert scheduled.status is JUAN.status  # the engine moves the status
    assert Contact.from_dict(scheduled.to_dict()) == scheduled


@given(moments, moments)
def test_a_callback_is_never_before_now_or_the_request(requested: datetime, now: datetime) -> None:
    due = callback_time(requested, now=now)
    assert due >= now
    assert due >= requested
    assert due in (requested, now)
