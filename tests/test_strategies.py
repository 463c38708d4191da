"""The shipped Hypothesis strategies: what they generate is valid, consistent and realistic."""

from __future__ import annotations

from datetime import datetime

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import campaignkit
from campaignkit import CALL_MACHINE, Call, CallerLine, CallStatus, Campaign, Contact, strategies
from campaignkit._fields import is_e164


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


@pytest.mark.parametrize("cls", [Campaign, Contact, Call, CallerLine])
def test_from_type_is_registered_through_the_entry_point(cls: type) -> None:
    @given(st.from_type(cls))
    def check(record: object) -> None:
        assert isinstance(record, cls)

    check()


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
    ],
)
def test_bad_arguments_raise_invalid_argument(make) -> None:
    with pytest.raises(InvalidArgument):
        make().example()


def test_module_is_importable_from_the_package() -> None:
    assert campaignkit.strategies is strategies
