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

from orchestration.defs.partitions import run_time_window
from orchestration.warehouse_project import build_args, dbt_vars, salesboard_dbt

LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


class SalesboardDbtTranslator(DagsterDbtTranslator):
    """Groups follow the dbt layer folders; seeds are reference data."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return next((LAYER_GROUPS[part] for part in fqn if part in LAYER_GROUPS), "warehouse")


class WarehouseBuildConfig(dg.Config):
    full_refresh: bool = False


@dbt_assets(
    manifest=salesboard_dbt.manifest_path,
    project=salesboard_dbt,
    dagster_dbt_translator=SalesboardDbtTranslator(),
    pool="warehouse",
    name="warehouse",
)
def warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: WarehouseBuildConfig):
    window = run_time_window(context.run.tags)
    variables = {} if window is None else dbt_vars(window.start, window.end)
    context.log.info(
        f"dbt build for [{variables['min_day']}, {variables['max_day']})"
        if variables
        else "dbt build over the whole landed history (a run of no partition)"
    )
    yield from dbt.cli(
        build_args(variables, full_refresh=config.full_refresh), context=context
    ).stream()
