"""The serving copy: BI readers never block the pipeline and always see one consistent set."""

from __future__ import annotations

import duckdb
import pytest

from publishing.marts import MartsSource
from publishing.serving import publish_serving


def _warehouse(path, version: int) -> MartsSource:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute("CREATE SCHEMA IF NOT EXISTS staging")
        con.execute(f"CREATE OR REPLACE TABLE marts.fct_a AS SELECT {version} AS v, range AS n "
                    "FROM range(10)")  # fmt: skip
        con.execute(f"CREATE OR REPLACE TABLE marts.fct_b AS SELECT {version} AS v")
        con.execute("CREATE OR REPLACE TABLE staging.stg_raw AS SELECT 'phone' AS secret")
    return MartsSource("duckdb", path)


def test_marts_are_served_and_staging_is_not(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving" / "s.duckdb"
    result = publish_serving(_warehouse(warehouse, 1), serving)
    assert result.tables == {"marts.fct_a": 10, "marts.fct_b": 1}
    with duckdb.connect(str(serving), read_only=True) as reader:
        schemas = {
            r[0] for r in reader.execute("select schema_name from duckdb_schemas()").fetchall()
        }
        assert "staging" not in schemas


def test_a_reader_holding_the_file_keeps_a_consistent_set_while_it_is_replaced(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving" / "s.duckdb"
    publish_serving(_warehouse(warehouse, 1), serving)
    with duckdb.connect(str(serving), read_only=True) as old_reader:
        newer = _warehouse(warehouse, 2)
        publish_serving(newer, serving)  # must not wait for, nor break, the reader
        both = old_reader.execute(
            "select (select max(v) from marts.fct_a), (select max(v) from marts.fct_b)"
        ).fetchone()
        assert both == (1, 1)
    with duckdb.connect(str(serving), read_only=True) as new_reader:
        assert new_reader.execute("select max(v) from marts.fct_a").fetchone() == (2,)


def test_leftovers_of_a_killed_publish_are_never_served_and_get_cleaned(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving" / "s.duckdb"
    source = _warehouse(warehouse, 1)
    serving.parent.mkdir()
    leftover = serving.with_name(f".{serving.name}.dead.incoming")
    leftover.write_bytes(b"half a database")
    publish_serving(source, serving)
    assert not leftover.exists()
    assert sorted(p.name for p in serving.parent.iterdir()) == [serving.name]


def test_odd_schema_names_are_refused(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute('CREATE SCHEMA "marts; drop"')
        con.execute('CREATE TABLE "marts; drop".t AS SELECT 1 AS x')
    with pytest.raises(ValueError):
        publish_serving(
            MartsSource("duckdb", warehouse), tmp_path / "s.duckdb", schemas=("marts; drop",)
        )
