"""Order-independent checksums of warehouse tables: "the same warehouse" made testable.

Used by the idempotency and crash-safety checks: two builds are equal when every table has
the same row count and the same sum of row hashes (row order does not matter, any change
to any value does). Opens the file read-only.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def table_checksums(database: Path, schemas: tuple[str, ...] = ("marts",)) -> dict[str, tuple]:
    """`{"schema.table": (rows, hash sum)}` for every table and view in `schemas`."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE list_contains(?, table_schema) ORDER BY 1, 2",
            [list(schemas)],
        ).fetchall()
        sums = {}
        for schema, table in tables:
            if not (schema + table).replace("_", "").isalnum():
                raise ValueError(f"refusing identifier {schema}.{table}")
            sql = f'SELECT count(*), coalesce(sum(hash(t)), 0) FROM "{schema}"."{table}" AS t'
            sums[f"{schema}.{table}"] = tuple(con.execute(sql).fetchone())
    return sums
