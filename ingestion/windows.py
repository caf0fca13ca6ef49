"""Which half-open UTC window each stream fetches for one business-day partition.

Partitions are Europe/Moscow calendar days: the board is read in Moscow, and "yesterday's
calls" must mean Moscow's yesterday. Each stream widens the day where its vendor needs it:
calls re-read an overlap before the day (Telphin's filter timezone is unverified and calls
straddle midnight), payments re-read a lookback (YooKassa lists only by creation time, so a
status change is seen only by fetching the payment again). And every windowed stream
re-reads at least `late_lookback` (a day) before its day: vendors show some records hours
after their own time, and a record that appears after its day's 06:00 run would otherwise
never be fetched by any run (the warehouse keeps one, latest, version of each record).
Snapshot streams have no window.
Pure functions: the schedule, backfills and tests all ask the same questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Europe/Moscow")
Window = tuple[datetime, datetime]


class Rule(Enum):
    DAY = "day"  # the business day itself, by the stream's own time field
    OVERLAP = "overlap"  # the day plus `calls_overlap` before it
    LOOKBACK = "lookback"  # the day plus `payments_lookback` before it
    SNAPSHOT = "snapshot"  # the whole current state; no window


RULES: dict[str, Rule] = {
    "telphin.calls": Rule.OVERLAP,
    "telphin.extensions": Rule.SNAPSHOT,
    "amocrm.leads": Rule.DAY,  # by updated_at
    "amocrm.contacts": Rule.DAY,  # by updated_at
    "amocrm.users": Rule.SNAPSHOT,
    "amocrm.pipelines": Rule.SNAPSHOT,
    "amocrm.status_events": Rule.DAY,  # by created_at
    "yookassa.payments": Rule.LOOKBACK,  # by created_at
    "yookassa.refunds": Rule.DAY,  # by the refund's own created_at
    "amplitude.events": Rule.DAY,  # by server_upload_time
}


@dataclass(frozen=True)
class WindowSettings:
    calls_overlap: timedelta = timedelta(hours=2)
    payments_lookback: timedelta = timedelta(days=14)
    activity_delay: timedelta = timedelta(hours=2)  # Amplitude's export lags uploads
    late_lookback: timedelta = timedelta(days=1)  # records shown late (see module doc)


def day_bounds(day: date) -> Window:
    """The Moscow calendar day as UTC instants: [00:00 MSK, next 00:00 MSK)."""
    start = datetime.combine(day, time(), BUSINESS_TZ)
    end = datetime.combine(day + timedelta(days=1), time(), BUSINESS_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def business_day(at: datetime) -> date:
    """The Moscow day an aware instant falls on (the partition a record belongs to)."""
    if at.tzinfo is None:
        raise ValueError("business_day needs a timezone-aware datetime")
    return at.astimezone(BUSINESS_TZ).date()


def fetch_window(stream: str, day: date, settings: WindowSettings | None = None) -> Window | None:
    """The half-open UTC window `stream` fetches for partition `day`; None for snapshots."""
    settings = settings or WindowSettings()
    rule = RULES[stream]
    start, end = day_bounds(day)
    if rule is Rule.SNAPSHOT:
        return None
    reach = {
        Rule.DAY: timedelta(0),
        Rule.OVERLAP: settings.calls_overlap,
        Rule.LOOKBACK: settings.payments_lookback,
    }[rule]
    return start - max(reach, settings.late_lookback), end


def activity_complete(day: date, now: datetime, settings: WindowSettings | None = None) -> bool:
    """Whether Amplitude has exported everything uploaded on `day` by `now` (the export
    lags uploads by `activity_delay`, so a run before that would land a partial day)."""
    settings = settings or WindowSettings()
    window = fetch_window("amplitude.events", day, settings)
    assert window is not None
    return now >= window[1] + settings.activity_delay


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
