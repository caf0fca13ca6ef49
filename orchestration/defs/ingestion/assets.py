"""One asset per stream: pull each day of the run's partitions into the landing zone, then
validate what landed. The logic is in `ingestion/` (pull, landing, quality); this file only
maps it onto Dagster: partitions, pools, retries, metadata and check results.

Asset keys are `[source, stream]`, the keys dagster-dbt gives dbt sources of the same
names, so the landing and the warehouse form one lineage graph.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta

import dagster as dg
import orjson
import pyarrow.parquet as pq

from ingestion.errors import SourceError, SourceUnavailableError
from ingestion.landing import LandingResult
from ingestion.pull import CHUNK_DAYS, pull_days
from ingestion.quality import (
    Partition,
    StreamValidator,
    check_description,
    check_names,
    load_policy,
)
from ingestion.streams import STREAMS
from ingestion.windows import fetch_window
from orchestration.defs.ingestion.settings import IngestionSettings
from orchestration.defs.partitions import daily_partitions
from orchestration.progress import progress_event
from salesboard.calendar import BUSINESS_TZ_NAME, activity_complete, days_between
from salesboard.layout import data_layout

# A source is stale when its daily partition has not landed by this time (Moscow).
FRESHNESS_DEADLINES = {"telphin": "0 8 * * *", "amocrm": "0 8 * * *", "yookassa": "0 8 * * *"}
FRESHNESS_DEADLINES["amplitude"] = "0 9 * * *"  # the export lags uploads by >= 2 h
# A backfill validates and reports its days in batches (at most CHUNK_DAYS days or this
# many landed rows; a 100x day of activity events goes alone): GX and each event Dagster
# stores cost tens of milliseconds whatever their size, and a year is 3,650 stream-days.
BATCH_ROWS = 200_000


def _batch_name(batch: list[LandingResult]) -> str:
    """`2025-01-01` or `2025-01-01..2025-01-31`: the days a progress event reports."""
    return f"{batch[0].day}" if len(batch) == 1 else f"{batch[0].day}..{batch[-1].day}"


def _landing_metadata(results: list[LandingResult]) -> dict[str, dg.MetadataValue]:
    totals: Counter = Counter()
    drift: Counter = Counter()
    reasons: Counter = Counter()
    flagged: Counter = Counter()
    for result in results:
        totals.update(
            fetched=result.fetched,
            landed=result.landed,
            quarantined=result.quarantined,
            duplicates_dropped=result.duplicates_dropped,
            landing_bytes=result.landing_bytes,
        )
        drift.update({f"unknown:{k}": v for k, v in result.unknown_fields.items()})
        drift.update({f"missing:{k}": v for k, v in result.missing_fields.items()})
        drift.update({f"retyped:{k}": v for k, v in result.retyped_fields.items()})
        reasons.update(result.quarantine_reasons)
        flagged.update(result.flagged)
    metadata: dict[str, dg.MetadataValue] = {
        name: dg.MetadataValue.int(value) for name, value in sorted(totals.items())
    }
    metadata["days"] = dg.MetadataValue.int(len(results))
    metadata["schema_drift"] = dg.MetadataValue.json(dict(sorted(drift.items())))
    metadata["quarantine_reasons"] = dg.MetadataValue.json(dict(sorted(reasons.items())))
    # Landed but noteworthy rows: deletions, implausible device clocks (Quality.flags).
    metadata["flagged"] = dg.MetadataValue.json(dict(sorted(flagged.items())))
    metadata["per_day"] = dg.MetadataValue.md(
        "| day | fetched | landed | quarantined | duplicates |\n|---|---|---|---|---|\n"
        + "\n".join(
            f"| {r.day} | {r.fetched} | {r.landed} | {r.quarantined} | {r.duplicates_dropped} |"
            for r in results[-31:]
        )
    )
    if results:
        metadata["landing_path"] = dg.MetadataValue.path(str(results[-1].landing_path))
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
            timezone=BUSINESS_TZ_NAME,
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
        results = []
        with getattr(context.resources, spec.source).client() as client:
            landings = pull_days(
                client, stream, days, layout, run_id=context.run.run_id,
                ingested_at=now, window_settings=windows,
            )  # fmt: skip
            pending: list[Partition] = []  # landed, to validate and report as one batch
            try:
                for done, result in enumerate(landings, start=1):
                    results.append(result)
                    table = pq.read_table(result.landing_path)
                    window = fetch_window(stream, result.day, windows)
                    pending.append((result.day.isoformat(), table, window, result))
                    rows = sum(partition[1].num_rows for partition in pending)
                    if done == len(days) or len(pending) >= CHUNK_DAYS or rows >= BATCH_ROWS:
                        validator.validate_days(outcomes, pending)
                        batch = _batch_name(results[-len(pending) :])
                        context.log_event(progress_event(key, done, len(days), batch))
                        pending = []
            except SourceUnavailableError as exc:
                raise dg.RetryRequested(max_retries=2, seconds_to_wait=30) from exc
            except SourceError as exc:
                raise dg.Failure(description=str(exc), allow_retries=False) from exc
            stats = {k: v for k, v in vars(client.stats).items() if isinstance(v, int)}
        metadata = _landing_metadata(results)
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
