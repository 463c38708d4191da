"""CampaignRunner on WhatsApp and with conversation outcomes: sends within the daily
limit and the messaging tier, message-status updates in any order, failed messages
retried (seed 000), conversion by rule so the engine, the metrics and the results
export agree, and callbacks (thinkrr *Callback*) moved into the calling window."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    CallerLine,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignRunner,
    CampaignStats,
    CampaignStatus,
    Channel,
    Contact,
    ContactCalledBack,
    ContactStatus,
    ConversationResult,
    ConversionRule,
    CyclePolicy,
    Goal,
    GoalResult,
    GoalSet,
    InvalidConfig,
    InvalidInput,
    MessageTemplate,
    MessageUpdate,
    MessagingTier,
    Outcome,
    RetryPolicy,
    Schedule,
    WhatsAppSettings,
)
from campaignkit.dialects import altur, thinkrr
from campaignkit.engine import ContactFinalNotification
from campaignkit.io import export_results
from campaignkit.models import GoalKind, GoalOutcome
from campaignkit.policies import MESSAGE_STATUSES, WhatsAppStats, has_extracted_data, is_converted

MX = ZoneInfo("America/Mexico_City")
T0 = datetime(2026, 6, 1, 10, 0, tzinfo=MX).astimezone(UTC)
MIN = timedelta(minutes=1)
S = ContactStatus
REMINDER = MessageTemplate("recordatorio_pago", language="es_MX")
PROMO = MessageTemplate("promo_junio", image_header=True, image="https://cdn.example.com/j.png")
SETTINGS = WhatsAppSettings((REMINDER, PROMO), daily_limit=1000, consent=True)
WHATSAPP = Campaign(id="wa", name="Recordatorio", channel=Channel.WHATSAPP)
JUAN = Contact(id="123", phone="+5215555551234", name="Juan Pérez")
ANA = Contact(id="124", phone="+5215555555678", name="Ana Gómez")
CARLOS = Contact(id="125", phone="+5215555559012", name="Carlos Ruiz")


def _wa(contacts: list[Contact] | None = None, at: datetime = T0, **options: Any) -> CampaignRunner:
    options.setdefault("whatsapp", SETTINGS)
    runner = CampaignRunner(WHATSAPP, **options)
    runner.add_contacts(contacts or [JUAN, ANA, CARLOS], now=at)
    runner.start(at)
    return runner


def _update(contact: Contact | str, status: ContactStatus, at: datetime) -> MessageUpdate:
    cid = contact if isinstance(contact, str) else contact.id
    return MessageUpdate(contact_id=cid, status=status, at=at)


def _people(n: int) -> list[Contact]:
    return [Contact(id=f"w{i}", phone=f"+52155555{i:05d}") for i in range(n)]


# --------------------------------------------------------------------------- seed 004 set-up


def test_whatsapp_campaigns_need_settings_consent_and_no_retry_loops() -> None:
    """Seed 004: one or two approved templates, consent recommended before messaging,
    retry loops are "Phone Calls only"."""
    with pytest.raises(InvalidInput, match="whatsapp=WhatsAppSettings"):
        CampaignRunner(WHATSAPP)
    with pytest.raises(InvalidConfig, match="consent"):
        CampaignRunner(WHATSAPP, whatsapp=WhatsAppSettings((REMINDER,)))
    with pytest.raises(InvalidConfig, match="cycles"):
        CampaignRunner(WHATSAPP, whatsapp=SETTINGS, cycles=CyclePolicy())
    with pytest.raises(InvalidInput, match="tier"):
        CampaignRunner(WHATSAPP, whatsapp=SETTINGS, tier="250")  # type: ignore[arg-type]
    runner = CampaignRunner(WHATSAPP, whatsapp=SETTINGS, tier=MessagingTier.TIER_2K)
    assert (runner.whatsapp, runner.tier) == (SETTINGS, MessagingTier.TIER_2K)


def test_due_proposes_sends_with_the_campaign_templates() -> None:
    runner = _wa()
    sends = runner.due(T0)
    assert [(d.contact.id, d.attempt, d.template, d.line) for d in sends] == [
        ("123", 1, REMINDER, None),
        ("124", 1, REMINDER, None),
        ("125", 1, REMINDER, None),
    ]
    assert all(runner.contact(d.contact.id).status is S.SENDING for d in sends)
    assert [altur.contact_status_label(S.SENDING, Channel.WHATSAPP)] == ["sending"]
    assert runner.counts.in_progress == 3
    assert runner.in_flight == {}  # messages are not calls
    assert runner.pacing_state.sent_today == 3


def test_the_daily_send_limit_holds_until_the_next_campaign_day() -> None:
    """Seed 004, step 10: "Define how many messages can be sent per day"."""
    settings = WhatsAppSettings((REMINDER,), daily_limit=2, consent=True)
    runner = _wa(_people(5), whatsapp=settings)
    assert len(runner.due(T0)) == 2
    [refusal] = runner.blocked
    assert refusal.rule == "daily-send-limit"
    midnight = datetime(2026, 6, 2, 0, 0, tzinfo=MX)
    assert refusal.retry_at == midnight
    assert runner.next_wakeup() == midnight
    assert runner.due(midnight - MIN) == []
    assert [d.contact.id for d in runner.due(midnight)] == ["w2", "w3"]
    assert runner.pacing_state.sent_today == 2


def test_the_messaging_tier_caps_unique_recipients_in_24_hours() -> None:
    runner = _wa(_people(260), tier=MessagingTier.TIER_250)
    assert len(runner.due(T0, limit=100)) == 100
    assert len(runner.due(T0 + MIN)) == 150
    assert [r.rule for r in runner.blocked] == ["messaging-tier"]
    assert runner.next_wakeup() == T0 + timedelta(hours=24)
    assert len(runner.due(T0 + timedelta(hours=24))) == 10


# --------------------------------------------------------------------------- seed 000 statuses


def test_message_updates_drive_the_seed_000_statuses() -> None:
    runner = _wa()
    runner.due(T0)
    for status, minutes in ((S.SENT, 1), (S.DELIVERED, 2), (S.READ, 3), (S.ACCEPTED, 4)):
        runner.handle(_update(JUAN, status, T0 + minutes * MIN))
        assert runner.contact("123").status is status
    runner.handle(_update(ANA, S.READ, T0 + 5 * MIN))  # a read without a delivered
    runner.handle(_update(ANA, S.DELIVERED, T0 + 2 * MIN))  # the late receipt is stale
    runner.handle(_update(ANA, S.READ, T0 + 5 * MIN))  # a duplicate
    assert runner.contact("124").status is S.READ
    runner.handle(_update(CARLOS, S.REJECTED, T0 + 6 * MIN))
    labels = [
        altur.contact_status_label(c.status, Channel.WHATSAPP) for c in runner.contacts.values()
    ]
    assert labels == ["accepted", "read", "rejected"]
    stats = WhatsAppStats.of(runner.contacts.values())
    assert stats.reach == 2  # seed 000: delivered + accepted + read + converted
    assert runner.campaign.status is CampaignStatus.FINISHED
    assert runner.counts.completed == 3


def test_a_failed_message_returns_to_the_queue_while_retries_are_left() -> None:
    """Seed 000: "retrying - after failed status"; Altur's failed contact returns to the
    queue while failed_retries is below the system limit, then stays failed."""
    runner = _wa([JUAN], retry=RetryPolicy.altur(failed_retries=1))
    runner.due(T0)
    runner.handle(_update(JUAN, S.FAILED, T0 + MIN))
    held = runner.contact("123")
    assert (held.status, held.next_attempt_at) == (S.FAILED, T0 + MIN)  # settled by due
    assert runner.campaign.status is CampaignStatus.ACTIVE  # not finished meanwhile
    [again] = runner.due(T0 + 2 * MIN)
    assert (again.attempt, again.template) == (2, PROMO)  # the second template
    assert again.contact.failed_retries == 1
    runner.handle(_update(JUAN, S.SENT, T0 + MIN / 2))  # a leftover of attempt 1: stale
    assert runner.contact("123").status is S.SENDING
    runner.handle(_update(JUAN, S.FAILED, T0 + 3 * MIN))
    assert runner.due(T0 + 4 * MIN) == []
    final = runner.contact("123")
    assert (final.status, final.last_outcome, final.next_attempt_at) == (
        S.FAILED,
        Outcome.FAILED,
        None,
    )
    [notice] = [n for n in runner.drain() if isinstance(n, ContactFinalNotification)]
    assert notice.exhausted
    assert runner.campaign.status is CampaignStatus.FINISHED


def test_a_failure_overtaken_by_a_later_receipt_is_not_retried() -> None:
    runner = _wa([JUAN], retry=RetryPolicy.altur(failed_retries=1))
    runner.due(T0)
    runner.handle(_update(JUAN, S.FAILED, T0 + MIN))
    runner.handle(_update(JUAN, S.READ, T0 + 2 * MIN))
    contact = runner.contact("123")
    assert (contact.status, contact.next_attempt_at, contact.failed_retries) == (S.READ, None, 0)
    assert runner.due(T0 + 3 * MIN) == []


def test_a_failure_after_the_campaign_finished_is_final() -> None:
    runner = _wa([JUAN], retry=RetryPolicy.altur(failed_retries=1))
    runner.due(T0)
    runner.handle(_update(JUAN, S.SENT, T0 + MIN))
    assert runner.campaign.status is CampaignStatus.FINISHED
    runner.handle(_update(JUAN, S.FAILED, T0 + 2 * MIN))
    contact = runner.contact("123")
    assert (contact.status, contact.next_attempt_at) == (S.FAILED, None)


def test_force_complete_settles_held_failures_without_retry() -> None:
    runner = _wa([JUAN, ANA], retry=RetryPolicy.altur(failed_retries=1))
    runner.due(T0)
    runner.handle(_update(JUAN, S.FAILED, T0 + MIN))
    runner.force_complete(T0 + 2 * MIN)
    assert runner.contact("123").next_attempt_at is None
    assert runner.contact("123").last_outcome is Outcome.FAILED
    runner.handle(_update(ANA, S.FAILED, T0 + 3 * MIN))  # still sending when it ended
    assert runner.contact("124").next_attempt_at is None


def test_events_of_the_other_channel_are_refused() -> None:
    calls = CampaignRunner(Campaign(id="c", name="c"))
    calls.add_contacts([JUAN], now=T0)
    with pytest.raises(InvalidInput, match="WhatsApp"):
        calls.handle(_update(JUAN, S.READ, T0))
    runner = _wa()
    with pytest.raises(InvalidInput, match="messages"):
        runner.handle(CallUpdate(contact_id="123", attempt=1, status=CallStatus.COMPLETED, at=T0))
    with pytest.raises(InvalidInput, match="message status"):
        MessageUpdate(contact_id="123", status=S.QUEUED, at=T0)
    assert S.READ in MESSAGE_STATUSES
    assert MessageUpdate.from_dict(_update(JUAN, S.READ, T0).to_dict()) == _update(JUAN, S.READ, T0)


# --------------------------------------------------------------------------- conversion


def test_conversion_on_an_extracted_field_agrees_with_metrics_and_the_results_export() -> None:
    """Seed 000: the results export keeps only contacts with extracted data, and
    conversion is counted on the converted status - one rule decides both."""
    runner = _wa(conversion=ConversionRule.on_field("email"))
    runner.due(T0)
    for person in (JUAN, ANA, CARLOS):
        runner.handle(_update(person, S.READ, T0 + 2 * MIN))
    runner.handle(
        ConversationResult(
            contact_id="123",
            at=T0 + 5 * MIN,
            extracted={"email": "juan@example.com", "interest": "high"},
            tags={"interested"},
        )
    )
    runner.handle(ConversationResult(contact_id="124", at=T0 + 6 * MIN, extracted={"email": "  "}))
    contacts = list(runner.contacts.values())
    assert [c.status for c in contacts] == [S.CONVERTED, S.READ, S.READ]
    assert contacts[0].tags == {"interested"}
    stats = CampaignStats.from_records(contacts=contacts)
    assert stats.converted == 1
    assert stats.with_extracted == 1
    rows = list(csv.DictReader(io.StringIO(export_results(contacts, campaign=WHATSAPP))))
    assert [row["id"] for row in rows] == [""]  # no import ids; one row: Juan
    assert [row["contact"] for row in rows] == ["+5215555551234"]
    rule = ConversionRule.on_field("email")
    assert [is_converted(rule, c) for c in contacts] == [True, False, False]
    assert [has_extracted_data(c) for c in contacts] == [True, False, False]


def test_conversion_on_the_primary_goal_combines_conversations() -> None:
    """Seed 002: goals are evaluated per contact over all conversations; the best known
    result wins and unknown never overrides a known one."""
    goals = GoalSet(
        (
            Goal(id="pay", name="Promise to pay", kind=GoalKind.PRIMARY),
            Goal(id="email", name="Get an email"),
        )
    )
    runner = CampaignRunner(
        Campaign(id="c", name="c"), conversion=ConversionRule.primary_goal(), goals=goals
    )
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    assert len(runner.due(T0)) == 1
    runner.handle(
        ConversationResult(
            contact_id="123",
            at=T0 + MIN,
            goal_results=(GoalResult(goal_id="pay", outcome=GoalOutcome.PARTIALLY_ACHIEVED),),
        )
    )
    runner.handle(
        CallUpdate(
            contact_id="123",
            attempt=1,
            status=CallStatus.COMPLETED,
            at=T0 + 2 * MIN,
            answered_by=AnsweredBy.HUMAN,
        )
    )
    assert runner.contact("123").status is S.ANSWERED
    runner.handle(
        ConversationResult(
            contact_id="123",
            at=T0 + 3 * MIN,
            goal_results=(
                GoalResult(goal_id="pay", outcome=GoalOutcome.UNKNOWN),
                GoalResult(goal_id="email", outcome=GoalOutcome.NOT_ACHIEVED, score=10),
            ),
        )
    )
    assert runner.goal_results("123")["pay"].outcome is GoalOutcome.PARTIALLY_ACHIEVED
    assert runner.contact("123").status is S.ANSWERED
    runner.handle(
        ConversationResult(
            contact_id="123",
            at=T0 + 4 * MIN,
            goal_results=(GoalResult(goal_id="pay", outcome=GoalOutcome.ACHIEVED, score=95),),
        )
    )
    assert runner.contact("123").status is S.CONVERTED
    assert runner.goal_results("123")["pay"] == GoalResult(
        goal_id="pay", outcome=GoalOutcome.ACHIEVED, score=95
    )
    with pytest.raises(InvalidConfig, match="goals"):
        CampaignRunner(Campaign(id="c", name="c"), conversion=ConversionRule.primary_goal())


def test_a_result_during_the_call_converts_once_the_call_is_answered() -> None:
    runner = CampaignRunner(Campaign(id="c", name="c"), conversion=ConversionRule.on_tag("sale"))
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    runner.due(T0)
    runner.handle(ConversationResult(contact_id="123", at=T0 + MIN, tags={"sale"}))
    assert runner.contact("123").status is S.DIALING
    runner.handle(
        CallUpdate(
            contact_id="123",
            attempt=1,
            status=CallStatus.COMPLETED,
            at=T0 + 2 * MIN,
            answered_by=AnsweredBy.HUMAN,
        )
    )
    assert runner.contact("123").status is S.CONVERTED
    assert runner.campaign.status is CampaignStatus.FINISHED


def test_extracted_fields_merge_latest_non_empty_first_and_loaded_fields_stay() -> None:
    loaded = Contact(id="9", phone="+5215555550009", extracted={"plan": "gold"})
    runner = _wa([loaded])
    later = ConversationResult(
        contact_id="9", at=T0 + 2 * MIN, conversation_id="b", extracted={"email": "b@x.mx"}
    )
    earlier = ConversationResult(
        contact_id="9",
        at=T0 + MIN,
        conversation_id="a",
        extracted={"email": "a@x.mx", "rating": 4, "plan": None},
    )
    runner.handle(later)
    runner.handle(earlier)
    runner.handle(earlier)  # a duplicate
    assert dict(runner.contact("9").extracted) == {"email": "b@x.mx", "plan": "gold", "rating": 4}
    other = _wa([loaded])
    other.handle(earlier)
    other.handle(later)
    assert other.contact("9") == runner.contact("9")


# --------------------------------------------------------------------------- callbacks


def test_a_callback_request_is_retried_at_the_requested_time_within_the_window() -> None:
    """thinkrr (seed 003): a user who asks for a callback is marked *Callback*; the
    runner schedules the retry at the requested time, moved into the calling window,
    and the contact export's follow-up flag is set."""
    schedule = Schedule.business_hours()  # Mon-Fri 09:00-18:00 Mexico City
    friday = datetime(2026, 6, 5, 17, 0, tzinfo=MX)
    runner = CampaignRunner(Campaign(id="c", name="c"), schedule=schedule)
    runner.add_contacts([JUAN], now=friday)
    runner.start(friday)
    runner.due(friday)
    saturday = datetime(2026, 6, 6, 10, 0, tzinfo=MX)
    runner.handle(
        CallUpdate(
            contact_id="123",
            attempt=1,
            status=CallStatus.COMPLETED,
            at=friday + 3 * MIN,
            answered_by=AnsweredBy.HUMAN,
            outcome=thinkrr.outcome("Callback"),
            callback_at=saturday,
        )
    )
    contact = runner.contact("123")
    monday = datetime(2026, 6, 8, 9, 0, tzinfo=MX)
    assert (contact.status, contact.next_attempt_at, contact.follow_up) == (
        S.RETRYING,
        monday,
        True,
    )
    assert contact.last_outcome is Outcome.CALLBACK_REQUESTED
    assert runner.next_wakeup() == monday
    [again] = runner.due(monday)
    assert again.attempt == 2


