"""Fetch windows per stream for business-day partitions (the days themselves:
tests/salesboard/test_calendar.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from ingestion.streams import STREAMS
from ingestion.streams.spec import Rule
from ingestion.windows import fetch_window, partitions_holding, run_windows, widest_reach
from salesboard.calendar import WindowSettings
from tests.support.windows import readme_window


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


def test_only_the_streams_pulled_by_updated_at_reach_to_the_runs_start():
    """amoCRM lists leads and contacts at their current `updated_at` (a cursor); every other
    windowed stream is dated by an event's own time, which never moves."""
    updated = {name for name, spec in STREAMS.items() if spec.window is Rule.UPDATED}
    assert updated == {"amocrm.leads", "amocrm.contacts"}
    assert all(STREAMS[name].quality.window_column == "updated_at" for name in updated)


@pytest.mark.parametrize(
    ("stream", "end"),
    [
        ("amocrm.leads", utc(2025, 1, 3, 10, 30)),  # the run's start, 13:30 in Moscow
        ("amocrm.contacts", utc(2025, 1, 3, 10, 30)),
        ("telphin.calls", utc(2025, 1, 1, 21)),  # the day's end: event-dated
        ("amocrm.status_events", utc(2025, 1, 1, 21)),
        ("yookassa.payments", utc(2025, 1, 1, 21)),
        ("yookassa.refunds", utc(2025, 1, 1, 21)),
        ("amplitude.events", utc(2025, 1, 1, 21)),
    ],
)
def test_a_runs_last_day_reaches_to_its_start_for_updated_at_streams_only(stream, end):
    days = [date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1)]
    started = utc(2025, 1, 3, 10, 30)
    windows = run_windows(stream, days, started)
    assert windows[date(2025, 1, 1)] == (fetch_window(stream, date(2025, 1, 1))[0], end)
    for day in days[:-1]:  # earlier days keep their own windows
        assert windows[day] == fetch_window(stream, day)


def test_a_run_of_todays_partition_never_ends_before_the_day_does():
    started = utc(2025, 1, 1, 3)  # 06:00 in Moscow, the day itself
    assert run_windows("amocrm.leads", [date(2025, 1, 1)], started)[date(2025, 1, 1)] == (
        utc(2024, 12, 30, 21),
        utc(2025, 1, 1, 21),
    )


def test_snapshots_have_no_window_in_a_run_either():
    assert run_windows("amocrm.users", [date(2025, 1, 1)], utc(2025, 1, 2)) == {
        date(2025, 1, 1): None
    }


def test_records_changed_after_the_last_day_route_to_the_last_day_only():
    """A backfill routes each fetched record to every partition whose window holds it: a
    lead changed this morning belongs to the run's last day, one changed on a day of the
    run to that day, the next (late lookback) and, from the day before the last, the last."""
    days = [date(2024, 12, 29) + timedelta(days=n) for n in range(4)]  # .. 2025-01-01
    windows = run_windows("amocrm.leads", days, utc(2025, 1, 3, 10, 30))
    reach = widest_reach(windows)
    assert partitions_holding(utc(2025, 1, 3, 9), windows, reach) == [date(2025, 1, 1)]
    assert partitions_holding(utc(2025, 1, 2, 12), windows, reach) == [date(2025, 1, 1)]
    assert partitions_holding(utc(2024, 12, 29, 12), windows, reach) == days[:2]
    assert partitions_holding(utc(2024, 12, 31, 12), windows, reach) == days[2:]
    assert partitions_holding(utc(2025, 1, 3, 10, 30), windows, reach) == []  # half-open


def test_rewriting_a_partition_inside_a_later_range_never_shrinks_coverage():
    """Any sequence of runs over consecutive days: the union of the landed partitions'
    windows (each partition as its latest run wrote it) covers everything from the first
    window's start to the latest run's start."""
    runs = [  # (first day, last day, start), in the order they ran
        (date(2025, 1, 1), date(2025, 1, 10), utc(2025, 1, 11, 8)),  # make run, late morning
        (date(2025, 1, 11), date(2025, 1, 11), utc(2025, 1, 12, 3)),  # the 06:00 daily run
        (date(2025, 1, 5), date(2025, 1, 8), utc(2025, 1, 12, 9)),  # a backfill inside
        (date(2025, 1, 11), date(2025, 1, 11), utc(2025, 1, 12, 10)),  # a rerun of a day
    ]
    landed: dict[date, tuple[datetime, datetime]] = {}
    for first, last, started in runs:
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        landed |= run_windows("amocrm.leads", days, started)
        spans = sorted(landed.values())
        covered_to = spans[0][1]
        for start, end in spans[1:]:
            assert start <= covered_to, f"a gap before {start} after the run ending {last}"
            covered_to = max(covered_to, end)
        assert covered_to >= started


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_the_product_fetches_the_readmes_windows(stream):
    """The test side's truth draws windows from the README's table (`tests/support/
    windows.py`); here the product's windows are pinned to it, for every stream, on an
    ordinary day, a year's first, and a run's last day that started the next morning."""
    run_start = utc(2025, 1, 1, 3, 0)  # 06:00 Moscow on the day after 2024-12-31
    for day in (date(2024, 7, 25), date(2025, 1, 1)):
        assert fetch_window(stream, day) == readme_window(stream, day)
    assert fetch_window(stream, date(2024, 12, 31), run_start=run_start) == readme_window(
        stream, date(2024, 12, 31), run_start
    )
