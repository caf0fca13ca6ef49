"""The KPI tiles and the new/renewal split: the headline figures the TV page and board.png
both show.

Each tile is a catalogue label, the figure and a note under it, all from one `mart_board`
row (a manager's or the team's) and formatted here, so the TV and the chat picture cannot
drift apart: a tile added here appears on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from publishing.board.formatting import Formatter
from publishing.board.model import BoardRow


@dataclass(frozen=True)
class Tile:
    """`label` is a catalogue key (`fmt.text(label)`); `value` and `note` are shown as is."""

    label: str
    value: str
    note: str


def kpi_tiles(row: BoardRow, fmt: Formatter) -> tuple[Tile, ...]:
    """Month-to-date sales, plan attainment, average check, both forecasts and the special
    tariffs, in the order the board lays them out. A month that began before the landed
    history shows no figure, only that its history is incomplete."""
    if not row.is_history_complete:
        dash, note = fmt.text("no_value"), fmt.text("kpi.incomplete_history")
        labels = ("kpi.net_sales", "kpi.attainment", "kpi.avg_check", "kpi.stat_forecast",
                  "kpi.funnel_forecast", "kpi.special")  # fmt: skip
        return tuple(Tile(label, dash, note) for label in labels)

    def count(value: int) -> str:
        return fmt.text("kpi.count", count=fmt.number(value))

    plan = fmt.text(
        "kpi.plan", plan=fmt.money(row.plan_rub), forecast=fmt.percent(row.forecast_to_plan)
    )
    interval = fmt.text(
        "kpi.interval",
        low=fmt.money(row.stat_forecast_low),
        high=fmt.money(row.stat_forecast_high),
    )
    return (
        Tile("kpi.net_sales", fmt.money(row.mtd_net_sales), count(row.mtd_sales_count)),
        Tile("kpi.attainment", fmt.percent(row.plan_attainment), plan),
        Tile("kpi.avg_check", fmt.money(row.avg_check), ""),
        Tile("kpi.stat_forecast", fmt.money(row.stat_forecast_rub), interval),
        Tile("kpi.funnel_forecast", fmt.money(row.funnel_forecast_rub), ""),
        Tile("kpi.special", fmt.money(row.special_net_sales), count(row.special_sales_count)),
    )


def sale_types(row: BoardRow) -> tuple[tuple[str, int, Decimal], ...]:
    """(catalogue label, count, net RUB) of the month's new sales and renewals, then of the
    sales whose type the history cannot tell, when there are any (never counted as new)."""
    types = (
        ("sale_types.new", row.new_sales_count, row.new_net_sales),
        ("sale_types.renewal", row.renewal_sales_count, row.renewal_net_sales),
    )
    if row.unknown_type_sales_count or row.unknown_type_net_sales:
        types += (("sale_types.unknown", row.unknown_type_sales_count, row.unknown_type_net_sales),)
    return types
