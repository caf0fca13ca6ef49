"""The fetch windows as the README's "Ingestion" table states them, written on the test side
so that a truth built from the world's records does not borrow the product's window rules
(`ingestion.windows`); `tests/ingestion/test_windows.py` pins the two together.

The constants are the README's words: calls "plus a 2 h overlap before" the day; payments
"created in D and the 14 days before"; "every windowed stream also re-reads at least the
day before its own (`late_lookback`, 24 h)"; leads and contacts: "a run's last day up to
the run's start"; the days are Moscow's (domain.md).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.support.funnel_truth import end_of

SNAPSHOTS = {"telphin.extensions", "amocrm.users", "amocrm.pipelines"}
REACH_BEFORE_THE_DAY = {
    "telphin.calls": timedelta(hours=2),
    "yookassa.payments": timedelta(days=14),
}
UP_TO_THE_RUNS_START = {"amocrm.leads", "amocrm.contacts"}
LATE_LOOKBACK = timedelta(hours=24)


def readme_window(
    stream: str, day: date, run_start: datetime | None = None
) -> tuple[datetime, datetime] | None:
    """[start, end) in UTC that `stream` fetches for business day `day` (None: a snapshot);
    `run_start` for a run's last day."""
    if stream in SNAPSHOTS:
        return None
    start, end = end_of(day - timedelta(days=1)), end_of(day)
    back = max(REACH_BEFORE_THE_DAY.get(stream, timedelta(0)), LATE_LOOKBACK)
    if stream in UP_TO_THE_RUNS_START and run_start is not None:
        end = max(end, run_start)
    return start - back, end
