"""Reruns change nothing: the same partitions built again, three times, and a backfill
over days the daily runs already loaded leave every mart and the serving copy identical."""

from __future__ import annotations

import shutil

import pytest

from salesboard.layout import DataLayout
from tests.reliability.fortnight import (
    DAYS,
    RANGE_TAGS,
    downstream_keys,
    failure_message,
    run_pipeline,
    run_time,
    warehouse_state,
)
from tests.reliability.results import Outcome, record

pytestmark = pytest.mark.reliability


@pytest.fixture
def loaded(baseline, tmp_path) -> DataLayout:
    """A copy of the fault-free fortnight's data dir, so reruns never touch the baseline."""
    shutil.copytree(baseline.layout.root, tmp_path / "data", symlinks=True)
    return DataLayout(tmp_path / "data")


def test_three_reruns_of_the_same_partitions_are_identical(
    baseline, loaded, demo_server, demo_world
):
    for attempt in range(3):
        rerun = run_pipeline(
            demo_server, demo_world, loaded.root, asset_selection=downstream_keys(), tags=RANGE_TAGS
        )
        assert rerun.success, failure_message(rerun)
        assert warehouse_state(loaded) == (baseline.marts, baseline.serving), f"rerun {attempt + 1}"
    record(Outcome("idempotency", "three reruns of the fortnight's partitions", "identical",
                   notes="warehouse marts and serving file checksums"))  # fmt: skip


def test_a_backfill_over_loaded_days_is_identical(baseline, loaded, demo_server, demo_world):
    """The whole job (ingestion too) as one backfill run over the fortnight, with the vendor
    APIs as they were at the last daily run."""
    demo_server.set_clock(run_time(DAYS[-1]))
    try:
        backfill = run_pipeline(demo_server, demo_world, loaded.root, tags=RANGE_TAGS)
    finally:
        demo_server.set_clock(None)
    assert backfill.success, failure_message(backfill)
    assert warehouse_state(loaded) == (baseline.marts, baseline.serving)
    record(Outcome("idempotency", "backfill over already-loaded days", "identical",
                   notes="one run re-landing and rebuilding the fortnight"))  # fmt: skip
