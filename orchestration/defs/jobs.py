"""The main job and its schedule: every day at 06:00 Moscow time, the previous day.

06:00 leaves Amplitude's export (>= 2 h late) and late CRM edits time to arrive, and
the board is ready before the morning stand-up.
"""

import dagster as dg

from orchestration.defs.partitions import daily_partitions

# Each step runs in its own process (the ingestion steps in parallel), forked from a server
# that has imported the asset modules once, instead of a fresh interpreter per step that
# imports Dagster, dbt and the manifest again (the README's two-day `dg launch`, alone on
# 2 cores: 200 s with fresh interpreters, 131 s forked).
step_processes = dg.multiprocess_executor.configured(
    {
        "start_method": {
            "forkserver": {
                "preload_modules": [
                    "orchestration.defs.board.assets",
                    "orchestration.defs.ingestion.assets",
                    "orchestration.defs.warehouse.assets",
                ]
            }
        }
    }
)

daily_pipeline = dg.define_asset_job(
    "daily_pipeline",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    executor_def=step_processes,
    description="For the run's days: pull every source, land and validate it, build the "
    "warehouse with dbt, publish the board and the serving copy.",
)

daily_pipeline_schedule = dg.build_schedule_from_partitioned_job(
    daily_pipeline, hour_of_day=6, minute_of_hour=0, name="daily_pipeline_0600_msk"
)
