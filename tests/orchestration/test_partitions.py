"""Dagster's daily partitions are the calendar's business days."""

from __future__ import annotations

from datetime import date, datetime

import dagster as dg
import pytest

from orchestration.defs.jobs import daily_pipeline_schedule
from orchestration.defs.partitions import daily_partitions
from salesboard.calendar import days_between
from tests.support.funnel_truth import MOSCOW  # domain.md: the team works on Moscow time


def _days(first: str, last: str) -> list[date]:
    start = daily_partitions.time_window_for_partition_key(first).start
    return days_between(start, daily_partitions.time_window_for_partition_key(last).end)


def test_one_partition_is_one_business_day():
    assert _days("2025-03-09", "2025-03-09") == [date(2025, 3, 9)]


def test_a_backfill_range_spans_its_days_across_year_ends():
    assert _days("2024-12-30", "2025-01-02") == [
        date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 2)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("tick", "partition"),
    [
        # The 06:00 tick runs the day that ended six hours before, in Moscow time.
        (datetime(2025, 3, 10, 6, 0, tzinfo=MOSCOW), "2025-03-09"),
        # Across a year's end, and on the first of a month.
        (datetime(2025, 1, 1, 6, 0, tzinfo=MOSCOW), "2024-12-31"),
    ],
)
def test_the_morning_schedule_runs_the_previous_business_day(tick, partition):
    """README, "Schedules": `daily_pipeline_0600_msk` runs `daily_pipeline` at 06:00 Moscow
    time for the previous day. Evaluated by Dagster as the daemon would at that tick."""
    assert daily_pipeline_schedule.cron_schedule == "0 6 * * *"
    assert daily_pipeline_schedule.execution_timezone == "Europe/Moscow"
    context = dg.build_schedule_context(scheduled_execution_time=tick)
    requests = daily_pipeline_schedule.evaluate_tick(context).run_requests
    assert [(r.job_name, r.partition_key) for r in requests] == [("daily_pipeline", partition)]