def test_a_callback_within_the_window_is_kept_to_the_minute() -> None:
    runner = CampaignRunner(Campaign(id="c", name="c"), schedule=Schedule.business_hours())
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    runner.due(T0)
    wanted = T0 + timedelta(hours=3, minutes=17)
    runner.handle(
        CallUpdate(
            contact_id="123",
            attempt=1,
            status=CallStatus.COMPLETED,
            at=T0 + MIN,
            outcome=Outcome.CALLBACK_REQUESTED,
            answered_by=AnsweredBy.HUMAN,
            callback_at=wanted,
        )
    )
    assert runner.contact("123").next_attempt_at == wanted


def test_a_held_callback_waits_for_the_completion_timeout() -> None:
    """itellico's completion timeout holds the outcome; the callback is honoured when it
    settles, unless a call-back in the window changed the outcome."""
    retry = RetryPolicy.itellico(contact_completion_timeout=(30, "minutes"))
    runner = CampaignRunner(Campaign(id="c", name="c"), retry=retry)
    runner.add_contacts([JUAN, ANA], now=T0)
    runner.start(T0)
    runner.due(T0)
    wanted = T0 + timedelta(days=1)
    for person in (JUAN, ANA):
        runner.handle(
            CallUpdate(
                contact_id=person.id,
                attempt=1,
                status=CallStatus.COMPLETED,
                at=T0 + MIN,
                outcome=Outcome.CALLBACK_REQUESTED,
                answered_by=AnsweredBy.HUMAN,
                callback_at=wanted,
            )
        )
    runner.handle(
        ContactCalledBack(contact_id="124", outcome=Outcome.HUMAN_CONVERSATION, at=T0 + 5 * MIN)
    )
    assert runner.contact("123").status is S.AWAITING_OUTCOME
    restored = CampaignRunner.restore(runner.snapshot())
    restored.due(T0 + 31 * MIN)
    assert restored.contact("123").next_attempt_at == wanted
    assert restored.contact("124").status is S.ANSWERED
    assert restored.contact("124").follow_up is False


