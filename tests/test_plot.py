"""Plots draw the tables' data (checked on the artists, not the pixels); frames are typed."""

from __future__ import annotations

import builtins
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from campaignkit import CampaignStats, Contact, RetryPolicy, heatmap, retry_effectiveness
from campaignkit.data import sample_contacts, sample_contacts_csv, sample_import
from campaignkit.errors import MissingDependency
from campaignkit.metrics import cost_audit
from campaignkit.simulate import compare, simulate

from .metrics_data import exotel_calls, exotel_contacts

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")  # headless: nothing is shown, only drawn
pd = pytest.importorskip("pandas")
plt = pytest.importorskip("matplotlib.pyplot")
ErrorbarContainer = pytest.importorskip("matplotlib.container").ErrorbarContainer

MX = ZoneInfo("America/Mexico_City")
START = datetime(2026, 6, 1, 9, tzinfo=MX)
PEOPLE = [Contact(id=f"c{i}", phone=f"+52155{i:08d}") for i in range(120)]
EXOTEL_2 = RetryPolicy.exotel(2, on_status=("busy", "no-answer", "failed"))


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def stats() -> CampaignStats:
    return CampaignStats.from_records(calls=exotel_calls(), contacts=exotel_contacts())


@pytest.fixture(scope="module")
def run() -> Any:
    return simulate(PEOPLE, start=START, retry=EXOTEL_2, seed=4)


def heights(ax: Any) -> list[float]:
    return [patch.get_height() for patch in ax.patches]


def test_retry_table_bars_and_threshold_line(stats: CampaignStats) -> None:
    table = retry_effectiveness(stats)
    ax = table.plot()
    # seed 001: 60%, 25%, 1st/2nd retry; bars are the rows, the line is the 10% threshold
    assert heights(ax) == pytest.approx([r.connect_rate for r in table.rows])
    assert heights(ax)[:3] == pytest.approx([0.60, 0.25, 125 / 750])
    lines = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [list(line.get_ydata()) for line in lines] == [[0.10, 0.10]]
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == [
        "1st attempt",
        "1st retry",
        "2nd retry",
    ]


def test_heatmap_image_holds_the_counts(stats: CampaignStats) -> None:
    table = heatmap(stats, timezone="Asia/Kolkata")
    ax = table.plot()
    grid = ax.images[0].get_array()
    assert grid.shape == (7, 24)
    assert grid.tolist() == [list(row) for row in table.counts]
    rates = table.plot(rate=True).images[0].get_array()
    assert float(rates.max()) <= 1.0


def test_status_breakdown_bars_and_pie(stats: CampaignStats) -> None:
    table = stats.status_breakdown()
    ax = table.plot()
    assert [p.get_width() for p in ax.patches] == [n for _, n in table.counts]
    pie = table.plot(kind="pie")
    assert len(pie.patches) == sum(1 for _, n in table.counts if n > 0)


def test_hour_table_bars(stats: CampaignStats) -> None:
    table = stats.best_time_to_call("Asia/Kolkata")
    assert heights(table.plot()) == pytest.approx([table.connect_rate(h) for h in range(24)])


def test_calls_over_time_counts_every_call(run: Any) -> None:
    ax = run.plot()  # the timeline: calls, then the connected ones over them
    bars = ax.containers
    assert len(bars) == 2
    placed = [p.get_height() for p in bars[0]]
    connected = [p.get_height() for p in bars[1]]
    assert sum(placed) == len(run.calls)
    assert sum(connected) == sum(1 for c in run.calls if c.result.connected)
    assert all(c <= p for c, p in zip(connected, placed, strict=True))
    status = run.plot("status")
    assert sum(p.get_width() for p in status.patches) == run.stats.status_breakdown().total


