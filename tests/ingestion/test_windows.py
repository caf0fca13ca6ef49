"""Fetch windows per stream for Moscow business-day partitions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from ingestion.streams import STREAMS
from ingestion.windows import (
    RULES,
    WindowSettings,
    activity_complete,
    business_day,
    day_bounds,
    fetch_window,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_every_stream_has_a_window_rule():
    assert set(RULES) == set(STREAMS)


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


@pytest.mark.parametrize(
    "stream",
    [
        "amocrm.leads",
        "amocrm.contacts",
        "amocrm.status_events",
        "yookassa.refunds",
        "amplitude.events",
    ],
)
def test_day_streams_fetch_the_day_and_the_late_lookback(stream):
    assert fetch_window(stream, date(2025, 1, 1)) == (utc(2024, 12, 30, 21), utc(2025, 1, 1, 21))
    exact = WindowSettings(late_lookback=timedelta(0))
    assert fetch_window(stream, date(2025, 1, 1), exact) == (
        utc(2024, 12, 31, 21),
        utc(2025, 1, 1, 21),
    )


def test_calls_reread_the_wider_of_the_overlap_and_the_late_lookback():
    assert fetch_window("telphin.calls", date(2025, 1, 1)) == (
        utc(2024, 12, 30, 21),
        utc(2025, 1, 1, 21),
    )
    overlap_only = WindowSettings(late_lookback=timedelta(0))
    assert fetch_window("telphin.calls", date(2025, 1, 1), overlap_only)[0] == utc(2024, 12, 31, 19)
    wider = WindowSettings(calls_overlap=timedelta(hours=30))
    assert fetch_window("telphin.calls", date(2025, 1, 1), wider)[0] == utc(2024, 12, 30, 15)


def test_payments_reread_a_lookback_across_month_and_year():
    assert fetch_window("yookassa.payments", date(2025, 1, 3)) == (
        utc(2024, 12, 19, 21),
        utc(2025, 1, 3, 21),
    )
    week = WindowSettings(payments_lookback=timedelta(days=7))
    assert fetch_window("yookassa.payments", date(2025, 3, 1), week)[0] == utc(2025, 2, 21, 21)


@pytest.mark.parametrize("stream", ["telphin.extensions", "amocrm.users", "amocrm.pipelines"])
def test_snapshots_have_no_window(stream):
    assert fetch_window(stream, date(2025, 1, 1)) is None


def test_windows_are_half_open_and_tile_consecutive_days():
    days = [date(2024, 12, 30) + timedelta(days=i) for i in range(5)]
    exact = WindowSettings(late_lookback=timedelta(0))
    windows = [fetch_window("amocrm.leads", d, exact) for d in days]
    assert all(a[1] == b[0] for a, b in pairwise(windows))


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
