"""board.png: the headline numbers and the 30-day trend as one picture for the chat.

Drawn with matplotlib's Agg canvas directly (no pyplot, so no global backend or figure
state and no display needed); its bundled DejaVu Sans covers Cyrillic and the ruble sign,
so no system font is required. Same palette and formatter as the HTML board, so the chat
picture and the TV agree.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from publishing.board.charts import BAR, FG, HIGHLIGHT, MUTED, TRACK, TREND_DAYS
from publishing.board.formatting import Formatter
from publishing.board.model import BoardInputs
from publishing.board.tiles import kpi_tiles, sale_types

WIDTH_PX, HEIGHT_PX, DPI = 1600, 900, 100
BACKGROUND = "#0b1120"
TILE_COLUMNS = 3


def render_png(inputs: BoardInputs) -> bytes:
    """A 1600×900 PNG of the team's KPI tiles (the TV's), the podium (unless the board
    ranks nobody), its new sales and renewals, and the team's daily sales trend."""
    fmt = Formatter(inputs.context.locale)
    team = inputs.team
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)

    title = fmt.text("board_title", date=fmt.date(inputs.context.as_of_day))
    day = fmt.text("day_of_month", elapsed=team.days_elapsed, total=team.days_in_month)
    figure.text(0.03, 0.93, title, color=FG, fontsize=30, fontweight="bold")
    figure.text(0.97, 0.93, day, color=MUTED, fontsize=20, ha="right")

    for index, tile in enumerate(kpi_tiles(team, fmt)):  # as on the TV: rows of three
        row, column = divmod(index, TILE_COLUMNS)
        x, y = 0.03 + column * 0.33, 0.855 - row * 0.13
        figure.text(x, y, fmt.text(tile.label), color=MUTED, fontsize=15)
        figure.text(x, y - 0.055, tile.value, color=FG, fontsize=26, fontweight="bold")
        figure.text(x, y - 0.085, tile.note, color=MUTED, fontsize=14)

    if team.is_history_complete:
        podium = [s for s in inputs.standings if s.rank is not None][:3]
        leaders = "     ".join(
            f"{s.rank}. {s.row.manager_name} — {fmt.money(s.row.mtd_net_sales)}" for s in podium
        )
        sale_split = "     ".join(
            f"{fmt.text(label)}: {fmt.number(count)} · {fmt.money(net)}"
            for label, count, net in sale_types(team)
        )
    else:  # the month to date rests on history the warehouse lacks: no podium, no split
        leaders, sale_split = fmt.text("managers.incomplete_history"), ""
    figure.text(0.03, 0.575, leaders, color=HIGHLIGHT, fontsize=18)
    figure.text(0.03, 0.535, sale_split, color=FG, fontsize=15)

    axes = figure.add_axes((0.07, 0.07, 0.9, 0.42), facecolor=BACKGROUND)
    days = [inputs.context.as_of_day - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    by_day = {p.day: p.net_sales for p in inputs.trend_of(team.manager_id)}
    values = [float(by_day.get(d, Decimal(0))) for d in days]
    colours = [HIGHLIGHT if d == inputs.context.as_of_day else BAR for d in days]
    axes.bar(range(TREND_DAYS), values, color=colours, width=0.8)
    axes.set_xlim(-0.6, TREND_DAYS - 0.4)
    axes.set_title(fmt.text("chart.trend"), color=FG, fontsize=18, loc="left")
    ticks = [i for i in range(TREND_DAYS) if i % 7 == 1 or i == TREND_DAYS - 1]
    axes.set_xticks(ticks, [fmt.short_date(days[i]) for i in ticks])
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(Decimal(v))))
    axes.tick_params(colors=FG, labelsize=14)
    axes.grid(axis="y", color=TRACK)
    axes.set_axisbelow(True)
    for side, spine in axes.spines.items():
        spine.set_visible(side == "bottom")
        spine.set_color(MUTED)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor=BACKGROUND, metadata={"Software": None})
    return buffer.getvalue()
