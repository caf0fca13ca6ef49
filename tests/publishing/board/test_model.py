"""The loader holds the marts to the board's contract and keeps DuckDB's types."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from publishing.board import SCHEMA_VERSION, BoardInputError, from_rows

from .conftest import AS_OF, make_context


def test_rows_load_with_their_types(inputs, rows):
    assert inputs.team.manager_id == 0 and inputs.team.is_team_total
    assert len(inputs.managers) == 7
    assert isinstance(inputs.team.mtd_net_sales, Decimal)
    assert len(inputs.trend) == 8 * 30 and len(inputs.trend_of(5001)) == 30
    assert {c.manager_id for c in inputs.change_candidates} == {0, *range(5001, 5008)}
    assert all(isinstance(c.relative_change, float) for c in inputs.change_candidates)
    assert inputs.splits_of(0, "period")
    assert (
        inputs.team.mtd_net_sales
        == next(r for r in rows["board"] if r["manager_id"] == 0)["mtd_net_sales"]
    )


def test_columns_the_marts_add_later_are_ignored(rows):
    board = [r | {"new_metric": 1} for r in rows["board"]]
    assert from_rows(make_context(), board, rows["trend"], rows["splits"]).change_candidates == ()
    changes = [r | {"new_metric": 1} for r in rows["changes"]]
    inputs = from_rows(make_context(), rows["board"], rows["trend"], rows["splits"], changes)
    assert len(inputs.change_candidates) == len(rows["changes"])


def test_standings_come_once_from_the_marts_rank(rows, make_inputs):
    inputs = make_inputs()
    ranks = {r["manager_id"]: r["sales_rank"] for r in rows["board"]}
    assert [s.rank for s in inputs.standings] == list(range(1, 8))
    assert all(s.rank == ranks[s.row.manager_id] for s in inputs.standings)
    assert inputs.managers == tuple(s.row for s in inputs.standings)
    # the rank is the mart's, even where it disagrees with the sales (a tie the mart saw)
    tied = [r | {"sales_rank": 1} if r["sales_rank"] == 2 else r for r in rows["board"]]
    board = from_rows(make_context(), tied, rows["trend"], rows["splits"])
    assert [s.rank for s in board.standings][:3] == [1, 1, 3]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: [{k: v for k, v in r.items() if k != "avg_check"} for r in b], "no column"),
        (lambda b: [r | {"mtd_net_sales": None} for r in b], "is null"),
        (lambda b: [r | {"mtd_net_sales": "lots"} for r in b], "has type str"),
        (lambda b: [r | {"is_team_total": True} for r in b], "exactly one team row"),
        (lambda b: [r for r in b if r["manager_id"]], "exactly one team row"),
        (lambda b: [*b, b[0]], "appears twice"),
        (lambda b: [r | {"as_of_day": AS_OF - timedelta(days=1)} for r in b], "expected"),
        (lambda b: [{k: v for k, v in r.items() if k != "sales_rank"} for r in b], "no column"),
        (lambda b: [r | {"sales_rank": None} for r in b], r"sales_rank .* is null"),
        (lambda b: [r | {"sales_rank": 1.5} for r in b], "has type float"),
    ],
)
def test_contract_breaks_fail_loudly(rows, change, message):
    with pytest.raises(BoardInputError, match=message):
        from_rows(make_context(), change(rows["board"]), rows["trend"], rows["splits"])


def test_trend_splits_and_changes_must_belong_to_the_board(rows):
    stray = [*rows["trend"], rows["trend"][0] | {"manager_id": 999}]
    with pytest.raises(BoardInputError, match="unknown manager 999"):
        from_rows(make_context(), rows["board"], stray, rows["splits"])
    odd = [*rows["splits"], rows["splits"][0] | {"split_kind": "region"}]
    with pytest.raises(BoardInputError, match="split_kind"):
        from_rows(make_context(), rows["board"], rows["trend"], odd)

    def with_changes(changes):
        return from_rows(make_context(), rows["board"], rows["trend"], rows["splits"], changes)

    last_week = [c | {"as_of_day": AS_OF - timedelta(days=7)} for c in rows["changes"]]
    with pytest.raises(BoardInputError, match="not the board's day"):
        with_changes(last_week)
    with pytest.raises(BoardInputError, match="unknown manager 999"):
        with_changes([*rows["changes"], rows["changes"][0] | {"manager_id": 999}])
    with pytest.raises(BoardInputError, match="unknown metric"):
        with_changes([*rows["changes"], rows["changes"][0] | {"metric": "mood"}])
    with pytest.raises(BoardInputError, match=r"relative_change .* is null"):
        with_changes([rows["changes"][0] | {"relative_change": None}])


def test_context_rejects_what_would_render_wrong():
    with pytest.raises(ValueError, match="timezone-aware"):
        make_context(generated_at=datetime(2026, 11, 27, 6, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        make_context(source_loads={"telphin": datetime(2026, 11, 27, 6, 0)})
    with pytest.raises(ValueError, match="mode"):
        make_context(mode="podium")
    with pytest.raises(ValueError, match="locale"):
        make_context(locale="de")
    with pytest.raises(ValueError, match="schema"):
        make_context(schema_version=SCHEMA_VERSION + 1)


def test_free_text_is_redacted_on_the_way_in(rows):
    board = [
        r | {"manager_name": "anna.smirnova@firma.ru"} if r["manager_id"] == 5001 else r
        for r in rows["board"]
    ]
    context = make_context(warnings=["telphin/calls: bad value +7 (912) 345-67-89 in caller"])
    inputs = from_rows(context, board, rows["trend"], rows["splits"])
    assert next(m for m in inputs.managers if m.manager_id == 5001).manager_name == "***"
    assert inputs.context.warnings == ("telphin/calls: bad value *** in caller",)
