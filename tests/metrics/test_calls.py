"""Issue 13: contact figures from calls alone, unknown figures, rates against healthy ranges."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    Call,
    CallStatus,
    CampaignCounts,
    CampaignStats,
    ContactStatus,
    InvalidConfig,
    InvalidInput,
    Outcome,
    strategies,
)
from campaignkit.dialects import exotel
from campaignkit.metrics import (
    HEALTHY_RANGES,
    HealthyRange,
    campaign_health,
    contacts_from_calls,
)

from ..metrics_data import START, exotel_calls, exotel_contacts, make_call

# ----------------------------------------------------------------------------- from calls


def test_seed_001_from_cdrs_alone_is_75_percent() -> None:
    # seed 001: 2,500 numbers, 1,875 reached - from the CDRs, with no contact list
    stats = CampaignStats.from_calls(exotel_calls())
    assert stats.contacts == 2500
    assert stats.connect_rate == 0.75
    counts = stats.counts
    assert (counts.created, counts.completed) == (2500, 1875)
    assert counts.failed + counts.busy + counts.no_answer == 625  # by their last attempt
    # never-dialled contacts are not in CDRs: the count of the calls' contacts is 0 and
    # the stats mark it unknown, which the summary, the table and the wire object honour
    assert isinstance(counts, CampaignCounts)
    assert counts.pending == 0
    assert "pending" in stats.unknown
    assert stats.summary()["pending"] is None
    assert "pending" not in [r["label"] for r in stats.counts_table().to_records()]
    assert "pending unknown" in repr(stats.counts_table())
    assert "pending" not in exotel.Stats.from_counts(counts, unknown=stats.unknown).to_dict()
    shown = [line.split() for line in repr(stats.summary()).splitlines()]
    assert ["pending", "-", "waiting", "001", "Exotel"] in shown
    # the retry table is the seed's, from the same calls
    table = stats.retry_effectiveness()
    assert [(r.contacts, r.connected) for r in table.rows] == [
        (2500, 1500),
        (1000, 250),
        (750, 125),
    ]
    assert (table.total.contacts, table.total.connected) == (2500, 1875)


def test_figures_calls_cannot_give_are_unknown_with_a_reason() -> None:
    stats = CampaignStats.from_calls(exotel_calls())
    assert stats.conversion_rate is None
    assert stats.converted is None
    assert stats.extracted_rate is None
    assert stats.with_extracted is None
    assert set(stats.unknown) == {"pending", "conversion_rate", "extracted_rate"}
    summary = stats.summary()
    assert summary["conversion_rate"] is None
    notes = dict(summary.notes)
    assert "converted" in notes["conversion_rate"]
    assert "abandonment_rate" in notes  # no explicit outcomes in CDRs
    text = repr(summary)
    assert "conversion_rate: unknown (-) - call records do not say" in text
    row = next(r for r in summary.to_records() if r["metric"] == "conversion_rate")
    assert row["value"] is None
    assert row["note"]
    # shown as '-', not 0.0%
    line = next(line for line in str(stats).splitlines() if line.split()[:1] == ["conversion_rate"])
    assert line.split()[1] == "-"


def test_contacts_from_calls_take_the_last_attempt() -> None:
    calls = [
        make_call("a", 2, CallStatus.BUSY),
        make_call("a", 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 30),
        make_call("b", 1, CallStatus.NO_ANSWER, at=START + timedelta(hours=5)),
        # no attempt numbers (Twilio logs): the later call is the last one
        make_call("b", 1, CallStatus.COMPLETED, AnsweredBy.MACHINE_END_BEEP, 9, at=START),
        make_call("c", 1, CallStatus.IN_PROGRESS),
    ]
    a, b, c = contacts_from_calls(calls)
    assert (a.id, a.status, a.last_outcome, a.attempts) == (
        "a",
        ContactStatus.FAILED,
        Outcome.BUSY,
        2,
    )
    assert (b.status, b.last_outcome, b.attempts) == (ContactStatus.FAILED, Outcome.NO_ANSWER, 2)
    assert (c.status, c.last_outcome) == (ContactStatus.DIALING, None)
    assert contacts_from_calls([]) == ()


def test_exotel_cdr_page_read_by_number() -> None:
    # the dialect's contact id is the number itself when the CDRs carry none
    page = {
        "response": [
            {
                "data": {
                    "call_sid": f"s{i}-{n}",
                    "to": f"+9198765432{i:02d}",
                    "from": "0XXXXXX4890",
                    "status": status,
                    "start_time": "2024-02-01T10:05:32+05:30",
                    "duration": 43 if status == "completed" else 0,
                    "attempt_number": n,
                }
            }
            for i, attempts in enumerate(
                [["completed"], ["busy", "completed"], ["no-answer", "no-answer"], ["failed"]]
            )
            for n, status in enumerate(attempts, start=1)
        ]
    }
    calls = exotel.parse_cdr_page(page)
    stats = CampaignStats.from_calls(calls)
    assert stats.contacts == 4
    assert stats.connect_rate == 0.5
    assert stats.counts.no_answer == 1
    assert stats.counts.failed == 1


@st.composite
def call_sets(draw: st.DrawFn) -> list[Call]:
    calls = []
    for _n in range(draw(st.integers(0, 12))):
        calls.append(
            make_call(
                draw(st.sampled_from("abcd")),
                draw(st.integers(1, 4)),
                draw(st.sampled_from(CallStatus)),
                draw(st.none() | st.sampled_from(AnsweredBy)),
                outcome=draw(st.none() | st.sampled_from(Outcome)),
                at=START + timedelta(minutes=draw(st.integers(0, 5000))),
            )
        )
    return calls


@st.composite
def mixed_calls(draw: st.DrawFn) -> list[Call]:
    """Calls to a few contacts with ties everywhere: equal attempts, equal or missing
    times, explicit outcomes, prices - what the streamed last attempt must rank alike."""
    calls = []
    for n in range(draw(st.integers(0, 15))):
        call = make_call(
            draw(st.sampled_from("abc")),
            draw(st.integers(1, 3)),
            draw(st.sampled_from(CallStatus)),
            draw(st.none() | st.sampled_from(AnsweredBy)),
            draw(st.integers(0, 3)),
            outcome=draw(st.none() | st.sampled_from(Outcome)),
            at=START + timedelta(microseconds=draw(st.integers(0, 3))),
            price=draw(st.none() | st.sampled_from([Decimal("0.5"), Decimal(2)])),
        )
        if draw(st.booleans()):  # untimed: no created, started or ended time
            call = attrs.evolve(call, id=f"u{n}", created_at=None)
        calls.append(call)
    return calls


@given(st.one_of(call_sets(), mixed_calls(), st.lists(strategies.calls(), max_size=8)))
def test_streamed_from_calls_equals_the_batch_figures(calls: list[Call]) -> None:
    # Issue 15: from_calls folds a stream (one pass, one packed int per contact) into
    # exactly the record the batch way builds from every call and Contact record.
    streamed = CampaignStats.from_calls(iter(calls))
    unknown = CampaignStats.from_calls(()).unknown
    batch = CampaignStats.from_records(calls, contacts_from_calls(calls)).with_unknown(unknown)
    assert streamed == batch
    assert streamed.summary() == batch.summary()
    assert streamed.counts == batch.counts


@given(call_sets())
def test_from_calls_counts_distinct_contacts_by_their_last_call(calls: list[Call]) -> None:
    stats = CampaignStats.from_calls(calls)
    assert stats.contacts == stats.counts.created == len({c.contact_id for c in calls})
    parts = stats.counts
    # never-dialled contacts are not in call records: pending counts none of them, and
    # the stats say it is unknown (issue 18: one counts type, "unknown" on the stats)
    assert parts.pending == 0
    assert "pending" in stats.unknown
    assert parts.completed + parts.failed + parts.in_progress + parts.busy + parts.no_answer == (
        parts.created
    )
    assert 0.0 <= stats.connect_rate <= 1.0
    assert stats.retry_effectiveness().total.contacts == stats.contacts


# ----------------------------------------------------------------------------- retry bounds


@given(call_sets(), st.sampled_from(["connected", "human"]))
def test_retry_rates_lie_in_0_1_and_total_counts_distinct_contacts(
    calls: list[Call], success: str
) -> None:
    stats = CampaignStats.from_records(calls=calls)
    table = stats.retry_effectiveness(success=success)
    for row in (*table.rows, table.total):
        assert 0 <= row.connected <= row.contacts
        assert 0.0 <= row.connect_rate <= 1.0
    assert 0.0 <= stats.retry_success_rate <= 1.0

    def reached(c: Call) -> bool:
        result = c.result
        if result is None:
            return False
        return result.human_answered if success == "human" else result.connected

    assert table.total.connected == len({c.contact_id for c in calls if reached(c)})
    assert table.total.contacts == len({c.contact_id for c in calls})
    assert sum(r.connected for r in table.rows) == table.total.connected
    # merging partitions split by call gives the same table
    half = len(calls) // 2
    merged = CampaignStats.from_records(calls=calls[:half]) + CampaignStats.from_records(
        calls=calls[half:]
    )
    assert merged.retry_effectiveness(success=success) == table


# ----------------------------------------------------------------------------- unknown marks


def test_unknown_marks_validate_merge_and_round_trip() -> None:
    with pytest.raises(InvalidConfig, match="reasons"):
        CampaignStats().with_unknown({"connect_rate": "no"})
    with pytest.raises(InvalidConfig, match="non-empty reason"):
        CampaignStats().with_unknown({"pending": " "})
    with pytest.raises(InvalidConfig):
        CampaignStats().with_unknown(["pending"])  # type: ignore[arg-type]
    part = CampaignStats.from_records(contacts=exotel_contacts()[:10])
    marked = part.with_unknown({"conversion_rate": "not modelled"})
    assert part.conversion_rate == 0.0
    assert marked.conversion_rate is None
    both = marked + CampaignStats.from_records(contacts=exotel_contacts()[10:20])
    assert both.unknown == {"conversion_rate": "not modelled"}
    # taking the marked part back out restores the rest exactly
    assert both.merge(marked.negated()).conversion_rate == 0.0
    assert CampaignStats.from_dict(both.to_dict()) == both
    state = both.to_dict()
    state["unknown"] = [["connect_rate", "x", 1]]
    with pytest.raises(InvalidInput):
        CampaignStats.from_dict(state)
    other = CampaignStats().with_unknown({"conversion_rate": "no CRM data"})
    assert (marked + other).unknown["conversion_rate"] == "no CRM data; not modelled"


def test_abandonment_can_be_marked_unknown() -> None:
    calls = [make_call(1, 1, CallStatus.COMPLETED, AnsweredBy.HUMAN, 30, outcome=Outcome.HUNG_UP)]
    stats = CampaignStats.from_records(calls=calls)
    assert stats.abandonment_rate == 1.0
    assert stats.with_unknown({"abandonment_rate": "not modelled"}).abandonment_rate is None


# ----------------------------------------------------------------------------- health


def test_seed_001_rates_against_the_healthy_ranges() -> None:
    stats = CampaignStats.from_records(calls=exotel_calls(), contacts=exotel_contacts())
    report = stats.health()
    assert report["connect_rate"].value == 0.75
    assert report["connect_rate"].verdict == "high"  # above 40-70%
    assert report["answer_rate"].value == 1875 / (1875 + 113 + 87)
    assert report["failure_rate"].value == 0.17
    assert report["failure_rate"].verdict == "high"  # not below 15%
    assert report["retry_success_rate"].value == 0.375
    assert report["retry_success_rate"].verdict == "healthy"
    assert [c.name for c in report.unhealthy] == ["connect_rate", "answer_rate", "failure_rate"]
    assert str(report["failure_rate"].healthy) == "below 15%"
    assert str(report["connect_rate"].healthy) == "40-70%"
    text = repr(report)
    assert "75.0%" in text
    assert "below 15%" in text
    assert report.to_records()[0]["verdict"] == "high"


def test_health_of_the_stats_objects() -> None:
    seed = {
        "created": 2500,
        "completed": 1875,
        "failed": 425,
        "pending": 0,
        "in_progress": 0,
        "busy": 87,
        "no_answer": 113,
    }
    counts = CampaignCounts(**seed)
    parsed = exotel.Stats.from_dict(seed)
    for source in (counts, parsed, parsed.to_counts()):
        report = campaign_health(source)
        assert report["connect_rate"].value == 0.75
        assert report["answer_rate"].value == 1875 / 2075
        assert report["failure_rate"].value == 0.17
        assert report["retry_success_rate"].value is None
        assert "CDRs" in report["retry_success_rate"].note
    assert (counts.connect_rate, counts.answer_rate, counts.failure_rate) == (
        0.75,
        1875 / 2075,
        0.17,
    )
    # the campaign-status webhook carries created, completed and failed only
    webhook = exotel.Stats.from_dict({"created": 2500, "completed": 1875, "failed": 425})
    report = campaign_health(webhook, retry_success_rate=0.3)
    assert report["answer_rate"].value is None
    assert report["answer_rate"].verdict == "unknown"
    assert "no_answer" in report["answer_rate"].note
    assert report["retry_success_rate"].verdict == "healthy"
    empty = campaign_health(CampaignCounts())
    assert empty["connect_rate"].value is None
    assert "0" in empty["connect_rate"].note
    with pytest.raises(InvalidInput, match="no 'created'"):
        campaign_health(object())
    with pytest.raises(InvalidInput, match="retry_success_rate"):
        campaign_health(counts, retry_success_rate=1.5)


def test_healthy_range_edges() -> None:
    connect = HEALTHY_RANGES["connect_rate"]
    assert [connect.verdict(r) for r in (0.39, 0.40, 0.70, 0.71, None)] == [
        "low",
        "healthy",
        "healthy",
        "high",
        "unknown",
    ]
    failure = HEALTHY_RANGES["failure_rate"]
    assert [failure.verdict(r) for r in (0.0, 0.149, 0.15)] == ["healthy", "healthy", "high"]
    assert str(HealthyRange(0.2, None)) == "20-"


@pytest.mark.parametrize("name", ["America", "Europe", "x" * 300, "../etc"])
def test_zone_folders_and_odd_names_are_typed_errors(name: str) -> None:
    # issue 14 item 3: tzdata folders gave a bare IsADirectoryError
    stats = CampaignStats.from_calls(exotel_calls()[:5])
    with pytest.raises(InvalidInput, match="timezone"):
        stats.heatmap(name)
    with pytest.raises(InvalidInput, match="timezone"):
        stats.best_time_to_call(name)
