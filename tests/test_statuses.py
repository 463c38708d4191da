"""The canonical vocabulary: labels, outcome flags, and the seeds' statuses expressed in it."""

from __future__ import annotations

import enum

import pytest

from campaignkit import (
    AnsweredBy,
    CallStatus,
    CampaignStatus,
    Channel,
    ContactStatus,
    Outcome,
    Priority,
)
from campaignkit.statuses import CONTACT_BUCKETS, STATS_FIELDS, bucket_of, classify_outcome

from .seed_vocabulary import ALL_TABLES, EXOTEL_CALL_STATUS, EXOTEL_CATEGORY

CANONICAL_ENUMS = [
    Channel,
    CampaignStatus,
    ContactStatus,
    CallStatus,
    AnsweredBy,
    Outcome,
    Priority,
]


@pytest.mark.parametrize("cls", CANONICAL_ENUMS)
def test_values_are_lower_case_labels(cls: type[enum.Enum]) -> None:
    for member in cls:
        assert isinstance(member.value, str)
        assert member.value == member.value.lower()
        assert " " not in member.value
        assert cls(member.value) is member
        assert str(member) == member.value


def test_design_examples() -> None:
    assert CallStatus.NO_ANSWER.value == "no-answer"
    assert CallStatus.ENDED is CallStatus.COMPLETED
    assert [c.value for c in Channel] == ["call", "whatsapp"]


@pytest.mark.parametrize(
    ("table_name", "label"),
    [(name, label) for name, table in ALL_TABLES.items() for label in table],
)
def test_every_seed_label_has_a_canonical_meaning(table_name: str, label: str) -> None:
    meaning = ALL_TABLES[table_name][label]
    for member in meaning if isinstance(meaning, tuple) else (meaning,):
        assert isinstance(member, enum.Enum)
        assert type(member)(member.value) is member


def test_exotel_categories_are_the_outcome_flags() -> None:
    # Seed 001: completed = success, busy/no-answer = retriable, failed/canceled = terminal.
    for label, category in EXOTEL_CATEGORY.items():
        outcome = classify_outcome(EXOTEL_CALL_STATUS[label], None)
        assert outcome is not None
        derived = (
            "success" if outcome.connected else "retriable" if outcome.retriable else "terminal"
        )
        assert derived == category, label


def test_outcome_flags_are_consistent() -> None:
    for outcome in Outcome:
        assert not (outcome.human_answered and not outcome.connected), outcome
        assert outcome.billable == outcome.connected, outcome
        assert not (outcome.final and outcome.retriable), outcome


def test_altur_legacy_outcomes_leave_a_failed_contact() -> None:
    # Seed 000: no-answer, busy and unreachable now map to failed.
    for outcome in (Outcome.NO_ANSWER, Outcome.BUSY, Outcome.FAILED):
        assert outcome.contact_status is ContactStatus.FAILED
    assert Outcome.VOICEMAIL.contact_status is ContactStatus.VOICEMAIL
    assert Outcome.HUMAN_CONVERSATION.contact_status is ContactStatus.ANSWERED


def test_answered_by_coarse_folds_twilio_detail() -> None:
    assert {a.coarse for a in AnsweredBy} == {
        AnsweredBy.HUMAN,
        AnsweredBy.MACHINE,
        AnsweredBy.UNKNOWN,
    }
    assert AnsweredBy.MACHINE_END_SILENCE.coarse is AnsweredBy.MACHINE
    assert AnsweredBy.FAX.is_machine
    assert not AnsweredBy.UNKNOWN.is_machine


def test_priority_rank_orders_high_first() -> None:
    assert sorted(Priority, key=lambda p: p.rank) == [Priority.HIGH, Priority.NORMAL, Priority.LOW]


# --------------------------------------------------------------------------- stats buckets