def test_a_callback_already_past_is_due_at_once() -> None:
    runner = CampaignRunner(Campaign(id="c", name="c"))
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    runner.due(T0)
    runner.handle(
        CallUpdate(
            contact_id="123",
            attempt=1,
            status=CallStatus.COMPLETED,
            at=T0 + MIN,
            outcome=Outcome.CALLBACK_REQUESTED,
            answered_by=AnsweredBy.HUMAN,
            callback_at=T0 - timedelta(hours=1),
        )
    )
    assert runner.contact("123").next_attempt_at == T0 + MIN


# --------------------------------------------------------------------------- snapshots


def test_whatsapp_snapshot_round_trip_is_exact() -> None:
    runner = _wa(
        _people(6),
        tier=MessagingTier.TIER_250,
        retry=RetryPolicy.altur(failed_retries=1),
        conversion=ConversionRule.on_tag("yes"),
    )
    runner.due(T0, limit=4)
    runner.handle(_update("w0", S.READ, T0 + MIN))
    runner.handle(_update("w1", S.FAILED, T0 + MIN))
    runner.handle(ConversationResult(contact_id="w2", at=T0 + MIN, extracted={"x": 1}))
    runner.handle(ConversationResult(contact_id="w0", at=T0 + 2 * MIN, tags={"yes"}))
    data = runner.snapshot()
    restored = CampaignRunner.restore(data)
    assert restored.snapshot() == data
    assert restored.next_wakeup() == runner.next_wakeup()
    for r in (runner, restored):
        r.due(T0 + 5 * MIN)
    assert restored.snapshot() == runner.snapshot()
    assert runner.contact("w0").status is S.CONVERTED


