"""The pipeline's calendar: the one place that says what a "day" is and how far runs reach.

Every day in salesboard is a calendar day in the business time zone, the company file's
`time_zone` (the demo team works, and reads the board, in Moscow: "yesterday's calls" means
Moscow's yesterday). Partitions,
fetch windows, dbt's day window and the board's "as of" all come from here:

- `business_tz`, `day_bounds`, `business_day`: a day as UTC instants and back;
- `days_between`, `window_of_days`: a run's UTC time window <-> its list of days;
- `PARTITION_TAG`, `RANGE_START_TAG`, `RANGE_END_TAG`, `partition_range`: the run tags
  Dagster sets on a one-day run and on a single-run backfill (plain strings; no Dagster
  import, so every package may read them);
- `WindowSettings`: how far each daily run re-reads before its day (overlaps and
  lookbacks), and `dbt_vars`, which hands dbt the same day window, time zone and lookback
  so the warehouse can never disagree with the landing about them;
- `history_start`, `payments_lead_in`: where the business's records begin, and how far
  before a history's first day its payments must reach for its revenue to be complete.

Pure functions and constants: the schedule, backfills, dbt and tests ask the same questions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from salesboard.company import company
from salesboard.company import dbt_vars as company_dbt_vars


def business_tz_name() -> str:
    """The business time zone's IANA name: the company file's `time_zone` (read when asked,
    so importing the calendar needs no company file yet)."""
    return company().time_zone


def business_tz() -> ZoneInfo:
    """The business time zone (ZoneInfo caches one object per name)."""
    return ZoneInfo(business_tz_name())


# The run tags Dagster sets on a run of one partition, and on a single-run backfill.
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class WindowSettings:
    """How far a run re-reads before its own day, per kind of stream (see
    `ingestion.windows` for which stream uses which)."""

    calls_overlap: timedelta = timedelta(hours=2)  # calls straddle midnight
    payments_lookback: timedelta = timedelta(days=14)  # status changes, refunds
    activity_delay: timedelta = timedelta(hours=2)  # Amplitude's export lags uploads
    late_lookback: timedelta = timedelta(days=1)  # records a vendor shows hours late
    # The longest subscription a customer can buy (the demo's 12-month tariffs): an account
    # active on a day paid for it at most this long before (DECISIONS.md, "History").
    longest_period_months: int = 12


def history_start(environ: Mapping[str, str] = os.environ) -> date:
    """The first day of the business's records: the company file's `start_date`, or
    `SALESBOARD_START_DATE` when set (a run over another world, as the benchmarks do). The
    first partition, and the day from which a landed history holds everything (nothing
    happened before it)."""
    override = environ.get("SALESBOARD_START_DATE")
    return date.fromisoformat(override) if override else company(environ).start_date


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to that month's last day."""
    year, index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month_start = date(year, index + 1, 1)
    next_month = (month_start + timedelta(days=31)).replace(day=1)
    return min(month_start + timedelta(days=day.day - 1), next_month - timedelta(days=1))


def payments_lead_in(first: date, settings: WindowSettings | None = None) -> date | None:
    """The first day a history starting on `first` lands payments and refunds from: the
    longest billing period and the payments lookback before it (so every subscription
    active on `first` was paid inside the landed history, and every renewal of the shown
    days finds the payment it renews), never before `history_start()`. None when `first`
    is already the start of the records."""
    settings = settings or WindowSettings()
    lead = months_before(first, settings.longest_period_months) - settings.payments_lookback
    lead = max(lead, history_start())
    return lead if lead < first else None


def day_bounds(day: date) -> Window:
    """The business day as UTC instants: [00:00, next 00:00) in `business_tz()`."""
    zone = business_tz()
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def business_day(at: datetime) -> date:
    """The business day an aware instant falls on (the partition a record belongs to).

    Raises ValueError for a naive datetime: its zone would be a guess."""
    if at.tzinfo is None:
        raise ValueError("business_day needs a timezone-aware datetime")
    return at.astimezone(business_tz()).date()


def activity_complete(day: date, now: datetime, settings: WindowSettings | None = None) -> bool:
    """Whether Amplitude has exported everything uploaded on `day` by `now` (the export
    lags uploads by `activity_delay`, so a run before that would land a partial day)."""
    settings = settings or WindowSettings()
    return now >= day_bounds(day)[1] + settings.activity_delay


def history_range(days: int, now: datetime | None = None) -> tuple[date, date]:
    """The last `days` complete business days: (first, last), last = yesterday, or the day
    before while yesterday's product activity is not exported yet (its first hours after
    midnight), so that a history run works at any hour."""
    now = now or datetime.now(UTC)
    last = business_day(now) - timedelta(days=1)
    while not activity_complete(last, now):
        last -= timedelta(days=1)
    return last - timedelta(days=days - 1), last


def days_between(start: datetime, end: datetime) -> list[date]:
    """The business days of the half-open window [start, end) whose bounds are day
    boundaries (a Dagster partition window): one day for a daily run, many for a backfill.
    Raises ValueError for an empty window."""
    first, last = business_day(start), business_day(end)
    if last <= first:
        raise ValueError(f"empty day window {start} .. {end}")
    return [first + timedelta(days=n) for n in range((last - first).days)]


def window_of_days(first: date, last: date) -> Window:
    """The UTC window [first 00:00, last + 1 00:00) covering the days first..last."""
    return day_bounds(first)[0], day_bounds(last)[1]


def partition_range(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """(first, last) day of a run's partitions from its tags; None for a run of no
    partition (which works on the whole history)."""
    first = tags.get(RANGE_START_TAG, tags.get(PARTITION_TAG))
    last = tags.get(RANGE_END_TAG, tags.get(PARTITION_TAG))
    if first is None or last is None:
        return None
    return date.fromisoformat(first), date.fromisoformat(last)


def range_tags(first: date, last: date) -> dict[str, str]:
    """The tags that make a run a single-run backfill of the days first..last."""
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


def dbt_vars(
    days: tuple[date, date] | None, settings: WindowSettings | None = None
) -> dict[str, str | int]:
    """The vars every dbt invocation gets: the business time zone, the payments lookback
    (whole days), where the records begin and the longest billing period (what a landed
    history needs to be complete), the company file's (`salesboard.company.dbt_vars`) and,
    for a run of partitions (first, last), its day window as half-open ISO dates
    [min_day, max_day). No window = the whole landed history."""
    settings = settings or WindowSettings()
    variables: dict[str, str | int] = company_dbt_vars(company()) | {
        "business_tz": business_tz_name(),
        "lookback_days": settings.payments_lookback.days,
        "history_start_day": history_start().isoformat(),
        "longest_period_months": settings.longest_period_months,
    }
    if days is not None:
        first, last = days
        if last < first:
            raise ValueError(f"empty day window {first} .. {last}")
        variables |= {"min_day": first.isoformat(), "max_day": (last + timedelta(1)).isoformat()}
    return variables
