"""Daily partitions: one per business day (`salesboard.calendar`), the team's working day."""

import dagster as dg

from salesboard.calendar import business_tz_name, history_start

# The first day to ingest: the company file's `start_date` (`salesboard.calendar`).
START_DATE = history_start().isoformat()

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=START_DATE, timezone=business_tz_name(), end_offset=0
)
