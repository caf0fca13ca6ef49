"""Every dbt model, seed and test as Dagster assets and checks, built by one `dbt build`.

The warehouse assets are not partitioned: each is one table, and a run of the daily job
(one day, or a backfill's range as one run) builds them once, with its days as dbt's
window [min_day, max_day) for the incremental models. Partitioning them by day would add
nothing a table can show and cost Dagster two events per model and day (planned and
materialized, each a SQLite commit): most of a year's backfill (docs/performance.md).
The day-level record is the landing assets'. dbt sources are named like the landing
assets (`telphin.calls` -> `telphin/calls`), so lineage is one graph; dbt tests of
severity error become blocking checks. The `warehouse` pool keeps DuckDB to one writer.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.ingestion.settings import IngestionSettings
from orchestration.warehouse_project import salesboard_dbt
from salesboard.calendar import dbt_vars, partition_range
from salesboard.dbt import build_args, vars_args

LAYER_GROUPS = {
    "reference": "reference",
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts",
}


def test_description(test: Mapping[str, Any]) -> str:
    """A dbt test node's description: its own, else what it asserts (test, column,
    arguments) and its severity, so no check shows "No description provided"."""
    severity = str(test.get("config", {}).get("severity", "error")).lower()
    if test.get("description"):
        return f"{test['description']} (dbt, severity {severity})"
    metadata = test.get("test_metadata") or {}
    if not metadata:
        return f"dbt singular test `{test['name']}` (tests/singular), severity {severity}."
    kwargs = {k: v for k, v in metadata.get("kwargs", {}).items() if k != "model"}
    column = kwargs.pop("column_name", None)
    on = f" on `{column}`" if column else ""
    arguments = ", ".join(f"{k}={v}" for k, v in sorted(kwargs.items()) if v is not None)
    return (
        f"dbt test `{metadata['name']}`{on}"
        + (f" ({arguments})" if arguments else "")
        + (f", severity {severity}.")
    )


class SalesboardDbtTranslator(DagsterDbtTranslator):
    """Groups follow the dbt layer folders (the company's reference tables included); every
    dbt test's check carries a description."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return next((LAYER_GROUPS[part] for part in fqn if part in LAYER_GROUPS), "warehouse")

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(
            spec.name,
            asset=spec.asset_key,
            description=test_description(manifest["nodes"][unique_id]),
            additional_deps=spec.additional_deps,
            blocking=spec.blocking,
            metadata=spec.metadata,
            automation_condition=spec.automation_condition,
            partitions_def=spec.partitions_def,
        )


class WarehouseBuildConfig(dg.Config):
    full_refresh: bool = False
    # Build over every landed day, not only the run's: a history whose payments were landed
    # further back by a lead-in run (`salesboard run`) needs them in the payment models.
    whole_history: bool = False


@dbt_assets(
    manifest=salesboard_dbt.manifest_path,
    project=salesboard_dbt,
    dagster_dbt_translator=SalesboardDbtTranslator(),
    pool="warehouse",
    name="warehouse",
    # Not partitioned, but part of every single-run backfill of the daily job: declaring
    # it lets `dg launch --job daily_pipeline --partition-range A...B` run a range as one
    # run, which Dagster allows only when every asset of the job has this policy.
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def warehouse(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    ingestion_settings: IngestionSettings,
    config: WarehouseBuildConfig,
):
    """The run's days (every landed day with `whole_history`) and the ingestion windows'
    lookback reach dbt as vars, with the company file's (`salesboard.calendar.dbt_vars`)."""
    days = None if config.whole_history else partition_range(context.run.tags)
    variables = dbt_vars(days, ingestion_settings.windows())
    context.log.info(
        f"dbt build for [{variables['min_day']}, {variables['max_day']})"
        if "min_day" in variables
        else "dbt build over the whole landed history (a run of no partition)"
    )
    args = [*build_args(full_refresh=config.full_refresh), *vars_args(variables)]
    yield from dbt.cli(args, context=context).stream()