# --------------------------------------------------------------------------- properties

_updates = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.sampled_from(sorted(MESSAGE_STATUSES, key=lambda s: s.value)),
        st.integers(-5, 60),
    ),
    max_size=16,
)


@settings(max_examples=100)
@given(updates=_updates, data=st.data(), failed_retries=st.integers(0, 2))
def test_message_updates_in_any_order_converge_through_the_runner(
    updates: list[tuple[int, ContactStatus, int]], data: st.DataObject, failed_retries: int
) -> None:
    """The same status updates, shuffled and some delivered twice, leave the runner in
    the same state - contacts, counts, pacing, outbox - before and after the failed
    messages are settled. (A fifth contact stays sending, so the campaign runs on.)"""
    contacts = _people(5)
    retry = RetryPolicy.altur(failed_retries=failed_retries)
    events = [_update(f"w{i}", status, T0 + minutes * MIN) for i, status, minutes in updates]
    shuffled = data.draw(st.permutations(events))
    doubled = shuffled + data.draw(st.lists(st.sampled_from(events), max_size=4)) if events else []
    left, right = _wa(contacts, retry=retry), _wa(contacts, retry=retry)
    for runner, order in ((left, events), (right, doubled)):
        runner.due(T0)
        for event in order:
            runner.handle(event)
    assert left.snapshot() == right.snapshot()
    later = T0 + 2 * timedelta(hours=1)
    assert left.due(later) == right.due(later)
    assert left.snapshot() == right.snapshot()
    for contact in left.contacts.values():
        held = contact.status is S.FAILED and contact.next_attempt_at is not None
        assert not held  # every failure was settled by due


