"""The three transition tables checked as graphs, and the strict and lenient rules."""

from __future__ import annotations

import enum
import pickle
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    CALL_MACHINE,
    CAMPAIGN_MACHINE,
    CONTACT_MACHINE,
    CallStatus,
    CampaignStatus,
    ContactStatus,
    IllegalTransition,
)
from campaignkit.machines import (
    CALL_EVENT_FOR_STATUS,
    CONTACT_EVENT_FOR_STATUS,
    MESSAGE_STATUSES,
    CallEvent,
    CampaignEvent,
    ContactEvent,
    StateMachine,
    attempt_status,
    retry_status,
    settle_event,
)
from campaignkit.statuses import Outcome

S = TypeVar("S", bound=enum.Enum)
E = TypeVar("E", bound=enum.Enum)


def _walk(machine: StateMachine[S, E], state: S, *events: E) -> S:
    """Where ``events``, fed strictly in order, take ``machine`` from ``state``."""
    for event in events:
        state = machine.next(state, event)
    return state


MACHINES: list[StateMachine[enum.Enum, enum.Enum]] = [
    CAMPAIGN_MACHINE,  # type: ignore[list-item]
    CONTACT_MACHINE,  # type: ignore[list-item]
    CALL_MACHINE,  # type: ignore[list-item]
]
ids = [m.name for m in MACHINES]


def reachable_from(machine: StateMachine[enum.Enum, enum.Enum], start: enum.Enum) -> set[enum.Enum]:
    seen = {start}
    frontier = [start]
    while frontier:
        state = frontier.pop()
        for event in machine.allowed(state):
            target = machine.next(state, event)
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


@pytest.mark.parametrize("machine", MACHINES, ids=ids)
def test_every_state_is_reachable_from_the_initial_state(machine) -> None:
    assert reachable_from(machine, machine.initial) == set(machine.states)


@pytest.mark.parametrize("machine", MACHINES, ids=ids)
def test_terminal_states_have_no_exits(machine) -> None:
    assert machine.terminal, "a lifecycle must end somewhere"
    for state in machine.terminal:
        # Only bookkeeping (archiving a finished campaign) may follow the end,
        # and it leads to another terminal state.
        assert set(machine.allowed(state)) <= machine.after_end
        for event in machine.events:
            if event in machine.after_end and (state, event) in machine.table:
                assert machine.next(state, event) in machine.terminal
                continue
            with pytest.raises(IllegalTransition):
                machine.next(state, event)


@pytest.mark.parametrize("machine", MACHINES, ids=ids)
def test_every_non_terminal_state_can_reach_a_terminal_one(machine) -> None:
    for state in machine.states:
        if state in machine.terminal:
            continue
        assert reachable_from(machine, state) & machine.terminal, state


@pytest.mark.parametrize("machine", MACHINES, ids=ids)
def test_table_only_mentions_declared_states_and_events(machine) -> None:
    for (state, event), target in machine.table.items():
        assert state in machine.states
        assert event in machine.events
        assert target in machine.states


@pytest.mark.parametrize("machine", MACHINES, ids=ids)
def test_every_event_is_used(machine) -> None:
    used = {event for _, event in machine.table}
    assert used == set(machine.events)


@pytest.mark.parametrize("machine", MACHINES, ids=ids)
def test_table_is_read_only(machine) -> None:
    with pytest.raises(TypeError):
        machine.table[machine.initial, machine.events[0]] = machine.initial


def test_expected_terminal_states() -> None:
    assert CAMPAIGN_MACHINE.terminal == {
        CampaignStatus.FINISHED,
        CampaignStatus.CANCELLED,
        CampaignStatus.ARCHIVED,
    }
    assert CONTACT_MACHINE.terminal == {ContactStatus.CONVERTED, ContactStatus.REJECTED}
    assert CALL_MACHINE.terminal == {
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.FAILED,
        CallStatus.CANCELLED,
    }


def test_illegal_transition_names_machine_state_and_event() -> None:
    with pytest.raises(IllegalTransition) as info:
        CALL_MACHINE.next(CallStatus.COMPLETED, CallEvent.RING)
    error = info.value
    assert (error.machine, error.state, error.event) == (
        "call",
        CallStatus.COMPLETED,
        CallEvent.RING,
    )
    assert str(error) == "call machine: event 'ring' is not allowed in state 'completed'"
    assert isinstance(error, ValueError)
    assert pickle.loads(pickle.dumps(error)).args == error.args


