"""Daily partitions: one per business day (`salesboard.calendar`), the team's working day."""

import dagster as dg

from salesboard.calendar import BUSINESS_TZ_NAME, history_start

# The first day to ingest: the company file's `start_date` (`salesboard.calendar`).
START_DATE = history_start().isoformat()

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=START_DATE, timezone=BUSINESS_TZ_NAME, end_offset=0
)
