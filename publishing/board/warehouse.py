"""Reading the board's rows from the marts, read-only, whichever engine built them.

DuckDB allows one writer; the board never writes, and attaching the marts read-only lets
it run beside other readers (never beside dbt: the asset shares dbt's pool).
"""

from __future__ import annotations

from datetime import date

import duckdb

from publishing.marts import MartsSource

QUERIES = {
    "board_rows": "SELECT * FROM marts.mart_board WHERE as_of_day = ?",
    "trend_rows": "SELECT * FROM marts.mart_board_trend WHERE as_of_day = ?",
    "split_rows": "SELECT * FROM marts.mart_board_splits WHERE as_of_day = ?",
    "change_rows": "SELECT * FROM marts.mart_board_changes WHERE as_of_day = ?",
}


def read_board_rows(warehouse: MartsSource, as_of_day: date) -> dict[str, list[dict]]:
    """The keyword arguments of `from_rows` for `as_of_day` (all values bound, never pasted)."""
    found: dict[str, list[dict]] = {}
    with duckdb.connect() as con:
        warehouse.attach(con, "warehouse")
        con.execute("USE warehouse")
        for name, sql in QUERIES.items():
            cursor = con.execute(sql, [as_of_day])
            columns = [d[0] for d in cursor.description]
            found[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return found
