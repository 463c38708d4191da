"""The WhatsApp channel (seeds 000 and 004): message-status updates, settings,
the 24-hour window, messaging tiers, retry loops and the WhatsApp metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    CONTACT_MACHINE,
    Channel,
    Contact,
    ContactStatus,
    IllegalTransition,
    InvalidConfig,
    InvalidInput,
    MessageTemplate,
    MessagingTier,
    WhatsAppSettings,
    strategies,
)
from campaignkit.engine import apply_contact_event
from campaignkit.machines import ContactEvent
from campaignkit.policies import (
    MESSAGE_STATUSES,
    SERVICE_WINDOW,
    MessageKind,
    WhatsAppStats,
    allows_retry_loops,
    apply_message_status,
    check_consent,
    check_retry_loops,
    in_service_window,
    may_send,
    sends_remaining,
    unique_recipients,
    whatsapp_delivery_rate,
    whatsapp_reach,
    whatsapp_read_rate,
)

from ..seed_vocabulary import ALTUR_CONTACT_STATUS

moments = strategies.moments()

K = ContactStatus
T0 = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)


def sec(n: int) -> datetime:
    return T0 + timedelta(seconds=n)


def contact(status: ContactStatus = K.SENDING, at: datetime | None = T0) -> Contact:
    return Contact(id="c1", phone="+5215555551234", status=status, updated_at=at)


def apply_all(start: Contact, updates: list[tuple[ContactStatus, datetime]]) -> Contact:
    for status, at in updates:
        start = apply_message_status(start, status, at=at)
    return start


# --------------------------------------------------------------------------- seed statuses


def test_every_altur_whatsapp_status_can_be_reported() -> None:
    # Seed 000: sent, delivered, read, accepted, rejected (WhatsApp-specific), plus the
    # common sending and failed.
    reported = {"sending", "sent", "delivered", "read", "accepted", "rejected", "failed"}
    assert {ALTUR_CONTACT_STATUS[label] for label in reported - {"sending"}} | {
        K.SENDING
    } == MESSAGE_STATUSES


def test_the_whole_lifecycle_in_order() -> None:
    c = apply_contact_event(contact(K.QUEUED), ContactEvent.SEND, now=T0)
    assert c.status is K.SENDING
    for n, status in enumerate([K.SENT, K.DELIVERED, K.READ, K.ACCEPTED], 1):
        c = apply_message_status(c, status, at=sec(n))
        assert c.status is status
        assert c.updated_at == sec(n)


def test_a_read_without_delivered_is_taken() -> None:
    c = apply_all(contact(), [(K.SENT, sec(1)), (K.READ, sec(3))])
    assert c.status is K.READ


def test_a_stale_delivered_after_read_is_ignored() -> None:
    read = apply_all(contact(), [(K.SENT, sec(1)), (K.READ, sec(3))])
    assert apply_message_status(read, K.DELIVERED, at=sec(2)) is read
    # WhatsApp timestamps have whole seconds: delivered and read often share one.
    assert apply_message_status(read, K.DELIVERED, at=sec(3)) is read
    delivered = apply_message_status(contact(), K.DELIVERED, at=sec(3))
    assert apply_message_status(delivered, K.READ, at=sec(3)).status is K.READ


def test_a_duplicate_returns_the_same_object() -> None:
    c = apply_message_status(contact(), K.DELIVERED, at=sec(2))
    assert apply_message_status(c, K.DELIVERED, at=sec(2)) is c


def test_leftovers_of_an_earlier_attempt_are_stale() -> None:
    # The first message failed, the engine re-sent at T0 + 60 s; a late "failed"
    # and "read" from the first message are older than the new send.
    resent = contact(K.SENDING, sec(60))
    assert apply_message_status(resent, K.FAILED, at=sec(5)) is resent
    sent = apply_message_status(resent, K.SENT, at=sec(61))
    assert apply_message_status(sent, K.READ, at=sec(30)) is sent


def test_an_answer_outranks_delivery_updates_whatever_their_time() -> None:
    accepted = apply_message_status(contact(), K.ACCEPTED, at=sec(5))
    assert apply_message_status(accepted, K.READ, at=sec(9)) is accepted
    read = apply_message_status(contact(), K.READ, at=sec(9))
    assert apply_message_status(read, K.ACCEPTED, at=sec(5)).status is K.ACCEPTED


def test_the_earlier_answer_stands() -> None:
    rejected = apply_message_status(contact(), K.REJECTED, at=sec(5))
    assert apply_message_status(rejected, K.ACCEPTED, at=sec(9)) is rejected
    accepted = apply_message_status(contact(), K.ACCEPTED, at=sec(9))
    assert apply_message_status(accepted, K.REJECTED, at=sec(5)).status is K.REJECTED


def test_a_converted_contact_does_not_move() -> None:
    converted = contact(K.CONVERTED, sec(1))
    for status in MESSAGE_STATUSES:
        assert apply_message_status(converted, status, at=sec(100)) is converted


def test_a_failure_after_sent_is_taken_and_a_later_delivery_overrides_it() -> None:
    failed = apply_all(contact(), [(K.SENT, sec(1)), (K.FAILED, sec(2))])
    assert failed.status is K.FAILED
    assert apply_message_status(failed, K.DELIVERED, at=sec(3)).status is K.DELIVERED


def test_a_waiting_contact_is_overtaken_only_by_later_updates() -> None:
    retrying = contact(K.RETRYING, sec(10))
    assert apply_message_status(retrying, K.DELIVERED, at=sec(5)) is retrying
    assert apply_message_status(retrying, K.DELIVERED, at=sec(11)).status is K.DELIVERED


@pytest.mark.parametrize(
    "status", [K.DIALING, K.AWAITING_OUTCOME, K.ANSWERED, K.VOICEMAIL, K.NO_CONVERSATION]
)
def test_a_call_contact_refuses_message_updates(status: ContactStatus) -> None:
    with pytest.raises(IllegalTransition) as info:
        apply_message_status(contact(status), K.DELIVERED, at=sec(1))
    assert info.value.machine == "contact"
    assert info.value.event is ContactEvent.MESSAGE_DELIVERED


@pytest.mark.parametrize("status", [K.QUEUED, K.RETRYING, K.CONVERTED, K.ANSWERED, K.DIALING])
def test_only_message_statuses_can_be_reported(status: ContactStatus) -> None:
    with pytest.raises(InvalidInput, match="not a message status"):
        apply_message_status(contact(), status, at=sec(1))


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        apply_message_status(contact(), K.SENT, at=datetime(2026, 6, 1, 10, 0))


# --------------------------------------------------------------------------- properties

WHATSAPP_STATES = sorted(MESSAGE_STATUSES | {K.QUEUED, K.RETRYING, K.CONVERTED})
updates = st.lists(
    st.tuples(st.sampled_from(sorted(MESSAGE_STATUSES)), st.integers(0, 20).map(sec)),
    max_size=8,
)


@given(
    st.sampled_from(WHATSAPP_STATES),
    st.none() | st.integers(0, 20).map(sec),
    updates.flatmap(lambda u: st.tuples(st.just(u), st.permutations(u + u[: len(u) // 2]))),
)
def test_updates_in_any_order_converge(
    start: ContactStatus,
    start_at: datetime | None,
    orders: tuple[list[tuple[ContactStatus, datetime]], list[tuple[ContactStatus, datetime]]],
) -> None:
    first, shuffled_with_duplicates = orders
    c = contact(start, start_at)
    assert apply_all(c, first) == apply_all(c, shuffled_with_duplicates)


@given(st.sampled_from(WHATSAPP_STATES), updates, st.sampled_from(sorted(MESSAGE_STATUSES)))
def test_applying_an_update_twice_is_applying_it_once(
    start: ContactStatus, before: list[tuple[ContactStatus, datetime]], status: ContactStatus
) -> None:
    c = apply_all(contact(start), before)
    once = apply_message_status(c, status, at=sec(7))
    assert apply_message_status(once, status, at=sec(7)) is once


_MESSAGE_EVENTS = {
    ContactEvent.SEND,
    ContactEvent.MESSAGE_SENT,
    ContactEvent.MESSAGE_DELIVERED,
    ContactEvent.MESSAGE_READ,
    ContactEvent.ACCEPT,
    ContactEvent.REJECT,
    ContactEvent.FAIL,
}
FORWARD = sorted(
    (state, target)
    for (state, event), target in CONTACT_MACHINE.table.items()
    if event in _MESSAGE_EVENTS and state in MESSAGE_STATUSES and target in MESSAGE_STATUSES
)


@given(st.sampled_from(FORWARD), st.integers(1, 100))
def test_the_normal_path_agrees_with_the_machines_reconcile(
    step: tuple[ContactStatus, ContactStatus], later: int
) -> None:
    current, reported = step
    moved = apply_message_status(contact(current, T0), reported, at=sec(later))
    assert moved.status is CONTACT_MACHINE.reconcile(
        current, reported, current_at=T0, reported_at=sec(later)
    )
    stale = apply_message_status(contact(reported, sec(later)), current, at=T0)
    assert stale.status is reported


@given(st.sampled_from(WHATSAPP_STATES), updates)
def test_every_move_is_to_a_reported_status_and_stamped_with_its_time(
    start: ContactStatus, steps: list[tuple[ContactStatus, datetime]]
) -> None:
    c = contact(start)
    end = apply_all(c, steps)
    assert end == c or (end.status, end.updated_at) in steps


# --------------------------------------------------------------------------- settings


def test_one_or_two_templates() -> None:
    hello = MessageTemplate("hello", language="es_MX")
    promo = MessageTemplate("promo", image_header=True, image="https://cdn.example.com/p.png")
    assert WhatsAppSettings([hello]).templates == (hello,)
    assert WhatsAppSettings((hello, promo)).templates == (hello, promo)
    with pytest.raises(InvalidConfig, match="one or two"):
        WhatsAppSettings([])
    with pytest.raises(InvalidConfig, match="one or two"):
        WhatsAppSettings([hello, promo, MessageTemplate("third")])
    with pytest.raises(InvalidConfig, match="distinct"):
        WhatsAppSettings([hello, hello])


def test_an_image_header_needs_an_image() -> None:
    with pytest.raises(InvalidConfig) as info:
        MessageTemplate("promo", image_header=True)
    assert info.value.field == "image"
    with pytest.raises(InvalidConfig):
        MessageTemplate("hello", image="https://cdn.example.com/p.png")
    with pytest.raises(InvalidConfig):
        MessageTemplate("")


@pytest.mark.parametrize("limit", [0, -5, 1.5, "100", True])
def test_the_daily_limit_is_a_positive_integer(limit: object) -> None:
    with pytest.raises(InvalidConfig) as info:
        WhatsAppSettings([MessageTemplate("hello")], daily_limit=limit)  # type: ignore[arg-type]
    assert info.value.field == "daily_limit"


def test_consent_is_checked_before_messaging() -> None:
    template = MessageTemplate("hello")
    check_consent(WhatsAppSettings([template], consent=True))
    with pytest.raises(InvalidConfig) as info:
        check_consent(WhatsAppSettings([template]))
    assert info.value.field == "consent"


templates = st.builds(
    MessageTemplate,
    name=st.text(min_size=1, max_size=10),
    language=st.none() | st.sampled_from(["es_MX", "en_US", "pt_BR"]),
).flatmap(
    lambda t: (
        st.just(t)
        | st.builds(
            MessageTemplate,
            name=st.just(t.name),
            language=st.just(t.language),
            image_header=st.just(True),
            image=st.text(min_size=1, max_size=20),
        )
    )
)
settings_ = st.builds(
    WhatsAppSettings,
    templates=st.lists(templates, min_size=1, max_size=2, unique_by=lambda t: (t.name, t.language)),
    daily_limit=st.none() | st.integers(1, 10**6),
    consent=st.booleans(),
)


@given(settings_)
def test_settings_round_trip_to_plain_data(settings: WhatsAppSettings) -> None:
    data = settings.to_dict()
    assert WhatsAppSettings.from_dict(data) == settings
    assert isinstance(data["templates"], list)


# --------------------------------------------------------------------------- window


def test_free_form_only_within_24_hours_of_the_last_inbound_message() -> None:
    inbound = T0
    assert in_service_window(inbound, now=inbound)
    assert in_service_window(inbound, now=inbound + timedelta(hours=23, minutes=59))
    assert not in_service_window(inbound, now=inbound + timedelta(hours=24))
    assert not in_service_window(None, now=inbound)
    late = inbound + timedelta(hours=30)
    assert may_send(MessageKind.TEMPLATE, last_inbound_at=inbound, now=late)
    assert not may_send(MessageKind.FREE_FORM, last_inbound_at=inbound, now=late)
    assert may_send(
        MessageKind.FREE_FORM, last_inbound_at=inbound, now=inbound + timedelta(hours=1)
    )
    assert may_send(MessageKind.TEMPLATE, last_inbound_at=None, now=late)


def test_the_window_refuses_naive_times() -> None:
    with pytest.raises(InvalidInput):
        in_service_window(datetime(2026, 6, 1, 10), now=T0)
    with pytest.raises(InvalidInput):
        may_send("free-form", last_inbound_at=None, now=T0)  # type: ignore[arg-type]


@given(st.none() | moments, moments)
def test_templates_always_free_form_within_the_window(
    inbound: datetime | None, now: datetime
) -> None:
    assert may_send(MessageKind.TEMPLATE, last_inbound_at=inbound, now=now)
    within = inbound is not None and now - inbound < SERVICE_WINDOW
    assert may_send(MessageKind.FREE_FORM, last_inbound_at=inbound, now=now) is within


# --------------------------------------------------------------------------- pacing


def test_the_tiers() -> None:
    assert [t.limit for t in MessagingTier] == [250, 2_000, 10_000, 100_000, None]


def test_sends_remaining_is_the_tighter_of_daily_limit_and_tier() -> None:
    limited = WhatsAppSettings([MessageTemplate("hello")], daily_limit=1_000)
    free = WhatsAppSettings([MessageTemplate("hello")])
    assert sends_remaining(limited, MessagingTier.TIER_2K, sent_today=100, recipients=500) == 900
    assert sends_remaining(limited, MessagingTier.TIER_250, sent_today=100, recipients=200) == 50
    assert sends_remaining(limited, MessagingTier.TIER_250, sent_today=0, recipients=300) == 0
    assert sends_remaining(limited, MessagingTier.UNLIMITED, sent_today=999, recipients=0) == 1
    assert sends_remaining(free, MessagingTier.TIER_10K, sent_today=0, recipients=9_000) == 1_000
    assert sends_remaining(free, MessagingTier.UNLIMITED, sent_today=5, recipients=5) is None
    with pytest.raises(InvalidInput):
        sends_remaining(free, MessagingTier.TIER_250, sent_today=-1, recipients=0)


def test_unique_recipients_in_the_last_24_hours() -> None:
    now = T0
    sends = [
        ("+5215555550001", now - timedelta(hours=1)),
        ("+5215555550001", now - timedelta(hours=2)),  # same person twice: one recipient
        ("+5215555550002", now - timedelta(hours=23, minutes=59)),
        ("+5215555550003", now - timedelta(hours=24)),  # the window is (now - 24 h, now]
        ("+5215555550004", now + timedelta(seconds=1)),  # not yet
    ]
    assert unique_recipients(sends, now=now) == 2


# --------------------------------------------------------------------------- loops


def test_retry_loops_are_phone_calls_only() -> None:
    assert allows_retry_loops(Channel.CALL)
    assert not allows_retry_loops(Channel.WHATSAPP)
    check_retry_loops(Channel.CALL, enabled=True)
    check_retry_loops(Channel.WHATSAPP, enabled=False)
    with pytest.raises(InvalidConfig) as info:
        check_retry_loops(Channel.WHATSAPP, enabled=True)
    assert info.value.field == "cycles"


# --------------------------------------------------------------------------- metrics


def _contacts(*statuses: ContactStatus) -> list[Contact]:
    return [Contact(id=str(n), phone=f"+52155555{n:05d}", status=s) for n, s in enumerate(statuses)]


def test_reach_counts_delivered_accepted_read_and_converted() -> None:
    # Seed 000, best practices: WhatsApp reach = delivered + accepted + read + converted.
    people = _contacts(
        K.QUEUED,
        K.SENDING,
        K.SENT,
        K.DELIVERED,
        K.DELIVERED,
        K.READ,
        K.ACCEPTED,
        K.REJECTED,
        K.FAILED,
        K.CONVERTED,
        K.RETRYING,
    )
    assert whatsapp_reach(people) == 5
    stats = WhatsAppStats.of(people)
    assert stats.attempted == 8  # sent, 2 delivered, read, accepted, rejected, failed, converted
    assert stats.delivered_or_further == 6
    assert stats.read_or_further == 4
    assert whatsapp_delivery_rate(people) == 6 / 8
    assert whatsapp_read_rate(people) == 4 / 6


def test_rates_of_an_empty_campaign_are_zero() -> None:
    assert whatsapp_reach([]) == 0
    assert whatsapp_delivery_rate([]) == 0.0
    assert whatsapp_read_rate(_contacts(K.SENT, K.FAILED)) == 0.0


statuses = st.lists(st.sampled_from(list(ContactStatus)), max_size=30)


@given(statuses, statuses)
def test_stats_merge_like_one_pass(a: list[ContactStatus], b: list[ContactStatus]) -> None:
    left, right = _contacts(*a), _contacts(*b)
    merged = WhatsAppStats.of(left).merge(WhatsAppStats.of(right))
    assert merged == WhatsAppStats.of(left + right)
    assert merged == WhatsAppStats.of(right).merge(WhatsAppStats.of(left))
    assert WhatsAppStats.from_dict(merged.to_dict()) == merged
    assert 0.0 <= merged.delivery_rate <= 1.0
    assert 0.0 <= merged.read_rate <= 1.0


# ----------------------------------------------------------------------------- one daily limit


def test_a_campaign_with_two_different_daily_limits_is_refused() -> None:
    # issue 18 item 2: WhatsAppSettings.daily_limit is the one home (seed 004 sets the
    # daily send limit with the WhatsApp campaign); the deprecated pacing field may
    # still be given for one release, but never a second, different limit
    from datetime import UTC, datetime

    from campaignkit import Campaign, CampaignRunner, PacingPolicy
    from campaignkit.policies.messaging import effective_daily_limit

    campaign = Campaign(id="wa", name="Recordatorio", channel=Channel.WHATSAPP)
    settings = WhatsAppSettings([MessageTemplate("hello")], daily_limit=2, consent=True)
    with pytest.warns(DeprecationWarning, match="WhatsAppSettings.daily_limit"):
        old = PacingPolicy(whatsapp_daily_limit=3)
    with pytest.raises(InvalidConfig) as info:
        CampaignRunner(campaign, whatsapp=settings, pacing=old)
    assert info.value.field == "pacing.whatsapp_daily_limit"
    assert info.value.value == 3
    with pytest.warns(DeprecationWarning, match="daily_limit"):
        same = PacingPolicy(whatsapp_daily_limit=2)
    runner = CampaignRunner(campaign, whatsapp=settings, pacing=same)
    assert effective_daily_limit(settings, same) == 2
    now = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    runner.add_contacts(
        [Contact(id=str(i), phone=f"+52155555512{i:02d}") for i in range(5)], now=now
    )
    runner.start(now)
    assert len(runner.due(now)) == 2  # one limit, applied once
