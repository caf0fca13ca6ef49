"""One asset per stream: pull each day of the run's partitions into the landing zone, then
validate what landed. The logic is in `ingestion/` (`ingest.ingest_days`); this file only
maps it onto Dagster: partitions, pools, retries, progress events, metadata and checks.

Asset keys are `[source, stream]`, the keys dagster-dbt gives dbt sources of the same
names, so the landing and the warehouse form one lineage graph.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg
import orjson

from ingestion.errors import SourceError, SourceUnavailableError
from ingestion.ingest import RunTotals, ingest_days
from ingestion.quality import StreamValidator, check_description, check_names, load_policy
from ingestion.streams import STREAMS
from orchestration.defs.ingestion.settings import IngestionSettings
from orchestration.defs.partitions import daily_partitions
from orchestration.progress import progress_event
from salesboard.calendar import activity_complete, business_tz_name, days_between
from salesboard.layout import data_layout

# A source is stale when its daily partition has not landed by this time (Moscow).
FRESHNESS_DEADLINES = {"telphin": "0 8 * * *", "amocrm": "0 8 * * *", "yookassa": "0 8 * * *"}
FRESHNESS_DEADLINES["amplitude"] = "0 9 * * *"  # the export lags uploads by >= 2 h


def _landing_metadata(run: RunTotals) -> dict[str, dg.MetadataValue]:
    metadata: dict[str, dg.MetadataValue] = {
        name: dg.MetadataValue.int(value) for name, value in sorted(run.totals.items())
    }
    metadata["days"] = dg.MetadataValue.int(len(run.results))
    metadata["schema_drift"] = dg.MetadataValue.json(dict(sorted(run.drift.items())))
    metadata["quarantine_reasons"] = dg.MetadataValue.json(
        dict(sorted(run.quarantine_reasons.items()))
    )
    # Landed but noteworthy rows: deletions, implausible device clocks (Quality.flags).
    metadata["flagged"] = dg.MetadataValue.json(dict(sorted(run.flagged.items())))
    metadata["per_day"] = dg.MetadataValue.md(run.per_day_table())
    if run.results:
        metadata["landing_path"] = dg.MetadataValue.path(str(run.results[-1].landing_path))
    return metadata


def build_stream_asset(stream: str) -> dg.AssetsDefinition:
    spec = STREAMS[stream]
    key = dg.AssetKey([spec.source, spec.name])
    policy = load_policy()
    check_specs = [
        dg.AssetCheckSpec(
            name,
            asset=key,
            blocking=policy.is_blocking(name),
            description=check_description(spec, name),
        )
        for name in check_names(spec)
    ]

    @dg.asset(
        key=key,
        group_name=spec.source,
        description=f"`{stream}` landed as Parquet per business day (`data/landing/"
        f"{spec.source}/{spec.name}/day=YYYY-MM-DD/`), validated at the door.",
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=f"vendor_{spec.source}",
        check_specs=check_specs,
        required_resource_keys={spec.source, "ingestion_settings"},
        freshness_policy=dg.FreshnessPolicy.cron(
            deadline_cron=FRESHNESS_DEADLINES[spec.source],
            lower_bound_delta=timedelta(hours=3),
            timezone=business_tz_name(),
        ),
        kinds={"python", "parquet"},
        metadata={"natural_key": ", ".join(spec.key)},
    )
    def land_stream(context: dg.AssetExecutionContext):
        settings: IngestionSettings = context.resources.ingestion_settings
        windows = settings.windows()
        layout = data_layout().ensure()
        run_window = context.partition_time_window
        days = days_between(run_window.start, run_window.end)
        now = datetime.now(UTC)
        if spec.source == "amplitude" and not activity_complete(days[-1], now, windows):
            raise dg.Failure(f"{stream}: the export for {days[-1]} is not complete yet")
        validator = StreamValidator(spec, policy)
        outcomes = validator.outcomes()
        run = RunTotals()
        with getattr(context.resources, spec.source).client() as client:
            batches = ingest_days(
                client, stream, days, layout, outcomes, validator,
                run_id=context.run.run_id, ingested_at=now, settings=windows,
            )  # fmt: skip
            try:
                for batch in batches:
                    run.add(batch.results)
                    context.log_event(progress_event(key, batch.done, batch.total, batch.name))
            except SourceUnavailableError as exc:
                raise dg.RetryRequested(
                    max_retries=settings.step_retries,
                    seconds_to_wait=settings.step_retry_wait_seconds,
                ) from exc
            except SourceError as exc:
                raise dg.Failure(description=str(exc), allow_retries=False) from exc
            stats = {k: v for k, v in vars(client.stats).items() if isinstance(v, int)}
        metadata = _landing_metadata(run)
        metadata["client"] = dg.MetadataValue.json(stats)
        yield dg.MaterializeResult(metadata=metadata)
        for outcome in outcomes.values():
            yield dg.AssetCheckResult(
                check_name=outcome.name,
                passed=outcome.passed,
                severity=dg.AssetCheckSeverity.ERROR
                if outcome.severity == "error"
                else dg.AssetCheckSeverity.WARN,
                metadata={
                    "failing_days": dg.MetadataValue.int(len(outcome.failures)),
                    "problems": dg.MetadataValue.json(
                        orjson.loads(orjson.dumps(dict(list(outcome.failures.items())[:10])))
                    ),
                },
            )

    return land_stream


stream_assets = [build_stream_asset(stream) for stream in STREAMS]
