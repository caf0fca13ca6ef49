"""Which half-open UTC window each stream fetches for one business-day partition.

Each stream widens its business day (`salesboard.calendar`) where its vendor needs it, by
the rule its `StreamSpec.window` names: calls re-read an overlap before the day (Telphin's
filter timezone is unverified and calls straddle midnight), payments re-read a lookback
(YooKassa lists only by creation time, so a status change is seen only by fetching the
payment again). And every windowed stream re-reads at least `late_lookback` (a day) before
its day: vendors show some records hours after their own time, and a record that appears
after its day's 06:00 run would otherwise never be fetched by any run (the warehouse keeps
one, latest, version of each record). Snapshot streams have no window.
Pure functions: the schedule, backfills and tests all ask the same questions.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ingestion.streams import STREAMS
from ingestion.streams.spec import Rule
from salesboard.calendar import Window, WindowSettings, business_day, day_bounds


def fetch_window(stream: str, day: date, settings: WindowSettings | None = None) -> Window | None:
    """The half-open UTC window `stream` fetches for partition `day`; None for snapshots."""
    settings = settings or WindowSettings()
    rule = STREAMS[stream].window
    start, end = day_bounds(day)
    if rule is Rule.SNAPSHOT:
        return None
    reach = {
        Rule.DAY: timedelta(0),
        Rule.OVERLAP: settings.calls_overlap,
        Rule.LOOKBACK: settings.payments_lookback,
    }[rule]
    return start - max(reach, settings.late_lookback), end


def widest_reach(windows: dict[date, Window]) -> timedelta:
    """How far before its own day the widest of `windows` (day -> fetch window) starts
    (its overlap, lookback or late lookback)."""
    return max(day_bounds(day)[0] - window[0] for day, window in windows.items())


def partitions_holding(at: datetime, windows: dict[date, Window], reach: timedelta) -> list[date]:
    """The days among `windows` whose fetch window holds instant `at`.

    A window never ends after its own day does and starts at most `reach` before it, so
    only `at`'s business day and the days up to `reach` after it can hold it.
    """
    first, last = business_day(at), business_day(at + reach)
    candidates = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in candidates if d in windows and windows[d][0] <= at < windows[d][1]]
