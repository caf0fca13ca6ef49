"""Tunable windows of the daily pull, settable per run in the launchpad.

The defaults are the calendar's (`salesboard.calendar.WindowSettings`); the warehouse step
hands the same payments lookback to dbt, so the two never diverge.
"""

from datetime import timedelta

import dagster as dg

from salesboard.calendar import WindowSettings

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
DEFAULTS = WindowSettings()


class IngestionSettings(dg.ConfigurableResource):
    """How far back each daily run re-reads, to catch late and changed records, and how a
    landing step meets a vendor that stays unavailable past its client's own retries (429,
    5xx, timeouts): Dagster retries the step `step_retries` times, `step_retry_wait_seconds`
    apart (README, "Schedules, backfills, alerts"). Other source errors fail at once."""

    payments_lookback_days: int = DEFAULTS.payments_lookback // DAY
    calls_overlap_hours: int = DEFAULTS.calls_overlap // HOUR
    activity_delay_hours: int = DEFAULTS.activity_delay // HOUR
    late_lookback_hours: int = DEFAULTS.late_lookback // HOUR
    step_retries: int = 2
    step_retry_wait_seconds: int = 30

    def windows(self) -> WindowSettings:
        return WindowSettings(
            calls_overlap=self.calls_overlap_hours * HOUR,
            payments_lookback=self.payments_lookback_days * DAY,
            activity_delay=self.activity_delay_hours * HOUR,
            late_lookback=self.late_lookback_hours * HOUR,
        )
