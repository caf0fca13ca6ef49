"""The serving warehouse: a copy of the marts that BI tools open while the pipeline writes.

DuckDB lets one process write a file, and a reader of the warehouse would block dbt (or be
blocked by it). So after each successful build the marts are copied into a fresh file
beside `serving/salesboard.duckdb` and swapped in with one rename: a BI tool that holds the
old file keeps reading a consistent set of marts (the old inode), the next one that opens
sees the new set, and nobody ever waits for the pipeline. The marts come from whichever
engine built them (`MartsSource`); the copy is DuckDB either way. No Dagster imports: the
asset that calls this is a thin wrapper.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb

from publishing.marts import MartsSource, quoted

SERVED_SCHEMAS = ("marts",)


@dataclass(frozen=True)
class ServingResult:
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows
    bytes: int


def publish_serving(warehouse: MartsSource, serving: Path, schemas=SERVED_SCHEMAS) -> ServingResult:
    """Copy every table and view of `schemas` from `warehouse` (attached read-only) into a
    new file and atomically replace `serving` with it."""
    serving.parent.mkdir(parents=True, exist_ok=True)
    for stale in serving.parent.glob(f".{serving.name}.*.incoming"):
        stale.unlink()  # left by a killed run: never visible under the served name
    incoming = serving.with_name(f".{serving.name}.{secrets.token_hex(4)}.incoming")
    tables: dict[str, int] = {}
    try:
        with duckdb.connect(str(incoming)) as target:
            warehouse.attach(target, "warehouse")
            found = target.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_catalog = 'warehouse' AND list_contains(?, table_schema) "
                "ORDER BY 1, 2",
                [list(schemas)],
            ).fetchall()
            for schema, table in found:
                # Identifiers cannot be bound parameters; `quoted` validates them instead.
                name = f"{quoted(schema)}.{quoted(table)}"
                target.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted(schema)}")
                target.execute(f"CREATE TABLE {name} AS SELECT * FROM warehouse.{name}")  # noqa: S608
                count_sql = f"SELECT count(*) FROM {name}"  # noqa: S608
                tables[f"{schema}.{table}"] = target.execute(count_sql).fetchone()[0]
            target.execute("DETACH warehouse")
            target.execute("CHECKPOINT")
        with incoming.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(incoming, serving)
    finally:
        incoming.unlink(missing_ok=True)
    return ServingResult(path=serving, tables=tables, bytes=serving.stat().st_size)
