"""The progress line follows streams that report their days in batches."""

import io
import os
from datetime import UTC, date, datetime
from unittest import mock

import dagster as dg

from orchestration.launcher import load_settings
from orchestration.runner import Progress, _report, history_range


def test_progress_counts_the_days_each_stream_reports_done():
    @dg.asset
    def lands(context: dg.AssetExecutionContext) -> None:
        context.log.info("[31/40] amocrm.leads 2025-01-01..2025-01-31: 9 fetched, ...")
        context.log.info("[40/40] amocrm.leads 2025-02-01..2025-02-09: 3 fetched, ...")
        context.log.info("[1/40] telphin.calls 2025-01-01: 5 fetched, ...")

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([lands], instance=instance)
    progress = Progress(instance, result.run_id, units=80, out=io.StringIO())
    progress.poll()
    assert progress.done == 41


def test_a_backfill_prints_its_one_published_board_once(capsys, tmp_path):
    days = dg.DailyPartitionsDefinition(start_date="2025-01-01")

    @dg.asset(key=["board", "snapshot"], partitions_def=days,
              backfill_policy=dg.BackfillPolicy.single_run())  # fmt: skip
    def board() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path("boards/2025-01-03")})

    tags = {
        "dagster/asset_partition_range_start": "2025-01-01",
        "dagster/asset_partition_range_end": "2025-01-03",
    }
    result = dg.materialize([board], instance=dg.DagsterInstance.ephemeral(), tags=tags)
    assert len(result.get_asset_materialization_events()) == 3  # one per day
    assert _report(result, tmp_path / "run.log") == 0
    assert capsys.readouterr().out.count("board: boards/2025-01-03/index.html") == 1


def test_a_backfill_plans_each_asset_once_not_once_per_day(tmp_path):
    """`load_settings` makes a single-run backfill log one planned event per asset: on the
    SQLite instance each event is a commit, and a year's backfill logged one per day."""
    days = dg.DailyPartitionsDefinition(start_date="2025-01-01")

    @dg.asset(partitions_def=days, backfill_policy=dg.BackfillPolicy.single_run())
    def landed() -> None:
        return None

    tags = {
        "dagster/asset_partition_range_start": "2025-01-01",
        "dagster/asset_partition_range_end": "2025-01-05",
    }
    with mock.patch.dict(os.environ, {"SALESBOARD_DATA_DIR": str(tmp_path / "data")}):
        os.environ.pop("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", None)
        load_settings()
        with dg.instance_for_test() as instance:
            result = dg.materialize([landed], instance=instance, tags=tags)
            planned = instance.get_records_for_run(
                result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
            ).records
    assert len(planned) == 1
    assert len(result.get_asset_materialization_events()) == 5


def test_history_ends_at_the_last_day_whose_activity_is_exported():
    """Regression: just after midnight in Moscow, yesterday's Amplitude export is still
    due and `make run` failed on it; the history then ends the day before."""
    evening = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)  # 21:00 in Moscow
    assert history_range(3, evening) == (date(2026, 11, 23), date(2026, 11, 25))
    after_midnight = datetime(2026, 11, 26, 21, 14, tzinfo=UTC)  # 00:14 on the 27th
    assert history_range(3, after_midnight) == (date(2026, 11, 23), date(2026, 11, 25))
    morning = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 06:00, when the schedule runs
    assert history_range(1, morning) == (date(2026, 11, 26), date(2026, 11, 26))
