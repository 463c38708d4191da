"""The decision layer: pure steps over one contact row (`campaignkit.engine.steps`).

A service that stores `ContactState` rows and calls the steps must get what
`CampaignRunner` gets; these tests drive the steps directly, check the rules
that live only there (WhatsApp no-response retries, do-not-call across cycles,
the bounded compliance ledger) and that a step never changes its inputs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    CallerLine,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignRules,
    CampaignRunner,
    CampaignState,
    CampaignStatus,
    Channel,
    CompliancePolicy,
    Contact,
    ContactState,
    ContactStatus,
    ConversationResult,
    CyclePolicy,
    MessageUpdate,
    Outcome,
    RetryPolicy,
    Schedule,
)
from campaignkit.engine import ContactFinalNotification, steps
from campaignkit.errors import IllegalTransition, InvalidConfig, InvalidInput
from campaignkit.policies import FrequencyCap
from campaignkit.policies.messaging import MessageTemplate, WhatsAppSettings

from ..engine_strategies import end_statuses, retry_policies

T0 = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)  # a Monday, 09:00 in Mexico City
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
JUAN = Contact(id="juan", phone="+525555551234", name="Juan Pérez")

TEMPLATES = (
    MessageTemplate(name="reminder_v1", language="es_MX"),
    MessageTemplate(name="reminder_v2", language="es_MX"),
)
SETTINGS = WhatsAppSettings(templates=TEMPLATES, consent=True, response_window=2 * HOUR)
WHATSAPP = Campaign(id="wa", name="WhatsApp reminder", channel=Channel.WHATSAPP)


def _whatsapp_runner(retry: RetryPolicy) -> CampaignRunner:
    runner = CampaignRunner(WHATSAPP, retry=retry, whatsapp=SETTINGS)
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    return runner


def _deliver(runner: CampaignRunner, at: datetime) -> None:
    for status in (ContactStatus.SENT, ContactStatus.DELIVERED):
        runner.handle(MessageUpdate(contact_id="juan", status=status, at=at))


# --------------------------------------------------------------------------- seed 004: no response


def test_a_delivered_message_nobody_answers_is_retried_with_the_second_template() -> None:
    runner = _whatsapp_runner(RetryPolicy.altur(2))
    [first] = runner.due(T0)
    assert first.template == TEMPLATES[0]
    _deliver(runner, T0 + MIN)
    contact = runner.contact("juan")
    assert contact.status is ContactStatus.DELIVERED
    assert contact.next_attempt_at == T0 + MIN + 2 * HOUR  # waits for a reply
    assert runner.next_wakeup() == T0 + MIN + 2 * HOUR
    assert runner.campaign.status is CampaignStatus.ACTIVE  # held: the cycle is not over
    assert runner.due(T0 + HOUR) == []
    later = T0 + 3 * HOUR
    dials = runner.due(later)  # the window closed: the retry policy is asked
    contact = runner.contact("juan")
    assert contact.retries + contact.failed_retries == 1  # Altur counts no-answer as failed
    assert contact.last_outcome is Outcome.NO_ANSWER
    if not dials:  # the retry waits
        assert contact.status in (ContactStatus.RETRYING, ContactStatus.QUEUED)
        wake = runner.next_wakeup()
        assert wake is not None
        dials = runner.due(wake)
    [second] = dials
    assert second.template == TEMPLATES[1]  # seed 004: the second template for the retry
    assert second.attempt == 2


def test_no_response_retries_stop_at_the_limit_with_a_final_notification() -> None:
    runner = _whatsapp_runner(RetryPolicy.altur(1))
    now = T0
    for _ in range(5):
        for _dial in runner.due(now):
            _deliver(runner, now + MIN)
        wake = runner.next_wakeup()
        if wake is None:
            break
        now = max(now + MIN, wake)
    contact = runner.contact("juan")
    assert contact.attempts == 2  # the first message and one retry
    assert contact.status is ContactStatus.DELIVERED
    assert contact.next_attempt_at is None
    finals = [n for n in runner.drain() if isinstance(n, ContactFinalNotification)]
    assert len(finals) == 1
    assert runner.campaign.status is CampaignStatus.FINISHED


@pytest.mark.parametrize("reply", ["accepted", "conversation"])
def test_a_reply_within_the_window_stops_the_retry(reply: str) -> None:
    runner = _whatsapp_runner(RetryPolicy.altur(2))
    runner.due(T0)
    _deliver(runner, T0 + MIN)
    if reply == "accepted":
        event: MessageUpdate | ConversationResult = MessageUpdate(
            contact_id="juan", status=ContactStatus.ACCEPTED, at=T0 + HOUR
        )
    else:
        event = ConversationResult(contact_id="juan", at=T0 + HOUR, tags={"replied"})
    runner.handle(event)
    assert runner.contact("juan").next_attempt_at is None
    runner.due(T0 + 5 * HOUR)
    assert runner.contact("juan").attempts == 1


def test_without_a_response_window_a_delivered_message_is_final() -> None:
    settings = attrs.evolve(SETTINGS, response_window=None)
    runner = CampaignRunner(WHATSAPP, retry=RetryPolicy.altur(2), whatsapp=settings)
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    runner.due(T0)
    _deliver(runner, T0 + MIN)
    assert runner.contact("juan").next_attempt_at is None
    assert runner.campaign.status is CampaignStatus.FINISHED


def test_the_response_window_is_validated_and_round_trips() -> None:
    assert WhatsAppSettings.from_dict(SETTINGS.to_dict()) == SETTINGS
    with pytest.raises(ValueError, match="response_window"):
        attrs.evolve(SETTINGS, response_window=timedelta(seconds=5))
    with pytest.raises(ValueError, match="response_window"):
        WhatsAppSettings.from_dict({**SETTINGS.to_dict(), "response_window": "2h"})


# --------------------------------------------------------------------------- do-not-call in cycles


def test_a_do_not_call_contact_is_settled_once_across_loops() -> None:
    ana = Contact(id="ana", phone="+525555550002")
    runner = CampaignRunner(
        Campaign(id="c", name="loops"),
        retry=RetryPolicy.altur(0),
        cycles=CyclePolicy(max_loops_per_day=3, cooldown=timedelta(minutes=1), max_loops=3),
        do_not_call={JUAN.phone},
    )
    runner.add_contacts([JUAN, ana], now=T0)
    runner.start(T0)
    now = T0
    for _ in range(40):
        for dial in runner.due(now):
            runner.handle(
                CallUpdate(
                    contact_id=dial.contact.id,
                    attempt=dial.attempt,
                    status=CallStatus.NO_ANSWER,
                    at=now + MIN,
                )
            )
        wake = runner.next_wakeup()
        if wake is None:
            break
        now = max(now + MIN, wake)
    assert runner.campaign.cycle == 3  # the loops ran for Ana
    assert runner.contact("ana").attempts >= 3
    juan_finals = [
        n
        for n in runner.drain()
        if isinstance(n, ContactFinalNotification) and n.contact_id == "juan"
    ]
    assert len(juan_finals) == 1  # was 4 at 3 loops: re-queued and refused every loop
    assert runner.state("juan").refused is not None
    assert runner.contact("juan").attempts == 0


# --------------------------------------------------------------------------- the ledger


def test_the_compliance_ledger_forgets_what_no_rule_looks_back_on() -> None:
    policy = CompliancePolicy(rules=(FrequencyCap(max_calls=3, period=timedelta(days=1)),))
    assert policy.lookback == timedelta(days=1)
    assert CompliancePolicy().lookback == timedelta(0)
    rules = CampaignRules(retry=RetryPolicy.altur(9), compliance=policy)
    campaign = CampaignState(Campaign(id="c", name="c", status=CampaignStatus.ACTIVE))
    state = steps.load_contact(JUAN, now=T0)
    now = T0
    for attempt in range(1, 8):
        step = steps.propose(state, campaign, rules, now)
        if step.dial is None:  # the cap refused: wait as told
            state, campaign = step.state, step.campaign
            assert state.contact.next_attempt_at is not None
            now = state.contact.next_attempt_at
            continue
        state, campaign = step.state, step.campaign
        report = CallUpdate(
            contact_id="juan",
            attempt=state.contact.attempts,
            status=CallStatus.COMPLETED,
            answered_by=AnsweredBy.MACHINE,  # voicemail: Altur retries it
            duration=20,
            at=now + MIN,
        )
        state = steps.apply_event(state, report, campaign, rules).state
        assert all(now + MIN - a.over_at <= timedelta(days=1) for a in state.history)
        assert state.contact.next_attempt_at is not None
        now = max(state.contact.next_attempt_at, now + 2 * MIN)
        assert attempt < 8
    assert len(state.history) <= 4


# --------------------------------------------------------------------------- propose


def _active(**changes: object) -> CampaignState:
    campaign = Campaign(id="c", name="c", status=CampaignStatus.ACTIVE)
    return CampaignState(campaign, **changes)  # type: ignore[arg-type]


def test_propose_dials_with_a_line_and_counts_it() -> None:
    lines = (CallerLine(id="L1", number="+15550001111"),)
    campaign = _active(lines=lines)
    state = steps.load_contact(JUAN, now=T0)
    step = steps.propose(state, campaign, CampaignRules(), T0)
    assert step.dial is not None
    assert step.dial.line == lines[0]
    assert step.state.call is not None
    assert step.state.call.from_number == "+15550001111"
    assert step.state.line_id == "L1"
    assert step.campaign.previous_line_id == "L1"
    assert step.campaign.lines is not None
    assert step.campaign.lines[0].calls_today == 1
    assert state.contact.status is ContactStatus.QUEUED  # the input is unchanged


def test_propose_refuses_a_do_not_call_number_for_good() -> None:
    state = steps.load_contact(JUAN, now=T0)
    step = steps.propose(state, _active(), CampaignRules(do_not_call={JUAN.phone}), T0)
    assert step.dial is None
    assert step.state.contact.status is ContactStatus.FAILED
    assert step.state.refused
    assert not steps.loop_eligible(step.state, CampaignRules(cycles=CyclePolicy()))
    [note] = step.notifications
    assert isinstance(note, ContactFinalNotification)


def test_propose_halts_the_campaign_outside_the_schedule() -> None:
    night = T0 + timedelta(hours=12)  # 21:00 in Mexico City
    schedule = Schedule.business_hours(timezone="America/Mexico_City")
    state = steps.load_contact(JUAN, now=night)
    step = steps.propose(state, _active(), CampaignRules(schedule=schedule), night)
    assert step.halted
    assert step.dial is None
    assert step.state is state
    assert step.campaign.halt is not None
    assert step.campaign.halt.until is not None
    blocked = steps.open_round(step.campaign, CampaignRules(schedule=schedule), night)
    assert blocked.blocked


def test_an_event_for_another_contact_or_of_another_kind_is_refused() -> None:
    state = steps.load_contact(JUAN, now=T0)
    report = CallUpdate(contact_id="ana", attempt=1, status=CallStatus.RINGING, at=T0)
    with pytest.raises(InvalidInput, match="ana"):
        steps.apply_event(state, report, _active(), CampaignRules())
    with pytest.raises(InvalidInput, match="not an event"):
        steps.apply_event(state, "ringing", _active(), CampaignRules())  # type: ignore[arg-type]


def test_an_event_at_the_end_of_the_calendar_raises_and_changes_nothing() -> None:
    schedule = Schedule.business_hours(timezone="America/Mexico_City")
    # itellico retries no-answer after a wait: 9999-12-31 plus the wait is off the calendar.
    retry = RetryPolicy.itellico()
    runner = CampaignRunner(Campaign(id="c", name="c"), retry=retry, schedule=schedule)
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    [dial] = runner.due(T0)
    before = runner.snapshot()
    late = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    report = CallUpdate(
        contact_id="juan",
        attempt=dial.attempt,
        status=CallStatus.NO_ANSWER,
        at=late,
    )
    with pytest.raises(InvalidInput):
        runner.handle(report)
    assert runner.snapshot() == before  # the contact is still dialling, its call in flight


# --------------------------------------------------------------------------- rows


@given(
    st.sampled_from(list(ContactStatus)),
    st.integers(0, 5),
    st.none() | st.datetimes(timezones=st.just(UTC)),
    st.none() | st.text(min_size=1, max_size=8),
)
def test_contact_rows_round_trip_exactly(
    status: ContactStatus, attempts: int, callback: datetime | None, refused: str | None
) -> None:
    contact = attrs.evolve(JUAN, status=status, attempts=attempts)
    state = ContactState(
        contact,
        callback_at=callback,
        callback_reported_at=callback,
        refused=refused,
    )
    assert ContactState.from_dict(state.to_dict()) == state


def test_rules_round_trip_exactly() -> None:
    rules = CampaignRules(
        retry=RetryPolicy.itellico(),
        cycles=CyclePolicy(),
        schedule=Schedule.business_hours(timezone="America/Mexico_City"),
        compliance=CompliancePolicy.tcpa(),
        do_not_call={"+525555550009"},
    )
    assert CampaignRules.from_dict(rules.to_dict()) == rules
    with pytest.raises(InvalidInput, match="keys"):
        CampaignRules.from_dict({})
    with pytest.raises(InvalidInput, match="schedule"):
        CampaignRules.from_dict({**rules.to_dict(), "schedule": "9-6"})


# --------------------------------------------------------------------------- seed 004


def test_a_finished_campaign_is_archived_and_takes_nothing_more() -> None:
    runner = CampaignRunner(Campaign(id="c", name="c"), retry=RetryPolicy.altur(0))
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    with pytest.raises(IllegalTransition):
        runner.archive(T0)  # an active campaign is not archived
    runner.force_complete(T0)
    runner.archive(T0 + MIN)
    assert runner.campaign.status is CampaignStatus.ARCHIVED
    assert runner.drain()[-1].to_dict()["status"] == "archived"
    with pytest.raises(IllegalTransition):
        runner.add_contacts([Contact(id="ana", phone="+525555550002")], now=T0 + MIN)
    assert CampaignRunner.restore(runner.snapshot()).campaign.status is CampaignStatus.ARCHIVED


def test_a_voice_override_is_refused_on_a_whatsapp_campaign() -> None:
    runner = CampaignRunner(WHATSAPP, whatsapp=SETTINGS)
    voiced = attrs.evolve(JUAN, voice_id="voice-123")
    with pytest.raises(InvalidConfig, match="override_agent_voice_id"):
        runner.add_contacts([voiced], now=T0)
    assert len(runner.contacts) == 0
    with pytest.raises(InvalidConfig):
        steps.load_contact(voiced, now=T0, campaign=WHATSAPP)


# --------------------------------------------------------------------------- issue 14 (18)


@pytest.mark.parametrize("timeout", [None, 30])
@pytest.mark.parametrize("answerer", [AnsweredBy.MACHINE, AnsweredBy.HUMAN])
def test_a_late_answerer_settles_the_call_as_if_the_reports_came_in_order(
    timeout: int | None, answerer: AnsweredBy
) -> None:
    """Twilio may send AnsweredBy on an in-progress report that arrives after the
    completed one; the contact ends as it would have with the reports in order (while
    the campaign runs: Ana, not yet called, keeps it running)."""
    retry = (
        RetryPolicy.altur(2)
        if timeout is None
        else RetryPolicy.itellico(contact_completion_timeout=(timeout, "minutes"))
    )
    ends = []
    for order in ("in order", "late"):
        runner = CampaignRunner(Campaign(id="c", name="c"), retry=retry)
        runner.add_contacts([JUAN, Contact(id="ana", phone="+525555550002")], now=T0)
        runner.start(T0)
        [dial] = runner.due(T0, limit=1)
        progress = CallUpdate(
            contact_id="juan",
            attempt=dial.attempt,
            status=CallStatus.IN_PROGRESS,
            answered_by=answerer,
            at=T0 + MIN,
        )
        done = CallUpdate(
            contact_id="juan",
            attempt=dial.attempt,
            status=CallStatus.COMPLETED,
            duration=25,
            at=T0 + 2 * MIN,
        )
        reports = [progress, done] if order == "in order" else [done, progress]
        for report in [*reports, *reports]:  # and every report twice
            runner.handle(report)
        runner.due(T0 + 2 * HOUR, limit=1)
        ends.append((runner.contact("juan"), runner.counts))
        assert runner.state("juan").ended is None  # nothing left to wait for
    assert ends[0] == ends[1]
    if answerer is AnsweredBy.MACHINE and timeout is None:
        assert ends[1][0].last_outcome is Outcome.VOICEMAIL  # Altur retries voicemail


def test_a_late_answerer_after_the_contact_moved_on_changes_nothing() -> None:
    runner = CampaignRunner(Campaign(id="c", name="c"), retry=RetryPolicy.altur(2))
    runner.add_contacts([JUAN], now=T0)
    runner.start(T0)
    [dial] = runner.due(T0)
    runner.handle(
        CallUpdate(contact_id="juan", attempt=1, status=CallStatus.NO_ANSWER, at=T0 + MIN)
    )
    before = runner.snapshot()
    runner.handle(
        CallUpdate(
            contact_id="juan",
            attempt=dial.attempt,
            status=CallStatus.IN_PROGRESS,
            answered_by=AnsweredBy.MACHINE,
            at=T0 + MIN,
        )
    )
    assert runner.snapshot() == before  # no-answer is not settled by an answerer


def test_rows_written_before_the_late_answerer_fields_still_load() -> None:
    state = steps.load_contact(JUAN, now=T0)
    old = {k: v for k, v in state.to_dict().items() if k not in {"ended", "before_end"}}
    assert ContactState.from_dict(old) == state


# --------------------------------------------------------------------------- fast records


@given(
    retry_policies(),
    st.lists(
        st.tuples(end_statuses, st.none() | st.sampled_from(AnsweredBy), st.booleans()),
        min_size=1,
        max_size=12,
    ),
)
def test_what_the_steps_build_without_validation_revalidates_to_itself(
    policy: RetryPolicy, reports: list[tuple[CallStatus, AnsweredBy | None, bool]]
) -> None:
    """Dials and notifications are built from validated records without re-running the
    validators (issue 15); rebuilding each through its validating constructor
    (``attrs.evolve``) must give the same record."""
    runner = CampaignRunner(Campaign(id="camp", name="Camp"), retry=policy)
    runner.add_contacts([JUAN, Contact(id="ana", phone="+525555550000")], now=T0)
    runner.start(T0)
    at = T0
    built: list[object] = []
    for status, answered_by, real in reports:
        at += HOUR
        dials = runner.due(at)
        built.extend(dials)
        for placed in dials:
            runner.handle(
                CallUpdate(
                    contact_id=placed.contact.id,
                    attempt=placed.attempt,
                    status=status,
                    at=at + MIN,
                    answered_by=answered_by if status is CallStatus.COMPLETED else None,
                    duration=30 if status is CallStatus.COMPLETED else 0,
                    call_id=f"CA-{placed.contact.id}-{placed.attempt}" if real else None,
                    started_at=at if real and status is CallStatus.COMPLETED else None,
                    ended_at=at + MIN if real else None,
                )
            )
        built.extend(runner.drain())
    assert built  # at least the first dials and their call-status notifications
    for record in built:
        assert attrs.evolve(record) == record  # type: ignore[misc]
