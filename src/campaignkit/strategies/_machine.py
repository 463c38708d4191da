"""`CampaignStateMachine`: a ready RuleBasedStateMachine over a `CampaignRunner`."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Unpack

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ..engine import CallUpdate, CampaignCounts, contact_bucket, is_due
from ..errors import IllegalTransition
from ..models.records import Call, Campaign, Contact
from ..policies.cycles import SETTLED_STATUSES, CyclePolicy
from ..policies.retry import RetryPolicy
from ..runner.memory import CampaignRunner
from ..statuses import (
    AnsweredBy,
    CallStatus,
    CampaignStatus,
    ContactStatus,
)
from ._campaigns import CampaignSetup, RunnerOptions, _fresh_contacts, campaign_setups
from ._policies import cycle_policies, retry_policies
from ._records import call_report_sequences

# --------------------------------------------------------------------------- state machine

_WAITING = frozenset({ContactStatus.QUEUED, ContactStatus.RETRYING, ContactStatus.AWAITING_OUTCOME})
_ENDINGS = (
    CallStatus.BUSY,
    CallStatus.NO_ANSWER,
    CallStatus.COMPLETED,
    CallStatus.FAILED,
    CallStatus.CANCELLED,
)


_REPORT_ORIGIN = datetime(2026, 1, 5, 15, tzinfo=UTC)
_MACHINE_REPORTS = st.deferred(lambda: call_report_sequences(start=_REPORT_ORIGIN))


def _machine_retry() -> st.SearchStrategy[RetryPolicy]:
    policies = retry_policies(
        max_retries=3, max_failed_retries=2, max_attempts=8, max_wait=timedelta(hours=6)
    )
    # Lifetime caps bite only when they are below what the cycles allow, so half the
    # policies get a small one (1-4): a runner that forgets the cap is caught in a few
    # rounds, within the default example budget.
    capped = st.tuples(policies, st.integers(1, 4)).map(
        lambda pair: attrs.evolve(pair[0], max_attempts=pair[1])
    )
    return st.one_of(policies, capped)


_MACHINE_RETRY = st.deferred(_machine_retry)
_MACHINE_CYCLES = st.deferred(
    lambda: st.one_of(st.none(), cycle_policies(max_loops=2, max_cooldown=timedelta(hours=2)))
)
# Few contacts: the bugs the machine looks for show on one contact called many times.
_MACHINE_CONTACTS = st.deferred(lambda: _fresh_contacts(1, 3, ("MX", "US")))
_MACHINE_ENDINGS = st.sampled_from(_ENDINGS)
# Endings the retry policy may retry: rounds of them drive contacts to their caps.
_UNANSWERED = st.sampled_from((CallStatus.NO_ANSWER, CallStatus.BUSY, CallStatus.FAILED))
_LIVENESS_ROUNDS = 500
"""How many rounds of calls `CampaignStateMachine` gives a campaign to finish at the end
of a run (caps and loops bound the calls a campaign makes)."""
_IDLE_ROUNDS = 10_000
"""And how many jumps to the next wake-up without a call: about a day each (a calling
window, a line's daily cap), so decades - past every date the strategies draw. A
campaign that needs more waits for ever while saying it will not."""
_ANSWERED_BY = st.none() | st.sampled_from(AnsweredBy)
_DURATIONS = st.integers(0, 300)
_PICK = st.integers(0, 63)  # an index, taken modulo the number of choices


_HOOK_STRATEGIES: dict[tuple[type[Any], str], Any] = {}


def _from_hook(machine: CampaignStateMachine, name: str) -> Any:
    """What hook ``name`` of ``machine`` returns; a strategy is kept per machine class,
    so a hook that builds one is called once, not once per test case."""
    key = (type(machine), name)
    cached = _HOOK_STRATEGIES.get(key)
    if cached is not None:
        return cached
    value = getattr(machine, name)()
    if isinstance(value, st.SearchStrategy):
        _HOOK_STRATEGIES[key] = value
    return value


def _drawn(data: st.DataObject, value: Any, label: str) -> Any:
    """``value``, or a value drawn from it when it is a strategy."""
    return data.draw(value, label=label) if isinstance(value, st.SearchStrategy) else value


class CampaignStateMachine(RuleBasedStateMachine):
    """A Hypothesis state machine that runs a `CampaignRunner` through random steps
    and checks the library's invariants after each one. Subclass it to put your
    own policies through the same steps; run it with ``MyMachine.TestCase``.

    Steps: place the due calls (with or without a limit), deliver a call's carrier
    reports as `call_report_sequences` generates them (intermediate reports
    dropped, duplicates, out of order), deliver an old report again, end every
    call in flight, advance time (or jump to `CampaignRunner.next_wakeup`), pause
    and resume. Every report is delivered twice: the duplicate must change
    nothing, and so must any earlier report delivered again later.

    Invariants: per-cycle counters and lifetime attempts never exceed the retry
    policy's caps; counts conserve (`CampaignCounts` is a partition of the
    contacts by `contact_bucket`, and matches a recount); a settled contact is
    never due; the calls in flight are exactly the dialling contacts; lifetime
    attempts never decrease. Add your own with ``@invariant()``.

    Hooks (override them; each may return a value or a strategy to draw it from,
    and a strategy is built once per class): `retry_policy`, `cycle_policy`,
    `initial_contacts`, `runner_options` (the time policies), `call_endings`,
    `starts`; and `make_runner` to build the runner yourself. ``start_time`` is when the
    campaign starts.
    """

    start_time: ClassVar[datetime] = datetime(2026, 6, 1, 15, tzinfo=UTC)
    """When the campaign is loaded and started (a Monday, 09:00 in Mexico City)."""

    def __init__(self) -> None:
        super().__init__()
        self.now = self.start_time
        """The machine's clock: it only moves forward."""
        self.runner: CampaignRunner
        """The runner under test (built by `make_runner` in the first step)."""
        self.loaded = 0
        """How many contacts were loaded."""
        self.delivered: list[CallUpdate] = []
        """Every carrier report delivered so far."""
        self.retry: RetryPolicy
        """The retry policy `retry_policy` gave: the invariants hold the runner to it,
        so a runner (or a wrapper) that quietly drops part of it is caught."""
        self.cycles: CyclePolicy | None
        """The cycle policy `cycle_policy` gave."""
        self._attempts: dict[str, int] = {}

    # ------------------------------------------------------------------ hooks

    def retry_policy(self) -> RetryPolicy | st.SearchStrategy[RetryPolicy]:
        """The retry policy under test: by default `retry_policies` with small limits."""
        return _MACHINE_RETRY

    def cycle_policy(self) -> CyclePolicy | st.SearchStrategy[CyclePolicy | None] | None:
        """The cycle policy under test, or None: by default either, with up to 2 loops."""
        return _MACHINE_CYCLES

    def initial_contacts(self) -> Sequence[Contact] | st.SearchStrategy[list[Contact]]:
        """The contacts loaded at the start: by default 1 to 4 fresh ones."""
        return _MACHINE_CONTACTS

    def starts(self) -> bool | st.SearchStrategy[bool]:
        """Whether the first step starts the campaign after loading it: by default it
        does. Return a strategy (``st.booleans()``) to leave some campaigns ready, for a
        machine whose own rules start them."""
        return True

    def call_endings(self) -> CallStatus | st.SearchStrategy[CallStatus]:
        """How calls ended by the end-every-call step end: by default any terminal status."""
        return _MACHINE_ENDINGS

    def runner_options(self) -> RunnerOptions | st.SearchStrategy[RunnerOptions]:
        """More keyword arguments for `CampaignRunner` - the time policies (``schedule``,
        ``pacing``, ``rotation``, ``compliance``, ``lines``, ``rng``): by default none.
        ``CampaignSetup.runner_options`` gives a generated set."""
        return {}

    def make_runner(
        self,
        campaign: Campaign,
        *,
        retry: RetryPolicy,
        cycles: CyclePolicy | None,
        **options: Unpack[RunnerOptions],
    ) -> CampaignRunner:
        """The runner under test, before contacts are loaded; ``options`` come from
        `runner_options`."""
        return CampaignRunner(campaign, retry=retry, cycles=cycles, **options)

    # ------------------------------------------------------------------ helpers

    def tick(self, seconds: int = 1) -> datetime:
        """Move the clock ``seconds`` forward and return it."""
        self.now += timedelta(seconds=seconds)
        return self.now

    def state(self) -> tuple[Campaign, tuple[Contact, ...], dict[str, Call], CampaignCounts, int]:
        """What a report may change: the campaign, the contacts, the calls in flight,
        the counts and the number of notifications emitted."""
        runner = self.runner
        return (
            runner.campaign,
            tuple(runner.contacts.values()),
            dict(runner.in_flight),
            runner.counts,
            len(runner.outbox),
        )

    def deliver(self, update: CallUpdate) -> None:
        """Hand ``update`` to the runner, then again: the duplicate must change nothing."""
        self.runner.handle(update)
        self.delivered.append(update)
        state = self.state()
        self.runner.handle(update)
        assert self.state() == state, f"a duplicate report changed the runner: {update}"

    # ------------------------------------------------------------------ steps

    @initialize(data=st.data())
    def load_and_start(self, data: st.DataObject) -> None:
        """Build the runner from the hooks, load the contacts and start the campaign."""
        retry = _drawn(data, _from_hook(self, "retry_policy"), "retry")
        cycles = _drawn(data, _from_hook(self, "cycle_policy"), "cycles")
        people = list(_drawn(data, _from_hook(self, "initial_contacts"), "contacts"))
        options: RunnerOptions = _drawn(data, _from_hook(self, "runner_options"), "options")
        campaign = Campaign(id="campaign", name="Property test")
        self.retry, self.cycles = retry, cycles
        self.runner = self.make_runner(campaign, retry=retry, cycles=cycles, **options)
        self.runner.add_contacts(people, now=self.now)
        self.loaded = len(people)
        if _drawn(data, _from_hook(self, "starts"), "starts"):
            self.runner.start(self.now)

    @rule(seconds=st.sampled_from([1, 60, 900, 3600, 6 * 3600, 86400]))
    def advance_time(self, seconds: int) -> None:
        """Let time pass."""
        self.tick(seconds)

    @rule()
    def jump_to_wakeup(self) -> None:
        """Move the clock straight to the next time the runner has work."""
        wakeup = self.runner.next_wakeup()
        if wakeup is not None and wakeup > self.now:
            self.now = wakeup

    @rule(limit=st.none() | st.integers(0, 3))
    def dial_due(self, limit: int | None) -> None:
        """Place the calls that are due; each is a new attempt of a distinct contact."""
        now = self.tick()
        before = dict(self.runner.contacts)
        dials = self.runner.due(now, limit=limit)
        assert limit is None or len(dials) <= limit
        ids = [placed.contact.id for placed in dials]
        assert len(ids) == len(set(ids)), f"a contact was dialled twice at once: {ids}"
        for placed in dials:
            contact = self.runner.contact(placed.contact.id)
            assert contact.status is ContactStatus.DIALING
            assert placed.attempt == contact.attempts == before[contact.id].attempts + 1
            assert before[contact.id].status not in SETTLED_STATUSES or contact.cycle > (
                before[contact.id].cycle
            ), f"a settled contact was dialled: {before[contact.id]}"

    @precondition(lambda self: bool(self.runner.in_flight))
    @rule(data=st.data())
    def deliver_reports(self, data: st.DataObject) -> None:
        """One call's carrier reports, as a carrier delivers them."""
        calls = sorted(self.runner.in_flight)
        contact_id = calls[data.draw(_PICK, label="call") % len(calls)]
        attempt = self.runner.in_flight[contact_id].attempt
        reports, _ = data.draw(_MACHINE_REPORTS, label="reports")
        shift = self.tick() - _REPORT_ORIGIN
        answered_by = data.draw(_ANSWERED_BY, label="answered_by")
        duration = data.draw(_DURATIONS, label="duration")
        for report in reports:
            at = report.at + shift
            self.deliver(
                CallUpdate(
                    contact_id=contact_id,
                    attempt=attempt,
                    status=report.status,
                    at=at,
                    answered_by=answered_by if report.status is CallStatus.COMPLETED else None,
                    duration=duration if report.status is CallStatus.COMPLETED else None,
                )
            )
            self.now = max(self.now, at)

    @precondition(lambda self: bool(self.runner.in_flight))
    @rule(data=st.data())
    def end_calls(self, data: st.DataObject) -> None:
        """Every call in flight ends (the common case, so campaigns reach their end)."""
        for contact_id, call in sorted(self.runner.in_flight.items()):
            status = _drawn(data, _from_hook(self, "call_endings"), "ending")
            self.deliver(
                CallUpdate(
                    contact_id=contact_id,
                    attempt=call.attempt,
                    status=status,
                    at=self.tick(),
                    answered_by=AnsweredBy.HUMAN if status is CallStatus.COMPLETED else None,
                )
            )

    @rule(data=st.data())
    def round_of_calls(self, data: st.DataObject) -> None:
        """Jump to the next wakeup, place every due call, and end them all."""
        self.jump_to_wakeup()
        self.dial_due(None)
        if self.runner.in_flight:
            self.end_calls(data)

    @rule(rounds=st.integers(1, 6), ending=_UNANSWERED)
    def unanswered_rounds(self, rounds: int, ending: CallStatus) -> None:
        """Several rounds in which nobody answers: every due call ends ``ending``. This
        drives contacts through their retries, their cycles and up to their caps in a
        few steps - where a forgotten cap shows."""
        for _ in range(rounds):
            self.jump_to_wakeup()
            self.dial_due(None)
            for contact_id, call in sorted(self.runner.in_flight.items()):
                self.deliver(
                    CallUpdate(
                        contact_id=contact_id, attempt=call.attempt, status=ending, at=self.tick()
                    )
                )

    @precondition(lambda self: bool(self.delivered))
    @rule(data=st.data())
    def deliver_stale(self, data: st.DataObject) -> None:
        """An old report delivered again, late: it must change nothing."""
        update = self.delivered[data.draw(_PICK, label="old report") % len(self.delivered)]
        state = self.state()
        self.runner.handle(update)
        assert self.state() == state, f"a stale report changed the runner: {update}"

    @rule(command=st.sampled_from(["pause", "resume"]))
    def pause_or_resume(self, command: str) -> None:
        """Pause or resume; a command the campaign's status refuses changes nothing."""
        state = self.state()
        try:
            getattr(self.runner, command)(self.tick())
        except IllegalTransition:
            assert self.state() == state

    # ------------------------------------------------------------------ invariants

    @invariant()
    def attempts_within_retry_caps(self) -> None:
        """Per-cycle counters within the policy's limits; lifetime attempts within the
        lifetime cap and within one full cycle per cycle run - for the policy the
        runner was given and for the one it reports (`CampaignRunner.retry`)."""
        for retry in (self.retry, self.runner.retry):
            per_cycle = retry.max_attempts_per_cycle()
            for contact in self.runner.contacts.values():
                assert contact.retries <= retry.max_retries, contact
                assert contact.failed_retries <= retry.max_failed_retries, contact
                if retry.max_attempts is not None:
                    assert contact.attempts <= retry.max_attempts, (
                        f"{contact.id} called {contact.attempts} times, over the lifetime "
                        f"cap of {retry.max_attempts}: {contact}"
                    )
                assert contact.attempts <= (contact.cycle + 1) * per_cycle, contact

    @invariant()
    def counts_conserve(self) -> None:
        """The runner's counts are a partition of the contacts, equal to a recount."""
        counts = self.runner.counts
        contacts = list(self.runner.contacts.values())
        assert counts == CampaignCounts.of(contacts)
        assert counts.created == len(contacts) == self.loaded
        buckets = [contact_bucket(c) for c in contacts]
        assert buckets.count("pending") == counts.pending
        assert buckets.count("in_progress") == counts.in_progress

    @invariant()
    def settled_contacts_are_never_due(self) -> None:
        """A settled contact waits for nothing; a waiting one has a due time."""
        far = self.now + timedelta(days=3650)
        for contact in self.runner.contacts.values():
            assert (contact.next_attempt_at is not None) == (contact.status in _WAITING), contact
            if contact.status in SETTLED_STATUSES:
                assert not is_due(contact, far), contact

    @invariant()
    def calls_in_flight_are_the_dialling_contacts(self) -> None:
        """One call in flight per dialling contact, for its current attempt."""
        dialling = {
            c.id for c in self.runner.contacts.values() if c.status is ContactStatus.DIALING
        }
        assert dialling == set(self.runner.in_flight)
        for contact_id, call in self.runner.in_flight.items():
            assert call.attempt == self.runner.contact(contact_id).attempts

    @invariant()
    def lifetime_attempts_never_decrease(self) -> None:
        """``Contact.attempts`` only grows, across cycles too."""
        for contact in self.runner.contacts.values():
            assert contact.attempts >= self._attempts.get(contact.id, 0), contact
            self._attempts[contact.id] = contact.attempts

    @invariant()
    def campaign_status_is_consistent(self) -> None:
        """A finished or cancelled campaign has nothing left to wake up for."""
        if self.runner.campaign.status in (CampaignStatus.FINISHED, CampaignStatus.CANCELLED):
            assert self.runner.next_wakeup() is None

    # ------------------------------------------------------------------ liveness

    @invariant()
    def waiting_contacts_have_a_wakeup(self) -> None:
        """Liveness: while a contact waits, the runner says when it next has work - or a
        call in flight will report, or the campaign is halted until an event and says
        why. A `None` that means "never" would lose the contact silently. A campaign
        cooling down or scheduled always has a wake-up time."""
        runner = self.runner
        status = runner.campaign.status
        wakeup = runner.next_wakeup()
        if status in (CampaignStatus.COOLDOWN, CampaignStatus.SCHEDULED):
            assert wakeup is not None, f"a {status.value} campaign has no wake-up time"
        if status is not CampaignStatus.ACTIVE or runner.in_flight:
            return
        waiting = sorted(c.id for c in runner.contacts.values() if c.status in _WAITING)
        halt = runner.campaign_state.halt
        blocked = halt is not None and halt.until is None and bool(halt.refusals)
        assert not waiting or wakeup is not None or blocked, (
            f"contacts {waiting} wait, yet next_wakeup() is None and nothing is in flight"
        )

    @invariant()
    def an_active_campaign_has_something_pending(self) -> None:
        """Liveness: a campaign with nothing pending, held or in a call does not stay
        active - it cools down until its next loop or finishes."""
        runner = self.runner
        if runner.campaign.status is not CampaignStatus.ACTIVE:
            return
        busy = bool(runner.in_flight) or any(c.status in _WAITING for c in runner.contacts.values())
        assert busy, f"campaign active with nothing pending: {runner.counts}"

    def teardown(self) -> None:
        """Liveness at the end of a run that passed: resumed and driven round after round
        (every call ending ``no-answer``, the invariants checked after each), the
        campaign finishes - unless its cycles
        never end, it was cancelled, or it is halted until an event (every caller line
        unusable) and says so."""
        if sys.exc_info()[0] is not None or not hasattr(self, "runner"):
            return  # the run already failed (or never started): report that
        runner = self.runner
        cycles = self.cycles
        if runner.campaign.status is CampaignStatus.PAUSED:
            runner.resume(self.tick())
        if _status(runner) not in _RUNNING:
            return
        if cycles is not None and cycles.max_loops is None:
            return  # endless loops: a campaign that never finishes is right
        calls, idle = 0, 0
        while calls < _LIVENESS_ROUNDS and idle < _IDLE_ROUNDS:
            if _status(runner) is CampaignStatus.FINISHED:
                return
            wakeup = runner.next_wakeup()
            if wakeup is None and not runner.in_flight:
                halt = runner.campaign_state.halt
                if halt is not None and halt.until is None and halt.refusals:
                    return  # blocked until an event (a line fixed), and it says why
                break
            before = len(self.delivered)
            self.unanswered_rounds(1, CallStatus.NO_ANSWER)
            # The invariants (a subclass's too) hold on the way to the end: this is
            # where a contact runs through every retry and loop it is allowed - and
            # where a forgotten cap is called once more.
            self.check_invariants(settings(), _quiet, defaultdict(float))
            if len(self.delivered) > before:
                calls += 1
            else:  # waiting for a window, a loop or a line: time jumps, nothing else
                idle += 1
        assert _status(runner) is CampaignStatus.FINISHED, (
            f"the campaign did not finish: {runner.campaign.status.value}, "
            f"next_wakeup {runner.next_wakeup()}, {runner.counts}"
        )


_RUNNING = (CampaignStatus.ACTIVE, CampaignStatus.COOLDOWN, CampaignStatus.SCHEDULED)


def _quiet(line: str) -> None:
    """Hypothesis' step printer, silenced for the invariant checks of `teardown`."""


def _status(runner: CampaignRunner) -> CampaignStatus:
    return runner.campaign.status


st.register_type_strategy(CampaignSetup, st.deferred(campaign_setups))
