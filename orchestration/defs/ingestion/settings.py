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
    """How far back each daily run re-reads, to catch late and changed records."""

    payments_lookback_days: int = DEFAULTS.payments_lookback // DAY
    calls_overlap_hours: int = DEFAULTS.calls_overlap // HOUR
    activity_delay_hours: int = DEFAULTS.activity_delay // HOUR
    late_lookback_hours: int = DEFAULTS.late_lookback // HOUR

    def windows(self) -> WindowSettings:
        return WindowSettings(
            calls_overlap=self.calls_overlap_hours * HOUR,
            payments_lookback=self.payments_lookback_days * DAY,
            activity_delay=self.activity_delay_hours * HOUR,
            late_lookback=self.late_lookback_hours * HOUR,
        )
