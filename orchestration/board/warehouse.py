"""Reading the board's rows from the warehouse, read-only.

DuckDB allows one writer; the board never writes, and opening the file read-only lets it
run beside other readers (never beside dbt: the asset shares dbt's pool).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

WEEK = timedelta(days=7)
QUERIES = {
    "board_rows": "SELECT * FROM marts.mart_board WHERE as_of_day = ?",
    "week_ago_rows": "SELECT * FROM marts.mart_board WHERE as_of_day = ? - INTERVAL 7 DAY",
    "trend_rows": "SELECT * FROM marts.mart_board_trend WHERE as_of_day = ?",
    "split_rows": "SELECT * FROM marts.mart_board_splits WHERE as_of_day = ?",
}


def read_board_rows(warehouse: Path, as_of_day: date) -> dict[str, list[dict]]:
    """The keyword arguments of `from_rows` for `as_of_day` (all values bound, never pasted)."""
    found: dict[str, list[dict]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, sql in QUERIES.items():
            cursor = con.execute(sql, [as_of_day])
            columns = [d[0] for d in cursor.description]
            found[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return found
