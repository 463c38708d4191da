"""Every seed label, both directions, for every dialect vocabulary."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    CampaignStatus,
    Channel,
    Contact,
    ContactStatus,
    InvalidInput,
)
from campaignkit.dialects import DIALECTS, Vocabulary, altur, exotel, itellico, thinkrr, twilio

from .. import seed_vocabulary as seed
from .test_altur import ALTUR_CONTACT_EXPORT
from .test_itellico import ITELLICO_CSV

# --------------------------------------------------------------------------- the seed tables

# (seed table, the dialect's reader for one label)
AGREEMENT: list[tuple[str, Callable[[str], Any]]] = [
    ("ALTUR_CALL_STATUS", altur.call_status),
    ("ALTUR_ANSWERED_BY", altur.answered_by),
    ("ALTUR_CAMPAIGN_STATUS", altur.campaign_status),
    ("EXOTEL_CALL_STATUS", exotel.call_status),
    ("EXOTEL_CAMPAIGN_STATUS", exotel.campaign_status),
    ("ITELLICO_CAMPAIGN_STATUS", itellico.CAMPAIGN_STATUS.parse),
    ("ITELLICO_CONTACT_STATUS", itellico.CONTACT_STATUS.parse),
    ("ITELLICO_LINE_STATUS", itellico.LINE_STATUS.parse),
    ("ITELLICO_GOAL_RESULT", itellico.GOAL_RESULT.parse),
    ("ITELLICO_ROTATION_STRATEGY", itellico.ROTATION_STRATEGY.parse),
    ("ITELLICO_PRIORITY", itellico.PRIORITY.parse),
    ("ITELLICO_ANSWER_STATUS", itellico.ANSWER_STATUS.parse),
    ("THINKRR_CAMPAIGN_STATUS", thinkrr.campaign_status),
    ("THINKRR_OUTCOME", thinkrr.outcome),
    ("TWILIO_CALL_STATUS", twilio.call_status),
    ("TWILIO_ANSWERED_BY", twilio.answered_by),
]


@pytest.mark.parametrize(
    ("table", "label"),
    [(table, label) for table, _ in AGREEMENT for label in seed.ALL_TABLES[table]],
)
def test_dialects_agree_with_the_seed_vocabulary(table: str, label: str) -> None:
    parse = dict(AGREEMENT)[table]
    assert parse(label) is seed.ALL_TABLES[table][label]


def test_every_seed_table_is_checked_by_a_dialect() -> None:
    assert set(seed.ALL_TABLES) - {t for t, _ in AGREEMENT} == {"ALTUR_CONTACT_STATUS"}


@pytest.mark.parametrize("label", list(seed.ALTUR_CONTACT_STATUS))
def test_altur_contact_statuses_agree_with_the_seed_per_channel(label: str) -> None:
    meaning = seed.ALTUR_CONTACT_STATUS[label]
    call_meaning, whatsapp_meaning = meaning if isinstance(meaning, tuple) else (meaning, meaning)
    for channel, expected in ((Channel.CALL, call_meaning), (Channel.WHATSAPP, whatsapp_meaning)):
        vocabulary = (
            altur.CONTACT_STATUS_CALL if channel is Channel.CALL else altur.CONTACT_STATUS_WHATSAPP
        )
        if label in vocabulary:
            assert altur.contact_status(label, channel) is expected
    assert label in altur.CONTACT_STATUS_CALL or label in altur.CONTACT_STATUS_WHATSAPP


def test_altur_sending_depends_on_the_channel() -> None:
    assert altur.contact_status("sending", Channel.CALL) is ContactStatus.DIALING
    assert altur.contact_status("sending", Channel.WHATSAPP) is ContactStatus.SENDING
    assert altur.contact_status_label(ContactStatus.DIALING, Channel.CALL) == "sending"
    assert altur.contact_status_label(ContactStatus.SENDING, Channel.WHATSAPP) == "sending"


def test_altur_channel_specific_statuses_stay_in_their_channel() -> None:
    for label in ("voicemail", "answered"):
        with pytest.raises(InvalidInput, match=f"altur.*{label}"):
            altur.contact_status(label, Channel.WHATSAPP)
    for label in ("sent", "delivered", "read", "accepted", "rejected"):
        with pytest.raises(InvalidInput, match=f"altur.*{label}"):
            altur.contact_status(label, Channel.CALL)


@pytest.mark.parametrize("label", ["no-answer", "busy", "unreachable"])
def test_altur_legacy_labels_read_as_failed_and_are_never_written(label: str) -> None:
    for channel in Channel:
        assert altur.contact_status(label, channel) is ContactStatus.FAILED
    assert altur.contact_status_label(ContactStatus.FAILED) == "failed"


def test_altur_folds_twilio_detail_to_machine() -> None:
    for value in AnsweredBy:
        assert altur.answered_by(altur.answered_by_label(value)) is value.coarse
    assert altur.answered_by_label(AnsweredBy.MACHINE_END_BEEP) == "machine"


def test_altur_display_names_are_read() -> None:
    assert altur.campaign_status("Inactive") is CampaignStatus.PAUSED
    assert altur.campaign_status_label(CampaignStatus.PAUSED) == "inactive"


# --------------------------------------------------------------------------- both directions

VOCABULARIES: list[Vocabulary[Any]] = [
    altur.CONTACT_STATUS_CALL,
    altur.CONTACT_STATUS_WHATSAPP,
    altur.CALL_STATUS,
    altur.ANSWERED_BY,
    altur.CAMPAIGN_STATUS,
    exotel.CALL_STATUS,
    exotel.CAMPAIGN_STATUS,
    itellico.CAMPAIGN_STATUS,
    itellico.CONTACT_STATUS,
    itellico.LINE_STATUS,
    itellico.GOAL_RESULT,
    itellico.ROTATION_STRATEGY,
    itellico.ANSWER_STATUS,
    itellico.PRIORITY,
    thinkrr.CAMPAIGN_STATUS,
    thinkrr.OUTCOME,
    twilio.CALL_STATUS,
    twilio.ANSWERED_BY,
    twilio.DIRECTION,
]
IDS = [f"{v.dialect}-{v.what}" for v in VOCABULARIES]


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=IDS)
def test_current_labels_round_trip(vocabulary: Vocabulary[Any]) -> None:
    for label, member in vocabulary.labels.items():
        assert vocabulary.parse(label) is member
        assert vocabulary.label(member) == label
        assert vocabulary.parse(f"  {label} ") is member


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=IDS)
def test_legacy_labels_are_read_as_a_member_with_a_current_label(
    vocabulary: Vocabulary[Any],
) -> None:
    for label, member in vocabulary.legacy.items():
        assert vocabulary.parse(label) is member
        assert vocabulary.parse(vocabulary.label(member)) is member


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=IDS)
@given(member=st.data())
def test_members_round_trip_where_the_vendor_has_a_label(
    vocabulary: Vocabulary[Any], member: st.DataObject
) -> None:
    enum_type = type(next(iter(vocabulary.labels.values())))
    value = member.draw(st.sampled_from(list(enum_type)))
    if value in set(vocabulary.labels.values()):
        assert vocabulary.parse(vocabulary.label(value)) is value
    else:
        with pytest.raises(InvalidInput, match=vocabulary.dialect):
            vocabulary.label(value)


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=IDS)
@given(label=st.text(max_size=20))
def test_unknown_labels_raise_naming_dialect_and_label(
    vocabulary: Vocabulary[Any], label: str
) -> None:
    if label in vocabulary:
        return
    with pytest.raises(InvalidInput) as info:
        vocabulary.parse(label)
    assert vocabulary.dialect in str(info.value)
    assert repr(label) in str(info.value)


@pytest.mark.parametrize(
    "parse",
    [
        altur.call_status,
        altur.campaign_status,
        lambda label: altur.contact_status(label, Channel.CALL),
        exotel.call_status,
        exotel.campaign_status,
        thinkrr.outcome,
        thinkrr.campaign_status,
        twilio.call_status,
        twilio.answered_by,
    ],
)
def test_no_silent_default_for_an_unknown_label(parse: Callable[[str], enum.Enum]) -> None:
    with pytest.raises(InvalidInput, match="'Mystery'"):
        parse("Mystery")
    with pytest.raises(InvalidInput):
        parse("")


def test_the_package_lists_its_dialects() -> None:
    assert DIALECTS == ("altur", "exotel", "itellico", "thinkrr", "twilio")


def test_every_dialect_reads_contacts_into_valid_records() -> None:
    records: list[Contact] = [
        *altur.parse_contact_export(ALTUR_CONTACT_EXPORT).contacts,
        *itellico.parse_contact_export(ITELLICO_CSV).contacts,
    ]
    for record in records:
        assert Contact.from_dict(record.to_dict()) == record
