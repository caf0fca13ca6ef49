"""Daily partitions: one per Europe/Moscow business day, the team's working day."""

import os
from collections.abc import Mapping

import dagster as dg

BUSINESS_TZ = "Europe/Moscow"
# The first day to ingest. The demo company's history starts here; set it to your own
# first day of data when pointing at real vendors.
START_DATE = os.environ.get("SALESBOARD_START_DATE", "2024-07-01")

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=START_DATE, timezone=BUSINESS_TZ, end_offset=0
)

# The run tags Dagster sets on a run of one partition, and on a single-run backfill.
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG, RANGE_END_TAG = (
    "dagster/asset_partition_range_start",
    "dagster/asset_partition_range_end",
)


def run_time_window(tags: Mapping[str, str]) -> dg.TimeWindow | None:
    """The time window of a run's partitions, from its tags; None for a run of no partition.

    For assets that are not partitioned themselves but work on the run's days: the dbt
    warehouse is one set of tables whose incremental models each run extends by the run's
    window, and a run with no partition rebuilds them over the whole landed history.
    """
    first = tags.get(RANGE_START_TAG, tags.get(PARTITION_TAG))
    last = tags.get(RANGE_END_TAG, tags.get(PARTITION_TAG))
    if first is None or last is None:
        return None
    start = daily_partitions.time_window_for_partition_key(first).start
    return dg.TimeWindow(start, daily_partitions.time_window_for_partition_key(last).end)