class TestCampaignLifecycle:
    """The campaign path every seed describes."""

    def test_altur_path_with_cycles(self) -> None:
        path = [
            (CampaignEvent.LOAD_CONTACTS, CampaignStatus.READY),
            (CampaignEvent.LAUNCH, CampaignStatus.SCHEDULED),
            (CampaignEvent.OPEN, CampaignStatus.ACTIVE),
            (CampaignEvent.PAUSE, CampaignStatus.PAUSED),
            (CampaignEvent.RESUME, CampaignStatus.ACTIVE),
            (CampaignEvent.END_CYCLE, CampaignStatus.COOLDOWN),
            (CampaignEvent.START_CYCLE, CampaignStatus.ACTIVE),
            (CampaignEvent.FINISH, CampaignStatus.FINISHED),
        ]
        state = CampaignStatus.PENDING
        for event, expected in path:
            state = CAMPAIGN_MACHINE.next(state, event)
            assert state is expected

    @pytest.mark.parametrize(
        "state",
        [
            CampaignStatus.SCHEDULED,
            CampaignStatus.ACTIVE,
            CampaignStatus.PAUSED,
            CampaignStatus.COOLDOWN,
        ],
    )
    def test_force_complete_finishes_a_running_campaign(self, state: CampaignStatus) -> None:
        assert CAMPAIGN_MACHINE.next(state, CampaignEvent.FORCE_COMPLETE) is (
            CampaignStatus.FINISHED
        )

    @pytest.mark.parametrize("state", [CampaignStatus.FINISHED, CampaignStatus.CANCELLED])
    def test_a_campaign_that_ended_can_be_archived(self, state: CampaignStatus) -> None:
        # Seed 004: "Archive the campaign if no further actions are needed."
        archived = CAMPAIGN_MACHINE.next(state, CampaignEvent.ARCHIVE)
        assert archived is CampaignStatus.ARCHIVED
        assert CAMPAIGN_MACHINE.allowed(archived) == ()

    @pytest.mark.parametrize(
        "state", [s for s in CampaignStatus if s not in CAMPAIGN_MACHINE.terminal]
    )
    def test_a_running_campaign_cannot_be_archived(self, state: CampaignStatus) -> None:
        with pytest.raises(IllegalTransition):
            CAMPAIGN_MACHINE.next(state, CampaignEvent.ARCHIVE)

    def test_cannot_launch_without_contacts(self) -> None:
        with pytest.raises(IllegalTransition):
            CAMPAIGN_MACHINE.next(CampaignStatus.PENDING, CampaignEvent.LAUNCH)

    @pytest.mark.parametrize(
        "state", [s for s in CampaignStatus if s not in CAMPAIGN_MACHINE.terminal]
    )
    def test_any_live_campaign_can_be_cancelled(self, state: CampaignStatus) -> None:
        assert CAMPAIGN_MACHINE.next(state, CampaignEvent.CANCEL) is CampaignStatus.CANCELLED


class TestContactLifecycle:
    def test_altur_voicemail_retry_loop(self) -> None:
        # Seed 000: voicemail -> retrying -> queue while retries < limit.
        assert (
            _walk(
                CONTACT_MACHINE,
                ContactStatus.QUEUED,
                ContactEvent.DIAL,
                ContactEvent.REACH_VOICEMAIL,
                ContactEvent.SCHEDULE_RETRY,
                ContactEvent.REQUEUE,
            )
            is ContactStatus.QUEUED
        )

    def test_altur_failed_returns_to_queue(self) -> None:
        state = CONTACT_MACHINE.next(ContactStatus.DIALING, ContactEvent.FAIL)
        assert CONTACT_MACHINE.next(state, ContactEvent.REQUEUE) is ContactStatus.QUEUED

    def test_itellico_called_then_completed(self) -> None:
        state = CONTACT_MACHINE.next(ContactStatus.DIALING, ContactEvent.CALL_ENDED)
        assert state is ContactStatus.AWAITING_OUTCOME
        assert CONTACT_MACHINE.next(state, ContactEvent.ANSWER) is ContactStatus.ANSWERED

    def test_whatsapp_lifecycle(self) -> None:
        assert (
            _walk(
                CONTACT_MACHINE,
                ContactStatus.QUEUED,
                ContactEvent.SEND,
                ContactEvent.MESSAGE_SENT,
                ContactEvent.MESSAGE_DELIVERED,
                ContactEvent.MESSAGE_READ,
                ContactEvent.ACCEPT,
                ContactEvent.CONVERT,
            )
            is ContactStatus.CONVERTED
        )

    def test_read_may_arrive_without_delivered(self) -> None:
        assert CONTACT_MACHINE.next(ContactStatus.SENT, ContactEvent.MESSAGE_READ) is (
            ContactStatus.READ
        )

    def test_exotel_force_complete_fails_pending_contacts(self) -> None:
        for state in (ContactStatus.QUEUED, ContactStatus.RETRYING):
            assert CONTACT_MACHINE.next(state, ContactEvent.FAIL) is ContactStatus.FAILED

    def test_converted_is_final(self) -> None:
        assert CONTACT_MACHINE.is_terminal(ContactStatus.CONVERTED)
        with pytest.raises(IllegalTransition, match="contact machine"):
            CONTACT_MACHINE.next(ContactStatus.CONVERTED, ContactEvent.REQUEUE)


