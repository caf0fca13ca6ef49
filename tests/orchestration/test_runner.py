"""The progress line follows streams that report their days in batches."""

import io

import dagster as dg

from orchestration.runner import Progress, _report


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
