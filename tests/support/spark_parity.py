"""Spark parity for tests: the dbt project built on the `spark` target the way the Dagster
warehouse asset builds it, and the marts of two engines compared row for row (counts, money,
days and text exactly; doubles within 1e-9 relative)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject

from publishing.marts import MartsSource
from salesboard.calendar import dbt_vars
from salesboard.dbt import vars_args
from salesboard.layout import DBT_PROJECT_DIR

RELATIVE_TOLERANCE = 1e-9


def build_as_dagster_does(target_path: Path, command: str = "build") -> tuple[dict, set[str]]:
    """`dbt <command>` (`build`, or `run`: the models alone) on Spark through dagster-dbt
    (parse, then DbtCliResource, which reads dbt's JSON events from stdout merged with the
    JVM's stderr): the manifest, and the models Dagster saw materialized."""
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target="spark",
        target_path=target_path,
    )
    project.preparer.prepare(project)
    invocation = DbtCliResource(project_dir=project).cli(
        [command, *vars_args(dbt_vars(None))],
        manifest=project.manifest_path,
        target_path=target_path,
    )
    materialized = {
        event.asset_key.path[-1]
        for event in invocation.stream()
        if isinstance(event, dg.AssetMaterialization)
    }
    assert invocation.is_successful()
    results = invocation.get_artifact("run_results.json")["results"]
    assert {result["status"] for result in results} <= {"success", "pass"}, "warning-free"
    return json.loads(project.manifest_path.read_text()), materialized


def nodes(manifest: dict, resource_types: set[str], folder: str = "") -> set[str]:
    return {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in resource_types and node["path"].startswith(folder)
    }


def _rows(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> tuple[list, list]:
    columns = sorted(
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = ? AND table_schema = 'marts' AND table_name = ?",
            [catalog, table],
        ).fetchall()
    )
    selected = ", ".join(f'"{c}"' for c in columns)
    rows = con.execute(f'SELECT {selected} FROM "{catalog}".marts."{table}"').fetchall()
    return columns, sorted(rows, key=_sort_key)


def _sort_key(row: tuple) -> tuple:
    """Nulls last per column; doubles rounded for ordering only, so a 1e-15 difference
    cannot reorder rows (the comparison itself is exact or 1e-9 relative)."""
    return tuple(
        (value is None, float(f"{value:.9g}") if isinstance(value, float) else value)
        for value in row
    )


def _same(left, right) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0)
    return left == right  # int, Decimal (money), date, timestamp, str, bool, None: exact


def differences(duck: MartsSource, spark: MartsSource, marts: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    with duckdb.connect() as con:
        duck.attach(con, "duck")
        spark.attach(con, "spark")
        for table in sorted(marts):
            duck_columns, duck_rows = _rows(con, "duck", table)
            spark_columns, spark_rows = _rows(con, "spark", table)
            if duck_columns != spark_columns:
                found[table] = f"columns {set(duck_columns) ^ set(spark_columns)}"
            elif len(duck_rows) != len(spark_rows):
                found[table] = f"{len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark"
            else:
                cells = [
                    (column, left, right)
                    for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True)
                    for column, left, right in zip(duck_columns, duck_row, spark_row, strict=True)
                    if not _same(left, right)
                ]
                if cells:
                    found[table] = f"{len(cells)} cells differ, e.g. {cells[:3]}"
    return found


def same_board(left: dict[str, list[dict]], right: dict[str, list[dict]]) -> bool:
    """The board's inputs from two engines: same rows in any order, figures as `_same`."""

    def ordered(rows: list[dict]) -> list[tuple]:
        return sorted((tuple(sorted(row.items())) for row in rows), key=_sort_key)

    return left.keys() == right.keys() and all(
        len(left[name]) == len(right[name])
        and all(
            l_key == r_key and _same(l_value, r_value)
            for l_row, r_row in zip(ordered(left[name]), ordered(right[name]), strict=True)
            for (l_key, l_value), (r_key, r_value) in zip(l_row, r_row, strict=True)
        )
        for name in left
    )


def files_holding(root: Path, secret: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret in p.read_bytes()]
