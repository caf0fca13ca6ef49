"""Fetch windows per stream for business-day partitions (the days themselves:
tests/salesboard/test_calendar.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from ingestion.windows import fetch_window
from salesboard.calendar import WindowSettings


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


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
