"""Scale-out: `CampaignStats` per Dask partition, merged, equals the single pass."""

from __future__ import annotations

import functools

import pytest

from campaignkit import CampaignStats

from ..metrics_data import exotel_calls, exotel_contacts

db = pytest.importorskip("dask.bag")


def _merge_all(parts: object) -> CampaignStats:
    return functools.reduce(CampaignStats.merge, parts, CampaignStats())  # type: ignore[arg-type]


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_dask_partitions_merge_to_the_single_pass(partitions: int) -> None:
    calls = exotel_calls()
    contacts = exotel_contacts()
    single = CampaignStats.from_records(calls=calls, contacts=contacts)

    call_stats = db.from_sequence(calls, npartitions=partitions).reduction(
        lambda part: CampaignStats.from_records(calls=part), _merge_all
    )
    contact_stats = db.from_sequence(contacts, npartitions=partitions).reduction(
        lambda part: CampaignStats.from_records(contacts=part), _merge_all
    )
    by_calls, by_contacts = (
        call_stats.compute(scheduler="threads"),
        contact_stats.compute(scheduler="threads"),
    )
    merged = by_calls.merge(by_contacts)
    assert merged == single
    assert merged.retry_effectiveness().overall_rate == 0.75
    assert merged.counts.to_dict()["busy"] == 87


def test_dask_with_map_partitions_and_fold() -> None:
    calls = exotel_calls()
    bag = db.from_sequence(calls, npartitions=5)
    parts = bag.map_partitions(lambda part: [CampaignStats.from_records(calls=part)])
    merged = parts.fold(CampaignStats.merge, initial=CampaignStats()).compute(scheduler="sync")
    assert merged == CampaignStats.from_records(calls=calls)
