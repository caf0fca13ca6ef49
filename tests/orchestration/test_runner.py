"""The progress line follows streams that report their days in batches."""

import io

import dagster as dg

from orchestration.runner import Progress


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
