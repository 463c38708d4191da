"""Every formula and worked number of seeds 000-003 that metrics reproduce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from campaignkit import (
    AnsweredBy,
    BillingPolicy,
    CallStatus,
    CampaignStats,
    Contact,
    ContactStatus,
    InvalidConfig,
    InvalidInput,
    Outcome,
    heatmap,
    retry_effectiveness,
)
from campaignkit.metrics import GOAL_RESULTS, cost_audit
from campaignkit.policies import UnknownBilling

from ..metrics_data import PHONE, START, exotel_calls, exotel_contacts, make_call
from ..seed_vocabulary import ITELLICO_ANSWER_STATUS, THINKRR_OUTCOME


@pytest.fixture(scope="module")
def exotel() -> CampaignStats:
    return CampaignStats.from_records(calls=exotel_calls(), contacts=exotel_contacts())


# ----------------------------------------------------------------------------- seed 001


def test_exotel_stats_object(exotel: CampaignStats) -> None:
    assert exotel.counts.to_dict() == {
        "created": 2500,
        "completed": 1875,
        "failed": 425,
        "pending": 0,
        "in_progress": 0,
        "busy": 87,
        "no_answer": 113,
    }


def test_exotel_rates(exotel: CampaignStats) -> None:
    assert exotel.connect_rate == 1875 / 2500 == 0.75
    assert exotel.answer_rate == 1875 / (1875 + 113 + 87)
    assert exotel.failure_rate == 425 / 2500 == 0.17


def test_exotel_cdr_formulas(exotel: CampaignStats) -> None:
    # completed on retries / total retried: 375 connected by retries of 1,000 contacts retried
    assert exotel.retry_success_rate == 375 / 1000
    # sum of durations / completed calls
    assert exotel.average_call_duration == 43.0
    # total campaign cost / completed calls: 2 pulses each
    assert exotel.cost_per_connected_contact() == Decimal(2)
    assert exotel.reported_cost("pulses") == Decimal(3750)
    assert exotel.price_units == ("pulses",)
    # sum of attempt_number for completed / total completed
    assert exotel.average_attempts_to_connect == (1500 * 1 + 250 * 2 + 125 * 3) / 1875


def test_exotel_retry_effectiveness_worked_example(exotel: CampaignStats) -> None:
    table = retry_effectiveness(exotel)
    rows = [(r.label, r.contacts, r.connected, r.connect_rate) for r in table.rows]
    assert rows == [
        ("1st attempt", 2500, 1500, 0.60),
        ("1st retry", 1000, 250, 0.25),
        ("2nd retry", 750, 125, 125 / 750),
    ]
    assert round(table.rows[2].connect_rate * 100) == 17  # the seed prints 17%
    total = table.total
    assert (total.label, total.contacts, total.connected, total.connect_rate) == (
        "Total",
        2500,
        1875,
        0.75,
    )
    # "retries improved the overall connect rate from 60% to 75%, adding 375 connected contacts"
    assert table.first_attempt_rate == 0.60
    assert table.overall_rate == 0.75
    assert table.added_by_retries == 375
    assert table.advice == ()  # no retry below 10%
    assert all(r.cost_effective for r in table.rows[1:])


def test_retry_below_ten_percent_is_flagged_with_the_seed_advice() -> None:
    calls = [make_call(i, 1, CallStatus.NO_ANSWER) for i in range(100)]
    calls += [make_call(i, 2, CallStatus.NO_ANSWER) for i in range(100)]
    calls += [
        make_call(i, 3, CallStatus.COMPLETED, AnsweredBy.HUMAN, 30)
        if i < 9
        else make_call(i, 3, CallStatus.NO_ANSWER)
        for i in range(100)
    ]
    table = retry_effectiveness(calls)
    assert [r.cost_effective for r in table.rows] == [None, False, False]
    assert len(table.advice) == 2
    assert "2nd retry: connect rate 9.0% is below 10%" in table.advice[1]
    assert "reducing number_of_retries or increasing interval_mins" in table.advice[1]
    assert [r.label for r in retry_effectiveness(calls, threshold=0.05).not_cost_effective] == [
        "1st retry"
    ]


def test_retry_effectiveness_validates_its_arguments(exotel: CampaignStats) -> None:
    with pytest.raises(InvalidConfig, match="threshold"):
        retry_effectiveness(exotel, threshold=1.5)
    with pytest.raises(InvalidConfig, match="success"):
        retry_effectiveness(exotel, success="answered")


def test_retry_effectiveness_on_human_answers() -> None:
    calls = [
        make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.MACHINE, 20),
        make_call(1, 2, CallStatus.COMPLETED, AnsweredBy.HUMAN, 20),
    ]
    table = retry_effectiveness(calls, success="human")
    assert [r.connected for r in table.rows] == [0, 1]
    # connected (a machine counts) on the first attempt: the retry reaches nobody new,
    # so it has no row of contacts still unreached
    assert [r.connected for r in retry_effectiveness(calls).rows] == [1]


def test_retry_table_counts_contacts_not_calls() -> None:
    # issue 13: voicemail, voicemail, then a person (Altur retries voicemail) is ONE
    # contact reached - not "Total 1 contact, 3 connected, 300.0%"
    calls = [
        make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.MACHINE_END_BEEP, 20),
        make_call(1, 2, CallStatus.COMPLETED, AnsweredBy.MACHINE_END_BEEP, 20),
        make_call(1, 3, CallStatus.COMPLETED, AnsweredBy.HUMAN, 60),
    ]
    table = retry_effectiveness(calls)
    assert (table.total.contacts, table.total.connected, table.total.connect_rate) == (1, 1, 1.0)
    assert [(r.contacts, r.connected) for r in table.rows] == [(1, 1)]
    human = retry_effectiveness(calls, success="human")
    assert [(r.label, r.contacts, r.connected) for r in human.rows] == [
        ("1st attempt", 1, 0),
        ("1st retry", 1, 0),
        ("2nd retry", 1, 1),
    ]
    assert human.total.connected == 1
    stats = CampaignStats.from_records(calls=calls)
    assert stats.retry_success_rate == 0.0  # reached on the first attempt: never retried unreached
    assert retry_effectiveness(calls[1:]).total.connected == 1


def test_retry_success_rate_counts_each_contact_once() -> None:
    # a contact unreached at first, then reached by two retries, counts once
    calls = [
        make_call("a", 1, CallStatus.NO_ANSWER),
        make_call("a", 2, CallStatus.COMPLETED, AnsweredBy.MACHINE_END_BEEP, 20),
        make_call("a", 3, CallStatus.COMPLETED, AnsweredBy.HUMAN, 40),
        make_call("b", 1, CallStatus.BUSY),
        make_call("b", 2, CallStatus.BUSY),
    ]
    stats = CampaignStats.from_records(calls=calls)
    assert stats.retry_success_rate == 1 / 2
    table = stats.retry_effectiveness()
    assert [(r.contacts, r.connected) for r in table.rows] == [(2, 0), (2, 1)]
    assert (table.total.contacts, table.total.connected) == (2, 1)


def test_exotel_status_categories_are_views_of_call_outcomes() -> None:
    # success / retriable / terminal (seed 001's status categories)
    stats = CampaignStats.from_records(
        calls=[
            make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 5),
            make_call(2, 1, CallStatus.BUSY),
            make_call(3, 1, CallStatus.NO_ANSWER),
            make_call(4, 1, CallStatus.FAILED),
            make_call(5, 1, CallStatus.CANCELLED),
        ]
    )
    counts = stats.outcome_counts()
    assert [counts[label] for label in ("human-conversation", "busy", "no-answer")] == [1, 1, 1]
    assert counts["failed"] == counts["canceled"] == 1
    assert stats.connected_calls == 1


def test_best_time_to_call_groups_connected_calls_by_local_hour(exotel: CampaignStats) -> None:
    table = exotel.best_time_to_call("Asia/Kolkata")
    # first attempts at 10:05 IST, first retries an hour later, second retries two hours later
    assert table.calls[10] == 2500
    assert table.connected[10] == 1500
    assert table.calls[11] == 1000
    assert table.connected[11] == 250
    assert table.calls[12] == 750
    assert table.connected[12] == 125
    assert table.peak_hours == (10, 11, 12)
    assert table.connect_rate(10) == 0.60
    assert exotel.best_time_to_call("UTC").peak_hours[0] == 4


def test_exotel_cdr_price_in_pulses() -> None:
    # the seed's CDR row: duration 43 s, price 2 (pulses)
    call = make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 43)
    assert BillingPolicy.exotel().billed_units(call) == 2
    assert BillingPolicy.exotel().cost(call) == Decimal(2)
    per_minute = BillingPolicy.exotel(pulse_seconds=60, price_per_pulse=Decimal("0.50"), unit="INR")
    assert per_minute.billed_units(call) == 1
    assert per_minute.cost(call) == Decimal("0.50")


# ----------------------------------------------------------------------------- seed 000


def _altur_calls() -> list:  # type: ignore[type-arg]
    return [
        make_call("h", 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 125),
        make_call("m", 1, CallStatus.COMPLETED, AnsweredBy.MACHINE, 40),
        make_call("s", 1, CallStatus.COMPLETED, AnsweredBy.MACHINE_END_BEEP, 3),
        make_call("u", 1, CallStatus.COMPLETED, AnsweredBy.UNKNOWN, 30),
        make_call("n", 1, CallStatus.NO_ANSWER),
    ]


def test_altur_cost_audit_sums_billed_duration_by_answered_by() -> None:
    audit = cost_audit(_altur_calls())
    assert audit["human"].billed_seconds == 125  # human: equal to duration
    assert audit["machine"].billed_seconds == 5 + 3  # machine: limited to 5 seconds
    assert audit["machine"].duration_seconds == 43
    assert audit["unknown"].billed_seconds == 30  # unknown: by configuration (full)
    assert audit["not-detected"].calls == 1
    assert audit.total.billed_seconds == 163
    assert audit.total.calls == 5
    detail = cost_audit(_altur_calls(), detail=True)
    assert detail["machine_end_beep"].billed_seconds == 3
    assert detail["machine"].billed_seconds == 5


@pytest.mark.parametrize(
    ("unknown", "billed"), [("full", 30), ("capped", 5), ("free", 0), (UnknownBilling.FREE, 0)]
)
def test_altur_unknown_follows_configuration(unknown: str, billed: int) -> None:
    policy = BillingPolicy.altur(unknown=unknown, price_per_second=Decimal("0.01"), unit="USD")
    audit = cost_audit(_altur_calls(), policy)
    assert audit["unknown"].billed_seconds == billed
    assert audit["unknown"].cost == billed * Decimal("0.01")
    stats = CampaignStats.from_records(calls=_altur_calls())
    assert stats.billed_seconds(policy) == 125 + 8 + billed
    assert stats.cost(policy) == (125 + 8 + billed) * Decimal("0.01")


def _altur_contacts() -> list[Contact]:
    statuses = {
        ContactStatus.ANSWERED: 30,
        ContactStatus.CONVERTED: 10,
        ContactStatus.VOICEMAIL: 20,
        ContactStatus.FAILED: 25,
        ContactStatus.QUEUED: 10,
        ContactStatus.RETRYING: 5,
    }
    contacts = []
    for status, n in statuses.items():
        for i in range(n):
            extracted = {"email": f"x{i}@example.com"} if status is ContactStatus.CONVERTED else {}
            if status is ContactStatus.ANSWERED and i < 4:
                extracted = {"interest": "high"}
            attempts = 0 if status is ContactStatus.QUEUED else 1 + i % 3
            contacts.append(
                Contact(
                    id=f"{status.value}-{i}",
                    phone=PHONE,
                    status=status,
                    extracted=extracted,
                    attempts=attempts,
                )
            )
    return contacts


def test_altur_reach_and_conversion_for_calls() -> None:
    stats = CampaignStats.from_records(contacts=_altur_contacts())
    assert stats.contacts == 100
    assert stats.reach == 30 + 10  # answered + converted
    assert stats.reach_rate == 0.40
    assert stats.converted == 10
    assert stats.conversion_rate == 0.10
    assert stats.with_extracted == 14  # the rows of the results export
    assert stats.extracted_rate == 0.14


def test_altur_reach_for_whatsapp() -> None:
    statuses = [
        ContactStatus.SENT,
        ContactStatus.DELIVERED,
        ContactStatus.READ,
        ContactStatus.ACCEPTED,
        ContactStatus.REJECTED,
        ContactStatus.CONVERTED,
        ContactStatus.FAILED,
    ]
    contacts = [Contact(id=str(i), phone=PHONE, status=s) for i, s in enumerate(statuses)]
    stats = CampaignStats.from_records(contacts=contacts)
    assert stats.reach == 4  # delivered + accepted + read + converted


def test_altur_status_breakdown() -> None:
    stats = CampaignStats.from_records(contacts=_altur_contacts())
    breakdown = stats.status_breakdown("altur")
    assert breakdown["answered"] == 30
    assert breakdown["queue"] == 10
    assert breakdown["retrying"] == 5
    assert breakdown.share("failed") == 0.25
    assert sum(n for _, n in breakdown.counts) == 100
    canonical = stats.status_breakdown()
    assert canonical["voicemail"] == 20


def test_list_penetration_and_saturation() -> None:
    stats = CampaignStats.from_records(contacts=_altur_contacts())
    assert stats.attempted == 90
    assert stats.penetration == 0.90
    attempts = sum(c.attempts for c in _altur_contacts())
    assert stats.saturation == attempts / 100


# ----------------------------------------------------------------------------- seed 002


def test_itellico_answer_status_rates() -> None:
    outcomes = [*ITELLICO_ANSWER_STATUS.values(), Outcome.HUMAN_CONVERSATION, Outcome.FAILED]
    calls = [
        make_call(i, 1, CallStatus.COMPLETED, outcome=o, duration=10)
        for i, o in enumerate(outcomes)
    ]
    rates = CampaignStats.from_records(calls=calls).answer_status_rates()
    assert rates.total == 6
    assert [rates[label] for label in ("human", "machine", "no answer", "rejection")] == [
        2,
        1,
        1,
        1,
    ]
    assert rates["other"] == 1
    assert rates.share("human") == 2 / 6


def test_itellico_contact_status_breakdown() -> None:
    statuses = [
        ContactStatus.QUEUED,
        ContactStatus.DIALING,
        ContactStatus.AWAITING_OUTCOME,
        ContactStatus.RETRYING,
        ContactStatus.ANSWERED,
        ContactStatus.FAILED,
        ContactStatus.NO_CONVERSATION,
    ]
    contacts = [Contact(id=str(i), phone=PHONE, status=s) for i, s in enumerate(statuses)]
    breakdown = CampaignStats.from_records(contacts=contacts).status_breakdown("itellico")
    assert [label for label, _ in breakdown.counts] == [
        "pending",
        "dialing",
        "called",
        "retry",
        "completed",
        "failed",
        "no conversation",
        "other",
    ]
    assert [n for _, n in breakdown.counts] == [1, 1, 1, 1, 1, 1, 1, 0]
    with pytest.raises(InvalidConfig, match="vendor"):
        CampaignStats().status_breakdown("exotel")


def test_itellico_goal_achievement_primary_and_secondary() -> None:
    goals = [("achieved", True)] * 6 + [("Partially Achieved", True)] * 2
    goals += [("not-achieved", True), ("unknown", True), ("achieved", False), ("unknown", False)]
    table = CampaignStats.from_records(goals=goals).goal_achievement()
    assert dict(table.primary) == {
        "achieved": 6,
        "partially-achieved": 2,
        "not-achieved": 1,
        "unknown": 1,
    }
    assert table.rate("achieved") == 0.6
    assert table.rate("achieved", primary=False) == 0.5
    assert [label for label, _ in table.primary] == list(GOAL_RESULTS)
    with pytest.raises(InvalidInput, match="goal result"):
        CampaignStats().add_goal("maybe")


def test_goal_outcomes_from_the_goals_module_are_accepted() -> None:
    from campaignkit.models import GoalOutcome

    stats = CampaignStats().add_goal(GoalOutcome.PARTIALLY_ACHIEVED, primary=False)
    assert dict(stats.goal_achievement().secondary)["partially-achieved"] == 1


def test_itellico_heatmap_of_human_answers_by_weekday_and_hour() -> None:
    monday_9 = datetime(2026, 6, 1, 15, 10, tzinfo=UTC)  # 09:10 in America/Mexico_City (UTC-6)
    calls = [
        make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 60, at=monday_9),
        make_call(2, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 60, at=monday_9),
        make_call(3, 1, CallStatus.COMPLETED, AnsweredBy.MACHINE, 60, at=monday_9),
        make_call(4, 1, CallStatus.NO_ANSWER, at=monday_9 + timedelta(days=2, hours=3)),
    ]
    grid = heatmap(calls, timezone="America/Mexico_City")
    assert grid.counts[0][9] == 2
    assert grid.calls[0][9] == 3
    assert grid.total == 2
    assert grid.peak == (0, 9)
    assert grid.rate(0, 9) == 2 / 3
    assert grid.calls[2][12] == 1  # Wednesday 12:10
    utc = heatmap(calls)  # the same calls read in UTC
    assert utc.counts[0][15] == 2
    assert heatmap(calls, timezone="America/Mexico_City", measure="connected").counts[0][9] == 3
    with pytest.raises(InvalidConfig, match="measure"):
        heatmap(calls, measure="rings")
    with pytest.raises(InvalidInput, match="timezone"):
        heatmap(calls, timezone="Mars/Olympus")


def test_heatmap_in_a_half_hour_time_zone() -> None:
    at = datetime(2024, 2, 1, 4, 35, tzinfo=UTC)  # 10:05 IST; 04:35 UTC
    calls = [make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 9, at=at)]
    assert heatmap(calls, timezone="Asia/Kolkata").counts[3][10] == 1
    # 04:25 UTC is 09:55 IST: a different local hour within the same UTC hour
    earlier = [
        make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 9, at=at - timedelta(minutes=10))
    ]
    assert heatmap(earlier, timezone="Asia/Kolkata").counts[3][9] == 1


def test_heatmap_across_a_daylight_saving_change() -> None:
    # 2026-03-08 is the US spring-forward day: 06:30 UTC is 01:30 EST, 07:30 UTC is 03:30 EDT
    calls = [
        make_call(
            1,
            1,
            CallStatus.COMPLETED,
            AnsweredBy.HUMAN,
            9,
            at=datetime(2026, 3, 8, h, 30, tzinfo=UTC),
        )
        for h in (6, 7)
    ]
    grid = heatmap(calls, timezone="America/New_York")
    assert grid.counts[6][1] == 1
    assert grid.counts[6][3] == 1
    assert grid.counts[6][2] == 0


# ----------------------------------------------------------------------------- seed 003


def test_thinkrr_total_time_spent_counts_connected_calls_only() -> None:
    calls = [
        make_call(i, 1, CallStatus.COMPLETED, duration=100, outcome=outcome)
        for i, outcome in enumerate(THINKRR_OUTCOME.values())
    ]
    # Completed, No Answer, No Message, Left Message, User Hung Up, Callback: 6 x 100 s;
    # Issue Dialing and Failed never count.
    stats = CampaignStats.from_records(calls=calls)
    assert stats.time_spent() == 600
    assert BillingPolicy.thinkrr().total_seconds(calls) == 600
    counted = {
        label
        for label, outcome in THINKRR_OUTCOME.items()
        if BillingPolicy.thinkrr().billed_seconds(calls[list(THINKRR_OUTCOME).index(label)])
    }
    assert counted == {
        "Completed",
        "No Answer",
        "No Message",
        "Left Message",
        "User Hung Up",
        "Callback",
    }


def test_abandonment_rate_only_where_the_data_has_it() -> None:
    carrier_only = [make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 10)]
    assert CampaignStats.from_records(calls=carrier_only).abandonment_rate is None
    analysed = [
        make_call(1, 1, CallStatus.COMPLETED, duration=10, outcome=Outcome.HUNG_UP),
        make_call(2, 1, CallStatus.COMPLETED, duration=10, outcome=Outcome.HUMAN_CONVERSATION),
        make_call(3, 1, CallStatus.COMPLETED, duration=10, outcome=Outcome.HUMAN_CONVERSATION),
        make_call(4, 1, CallStatus.COMPLETED, duration=10, outcome=Outcome.VOICEMAIL),
    ]
    assert CampaignStats.from_records(calls=analysed).abandonment_rate == 1 / 3


# ----------------------------------------------------------------------------- empty input


def test_every_figure_is_defined_on_empty_input() -> None:
    empty = CampaignStats()
    assert empty == CampaignStats.from_records()
    assert empty.contacts == empty.calls == 0
    for rate in (
        empty.connect_rate,
        empty.answer_rate,
        empty.failure_rate,
        empty.retry_success_rate,
        empty.average_call_duration,
        empty.average_attempts_to_connect,
        empty.reach_rate,
        empty.conversion_rate,
        empty.extracted_rate,
        empty.penetration,
        empty.saturation,
    ):
        assert rate == 0.0
    assert empty.cost_per_connected_contact() == Decimal(0)
    assert empty.cost_per_connected_contact(BillingPolicy.twilio()) == Decimal(0)
    assert empty.abandonment_rate is None
    assert empty.time_spent() == 0
    assert empty.retry_effectiveness().rows == ()
    assert empty.retry_effectiveness().total.connect_rate == 0.0
    assert empty.retry_effectiveness().first_attempt_rate == 0.0
    assert empty.heatmap().total == 0
    assert empty.heatmap().peak is None
    assert empty.best_time_to_call().peak_hours == ()
    assert empty.cost_audit().total.cost == Decimal(0)
    assert empty.answer_status_rates().share("human") == 0.0
    assert empty.goal_achievement().rate() == 0.0
    assert empty.counts.to_dict() == dict.fromkeys(empty.counts.to_dict(), 0)
    assert len(empty.summary().to_records()) == len(CampaignStats().to_records())


def test_merge_refuses_other_types() -> None:
    with pytest.raises(InvalidInput):
        CampaignStats().merge(3)  # type: ignore[arg-type]
    assert CampaignStats().__add__(3) is NotImplemented  # type: ignore[operator]


def test_state_round_trip_and_bad_state(exotel: CampaignStats) -> None:
    assert CampaignStats.from_dict(exotel.to_dict()) == exotel
    with pytest.raises(InvalidInput):
        CampaignStats.from_dict({"by_duration": "nonsense"})
    bad = exotel.to_dict()
    bad["by_block"] = [[-5, 1]]
    with pytest.raises(InvalidInput, match="bad count entry"):
        CampaignStats.from_dict(bad)


def test_event_by_event_updates_match_one_pass() -> None:
    first = make_call(1, 1, CallStatus.RINGING, at=START)
    done = make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 30, at=START)
    queued = Contact(id="1", phone=PHONE)
    answered = Contact(id="1", phone=PHONE, status=ContactStatus.ANSWERED, attempts=1)
    stats = CampaignStats().add_contact(queued).add_call(first)
    assert stats.calls == 1
    assert stats.finished_calls == 0
    stats = stats.replace_call(first, done).replace_contact(queued, answered)
    assert stats == CampaignStats.from_records(calls=[done], contacts=[answered])
    assert stats.remove_call(done).remove_contact(answered) == CampaignStats()


def test_exotel_fields_agree_with_the_engine_contact_bucket() -> None:
    engine = pytest.importorskip("campaignkit.engine")
    for status in ContactStatus:
        for last in (None, *Outcome):
            contact = Contact(id="1", phone=PHONE, status=status, last_outcome=last)
            fields = CampaignStats().add_contact(contact).counts.to_dict()
            mine = [name for name, n in fields.items() if n and name != "created"]
            assert mine == [engine.contact_bucket(contact)], (status, last)


# ----------------------------------------------------------------------------- one stats object


def test_runner_counts_and_stats_counts_are_one_type() -> None:
    # issue 18 item 2: CampaignCounts is the one home of "contacts by bucket"
    from campaignkit import Campaign, CampaignCounts, CampaignRunner

    contacts = exotel_contacts()
    runner = CampaignRunner(Campaign(id="camp", name="Campaign"))
    runner.add_contacts(contacts, now=START)
    stats = CampaignStats.from_records(contacts=contacts)
    assert type(runner.counts) is type(stats.counts) is CampaignCounts
    assert runner.counts == stats.counts == CampaignCounts.of(contacts)


def test_the_counts_table_shows_the_counts_record(exotel: CampaignStats) -> None:
    from campaignkit.metrics import counts_table

    table = exotel.counts_table()
    assert table == counts_table(exotel.counts)
    assert [r["label"] for r in table.to_records()] == [
        "completed",
        "failed",
        "pending",
        "in_progress",
        "busy",
        "no_answer",
    ]
    assert table["completed"] == 1875
    assert table.share("completed") == 0.75
    assert "Exotel stats (2,500 contacts)" in repr(table)
    assert "<table" in table._repr_html_()
    with pytest.raises(InvalidInput, match="CampaignCounts"):
        counts_table(exotel)  # type: ignore[arg-type]


def test_the_seed_rates_are_read_from_the_counts_record(exotel: CampaignStats) -> None:
    counts = exotel.counts
    assert (counts.connect_rate, counts.answer_rate, counts.failure_rate) == (
        0.75,
        1875 / 2075,
        0.17,
    )
    assert (exotel.connect_rate, exotel.answer_rate, exotel.failure_rate) == (
        counts.connect_rate,
        counts.answer_rate,
        counts.failure_rate,
    )


def test_exotel_stats_is_deprecated() -> None:
    import campaignkit
    import campaignkit.metrics

    with pytest.warns(DeprecationWarning, match="CampaignCounts"):
        old = campaignkit.metrics.ExotelStats
    assert old(created=1, completed=1).connect_rate == 1.0
    assert "ExotelStats" not in campaignkit.metrics.__all__
    with pytest.warns(DeprecationWarning, match="campaignkit.metrics.ExotelStats"):
        assert campaignkit.ExotelStats is old
    with pytest.warns(DeprecationWarning, match="counts_table"):
        from campaignkit.metrics.tables import ExotelStats
    assert ExotelStats is old
