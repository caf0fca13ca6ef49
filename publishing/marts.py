"""Which engine builds the warehouse, and the one way Python reads the marts it built.

`SALESBOARD_ENGINE` (`salesboard.layout.current_engine`) names the dbt target (profiles.yml
has one output per engine). Whatever built them, the board and the serving copy read the
marts through `MartsSource.attach`: a read-only catalog in a DuckDB connection whose schema
`marts` holds every mart. On DuckDB that is the warehouse file attached read-only; on Spark,
one view per table over the Parquet files Spark wrote under its warehouse dir, read by
DuckDB without a JVM, a Spark session or the metastore (the board stays cheap, and a
reader never holds anything Spark needs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from salesboard.layout import DataLayout, current_engine

MARTS_SCHEMA = "marts"


def quoted(identifier: str) -> str:
    """A validated identifier: names come from catalogs and directory listings, never
    trusted as SQL."""
    if not identifier.replace("_", "").isalnum():
        raise ValueError(f"refusing identifier {identifier!r}")
    return f'"{identifier}"'


@dataclass(frozen=True)
class MartsSource:
    """Where the marts of one engine live: the DuckDB file, or Spark's warehouse dir."""

    engine: str
    path: Path

    @classmethod
    def of(cls, layout: DataLayout, engine: str | None = None) -> MartsSource:
        engine = engine or current_engine()
        path = layout.spark_warehouse if engine == "spark" else layout.warehouse_db
        return cls(engine, path)

    def attach(self, con: duckdb.DuckDBPyConnection, alias: str) -> None:
        """Make `<alias>.marts.<table>` readable in `con`, read-only."""
        if self.engine == "duckdb":
            con.execute(f"ATTACH ? AS {quoted(alias)} (READ_ONLY)", [str(self.path)])
            return
        con.execute(f"ATTACH ':memory:' AS {quoted(alias)}")
        con.execute(f"CREATE SCHEMA {quoted(alias)}.{MARTS_SCHEMA}")
        for table, files in self._spark_tables():
            # A view's text cannot take bound parameters; the path is quoted as a literal.
            literal = "'" + files.replace("'", "''") + "'"
            con.execute(
                f"CREATE VIEW {quoted(alias)}.{MARTS_SCHEMA}.{quoted(table)} AS "  # noqa: S608
                f"SELECT * FROM read_parquet({literal}, hive_partitioning = true)"
            )

    def _spark_tables(self) -> list[tuple[str, str]]:
        """(table, glob of its data files) for every table Spark wrote in the marts
        database: `<warehouse>/marts.db/<table>/`, with `<day>=...` folders when the table is
        partitioned (read back as columns)."""
        database = self.path / f"{MARTS_SCHEMA}.db"
        if not database.is_dir():
            raise FileNotFoundError(f"no Spark marts at {database}: build them first")
        return [
            (table.name, f"{table}/**/*.parquet")
            for table in sorted(database.iterdir())
            if table.is_dir() and any(table.rglob("*.parquet"))
        ]
