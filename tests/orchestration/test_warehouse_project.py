"""How a Dagster run turns its partitions into a dbt invocation (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from orchestration.defs.partitions import (
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    daily_partitions,
    run_time_window,
)
from orchestration.warehouse_project import build_args, dbt_vars


def _window(first: str, last: str):
    return daily_partitions.time_window_for_partition_key(first).start, (
        daily_partitions.time_window_for_partition_key(last).end
    )


def test_one_partition_is_one_moscow_day():
    assert dbt_vars(*_window("2025-03-09", "2025-03-09")) == {
        "min_day": "2025-03-09",
        "max_day": "2025-03-10",
    }


def test_a_backfill_range_is_one_window_across_month_and_year_ends():
    assert dbt_vars(*_window("2024-12-30", "2025-01-02")) == {
        "min_day": "2024-12-30",
        "max_day": "2025-01-03",
    }


def test_days_are_zero_padded_iso_dates():
    variables = dbt_vars(*_window("2025-01-05", "2025-02-03"))
    assert all(len(value) == 10 and value[4] == value[7] == "-" for value in variables.values())


def test_utc_instants_map_to_the_moscow_day():
    start = datetime(2025, 3, 8, 21, tzinfo=UTC)  # 00:00 MSK on the 9th
    assert dbt_vars(start, datetime(2025, 3, 9, 21, tzinfo=UTC))["min_day"] == "2025-03-09"


def test_an_empty_window_is_refused():
    with pytest.raises(ValueError):
        dbt_vars(*_window("2025-01-05", "2025-01-05")[::-1])


def test_build_args_pass_vars_as_json_and_full_refresh_on_request():
    args = build_args({"min_day": "2025-01-01", "max_day": "2025-01-02"}, full_refresh=False)
    assert args[:2] == ["build", "--vars"]
    assert orjson.loads(args[2]) == {"min_day": "2025-01-01", "max_day": "2025-01-02"}
    assert build_args({}, full_refresh=True)[-1] == "--full-refresh"


def test_production_builds_leave_unit_tests_to_the_test_suite():
    args = build_args({}, full_refresh=False)
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"


def test_a_run_of_one_partition_builds_that_day():
    window = run_time_window({PARTITION_TAG: "2025-03-09"})
    assert dbt_vars(window.start, window.end) == {"min_day": "2025-03-09", "max_day": "2025-03-10"}


def test_a_single_run_backfill_builds_its_whole_range():
    window = run_time_window({RANGE_START_TAG: "2024-12-30", RANGE_END_TAG: "2025-01-02"})
    assert dbt_vars(window.start, window.end) == {"min_day": "2024-12-30", "max_day": "2025-01-03"}


def test_a_run_of_no_partition_has_no_window():
    assert run_time_window({"dagster/backfill": "abc"}) is None
