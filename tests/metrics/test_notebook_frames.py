"""Notebook views: readable reprs, dependency-free HTML, and plain data pandas accepts."""

from __future__ import annotations

import html.parser
from decimal import Decimal
from typing import Any

import pytest

from campaignkit import CampaignStats, InvalidInput, heatmap, retry_effectiveness
from campaignkit.metrics import cost_audit

from ..metrics_data import exotel_calls, exotel_contacts


@pytest.fixture(scope="module")
def stats() -> CampaignStats:
    return CampaignStats.from_records(
        calls=exotel_calls(), contacts=exotel_contacts(), goals=[("achieved", True)]
    )


def _tables(stats: CampaignStats) -> dict[str, Any]:
    return {
        "counts": stats.counts_table(),
        "retry": retry_effectiveness(stats),
        "heatmap": heatmap(stats, timezone="Asia/Kolkata"),
        "hours": stats.best_time_to_call("Asia/Kolkata"),
        "audit": cost_audit(stats),
        "answer": stats.answer_status_rates(),
        "status": stats.status_breakdown("itellico"),
        "outcomes": stats.outcome_counts(),
        "goals": stats.goal_achievement(),
        "summary": stats.summary(),
        "stats": stats,
    }


class _Checker(html.parser.HTMLParser):
    """Counts open and closed tags, to check the HTML is well formed."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.stack.append(tag)
        self.seen.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack.pop() == tag


def test_reprs_are_readable(stats: CampaignStats) -> None:
    assert repr(stats).startswith("CampaignStats(contacts=2,500, calls=")
    assert "connect_rate=75.0%" in repr(stats)
    retry = repr(retry_effectiveness(stats))
    assert "1st attempt" in retry
    assert "60.0%" in retry
    assert "Total" in retry
    assert "no_answer" in repr(stats.counts)
    assert "Heatmap of human" in repr(heatmap(stats))
    assert "connect_rate" in str(stats)


@pytest.mark.parametrize(
    "name",
    [
        "counts",
        "retry",
        "heatmap",
        "hours",
        "audit",
        "answer",
        "status",
        "outcomes",
        "goals",
        "summary",
        "stats",
    ],
)
def test_html_is_a_well_formed_table(stats: CampaignStats, name: str) -> None:
    markup = _tables(stats)[name]._repr_html_()
    checker = _Checker()
    checker.feed(markup)
    assert checker.stack == []
    assert checker.seen[0] == "table"
    assert "td" in checker.seen
    assert "<script" not in markup


def test_heatmap_html_is_coloured(stats: CampaignStats) -> None:
    markup = heatmap(stats, timezone="Asia/Kolkata")._repr_html_()
    assert "background:rgb(0,128,128)" in markup  # the busiest slot is the strongest colour
    assert "background:rgb(255,255,255)" in markup  # empty slots stay white


def test_retry_html_shows_the_advice() -> None:
    from campaignkit import AnsweredBy, CallStatus

    from ..metrics_data import make_call

    calls = [make_call(i, 1, CallStatus.NO_ANSWER) for i in range(20)]
    calls += [make_call(i, 2, CallStatus.NO_ANSWER) for i in range(19)]
    calls.append(make_call(19, 2, CallStatus.COMPLETED, AnsweredBy.HUMAN, 9))
    markup = retry_effectiveness(calls)._repr_html_()
    assert "may not be cost-effective" in markup


@pytest.mark.parametrize(
    "name", ["counts", "retry", "hours", "audit", "answer", "status", "outcomes", "goals"]
)
def test_plain_data_views_agree(stats: CampaignStats, name: str) -> None:
    table = _tables(stats)[name]
    records = table.to_records()
    columns = table.to_columns()
    assert records
    assert all(list(r) == list(columns) for r in records)
    assert all(len(values) == len(records) for values in columns.values())
    for record in records:
        for value in record.values():
            assert value is None or isinstance(value, str | int | float | bool | Decimal)


def test_pandas_accepts_every_view(stats: CampaignStats) -> None:
    pd = pytest.importorskip("pandas")
    for name, table in _tables(stats).items():
        from_records = pd.DataFrame(table.to_records())
        from_dict = pd.DataFrame(table.to_columns())
        assert len(from_records) > 0, name
        pd.testing.assert_frame_equal(from_records, from_dict)
    retry = pd.DataFrame(retry_effectiveness(stats).to_records())
    assert retry["connected"].tolist() == [1500, 250, 125]  # the total is apart
    grid = pd.DataFrame(heatmap(stats, timezone="Asia/Kolkata").to_grid())
    assert grid.shape == (24, 7)
    assert grid.loc[10, "Thu"] == 1500
    summary = pd.DataFrame(stats.to_records()).set_index("metric")
    assert summary.loc["connect_rate", "value"] == 0.75
    assert summary.loc["created", "source"] == "001 Exotel"


# ----------------------------------------------------------------------------- to_dict


def test_to_dict_is_the_reversible_form_of_the_stats(stats: CampaignStats) -> None:
    # issue 18 item 5: to_dict / from_dict mean a record's reversible JSON form
    import json

    data = json.loads(json.dumps(stats.to_dict()))
    assert CampaignStats.from_dict(data) == stats
    assert set(data) >= {"by_duration", "by_contact", "unknown"}
    assert stats.to_columns() == stats.summary().to_columns()
    with pytest.raises(InvalidInput, match="CampaignStats"):
        CampaignStats.from_dict([1, 2])  # type: ignore[arg-type]


def test_the_old_column_shape_fails_loudly_in_pandas(stats: CampaignStats) -> None:
    # The switch is not silent where the old shape was used: a frame of the counts'
    # lists of different lengths is refused.
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="same length"):
        pd.DataFrame(stats.to_dict())


def test_to_state_and_from_state_are_deprecated_aliases(stats: CampaignStats) -> None:
    with pytest.warns(DeprecationWarning, match="use to_dict"):
        state = stats.to_state()
    assert state == stats.to_dict()
    with pytest.warns(DeprecationWarning, match="use from_dict"):
        assert CampaignStats.from_state(state) == stats


@pytest.mark.parametrize("name", ["counts", "retry", "hours", "audit", "goals", "summary"])
def test_a_tables_to_dict_is_a_deprecated_to_columns(stats: CampaignStats, name: str) -> None:
    table = _tables(stats)[name]
    with pytest.warns(DeprecationWarning, match="use to_columns"):
        columns = table.to_dict()
    assert columns == table.to_columns()


def test_the_heatmaps_to_dict_is_a_deprecated_to_grid(stats: CampaignStats) -> None:
    grid = heatmap(stats, timezone="Asia/Kolkata")
    with pytest.warns(DeprecationWarning, match="use to_grid"):
        assert grid.to_dict() == grid.to_grid()
    assert len(grid.to_columns()["count"]) == 7 * 24


# ----------------------------------------------------------------------------- typed records

_NUMERIC = {
    "counts": ("count", "share"),
    "retry": ("attempt", "contacts", "connected", "connect_rate"),
    "heatmap": ("hour", "count", "calls", "rate"),
    "hours": ("hour", "calls", "connected", "connect_rate"),
    "audit": ("calls", "duration_seconds", "billed_seconds", "units"),
    "answer": ("count", "share"),
    "status": ("count", "share"),
    "outcomes": ("count", "share"),
    "goals": ("primary", "primary_share", "secondary", "secondary_share"),
    "summary": ("value",),
    "stats": ("value",),
}


@pytest.mark.parametrize("name", sorted(_NUMERIC))
def test_pandas_reads_records_as_typed_columns(stats: CampaignStats, name: str) -> None:
    # issue 18 item 5: to_records rows pandas reads as typed columns, totals apart
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_tables(stats)[name].to_records())
    for column in _NUMERIC[name]:
        assert pd.api.types.is_numeric_dtype(frame[column]), (column, frame[column].dtype)
    for column in frame.columns:
        assert frame[column].dtype != object or column in ("cost", "cost_effective"), column


def test_health_rates_with_an_unknown_value_are_float(stats: CampaignStats) -> None:
    pd = pytest.importorskip("pandas")
    calls_only = CampaignStats.from_calls(exotel_calls()[:10])
    frame = pd.DataFrame(calls_only.health().to_records())
    assert frame["value"].dtype == "float64"
    assert frame["value"].isna().any()  # the unknown rate is NaN, not a string


def test_totals_are_apart_and_reachable(stats: CampaignStats) -> None:
    retry = retry_effectiveness(stats)
    records = retry.to_records()
    assert [r["label"] for r in records] == ["1st attempt", "1st retry", "2nd retry"]
    assert all(isinstance(r["attempt"], int) for r in records)
    with_total = retry.to_records(total=True)
    assert with_total[:-1] == records
    assert with_total[-1]["label"] == "Total"
    assert with_total[-1]["connected"] == 1875
    assert retry.to_columns(total=True)["connected"] == [1500, 250, 125, 1875]
    audit = cost_audit(stats)
    assert "total" not in [r["answered_by"] for r in audit.to_records()]
    assert audit.to_records(total=True)[-1]["answered_by"] == "total"
    assert sum(r["calls"] for r in audit.to_records()) == audit.total.calls
    # money stays exact in the records: one type, Decimal
    assert {type(r["cost"]) for r in audit.to_records()} == {Decimal}


def test_summary_values_are_numbers_and_the_figures_stay_exact(stats: CampaignStats) -> None:
    summary = stats.summary()
    values = {r["metric"]: r["value"] for r in summary.to_records()}
    assert all(v is None or isinstance(v, int | float) for v in values.values())
    assert isinstance(summary["billed_duration"], str)
    from campaignkit.policies import parse_duration

    assert values["billed_duration"] == parse_duration(summary["billed_duration"])
    assert values["time_spent"] == stats.time_spent()
    exact = summary["cost_per_connected_contact"]
    assert isinstance(exact, Decimal)
    assert values["cost_per_connected_contact"] == float(exact)
    assert "billed_duration" in repr(summary)
    assert summary["billed_duration"] in repr(summary)
