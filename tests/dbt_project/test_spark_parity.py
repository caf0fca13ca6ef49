"""The same dbt project on Apache Spark gives the same marts as on DuckDB.

The demo world (4 weeks, landed over HTTP by the `warehouse` fixture, which also runs
`dbt build` on DuckDB) is built again with `dbt build` on the `spark` target (PySpark in
process, local[2], its warehouse and metastore in the test's data dir), invoked the way
the Dagster warehouse asset invokes it: models, seeds, data tests and unit tests must pass
there too, and Dagster must see every model materialized. Then every mart (every model under
models/marts) is read back through `MartsSource`, the one reader the board and the serving
copy use, and compared row for row: counts, money, days and text exactly, doubles within
1e-9 relative. A window rerun of the incremental models on Spark (insert_overwrite by day)
must leave the marts unchanged, and the phone salt must appear in nothing Spark wrote.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dbt import DbtCliResource, DbtProject

from publishing.board.warehouse import read_board_rows
from publishing.marts import MartsSource
from publishing.serving import publish_serving
from salesboard.calendar import dbt_vars
from salesboard.dbt import vars_args
from salesboard.layout import DBT_PROJECT_DIR, DataLayout
from tests.dbt_project.test_marts_vs_truth import _dbt, warehouse  # noqa: F401

RELATIVE_TOLERANCE = 1e-9
SALT = "test-salt"  # the `warehouse` fixture's


def _build_as_dagster_does(target_path: Path) -> tuple[dict, set[str]]:
    """`dbt build` on Spark through dagster-dbt (parse, then DbtCliResource, which reads
    dbt's JSON events from stdout merged with the JVM's stderr): the manifest, and the
    models Dagster saw materialized."""
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target="spark",
        target_path=target_path,
    )
    project.preparer.prepare(project)
    invocation = DbtCliResource(project_dir=project).cli(
        ["build", *vars_args(dbt_vars(None))],
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


def _nodes(manifest: dict, resource_types: set[str], folder: str = "") -> set[str]:
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


def _differences(duck: MartsSource, spark: MartsSource, marts: set[str]) -> dict[str, str]:
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


def _same_board(left: dict[str, list[dict]], right: dict[str, list[dict]]) -> bool:
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


def _files_holding(root: Path, secret: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret in p.read_bytes()]


@pytest.mark.slow
def test_spark_builds_the_same_marts_as_duckdb(warehouse: Path, tmp_path, monkeypatch):  # noqa: F811
    data_dir = warehouse.parents[1]
    layout = DataLayout(data_dir)
    duck = MartsSource.of(layout, "duckdb")
    monkeypatch.setenv("SALESBOARD_ENGINE", "spark")
    spark_run = tmp_path / "spark_run"
    manifest, materialized = _build_as_dagster_does(spark_run / "dbt_target")
    assert materialized == _nodes(manifest, {"model", "seed"})
    spark = MartsSource.of(layout, "spark")
    marts = _nodes(manifest, {"model"}, "marts/")
    assert {"mart_board", "mart_mrr_monthly", "mart_forecast_daily", "fct_calls"} <= marts

    assert _differences(duck, spark, marts) == {}

    # A daily window rerun: Spark overwrites the window's day partitions of the
    # incremental models and must land on the same rows (fct_payments re-reads whole days).
    window = {"min_day": "2024-07-22", "max_day": "2024-07-29"}
    _dbt(spark_run, "run", "--select", "config.materialized:incremental", variables=window)
    assert _differences(duck, spark, marts) == {}

    # The board and the serving copy read the Spark-built marts like the DuckDB ones.
    last_day = date(2024, 7, 28)
    board = read_board_rows(spark, last_day)
    assert board["board_rows"], "the board has rows for the last day"
    assert _same_board(board, read_board_rows(duck, last_day))
    served = {
        engine: publish_serving(source, tmp_path / engine / "serving.duckdb").tables
        for engine, source in (("duckdb", duck), ("spark", spark))
    }
    assert served["spark"] == served["duckdb"]
    assert set(served["spark"]) == {f"marts.{name}" for name in marts}

    # The salt reached Spark from the environment only: not in compiled SQL, dbt's logs,
    # the metastore or the tables.
    assert _files_holding(spark_run, SALT.encode()) == []
    assert _files_holding(data_dir / "spark", SALT.encode()) == []
