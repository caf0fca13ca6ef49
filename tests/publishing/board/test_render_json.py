"""board.json: documented keys, figures equal to the mart rows, ranks by mode."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

import publishing.board
from publishing.board import from_rows
from publishing.board.model import MART_BOARD_COLUMNS, SCHEMA_VERSION
from publishing.board.render_json import board_document, render_json

from .conftest import make_context

SCHEMA_MD = Path(publishing.board.__file__).parent / "SCHEMA.md"
TOP_LEVEL = [
    "schema_version",
    "as_of",
    "generated_at",
    "locale",
    "mode",
    "team",
    "managers",
    "trend",
    "splits",
    "changes",
    "footer",
]


def _same(json_value, row_value) -> bool:
    if isinstance(row_value, Decimal):
        return Decimal(json_value) == row_value
    if row_value is None or isinstance(row_value, bool | int | float | str):
        return json_value == row_value
    return json_value == row_value.isoformat()


def test_top_level_keys_and_header(inputs):
    document = orjson.loads(render_json(inputs))
    assert list(document) == TOP_LEVEL
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["as_of"] == "2026-11-26"
    assert document["generated_at"] == "2026-11-27T03:05:00Z"
    assert (document["locale"], document["mode"]) == ("ru", "leaderboard")


def test_figures_equal_the_mart_rows(inputs, rows):
    document = orjson.loads(render_json(inputs))
    by_id = {r["manager_id"]: r for r in rows["board"]}
    for record in [document["team"], *document["managers"]]:
        source = by_id[record["manager_id"]]
        for column in MART_BOARD_COLUMNS:
            assert _same(record[column], source[column]), (record["manager_id"], column)
    assert len(document["managers"]) == 7
    trend = {(r["manager_id"], r["day"].isoformat()): r for r in rows["trend"]}
    assert len(document["trend"]) == len(trend)
    for point in document["trend"]:
        source = trend[(point["manager_id"], point["day"])]
        assert Decimal(point["net_sales"]) == source["net_sales"]
        assert point["sales_count"] == source["sales_count"]
    splits = {(r["manager_id"], r["split_kind"], r["split_value"]): r for r in rows["splits"]}
    assert len(document["splits"]) == len(splits)
    for split in document["splits"]:
        source = splits[(split["manager_id"], split["split_kind"], split["split_value"])]
        assert Decimal(split["net_sales"]) == source["net_sales"]
        assert split["sales_count"] == source["sales_count"]


def test_changes_and_footer(inputs):
    document = orjson.loads(render_json(inputs))
    assert [c["metric"] for c in document["changes"]] == [
        "reach_rate",
        "reach_rate",
        "stat_forecast_rub",
    ]
    assert document["changes"][0]["before"] == pytest.approx(0.52)
    footer = document["footer"]
    assert [s["source"] for s in footer["sources"]] == [
        "amocrm",
        "amplitude",
        "telphin",
        "yookassa",
    ]
    assert footer["sources"][1]["last_load"] is None
    assert footer["sources"][0]["last_load"] == "2026-11-27T02:42:00Z"
    assert footer["warnings"] == list(inputs.context.warnings)


@pytest.mark.parametrize(
    ("mode", "ranks"),
    [
        ("leaderboard", [1, 2, 3, 4, 5, 6, 7]),
        ("top3", [1, 2, 3, None, None, None, None]),
        ("team", [None] * 7),
    ],
)
def test_ranks_follow_the_mode(make_inputs, mode, ranks):
    managers = board_document(make_inputs(mode=mode))["managers"]
    assert [m["rank"] for m in managers] == ranks
    assert all(m["page"] == f"managers/{m['manager_id']}.html" for m in managers)
    if mode == "leaderboard":
        sales = [Decimal(m["mtd_net_sales"]) for m in managers]
        assert sales == sorted(sales, reverse=True)
    else:
        unranked = [m["manager_name"] for m in managers if m["rank"] is None]
        assert unranked == sorted(unranked)


def test_equal_sales_share_a_rank(rows):
    # mart_board ranks equal sales alike (its unit test); the board shows them so, by name
    tied = [
        r | {"mtd_net_sales": Decimal(100), "sales_rank": None if r["is_team_total"] else 1}
        for r in rows["board"]
    ]
    document = board_document(from_rows(make_context(), tied, rows["trend"], rows["splits"]))
    assert {m["rank"] for m in document["managers"]} == {1}
    names = [m["manager_name"] for m in document["managers"]]
    assert names == sorted(names)


def test_output_is_deterministic(make_inputs):
    assert render_json(make_inputs()) == render_json(make_inputs())


def test_schema_md_documents_every_field(inputs):
    documented = set(re.findall(r"`([a-z_]+)`", SCHEMA_MD.read_text(encoding="utf-8")))
    document = board_document(inputs)
    keys = set(document) | set(document["footer"]) | set(document["managers"][0])
    keys |= set(document["trend"][0]) | set(document["splits"][0]) | set(document["changes"][0])
    keys |= set(document["footer"]["sources"][0])
    assert keys - documented == set()
