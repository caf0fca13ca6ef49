"""Which half-open UTC window each stream fetches for one business-day partition.

Each stream widens its business day (`salesboard.calendar`) where its vendor needs it, by
the rule its `StreamSpec.window` names: calls re-read an overlap before the day (Telphin's
filter timezone is unverified and calls straddle midnight), payments re-read a lookback
(YooKassa lists only by creation time, so a status change is seen only by fetching the
payment again). And every windowed stream re-reads at least `late_lookback` (a day) before
its day: vendors show some records hours after their own time, and a record that appears
after its day's 06:00 run would otherwise never be fetched by any run (the warehouse keeps
one, latest, version of each record). Snapshot streams have no window.

Streams pulled by an `updated_at` cursor (`Rule.UPDATED`: amoCRM leads and contacts) list
each record once, at its *current* change time. A record changed after a run's last
window ends (today before `make run` started, or between midnight and the 06:00 run) sits
in no window of that run, and `make run` never gets a next one. So **the last day of every
run reaches to the run's start** (`run_windows`, `run_start` = the landing's
`ingested_at`): the run lands the current version of every record changed since its first
window began, whatever the hour (one changed again while the run is fetching, after its
start, lands with the next run). A record may then land in two partitions (the last one of
this run and its own day's of a later run); the warehouse keeps its latest version
(`latest_version_of`). Coverage never shrinks on a rerun: every run is a range of
consecutive days whose last day reaches to its own start, so a partition rewritten as a
non-last day lies in a range that covers everything after it. Event-dated streams
(calls, status events, payments, refunds, product events) are never extended: marts date
them by their own time, and today's partial day must not land among yesterday's records.

Pure functions: the schedule, backfills and tests all ask the same questions.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ingestion.streams import STREAMS
from ingestion.streams.spec import Rule
from salesboard.calendar import Window, WindowSettings, business_day, day_bounds


def fetch_window(
    stream: str,
    day: date,
    settings: WindowSettings | None = None,
    run_start: datetime | None = None,
) -> Window | None:
    """The half-open UTC window `stream` fetches for partition `day`; None for snapshots.

    `run_start` (an aware instant) is given for the last day of a run only (`run_windows`):
    a `Rule.UPDATED` stream's window then ends there instead of at the day's end, when
    that is later. Other rules ignore it."""
    settings = settings or WindowSettings()
    rule = STREAMS[stream].window
    start, end = day_bounds(day)
    if rule is Rule.SNAPSHOT:
        return None
    reach = {
        Rule.DAY: timedelta(0),
        Rule.UPDATED: timedelta(0),
        Rule.OVERLAP: settings.calls_overlap,
        Rule.LOOKBACK: settings.payments_lookback,
    }[rule]
    if rule is Rule.UPDATED and run_start is not None:
        end = max(end, run_start)
    return start - max(reach, settings.late_lookback), end


def run_windows(
    stream: str, days: list[date], run_start: datetime, settings: WindowSettings | None = None
) -> dict[date, Window | None]:
    """The fetch window of each of a run's `days` (day -> window, None for snapshots): the
    latest day's reaching to `run_start`, the instant the run began landing `stream`
    (module doc). Landing and validation both ask here, so they check the same windows."""
    last = max(days, default=None)
    return {
        day: fetch_window(stream, day, settings, run_start if day == last else None) for day in days
    }


def widest_reach(windows: dict[date, Window]) -> timedelta:
    """How far before its own day the widest of `windows` (day -> fetch window) starts
    (its overlap, lookback or late lookback)."""
    return max(day_bounds(day)[0] - window[0] for day, window in windows.items())


def partitions_holding(at: datetime, windows: dict[date, Window], reach: timedelta) -> list[date]:
    """The days among `windows` whose fetch window holds instant `at`, in day order.

    A window starts at most `reach` before its own day and ends with it, but for a run's
    last day, which may reach to the run's start (`run_windows`). So only `at`'s business
    day, the days up to `reach` after it, and the latest day of `windows` can hold it.
    """
    first, last = business_day(at), business_day(at + reach)
    candidates = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    candidates.add(max(windows))
    return [d for d in sorted(candidates) if d in windows and windows[d][0] <= at < windows[d][1]]
