"""The KPI tiles: one list, shown alike on the TV page and in board.png."""

from __future__ import annotations

from dataclasses import replace
from html import escape

from matplotlib.figure import Figure

from publishing.board.formatting import Formatter
from publishing.board.model import from_rows
from publishing.board.render_html import render_html
from publishing.board.render_png import render_png
from publishing.board.tiles import kpi_tiles
from tests.publishing.board.conftest import make_context


def _drawn_text(inputs, monkeypatch) -> list[str]:
    """Every string board.png's figure draws for `inputs`, in drawing order."""
    drawn: list[str] = []
    text = Figure.text

    def record(self, x, y, s, *args, **kwargs):
        drawn.append(s)
        return text(self, x, y, s, *args, **kwargs)

    monkeypatch.setattr(Figure, "text", record)
    render_png(inputs)
    return drawn


def test_tiles_hold_the_rows_figures(inputs):
    fmt = Formatter("ru")
    team = inputs.team
    tiles = {tile.label: tile for tile in kpi_tiles(team, fmt)}
    assert list(tiles) == [
        "kpi.net_sales",
        "kpi.attainment",
        "kpi.avg_check",
        "kpi.stat_forecast",
        "kpi.funnel_forecast",
        "kpi.special",
    ]
    assert tiles["kpi.net_sales"].value == fmt.money(team.mtd_net_sales)
    assert tiles["kpi.special"].value == fmt.money(team.special_net_sales)
    assert tiles["kpi.special"].note == fmt.text(
        "kpi.count", count=fmt.number(team.special_sales_count)
    )
    assert tiles["kpi.stat_forecast"].note == fmt.text(
        "kpi.interval",
        low=fmt.money(team.stat_forecast_low),
        high=fmt.money(team.stat_forecast_high),
    )


def test_a_month_before_the_landed_history_shows_no_figure(inputs):
    """A month that began before the landed history: every tile is a dash saying why."""
    fmt = Formatter("en")
    tiles = kpi_tiles(replace(inputs.team, is_history_complete=False), fmt)
    assert len(tiles) == 6
    assert {(tile.value, tile.note) for tile in tiles} == {("—", "incomplete history")}


def test_the_tv_and_the_picture_show_the_same_tiles(make_inputs, monkeypatch):
    inputs = make_inputs(locale="en")
    fmt = Formatter("en")
    drawn = _drawn_text(inputs, monkeypatch)
    index = render_html(inputs)["index.html"]
    for tile in kpi_tiles(inputs.team, fmt):
        shown = [fmt.text(tile.label), tile.value] + ([tile.note] if tile.note else [])
        for words in shown:
            assert words in drawn, words
            assert escape(words) in index, words


def test_the_picture_shows_new_sales_and_renewals(make_inputs, monkeypatch):
    inputs = make_inputs(locale="en")
    fmt = Formatter("en")
    drawn = _drawn_text(inputs, monkeypatch)
    team = inputs.team
    line = next(s for s in drawn if s.startswith("New: "))
    assert line.split("     ") == [
        f"New: {fmt.number(team.new_sales_count)} · {fmt.money(team.new_net_sales)}",
        f"Renewals: {fmt.number(team.renewal_sales_count)} · {fmt.money(team.renewal_net_sales)}",
        f"Type unknown: {fmt.number(team.unknown_type_sales_count)}"
        f" · {fmt.money(team.unknown_type_net_sales)}",
    ]


def test_a_board_of_a_month_before_the_landed_history_shows_no_month_figure(rows, monkeypatch):
    """Every page and the picture: the month to date (standings, sale types, splits, the
    funnel and plan charts) is not shown; the notice says why; the daily trend stays."""
    board = [row | {"is_history_complete": False} for row in rows["board"]]
    inputs = from_rows(make_context(locale="en"), board, rows["trend"], rows["splits"], [])
    fmt = Formatter("en")
    notice = fmt.text("managers.incomplete_history")
    pages = render_html(inputs)
    assert len(pages) == 1 + len(inputs.standings)
    money = {fmt.number(s.row.mtd_net_sales) for s in inputs.standings}
    money |= {fmt.money(s.row.mtd_net_sales) for s in inputs.standings}
    for path, page in pages.items():
        assert "<table" not in page, path  # no standings, sale types or splits
        assert fmt.text("sale_types.title") not in page, path
        assert not any(f">{escape(m)}<" in page for m in money), path
        assert "<svg" in page, path  # the daily trend
        assert "Rank " not in page, path  # no "Rank 2 of 7" under a manager's name
    assert escape(notice) in pages["index.html"]
    drawn = _drawn_text(inputs, monkeypatch)
    assert notice in drawn
    assert not any(m in line for m in money for line in drawn)