@settings(max_examples=50)
@given(
    results=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 30),
            st.sampled_from(list(GoalOutcome)),
            st.dictionaries(
                st.sampled_from(["email", "interest"]),
                st.none() | st.sampled_from(["", "a@x.mx", "high"]),
                max_size=2,
            ),
            st.frozensets(st.sampled_from(["sale", "vip"]), max_size=1),
        ),
        max_size=8,
    ),
    data=st.data(),
)
def test_conversation_results_in_any_order_converge_and_conversion_agrees(
    results: list[tuple[int, int, GoalOutcome, dict[str, Any], frozenset[str]]],
    data: st.DataObject,
) -> None:
    """Conversation results merge the same in any order, and the converted status is
    exactly where the conversion rule holds (for contacts that reached a status that
    can convert): the engine, the metrics and the results export agree."""
    goals = GoalSet((Goal(id="g", name="Goal", kind=GoalKind.PRIMARY),))
    rule = data.draw(
        st.sampled_from(
            [
                ConversionRule.primary_goal(),
                ConversionRule.on_tag("sale"),
                ConversionRule.on_field("email"),
            ]
        )
    )
    events = [
        ConversationResult(
            contact_id=f"w{i}",
            at=T0 + minutes * MIN,
            conversation_id=f"conv{n}",
            goal_results=(GoalResult(goal_id="g", outcome=outcome),),
            extracted=fields,
            tags=tags,
        )
        for n, (i, minutes, outcome, fields, tags) in enumerate(results)
    ]
    runners = []
    for order in (events, data.draw(st.permutations(events))):
        runner = _wa(_people(3), conversion=rule, goals=goals)
        runner.due(T0)
        for person in _people(3):
            runner.handle(_update(person, S.READ, T0 + MIN))
        for event in order:
            runner.handle(event)
        runners.append(runner)
    first, second = runners
    for contact in first.contacts.values():
        other = second.contact(contact.id)
        assert (contact.status, contact.tags, contact.extracted) == (
            other.status,
            other.tags,
            other.extracted,
        )
        assert first.goal_results(contact.id) == second.goal_results(contact.id)
        primary = first.goal_results(contact.id).get("g")
        assert (contact.status is S.CONVERTED) == is_converted(rule, contact, primary_goal=primary)
    stats = CampaignStats.from_records(contacts=first.contacts.values())
    converted = [c for c in first.contacts.values() if c.status is S.CONVERTED]
    assert stats.converted == len(converted)
    assert stats.with_extracted == sum(has_extracted_data(c) for c in first.contacts.values())