def test_comparison_bars_with_intervals() -> None:
    table = compare(
        {"no retry": RetryPolicy.exotel(0), "2 retries": EXOTEL_2},
        PEOPLE,
        start=START,
        seeds=(0, 1, 2),
    )
    ax = table.plot()
    spans = [table.interval(name) for name in table.policies]
    assert heights(ax) == pytest.approx([s.mean for s in spans])
    errorbar = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    caps = errorbar.lines[2][0].get_segments()
    drawn = [value for seg in caps for value in (seg[0][1], seg[1][1])]
    assert drawn == pytest.approx([value for s in spans for value in (s.low, s.high)])
    assert plt.gcf() is ax.figure


def test_plots_draw_on_a_given_axes(stats: CampaignStats) -> None:
    _, ax = plt.subplots()
    assert retry_effectiveness(stats).plot(ax=ax) is ax


def test_matplotlib_is_imported_only_for_a_plot() -> None:
    code = (
        "import sys, campaignkit, campaignkit.plot, campaignkit.simulate, campaignkit.data\n"
        "assert 'matplotlib' not in sys.modules, 'imported eagerly'\n"
        "assert 'pandas' not in sys.modules, 'imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_matplotlib_a_plot_names_the_extra(
    stats: CampaignStats, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    monkeypatch.delitem(sys.modules, "matplotlib.pyplot")
    with pytest.raises(MissingDependency, match=r"campaignkit\[plot\]"):
        retry_effectiveness(stats).plot()


# ---------------------------------------------------------------- typed frames


def test_retry_frame_is_typed_with_the_total_apart(stats: CampaignStats) -> None:
    table = retry_effectiveness(stats)
    frame = table.to_frame()
    assert frame["attempt"].dtype == "int64"
    assert frame["connected"].tolist() == [1500, 250, 125]
    assert frame["connect_rate"].dtype == "float64"
    assert str(frame["cost_effective"].dtype) == "boolean"
    assert table.total.connected == 1875
    assert len(table.to_frame(total=True)) == 4
    assert table.to_records(total=True)[-1]["label"] == "Total"  # the total only when asked


def test_money_is_a_float_column(stats: CampaignStats) -> None:
    audit = cost_audit(stats)
    frame = audit.to_frame()
    assert frame["cost"].dtype == "float64"
    assert "total" not in frame["answered_by"].tolist()
    assert isinstance(audit.to_records()[0]["cost"], Decimal)  # exact in the records


def test_simulation_calls_frame(run: Any) -> None:
    frame = run.to_frame()
    assert len(frame) == len(run.calls)
    assert str(frame["created_at"].dtype).startswith("datetime64")
    assert frame["attempt"].dtype == "int64"
    assert frame["cost"].dtype == "float64"
    assert frame["cost"].sum() == pytest.approx(float(run.cost))
    data = run.overview()
    assert data["calls"] == len(run.calls)
    assert isinstance(data["started_at"], datetime)
    assert data["status"] == "all contacts settled"


def test_comparison_frame_and_dict() -> None:
    table = compare(
        {"no retry": RetryPolicy.exotel(0), "2 retries": EXOTEL_2},
        PEOPLE,
        start=START,
        seeds=(0, 1),
    )
    frame = table.to_frame()
    assert list(frame.index) == ["no retry", "2 retries"]
    for column in ("calls", "cost", "cost_low", "connect_rate_high"):
        assert frame[column].dtype == "float64", column
    assert frame["finished"].dtype == "bool"
    data = table.overview()
    assert data["seeds"] == [0, 1]
    assert len(data["runs"]["2 retries"]) == 2


def test_model_frame() -> None:
    from campaignkit.simulate import OutcomeModel

    frame = OutcomeModel().to_frame("slot")
    assert frame.shape == (168, 8)
    assert frame["hour"].dtype == "int64"


# ---------------------------------------------------------------- bundled data


def test_sample_contacts() -> None:
    people = sample_contacts()
    assert len(people) == 2956  # 3,000 rows less 20 invalid numbers and 24 duplicates
    assert all(p.phone.startswith("+") for p in people)
    assert len(sample_import().rejected) == 44
    assert sample_contacts_csv().startswith(b"contact,name,context")
    assert len({p.id for p in people}) == len(people)
    assert people[0].phone == "+447400106026"
