"""Dagster's daily partitions are the calendar's business days."""

from __future__ import annotations

from datetime import date

from orchestration.defs.partitions import daily_partitions
from salesboard.calendar import days_between


def _days(first: str, last: str) -> list[date]:
    start = daily_partitions.time_window_for_partition_key(first).start
    return days_between(start, daily_partitions.time_window_for_partition_key(last).end)


def test_one_partition_is_one_business_day():
    assert _days("2025-03-09", "2025-03-09") == [date(2025, 3, 9)]


def test_a_backfill_range_spans_its_days_across_year_ends():
    assert _days("2024-12-30", "2025-01-02") == [
        date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 2)
    ]  # fmt: skip
