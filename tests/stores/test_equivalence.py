"""The SQLite store behaves exactly like the in-memory runner (DESIGN principle 4).

Hypothesis generates whole campaigns - contacts with priorities, retry and cycle
policies, the time policies (schedule, pacing, rotation over caller lines,
compliance), do-not-call numbers, completion timeouts, and a WhatsApp variant
with a daily limit, a tier and a response window - and drives one
`CampaignRunner` and one `SQLiteCampaign(":memory:")` with the same calls:
commands, `due` rounds, carrier reports (with call ids, timestamps and callback
requests) delivered duplicated, stale and out of order, message updates,
conversation results, call-backs, conversions, line updates and drains. After
every step both hold the same rows (contacts, ledgers, campaign row, random
generator, sends), counts, wakeup, blocked reasons, calls in flight and outbox;
the same notifications are drained in the same order, and a call that raises
raises the same error in both.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from campaignkit import (
    CallerLine,
    CallUpdate,
    Campaign,
    CampaignRunner,
    Channel,
    Contact,
    ContactCalledBack,
    ContactConverted,
    ConversationResult,
    ConversionRule,
    MessageTemplate,
    MessageUpdate,
    MessagingTier,
    Outcome,
    WhatsAppSettings,
)
from campaignkit.engine import Event
from campaignkit.errors import CampaignkitError
from campaignkit.policies import MESSAGE_STATUSES
from campaignkit.policies.rules import CampaignRules
from campaignkit.statuses import LineStatus
from campaignkit.stores.sqlite import SQLiteCampaign
from campaignkit.strategies import CampaignSetup, campaign_setups, retry_policies

from ..engine_strategies import T0, answered_bys, end_statuses, outcomes, report_statuses

SEC = timedelta(seconds=1)
TEMPLATES = (MessageTemplate("recordatorio"), MessageTemplate("segundo_aviso"))
Store = Any  # CampaignRunner, SQLiteCampaign or PostgresCampaign


def sqlite_store(
    campaign: Campaign, rules: CampaignRules, lines: list[CallerLine] | None, rng: random.Random
) -> Any:
    """The store under test: a SQLite database in memory."""
    return SQLiteCampaign(":memory:", campaign, rules=rules, lines=lines, rng=rng)


class StoreEquivalence(RuleBasedStateMachine):
    """One runner and one store, driven with the same calls, never differ. The store
    comes from ``make_store`` (SQLite here; ``tests/test_store_postgres.py`` runs the
    same machine on PostgreSQL)."""

    make_store = staticmethod(sqlite_store)

    def __init__(self) -> None:
        super().__init__()
        self.runner: CampaignRunner
        self.store: Any
        self.now = T0
        self.events: list[Event] = []
        self.added = 0
        self.setup: CampaignSetup

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()

    # ------------------------------------------------------------------ both at once

    def both(self, call: Callable[[Store], Any]) -> Any:
        """``call`` on the runner and the store: the same result, or the same error."""
        results = []
        for target in (self.runner, self.store):
            try:
                results.append(("ok", call(target)))
            except CampaignkitError as error:
                results.append((type(error), str(error)))
        assert results[0] == results[1]
        return results[0][1]

    def tick(self, seconds: int = 1) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    @initialize(
        setup=campaign_setups(min_contacts=1, max_contacts=6),
        whatsapp=st.sampled_from([False, False, True]),
        data=st.data(),
    )
    def build(self, setup: CampaignSetup, whatsapp: bool, data: st.DataObject) -> None:
        self.setup = setup
        phones = [c.phone for c in setup.contacts]
        do_not_call = data.draw(st.sets(st.sampled_from(phones), max_size=1))
        seed = data.draw(st.integers(0, 2**16))
        if whatsapp:
            campaign = attrs.evolve(setup.campaign, channel=Channel.WHATSAPP)
            settings_ = WhatsAppSettings(
                TEMPLATES[: data.draw(st.integers(1, 2))],
                daily_limit=data.draw(st.none() | st.integers(1, 4)),
                consent=True,
                response_window=data.draw(
                    st.none() | st.sampled_from([timedelta(minutes=30), timedelta(hours=6)])
                ),
            )
            rules = CampaignRules(
                retry=data.draw(retry_policies(max_retries=2, max_failed_retries=2)),
                schedule=setup.schedule,
                do_not_call=do_not_call,
                whatsapp=settings_,
                tier=data.draw(st.sampled_from([None, MessagingTier.TIER_250])),
                conversion=data.draw(st.none() | st.just(ConversionRule.on_tag("sale"))),
            )
            lines = None
        else:
            campaign = setup.campaign
            rules = CampaignRules(
                retry=setup.retry,
                cycles=setup.cycles,
                schedule=setup.schedule,
                pacing=setup.pacing,
                rotation=setup.rotation,
                compliance=setup.compliance,
                do_not_call=do_not_call,
                conversion=data.draw(st.none() | st.just(ConversionRule.on_tag("sale"))),
            )
            lines = setup.lines or None
        self.runner = CampaignRunner(campaign, rules=rules, lines=lines, rng=random.Random(seed))
        self.store = self.make_store(campaign, rules, lines, random.Random(seed))
        contacts = list(setup.contacts)
        self.both(lambda s: s.add_contacts(contacts, now=self.now))
        self.added = len(contacts)
        if data.draw(st.booleans()):
            self.both(lambda s: s.start(self.now))

    @property
    def messages(self) -> bool:
        return self.runner.campaign.channel is Channel.WHATSAPP

    # ------------------------------------------------------------------ time and commands

    @rule(seconds=st.sampled_from([1, 30, 600, 3600, 6 * 3600, 86400]))
    def wait(self, seconds: int) -> None:
        self.tick(seconds)

    @rule()
    def jump(self) -> None:
        wakeup = self.both(lambda s: s.next_wakeup())
        if wakeup is not None and wakeup > self.now:
            self.now = wakeup

    @rule(
        name=st.sampled_from(
            ["start", "start", "pause", "resume", "cancel", "force_complete", "archive"]
        )
    )
    def command(self, name: str) -> None:
        now = self.tick()
        self.both(lambda s: getattr(s, name)(now))

    @rule(limit=st.none() | st.integers(0, 3))
    def due(self, limit: int | None) -> None:
        now = self.tick()
        self.both(lambda s: s.due(now, limit=limit))

    @rule(count=st.integers(1, 2), duplicate=st.booleans())
    def add(self, count: int, duplicate: bool) -> None:
        fresh = [
            Contact(id=f"n{self.added + i}", phone=f"+1212555{self.added + i:04d}")
            for i in range(count)
        ]
        if duplicate:
            fresh.append(self.setup.contacts[0])
        now = self.tick()
        if self.both(lambda s: s.add_contacts(fresh, now=now)) is None:
            self.added += count

    @precondition(lambda self: self.runner.lines is not None)
    @rule(data=st.data(), status=st.sampled_from(LineStatus))
    def update_line(self, data: st.DataObject, status: LineStatus) -> None:
        lines = self.runner.lines or ()
        line = data.draw(st.sampled_from(lines)) if lines else CallerLine("L9", "+15550000009")
        changed = attrs.evolve(line, status=status)
        self.both(lambda s: s.update_line(changed))

    @rule()
    def drain(self) -> None:
        notes = self.both(lambda s: [n.to_dict() for n in s.drain()])
        assert self.store.outbox == ()
        del notes

    # ------------------------------------------------------------------ events

    def deliver(self, event: Event) -> None:
        self.both(lambda s: s.handle(event))
        self.events.append(event)
        self.both(lambda s: s.handle(event))  # a duplicated webhook

    @precondition(lambda self: bool(self.runner.in_flight))
    @rule(data=st.data(), status=report_statuses, answered_by=answered_bys)
    def report(self, data: st.DataObject, status: Any, answered_by: Any) -> None:
        contact_id = data.draw(st.sampled_from(sorted(self.runner.in_flight)))
        call = self.runner.in_flight[contact_id]
        at = self.tick(data.draw(st.integers(1, 120)))
        detailed = data.draw(st.booleans())
        self.deliver(
            CallUpdate(
                contact_id=contact_id,
                attempt=call.attempt,
                status=status,
                at=at,
                answered_by=answered_by,
                outcome=data.draw(st.none() | outcomes),
                duration=data.draw(st.integers(0, 300)),
                call_id=f"CA{contact_id}{call.attempt}" if detailed else None,
                started_at=at - 20 * SEC if detailed else None,
                ended_at=at if detailed and data.draw(st.booleans()) else None,
                callback_at=data.draw(st.none() | st.just(at + timedelta(hours=20))),
            )
        )

    @precondition(lambda self: bool(self.runner.in_flight))
    @rule(data=st.data())
    def end_calls(self, data: st.DataObject) -> None:
        for contact_id, call in sorted(self.runner.in_flight.items()):
            self.deliver(
                CallUpdate(
                    contact_id=contact_id,
                    attempt=call.attempt,
                    status=data.draw(end_statuses),
                    at=self.tick(),
                    answered_by=data.draw(answered_bys),
                    outcome=data.draw(st.none() | st.sampled_from([Outcome.CALLBACK_REQUESTED])),
                    callback_at=self.now + timedelta(hours=3),
                )
            )

    @rule(data=st.data())
    def round(self, data: st.DataObject) -> None:
        """The common case, so campaigns reach their cycles and their end."""
        self.jump()
        self.due(None)
        if self.runner.in_flight:
            self.end_calls(data)
        if self.messages:
            self.message(data, back=0)

    @rule(data=st.data(), back=st.integers(-30, 60))
    def message(self, data: st.DataObject, back: int) -> None:
        """A message update, possibly older than the ones already seen (out of order);
        on a call campaign both refuse it the same way."""
        contact_id = data.draw(st.sampled_from(sorted(self.runner.contacts)))
        status = data.draw(st.sampled_from(sorted(MESSAGE_STATUSES, key=lambda s: s.value)))
        self.deliver(MessageUpdate(contact_id=contact_id, status=status, at=self.now - back * SEC))

    @rule(data=st.data())
    def conversation(self, data: st.DataObject) -> None:
        contact_id = data.draw(st.sampled_from(sorted(self.runner.contacts)))
        self.deliver(
            ConversationResult(
                contact_id=contact_id,
                at=self.tick(),
                conversation_id=data.draw(st.sampled_from(["a", "b"])),
                extracted=data.draw(st.dictionaries(st.just("email"), st.just("x@y.mx"))),
                tags=data.draw(st.frozensets(st.just("sale"))),
            )
        )

    @rule(data=st.data(), outcome=outcomes)
    def call_back(self, data: st.DataObject, outcome: Outcome) -> None:
        contact_id = data.draw(st.sampled_from(sorted(self.runner.contacts)))
        self.deliver(ContactCalledBack(contact_id=contact_id, outcome=outcome, at=self.tick()))

    @rule(data=st.data())
    def convert(self, data: st.DataObject) -> None:
        contact_id = data.draw(st.sampled_from(sorted(self.runner.contacts)))
        self.deliver(ContactConverted(contact_id=contact_id, at=self.tick()))

    @rule(contact_id=st.sampled_from(["nobody", ""]))
    def unknown_contact(self, contact_id: str) -> None:
        self.both(lambda s: s.contact(contact_id))

    @precondition(lambda self: bool(self.events))
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        """A report seen before, delivered again now: stale, or out of order."""
        event = data.draw(st.sampled_from(self.events))
        self.both(lambda s: s.handle(event))

    # ------------------------------------------------------------------ the invariant

    @invariant()
    def identical(self) -> None:
        runner, store = self.runner, self.store
        assert store.snapshot() == runner.snapshot()  # every row, the rng, sends, outbox
        assert [c.to_dict() for c in store.contacts.values()] == [
            c.to_dict() for c in runner.contacts.values()
        ]
        assert list(store.contacts) == list(runner.contacts)
        assert store.counts == runner.counts
        assert store.next_wakeup() == runner.next_wakeup()
        assert store.blocked == runner.blocked
        assert dict(store.in_flight) == dict(runner.in_flight)
        assert [n.to_dict() for n in store.outbox] == [n.to_dict() for n in runner.outbox]


TestStoreEquivalence = StoreEquivalence.TestCase
# Explicit sizes, so the suite stays quick under every profile.
TestStoreEquivalence.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_a_raising_call_leaves_the_database_unchanged() -> None:
    """A duplicate id in a batch: nothing of the batch is added, in either."""
    campaign = Campaign(id="c", name="C")
    runner = CampaignRunner(campaign)
    store = SQLiteCampaign(":memory:", campaign)
    people = [Contact(id=f"p{i}", phone=f"+1212555{i:04d}") for i in range(3)]
    for target in (runner, store):
        target.add_contacts(people[:1], now=T0)
        with pytest.raises(CampaignkitError, match="duplicate contact id 'p0'"):
            target.add_contacts([people[1], people[0], people[2]], now=T0)
    assert store.snapshot() == runner.snapshot()
    assert store.counts.created == 1