def test_a_random_whatsapp_campaign_settles_every_contact() -> None:
    """Seed 004's daily send limit holds every campaign day, and every contact settles."""
    rng = random.Random(5)
    settings_ = WhatsAppSettings((REMINDER,), daily_limit=7, consent=True)
    runner = _wa(_people(20), whatsapp=settings_, retry=RetryPolicy.altur(failed_retries=1))
    per_day: Counter[date] = Counter()
    now = T0
    for _ in range(200):
        for send in runner.due(now):
            per_day[now.astimezone(MX).date()] += 1
            status = rng.choice([S.DELIVERED, S.READ, S.FAILED, S.ACCEPTED, S.REJECTED])
            runner.handle(_update(send.contact, status, now + rng.randint(1, 30) * MIN))
        wake = runner.next_wakeup()
        if wake is None:
            break
        now = max(now + MIN, wake)
    assert runner.campaign.status is CampaignStatus.FINISHED
    assert runner.counts.pending == runner.counts.in_progress == 0
    assert max(per_day.values()) == 7
    assert sum(per_day.values()) == sum(c.attempts for c in runner.contacts.values()) > 20
    assert len(per_day) >= 3


def test_caller_lines_are_refused_on_a_whatsapp_campaign() -> None:
    with pytest.raises(InvalidConfig, match="lines"):
        CampaignRunner(
            WHATSAPP, whatsapp=SETTINGS, lines=[CallerLine(id="L1", number="+525500000001")]
        )


def test_a_callback_the_retry_policy_refuses_is_not_scheduled() -> None:
    runner = CampaignRunner(Campaign(id="c", name="c"), retry=RetryPolicy.altur())
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    runner.due(T0)
    runner.handle(
        CallUpdate(
            contact_id="123",
            attempt=1,
            status=CallStatus.COMPLETED,
            at=T0 + MIN,
            outcome=Outcome.CALLBACK_REQUESTED,
            answered_by=AnsweredBy.HUMAN,
            callback_at=T0 + timedelta(hours=2),
        )
    )
    contact = runner.contact("123")
    assert (contact.status, contact.next_attempt_at, contact.follow_up) == (
        S.ANSWERED,
        None,
        False,
    )
    assert runner.state("123").callback_at is None
