"""A whole campaign driven by random commands, carrier reports, call-backs, conversions,
replays and restores, with the engine's invariants checked after every step."""

from __future__ import annotations

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    invariant,
    precondition,
    rule,
)

from campaignkit import (
    CONTACT_MACHINE,
    CallUpdate,
    CampaignRunner,
    CampaignStatus,
    Contact,
    ContactCalledBack,
    ContactConverted,
    ContactStatus,
    CyclePolicy,
    IllegalTransition,
    RetryPolicy,
)
from campaignkit.engine import Event, is_due
from campaignkit.machines import ContactEvent
from campaignkit.statuses import CallStatus
from campaignkit.strategies import CampaignStateMachine

from ..engine_strategies import (
    T0,
    answered_bys,
    cycle_policies,
    end_statuses,
    fresh_contacts,
    outcomes,
    report_statuses,
    retry_policies,
    vendor_policies,
)

_WAITING = {ContactStatus.QUEUED, ContactStatus.RETRYING, ContactStatus.AWAITING_OUTCOME}


class CampaignMachine(CampaignStateMachine):
    """The public `CampaignStateMachine` (its steps, invariants and liveness checks) with
    the engine's own: every campaign command, contacts added late, reports with any
    status and outcome, call-backs, conversions, replays of any event, snapshot and
    restore, draining the outbox. Extra invariants: per-cycle counters reset while
    lifetime attempts only grow; loops and the campaign status agree; snapshot and
    restore round-trip exactly."""

    start_time = T0

    def __init__(self) -> None:
        super().__init__()
        self.history: list[Event] = []
        self.seen: dict[str, tuple[int, int]] = {}  # id -> (cycle, attempts)

    def retry_policy(self) -> st.SearchStrategy[RetryPolicy]:
        return retry_policies() | vendor_policies()

    def cycle_policy(self) -> st.SearchStrategy[CyclePolicy | None]:
        return st.sampled_from([False, True, True, True]).flatmap(
            lambda loops: cycle_policies() if loops else st.none()
        )

    def initial_contacts(self) -> st.SearchStrategy[list[Contact]]:
        return st.integers(1, 5).flatmap(fresh_contacts)

    def starts(self) -> st.SearchStrategy[bool]:
        return st.sampled_from([True, True, True, False])

    def call_endings(self) -> st.SearchStrategy[CallStatus]:
        return end_statuses

    # ------------------------------------------------------------------ time and commands

    @rule(
        command=st.sampled_from(["start", "start", "pause", "resume", "resume"]),
        ending=st.sampled_from([None] * 6 + ["cancel", "force_complete"]),
    )
    def command(self, command: str, ending: str | None) -> None:
        for name in (command, ending):
            if name is None:
                continue
            before = self.runner.snapshot()
            try:
                getattr(self.runner, name)(self.tick())
            except IllegalTransition:
                assert self.runner.snapshot() == before

    @rule(limit=st.none() | st.integers(0, 3))
    def due(self, limit: int | None) -> None:
        now = self.tick()
        before = dict(self.runner.contacts)
        dials = self.runner.due(now, limit=limit)
        if limit is not None:
            assert len(dials) <= limit
        ids = [d.contact.id for d in dials]
        assert len(ids) == len(set(ids))
        for placed in dials:
            contact = self.runner.contact(placed.contact.id)
            assert contact.status is ContactStatus.DIALING
            assert placed.attempt == contact.attempts == before[contact.id].attempts + 1
            assert placed.contact == contact
            assert placed.line is None
            # Due before the call, or made due during it: a held outcome settled
            # into a retry, or a new loop re-queued the contact.
            old = before[contact.id]
            assert (
                is_due(old, now)
                or old.status is ContactStatus.AWAITING_OUTCOME
                or contact.cycle > old.cycle
            )
        for contact in self.runner.contacts.values():
            old = before[contact.id]
            if contact.cycle > old.cycle:  # a new loop: per-cycle counters reset, not attempts
                event("a loop re-queued a contact")
                assert (contact.retries, contact.failed_retries) == (0, 0)
                assert contact.attempts >= old.attempts
                assert old.status is not ContactStatus.CONVERTED
        if self.runner.campaign.status is CampaignStatus.ACTIVE and limit is None:
            assert not any(is_due(c, now) for c in self.runner.contacts.values())

    @rule(count=st.integers(1, 2), data=st.data())
    def add(self, count: int, data: st.DataObject) -> None:
        fresh = data.draw(fresh_contacts(self.loaded + count))[self.loaded :]
        before = self.runner.snapshot()
        try:
            self.runner.add_contacts(fresh, now=self.tick())
        except IllegalTransition:
            assert self.runner.snapshot() == before
            return
        self.loaded += count

    # ------------------------------------------------------------------ events

    def handle(self, event: Event) -> None:
        self.runner.handle(event)
        self.history.append(event)
        state = self.runner.snapshot()
        self.runner.handle(event)  # a duplicate webhook
        assert self.runner.snapshot() == state

    @precondition(lambda self: bool(self.runner.in_flight))
    @rule(data=st.data(), status=report_statuses, answered_by=answered_bys)
    def report(self, data: st.DataObject, status: object, answered_by: object) -> None:
        contact_id = data.draw(st.sampled_from(sorted(self.runner.in_flight)))
        call = self.runner.in_flight[contact_id]
        outcome = data.draw(st.none() | outcomes)
        self.handle(
            CallUpdate(
                contact_id=contact_id,
                attempt=call.attempt,
                status=status,  # type: ignore[arg-type]
                at=self.tick(),
                answered_by=answered_by,  # type: ignore[arg-type]
                outcome=outcome,
                duration=data.draw(st.integers(0, 300)),
            )
        )

    @rule(data=st.data(), outcome=outcomes)
    def call_back(self, data: st.DataObject, outcome: object) -> None:
        contact_id = data.draw(st.sampled_from(sorted(self.runner.contacts)))
        self.handle(ContactCalledBack(contact_id=contact_id, outcome=outcome, at=self.tick()))  # type: ignore[arg-type]

    @rule(data=st.data())
    def convert(self, data: st.DataObject) -> None:
        contact_id = data.draw(st.sampled_from(sorted(self.runner.contacts)))
        status = self.runner.contact(contact_id).status
        event = ContactConverted(contact_id=contact_id, at=self.tick())
        if status is ContactStatus.CONVERTED or (status, ContactEvent.CONVERT) in (
            CONTACT_MACHINE.table
        ):
            self.handle(event)
        else:
            before = self.runner.snapshot()
            with pytest.raises(IllegalTransition):
                self.runner.handle(event)
            assert self.runner.snapshot() == before

    @precondition(lambda self: bool(self.history))
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        """Any event seen before, delivered again now, changes nothing."""
        event = data.draw(st.sampled_from(self.history))
        before = self.runner.snapshot()
        self.runner.handle(event)
        assert self.runner.snapshot() == before

    @rule()
    def restore(self) -> None:
        data = self.runner.snapshot()
        restored = CampaignRunner.restore(data)
        assert restored.snapshot() == data
        assert restored.counts == self.runner.counts
        assert restored.next_wakeup() == self.runner.next_wakeup()
        self.runner = restored

    @rule()
    def drain(self) -> None:
        outbox = self.runner.outbox
        assert self.runner.drain() == list(outbox)
        assert self.runner.outbox == ()

    # ------------------------------------------------------------------ invariants

    @invariant()
    def cycles_and_lifetime_attempts_only_grow(self) -> None:
        for contact in self.runner.contacts.values():
            cycle, attempts = self.seen.get(contact.id, (0, 0))
            assert contact.cycle >= cycle
            assert contact.attempts >= attempts
            self.seen[contact.id] = (contact.cycle, contact.attempts)

    @invariant()
    def campaign_and_loops_agree(self) -> None:
        campaign = self.runner.campaign
        event(f"campaign {campaign.status.value}, cycle {min(campaign.cycle, 2)}")
        assert campaign.cycle == len(self.runner.loop_starts)
        if campaign.status is CampaignStatus.COOLDOWN:
            assert self.runner.next_loop_at is not None
        if campaign.status is CampaignStatus.FINISHED:
            assert self.runner.next_wakeup() is None
        if self.runner.cycles is None:
            assert campaign.cycle == 0


TestCampaignMachine = CampaignMachine.TestCase
TestCampaignMachine.settings = settings(stateful_step_count=100)  # the profile, longer runs
