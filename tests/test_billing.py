"""Billing rules (seeds 000, 001, 003 and Twilio-style) and readable durations."""

from __future__ import annotations

import pytest

from campaignkit import (
    AnsweredBy,
    BillingPolicy,
    Call,
    CallStatus,
    InvalidInput,
    format_duration,
    parse_duration,
)


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