class TestWhichEvent:
    """The "which event?" tables beside the transition tables (h11's rule: one home)."""

    @pytest.mark.parametrize("status", list(ContactStatus))
    def test_every_contact_status_is_entered_by_exactly_its_event(
        self, status: ContactStatus
    ) -> None:
        event = ContactEvent.for_status(status)
        assert CONTACT_EVENT_FOR_STATUS[status] is event
        entering = {e for (_, e), target in CONTACT_MACHINE.table.items() if target is status}
        assert entering == {event}

    def test_message_statuses_are_the_message_half(self) -> None:
        # seed 004: sending, sent, delivered, read, accepted, rejected - and failure.
        labels = {s.value for s in MESSAGE_STATUSES}
        assert labels == {"sending", "sent", "delivered", "read", "accepted", "rejected", "failed"}

    @pytest.mark.parametrize("outcome", list(Outcome))
    def test_an_outcome_settles_with_the_event_into_its_status(self, outcome: Outcome) -> None:
        event = settle_event(outcome)
        for source in (ContactStatus.DIALING, ContactStatus.AWAITING_OUTCOME):
            assert CONTACT_MACHINE.next(source, event) is outcome.contact_status

    def test_voicemail_is_reached_busy_is_a_failure(self) -> None:
        assert settle_event(Outcome.VOICEMAIL) is ContactEvent.REACH_VOICEMAIL
        assert settle_event(Outcome.BUSY) is ContactEvent.FAIL

    @pytest.mark.parametrize("event", [ContactEvent.DIAL, ContactEvent.SEND])
    def test_a_retrying_contact_begins_its_attempt_through_queued(
        self, event: ContactEvent
    ) -> None:
        direct = attempt_status(ContactStatus.QUEUED, event)
        assert attempt_status(ContactStatus.RETRYING, event) is direct
        assert direct is CONTACT_MACHINE.next(ContactStatus.QUEUED, event)

    @pytest.mark.parametrize(
        "status",
        [s for s in ContactStatus if s not in (ContactStatus.QUEUED, ContactStatus.RETRYING)],
    )
    def test_only_a_waiting_contact_begins_an_attempt(self, status: ContactStatus) -> None:
        with pytest.raises(IllegalTransition, match=status.value):
            attempt_status(status, ContactEvent.DIAL)

    @pytest.mark.parametrize(
        ("landed", "requeue", "expected"),
        [
            # seed 004: a failed call paid by failed_retries goes straight back to the queue
            (ContactStatus.FAILED, True, ContactStatus.QUEUED),
            (ContactStatus.FAILED, False, ContactStatus.RETRYING),
            (ContactStatus.VOICEMAIL, False, ContactStatus.RETRYING),
            # a message has no direct way back to the queue: it waits in retrying
            (ContactStatus.READ, True, ContactStatus.RETRYING),
            (ContactStatus.SENT, False, ContactStatus.RETRYING),
        ],
    )
    def test_retry_status(
        self, landed: ContactStatus, requeue: bool, expected: ContactStatus
    ) -> None:
        assert retry_status(landed, requeue=requeue) is expected

    def test_a_settled_answer_cannot_be_retried(self) -> None:
        with pytest.raises(IllegalTransition):
            retry_status(ContactStatus.ACCEPTED, requeue=True)

    def test_every_command_feeds_an_event_the_campaign_machine_knows(self) -> None:
        from campaignkit.machines import EVENT_FOR_COMMAND, CampaignCommand

        assert set(EVENT_FOR_COMMAND) == set(CampaignCommand)
        assert CampaignEvent.for_command(CampaignCommand.START) is CampaignEvent.LAUNCH
        for command in CampaignCommand:
            event = CampaignEvent.for_command(command)
            assert any(e is event for (_, e) in CAMPAIGN_MACHINE.table)
            if command is not CampaignCommand.START:
                assert event.value == command.value  # named alike, one table apart

    def test_the_tables_are_read_only(self) -> None:
        with pytest.raises(TypeError):
            CALL_EVENT_FOR_STATUS[CallStatus.CREATED] = CallEvent.QUEUE  # type: ignore[index]
        with pytest.raises(TypeError):
            CONTACT_EVENT_FOR_STATUS[ContactStatus.QUEUED] = ContactEvent.DIAL  # type: ignore[index]


