"""Daily partitions: one per business day (`salesboard.calendar`), the team's working day."""

import os

import dagster as dg

from salesboard.calendar import BUSINESS_TZ_NAME

# The first day to ingest. The demo company's history starts here; set it to your own
# first day of data when pointing at real vendors.
START_DATE = os.environ.get("SALESBOARD_START_DATE", "2024-07-01")

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=START_DATE, timezone=BUSINESS_TZ_NAME, end_offset=0
)
