"""Tunable windows of the daily pull, settable per run in the launchpad."""

from datetime import timedelta

import dagster as dg

from ingestion.windows import WindowSettings


class IngestionSettings(dg.ConfigurableResource):
    """How far back each daily run re-reads, to catch late and changed records."""

    payments_lookback_days: int = 14
    calls_overlap_hours: int = 2
    activity_delay_hours: int = 2
    late_lookback_hours: int = 24

    def windows(self) -> WindowSettings:
        return WindowSettings(
            calls_overlap=timedelta(hours=self.calls_overlap_hours),
            payments_lookback=timedelta(days=self.payments_lookback_days),
            activity_delay=timedelta(hours=self.activity_delay_hours),
            late_lookback=timedelta(hours=self.late_lookback_hours),
        )
