"""Billing rules (seeds 000, 001, 003 and Twilio-style) and readable durations."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    BillingPolicy,
    Call,
    CallStatus,
    InvalidConfig,
    InvalidInput,
    Outcome,
)
from campaignkit.policies import UnknownBilling, format_duration, parse_duration


def _call(answered_by: AnsweredBy | None, duration: int) -> Call:
    return Call(
        id="CA1",
        contact_id="c1",
        to="+15555550100",
        status=CallStatus.COMPLETED,
        answered_by=answered_by,
        duration=duration,
    )


def test_altur_human_full_machine_capped_at_5_seconds() -> None:
    altur = BillingPolicy.altur()
    assert altur.billed_seconds(_call(AnsweredBy.HUMAN, 43)) == 43
    assert altur.billed_seconds(_call(AnsweredBy.MACHINE, 43)) == 5
    assert altur.billed_seconds(_call(AnsweredBy.MACHINE, 3)) == 3


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "00:00"), (43, "00:43"), (65, "01:05"), (3725, "1:02:05")]
)
def test_readable_durations_round_trip(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


def test_bad_duration_text_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_duration("1:60")


@pytest.mark.parametrize("text", ["", "1:5", "01:60", "1:60:00", "-5", "1.5", "abc", "1:02:03:04"])
def test_malformed_durations_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize("value", [-1, 1.5, "43", True])
def test_format_duration_refuses_non_counts(value: object) -> None:
    with pytest.raises(InvalidInput):
        format_duration(value)  # type: ignore[arg-type]


def test_parse_duration_reads_bare_seconds_and_long_minutes() -> None:
    assert parse_duration(" 43 ") == 43
    assert parse_duration("75:00") == 4500


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"increment_seconds": 0}, "increment_seconds"),
        ({"minimum_seconds": -1}, "minimum_seconds"),
        ({"machine_cap_seconds": -5}, "machine_cap_seconds"),
        ({"price_per_increment": 0.5}, "price_per_increment"),
        ({"price_per_increment": Decimal(-1)}, "price_per_increment"),
        ({"unknown": "full"}, "unknown"),
        ({"billed_outcomes": "voicemail"}, "billed_outcomes"),
    ],
)
def test_out_of_range_settings_raise_invalid_config(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidConfig) as info:
        BillingPolicy(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_altur_unknown_must_be_a_known_setting() -> None:
    with pytest.raises(InvalidConfig, match="unknown"):
        BillingPolicy.altur(unknown="half")


@pytest.mark.parametrize(
    ("unknown", "billed"),
    [(UnknownBilling.FULL, 43), (UnknownBilling.CAPPED, 5), (UnknownBilling.FREE, 0)],
)
def test_altur_unknown_follows_configuration(unknown: UnknownBilling, billed: int) -> None:
    assert (
        BillingPolicy.altur(unknown=unknown).billed_seconds(_call(AnsweredBy.UNKNOWN, 43)) == billed
    )


def test_without_detection_a_voicemail_is_billed_as_a_machine() -> None:
    altur = BillingPolicy.altur()
    assert altur.billed_seconds(_call(None, 43)) == 43
    voicemail = attrs.evolve(_call(None, 43), outcome=Outcome.VOICEMAIL)
    assert altur.billed_seconds(voicemail) == 5


def test_twilio_style_minutes() -> None:
    twilio = BillingPolicy.twilio(price_per_minute=Decimal("0.0140"))
    assert twilio.billed_units(_call(AnsweredBy.HUMAN, 0)) == 1
    assert twilio.billed_units(_call(AnsweredBy.HUMAN, 60)) == 1
    assert twilio.billed_units(_call(AnsweredBy.MACHINE, 61)) == 2
    busy = attrs.evolve(_call(None, 0), status=CallStatus.BUSY)
    assert twilio.billed_units(busy) == 0
    assert twilio.total_cost([_call(AnsweredBy.HUMAN, 61), busy]) == Decimal("0.0280")


def test_thinkrr_time_spent_outcomes() -> None:
    thinkrr = BillingPolicy.thinkrr()
    assert Outcome.NO_ANSWER in thinkrr.billed_outcomes
    assert Outcome.FAILED not in thinkrr.billed_outcomes
    failed = attrs.evolve(_call(None, 30), outcome=Outcome.FAILED)
    assert thinkrr.total_seconds([_call(AnsweredBy.MACHINE, 30), failed]) == 30


def test_billing_for_described_calls_and_repr() -> None:
    exotel = BillingPolicy.exotel()
    assert exotel.billed_units_for(Outcome.HUMAN_CONVERSATION, AnsweredBy.HUMAN, 61) == 3
    assert exotel.billed_seconds_for(None, None, 61) == 0  # a live call costs nothing
    with pytest.raises(InvalidInput):
        exotel.billed_seconds_for(Outcome.VOICEMAIL, None, -1)
    assert repr(BillingPolicy.twilio()).startswith("BillingPolicy(name='twilio'")
    assert "CONNECTED_OUTCOMES" in repr(BillingPolicy.twilio())


@pytest.mark.parametrize(
    "text", ["9" * 4301, "9" * 5000 + ":00", "1:" + "0" * 4400, "1" * 16, "1" * 16 + ":00:00"]
)
def test_durations_with_thousands_of_digits_are_invalid_input(text: str) -> None:
    # Issue 14 (1): int() of more than 4,300 digits raises a bare ValueError.
    with pytest.raises(InvalidInput, match="duration"):
        parse_duration(text)


@given(st.text(alphabet="0123456789: \t-.", max_size=40) | st.text(max_size=20))
def test_parse_duration_returns_seconds_or_raises_invalid_input(text: str) -> None:
    try:
        seconds = parse_duration(text)
    except InvalidInput:
        return
    assert type(seconds) is int
    assert seconds >= 0


@given(st.integers(0, 10**15 - 1))
def test_every_duration_below_the_digit_limit_round_trips(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds
    assert parse_duration(str(seconds)) == seconds
