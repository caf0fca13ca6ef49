"""The business calendar: Moscow days as UTC instants, run windows <-> days, run tags, and
the vars dbt receives from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ingestion.demo.model import PIPELINE_ID, STATUS_CONSULTATION
from salesboard.calendar import (
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    WindowSettings,
    activity_complete,
    business_day,
    day_bounds,
    days_between,
    dbt_vars,
    history_range,
    months_before,
    partition_range,
    payments_lead_in,
    range_tags,
    window_of_days,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2025, 3, 3), utc(2025, 3, 2, 21), utc(2025, 3, 3, 21)),
        # Moscow has no DST: the European switch days are ordinary 24 h days.
        (date(2024, 3, 31), utc(2024, 3, 30, 21), utc(2024, 3, 31, 21)),
        (date(2024, 10, 27), utc(2024, 10, 26, 21), utc(2024, 10, 27, 21)),
        # month, leap-day and year boundaries
        (date(2024, 2, 29), utc(2024, 2, 28, 21), utc(2024, 2, 29, 21)),
        (date(2024, 3, 1), utc(2024, 2, 29, 21), utc(2024, 3, 1, 21)),
        (date(2025, 1, 1), utc(2024, 12, 31, 21), utc(2025, 1, 1, 21)),
        (date(2024, 12, 31), utc(2024, 12, 30, 21), utc(2024, 12, 31, 21)),
    ],
)
def test_a_business_day_is_the_moscow_calendar_day(day, start, end):
    assert day_bounds(day) == (start, end)
    assert end - start == timedelta(days=1)


def test_an_instant_belongs_to_the_moscow_day():
    assert business_day(utc(2024, 12, 31, 20, 59, 59)) == date(2024, 12, 31)
    assert business_day(utc(2024, 12, 31, 21)) == date(2025, 1, 1)
    with pytest.raises(ValueError):
        business_day(datetime(2025, 1, 1))


def test_activity_is_complete_two_hours_after_the_day_ends():
    day = date(2025, 3, 3)  # ends 2025-03-03 21:00 UTC = 2025-03-04 00:00 MSK
    assert not activity_complete(day, utc(2025, 3, 3, 22, 59, 59))
    assert activity_complete(day, utc(2025, 3, 3, 23))
    # the schedule runs at 06:00 MSK the next morning
    assert activity_complete(day, utc(2025, 3, 4, 3))
    assert not activity_complete(
        day, utc(2025, 3, 4, 3), WindowSettings(activity_delay=timedelta(hours=8))
    )


def test_one_day_is_one_dbt_day_window_with_the_zone_and_lookback(monkeypatch):
    monkeypatch.delenv("SALESBOARD_START_DATE", raising=False)
    variables = dbt_vars((date(2025, 3, 9), date(2025, 3, 9)))
    assert variables.pop("company_reference")  # its rows: test_company.py
    assert variables == {
        "business_tz": "Europe/Moscow",
        "lookback_days": 14,
        "history_start_day": "2024-07-01",
        "longest_period_months": 12,
        "sales_pipeline_id": PIPELINE_ID,  # the demo company file's
        "consultation_status_id": STATUS_CONSULTATION,
        "activation_event": "bank_statement_imported",  # domain.md
        "lesson_event": "video_lesson_watched",
        "signup_channels": ["ads", "organic", "referral", "webinar"],
        "min_day": "2025-03-09",
        "max_day": "2025-03-10",
    }


def test_a_backfill_range_is_one_window_across_month_and_year_ends():
    variables = dbt_vars((date(2024, 12, 30), date(2025, 1, 2)))
    assert (variables["min_day"], variables["max_day"]) == ("2024-12-30", "2025-01-03")


def test_no_window_means_the_whole_history():
    assert set(dbt_vars(None)) == {
        "business_tz",
        "lookback_days",
        "history_start_day",
        "longest_period_months",
        "sales_pipeline_id",
        "consultation_status_id",
        "activation_event",
        "lesson_event",
        "signup_channels",
        "company_reference",
    }


def test_a_month_earlier_clamps_to_the_months_last_day():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2025, 1, 15), 12) == date(2024, 1, 15)


def test_a_history_lands_payments_a_billing_period_and_a_lookback_before_its_first_day(
    monkeypatch,
):
    """12 months + 14 days: every subscription active on the first shown day was paid, and
    every renewal of a shown day finds what it renews, inside the landed payments; never
    before the records begin, and none for a history that starts with them."""
    monkeypatch.setenv("SALESBOARD_START_DATE", "2024-07-01")
    assert payments_lead_in(date(2026, 8, 4)) == date(2025, 7, 21)
    assert payments_lead_in(date(2025, 3, 1)) == date(2024, 7, 1)
    assert payments_lead_in(date(2024, 7, 1)) is None
    six = WindowSettings(longest_period_months=6, payments_lookback=timedelta(days=7))
    assert payments_lead_in(date(2026, 8, 4), six) == date(2026, 1, 28)


def test_an_empty_window_is_refused():
    with pytest.raises(ValueError):
        dbt_vars((date(2025, 1, 5), date(2025, 1, 4)))
    with pytest.raises(ValueError):
        days_between(utc(2025, 1, 4, 21), utc(2025, 1, 4, 21))


def test_the_payments_lookback_setting_is_what_dbt_receives():
    week = WindowSettings(payments_lookback=timedelta(days=7))
    assert dbt_vars(None, week)["lookback_days"] == 7
    assert dbt_vars(None)["lookback_days"] == WindowSettings().payments_lookback.days == 14


def test_utc_instants_at_moscow_midnight_are_whole_days():
    start, end = utc(2025, 3, 8, 21), utc(2025, 3, 10, 21)  # 00:00 MSK on the 9th .. 11th
    assert days_between(start, end) == [date(2025, 3, 9), date(2025, 3, 10)]
    assert window_of_days(date(2025, 3, 9), date(2025, 3, 10)) == (start, end)


def test_run_tags_give_the_days_of_a_run():
    assert partition_range({PARTITION_TAG: "2025-03-09"}) == (date(2025, 3, 9), date(2025, 3, 9))
    tags = range_tags(date(2024, 12, 30), date(2025, 1, 2))
    assert tags == {RANGE_START_TAG: "2024-12-30", RANGE_END_TAG: "2025-01-02"}
    assert partition_range(tags) == (date(2024, 12, 30), date(2025, 1, 2))
    assert partition_range({"dagster/backfill": "abc"}) is None


def test_history_ends_at_the_last_day_whose_activity_is_exported():
    """Regression: just after midnight in Moscow, yesterday's Amplitude export is still
    due and `make run` failed on it; the history then ends the day before."""
    evening = utc(2026, 11, 26, 18)  # 21:00 in Moscow
    assert history_range(3, evening) == (date(2026, 11, 23), date(2026, 11, 25))
    after_midnight = utc(2026, 11, 26, 21, 14)  # 00:14 on the 27th
    assert history_range(3, after_midnight) == (date(2026, 11, 23), date(2026, 11, 25))
    morning = utc(2026, 11, 27, 3)  # 06:00, when the schedule runs
    assert history_range(1, morning) == (date(2026, 11, 26), date(2026, 11, 26))
