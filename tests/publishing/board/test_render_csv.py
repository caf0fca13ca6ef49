"""board.csv: header of mart_board columns, the team then each manager, exact values."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from publishing.board.model import MART_BOARD_COLUMNS
from publishing.board.render_csv import render_csv


def test_one_row_per_manager_and_the_team(inputs, rows):
    table = list(csv.reader(io.StringIO(render_csv(inputs).decode("utf-8"))))
    assert tuple(table[0]) == MART_BOARD_COLUMNS
    records = [dict(zip(table[0], line, strict=True)) for line in table[1:]]
    assert len(records) == 8 and records[0]["is_team_total"] == "true"
    assert records[1]["manager_name"] == "Вера Кузнецова"  # the leader comes first
    by_id = {r["manager_id"]: r for r in rows["board"]}
    for record in records:
        source = by_id[int(record["manager_id"])]
        assert Decimal(record["mtd_net_sales"]) == source["mtd_net_sales"]
        assert float(record["reach_rate"]) == source["reach_rate"]
        assert record["as_of_day"] == "2026-11-26"
        assert int(record["signups_mtd"]) == source["signups_mtd"]


def test_nulls_are_empty_cells(make_inputs):
    import dataclasses

    inputs = make_inputs()
    inputs = dataclasses.replace(inputs, team=dataclasses.replace(inputs.team, avg_check=None))
    header, team = list(csv.reader(io.StringIO(render_csv(inputs).decode("utf-8"))))[:2]
    assert team[header.index("avg_check")] == ""