def test_the_three_stats_objects_carry_exotels_fields_in_its_order() -> None:
    # seed 001's stats object: created, completed, failed, pending, in_progress, busy,
    # no_answer. The engine's counts, the metrics table and the dialect's parsed object
    # are built on the one list in statuses.
    import attrs

    from campaignkit.dialects.exotel import Stats
    from campaignkit.engine import CampaignCounts

    with pytest.warns(DeprecationWarning, match="CampaignCounts"):  # issue 18: one stats record
        from campaignkit.metrics import ExotelStats

    assert ("created", *CONTACT_BUCKETS) == STATS_FIELDS
    assert STATS_FIELDS == (
        "created",
        "completed",
        "failed",
        "pending",
        "in_progress",
        "busy",
        "no_answer",
    )
    for cls in (CampaignCounts, ExotelStats, Stats):
        assert tuple(a.name for a in attrs.fields(cls)) == STATS_FIELDS, cls


@pytest.mark.parametrize("status", list(ContactStatus))
def test_every_contact_is_in_exactly_one_bucket(status: ContactStatus) -> None:
    for last in (None, *Outcome):
        bucket = bucket_of(status, last)
        assert bucket in CONTACT_BUCKETS
        if status is not ContactStatus.FAILED:
            assert bucket == bucket_of(status, None)  # only a failure looks at the outcome


@pytest.mark.parametrize(
    ("last", "bucket"),
    [
        (Outcome.BUSY, "busy"),
        (Outcome.NO_ANSWER, "no_answer"),
        (Outcome.FAILED, "failed"),
        (Outcome.CANCELLED, "failed"),  # force-completed: never got its attempt
        (None, "failed"),
    ],
)
def test_a_failed_contact_is_counted_by_its_last_attempt(last: Outcome | None, bucket: str) -> None:
    assert bucket_of(ContactStatus.FAILED, last) == bucket


def test_the_engine_counts_contacts_by_the_same_rule() -> None:
    from campaignkit.engine import contact_bucket
    from campaignkit.models import Contact

    for status in ContactStatus:
        for last in (None, Outcome.BUSY, Outcome.NO_ANSWER, Outcome.VOICEMAIL):
            contact = Contact(id="1", phone="+14155550100", status=status, last_outcome=last)
            assert contact_bucket(contact) == bucket_of(status, last)


def test_one_spelling_of_cancelled_with_the_carriers_value() -> None:
    # issue 18: member names say CANCELLED (seeds 001 and 002 write "cancelled"); the
    # value stays the carriers' "canceled" (seed 001), which stored records hold.
    assert CallStatus.CANCELLED.value == "canceled"
    assert Outcome.CANCELLED.value == "canceled"
    assert CampaignStatus.CANCELLED.value == "cancelled"
    assert CallStatus("canceled") is CallStatus.CANCELLED
    assert Outcome("canceled") is Outcome.CANCELLED
    assert [m.name for m in CallStatus].count("CANCELLED") == 1
    assert "CANCELED" not in [m.name for m in Outcome]


@pytest.mark.parametrize("cls", [CallStatus, Outcome])
def test_the_old_spelling_still_answers_with_a_warning(cls: type[enum.Enum]) -> None:
    with pytest.warns(DeprecationWarning, match=rf"{cls.__name__}\.CANCELED is deprecated"):
        old = cls.CANCELED  # type: ignore[attr-defined]
    assert old is cls.CANCELLED  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="CANCELLED"):
        assert cls["CANCELED"] is old
    assert cls["CANCELLED"] is old
    with pytest.raises(AttributeError):
        cls.CANCELD  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(KeyError):
        cls["CANCELD"]


def test_renamed_members_pickle_and_serialise_by_value() -> None:
    import json
    import pickle

    assert pickle.loads(pickle.dumps(CallStatus.CANCELLED)) is CallStatus.CANCELLED
    assert json.dumps([Outcome.CANCELLED, CallStatus.CANCELLED]) == '["canceled", "canceled"]'