class TestCallLifecycle:
    def test_full_path_with_forwarding(self) -> None:
        assert (
            _walk(
                CALL_MACHINE,
                CallStatus.CREATED,
                CallEvent.QUEUE,
                CallEvent.RING,
                CallEvent.ANSWER,
                CallEvent.FORWARD,
                CallEvent.RESUME,
                CallEvent.COMPLETE,
            )
            is CallStatus.COMPLETED
        )

    def test_a_call_may_skip_ringing(self) -> None:
        assert CALL_MACHINE.next(CallStatus.QUEUED, CallEvent.ANSWER) is CallStatus.IN_PROGRESS

    @pytest.mark.parametrize("event", [CallEvent.BUSY, CallEvent.NO_ANSWER, CallEvent.CANCEL])
    def test_no_busy_no_answer_or_cancel_once_connected(self, event: CallEvent) -> None:
        with pytest.raises(IllegalTransition):
            CALL_MACHINE.next(CallStatus.IN_PROGRESS, event)

    @pytest.mark.parametrize("status", [s for s in CallStatus if s is not CallStatus.CREATED])
    def test_every_reported_status_has_an_event(self, status: CallStatus) -> None:
        event = CallEvent.for_status(status)
        assert any(CALL_MACHINE.table.get((s, event)) is status for s in CallStatus)

    def test_created_is_never_reported(self) -> None:
        with pytest.raises(IllegalTransition):
            CallEvent.for_status(CallStatus.CREATED)


class TestReconcile:
    def test_duplicate_is_a_no_op(self) -> None:
        assert CALL_MACHINE.reconcile(CallStatus.RINGING, CallStatus.RINGING) is (
            CallStatus.RINGING
        )

    def test_stale_ringing_after_completed_is_ignored(self) -> None:
        assert CALL_MACHINE.reconcile(CallStatus.COMPLETED, CallStatus.RINGING) is (
            CallStatus.COMPLETED
        )

    def test_skipped_states_do_not_matter(self) -> None:
        assert CALL_MACHINE.reconcile(CallStatus.CREATED, CallStatus.COMPLETED) is (
            CallStatus.COMPLETED
        )

    def test_report_older_than_current_state_is_stale(self) -> None:
        t0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
        # forwarding at t0+2; an in-progress report stamped t0+1 arrives late.
        assert (
            CALL_MACHINE.reconcile(
                CallStatus.FORWARDING,
                CallStatus.IN_PROGRESS,
                current_at=t0 + timedelta(seconds=2),
                reported_at=t0 + timedelta(seconds=1),
            )
            is CallStatus.FORWARDING
        )

    def test_terminal_states_absorb_everything(self) -> None:
        for terminal in CALL_MACHINE.terminal:
            for reported in CallStatus:
                assert CALL_MACHINE.reconcile(terminal, reported) is terminal


def random_path(machine, draw, max_len=12):
    """A legal path from the initial state, as the states visited."""
    state = machine.initial
    path = [state]
    for _ in range(draw(st.integers(0, max_len))):
        events = machine.allowed(state)
        if not events:
            break
        state = machine.next(state, draw(st.sampled_from(events)))
        path.append(state)
    return path


@st.composite
def delivered_reports(draw, machine):
    """A legal path and the reports of it as a carrier delivers them: some
    dropped, some repeated, in any order; each stamped with when it happened."""
    path = random_path(machine, draw)
    stamped = list(enumerate(path))
    kept = [stamped[-1], *draw(st.lists(st.sampled_from(stamped), max_size=20))]
    return path, draw(st.permutations(kept))


T0 = datetime(2026, 3, 1, tzinfo=UTC)


@given(data=st.data())
def test_call_reports_in_any_order_converge_to_the_latest(data) -> None:
    path, reports = data.draw(delivered_reports(CALL_MACHINE))
    state, at = CALL_MACHINE.initial, None
    for index, reported in reports:
        stamp = T0 + timedelta(seconds=index)
        new = CALL_MACHINE.reconcile(state, reported, current_at=at, reported_at=stamp)
        if new is not state:
            state, at = new, stamp
    assert state is path[-1]


@given(data=st.data())
def test_reconcile_never_moves_backwards(data) -> None:
    machine = data.draw(st.sampled_from(MACHINES))
    current = data.draw(st.sampled_from(machine.states))
    reported = data.draw(st.sampled_from(machine.states))
    result = machine.reconcile(current, reported)
    assert result in (current, reported)
    if result is not current:
        assert machine.can_reach(current, result)
    # Applying the same report again changes nothing.
    assert machine.reconcile(result, reported) is result
