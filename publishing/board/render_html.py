"""The board as HTML: `index.html` for the sales-room TV and one page per manager.

Self-contained on purpose: inline CSS, inline SVG charts, no script, font, style sheet or
image from anywhere, and only relative links, so the board opens from a file share, a
static web server or a copied folder alike, offline. It is laid out for a 1080p TV read
from the back of the room: large type, high contrast, at most `MAX_TABLE_ROWS` manager
rows on the index (the rest are linked by name). The index reloads itself every few
minutes so a TV pointed at `latest/index.html` follows each new board without a script.
"""

from __future__ import annotations

from html import escape

from publishing.board.changes import what_changed
from publishing.board.charts import forecast_svg, funnel_svg, trend_svg
from publishing.board.formatting import Formatter
from publishing.board.model import BoardInputs, BoardRow
from publishing.board.ranking import Standing
from publishing.board.tiles import kpi_tiles, sale_types

MAX_TABLE_ROWS = 8
TV_RELOAD_SECONDS = 300

CSS = """
*{box-sizing:border-box;margin:0;padding:0}
html{background:#0b1120;color:#f8fafc;font-size:24px;
 font-family:"DejaVu Sans",Verdana,Arial,sans-serif}
body{padding:24px 36px;min-height:100vh;display:flex;flex-direction:column;gap:18px}
header{display:flex;align-items:baseline;gap:28px;flex-wrap:wrap}
h1{font-size:46px;line-height:1.1}
h2{font-size:26px;color:#a5b4c8;margin:4px 0 6px;font-weight:normal}
.sub{font-size:28px;color:#a5b4c8}
main{display:grid;grid-template-columns:minmax(0,57fr) minmax(0,43fr);gap:32px;flex:1}
section{display:flex;flex-direction:column;gap:12px;min-width:0}
.kpis{display:grid;grid-template-columns:repeat(3,1fr);gap:12px}
.kpi{background:#111c33;border-radius:12px;padding:12px 16px;container-type:inline-size}
.kpi .label{font-size:21px;color:#a5b4c8}
.kpi .value{font-size:min(40px,11cqi);font-weight:bold;white-space:nowrap}
.kpi .note{font-size:min(19px,5.5cqi);color:#a5b4c8;white-space:nowrap;overflow:hidden;
 text-overflow:ellipsis}
table{width:100%;border-collapse:collapse;font-size:25px}
th{font-size:19px;color:#a5b4c8;font-weight:normal;text-align:right;padding:4px 6px}
td{padding:7px 6px;border-top:1px solid #1e293b;text-align:right;white-space:nowrap;
 font-variant-numeric:tabular-nums}
.name{text-align:left;white-space:normal}
td.name{white-space:nowrap}
.rank{color:#facc15;font-weight:bold;width:1.5em}
a{color:#7dd3fc;text-decoration:none}
.names{display:flex;flex-wrap:wrap;gap:10px 28px;font-size:27px}
.rule{font-size:18px;color:#a5b4c8;margin:-4px 0 8px}
.changes{list-style:none;font-size:23px;line-height:1.3}
.changes li{padding:4px 0 4px 16px;border-left:5px solid #facc15;margin-bottom:6px}
.types{width:auto}
.types td{font-size:22px;text-align:left;border:0;padding:0 28px 0 0}
.types .type{color:#a5b4c8}
.splits{display:grid;grid-template-columns:1fr 1fr;gap:24px;font-size:22px}
.splits td{padding:3px 6px}
svg{width:100%;height:auto;display:block;font-family:inherit}
footer{font-size:17px;color:#a5b4c8;border-top:1px solid #1e293b;padding-top:10px}
footer div{display:flex;flex-wrap:wrap;gap:2px 22px}
footer span{white-space:nowrap}
.warn{color:#fbbf24}
"""


def manager_page(manager_id: int) -> str:
    """Where a manager's page lives, relative to the board folder."""
    return f"managers/{manager_id}.html"


def render_html(inputs: BoardInputs) -> dict[str, str]:
    """All pages of the board, keyed by their path relative to the board folder."""
    fmt = Formatter(inputs.context.locale)
    order = inputs.standings
    pages = {"index.html": _index(inputs, fmt, order)}
    for standing in order:
        pages[manager_page(standing.row.manager_id)] = _manager(inputs, fmt, standing, order)
    return pages


def _index(inputs: BoardInputs, fmt: Formatter, order: tuple[Standing, ...]) -> str:
    team = inputs.team
    ranked = [s for s in order if s.rank is not None]
    unranked = [s.row for s in order if s.rank is None]
    people = []
    if not team.is_history_complete:  # month to date rests on history the warehouse lacks
        ranked, unranked = [], [s.row for s in order]
        people.append(_incomplete_notice(fmt))
    if ranked:
        people.append(_table(fmt, ranked[:MAX_TABLE_ROWS]))
        unranked = [s.row for s in ranked[MAX_TABLE_ROWS:]] + unranked
    if unranked:
        heading = "managers.others" if ranked else "managers.all"
        people.append(f"<h2>{escape(fmt.text(heading))}</h2>{_names(unranked)}")
    changes = what_changed(inputs, fmt)
    items = "".join(f"<li>{escape(c.text)}</li>" for c in changes) or (
        f"<li>{escape(fmt.text('changes.none'))}</li>"
    )
    body = (
        f"<main><section>{_kpis(team, fmt)}{''.join(people)}{_month_parts(inputs, team, fmt)}"
        f"<div><h2>{escape(fmt.text('changes.title'))}</h2>"
        f'<p class="rule">{escape(fmt.text("changes.rule"))}</p>'
        f'<ul class="changes">{items}</ul></div></section>'
        f"<section>{_charts(inputs, team, fmt)}</section></main>"
    )
    title = fmt.text("board_title", date=fmt.date(inputs.context.as_of_day))
    return _page(inputs, fmt, title, _header(title, team, fmt), body, prefix="", reload=True)


def _manager(
    inputs: BoardInputs, fmt: Formatter, standing: Standing, order: tuple[Standing, ...]
) -> str:
    row = standing.row
    title = fmt.text("manager_title", name=row.manager_name, date=fmt.date(row.as_of_day))
    extra = ""
    if standing.rank is not None and row.is_history_complete:
        extra = fmt.text("rank_of", rank=standing.rank, total=len(order))
    body = (
        f"<main><section>{_kpis(row, fmt)}{_month_parts(inputs, row, fmt)}"
        f'<p><a href="../index.html">{escape(fmt.text("back"))}</a></p></section>'
        f"<section>{_charts(inputs, row, fmt)}</section></main>"
    )
    header = _header(title, row, fmt, extra)
    return _page(inputs, fmt, title, header, body, prefix="../", reload=False)


def _page(
    inputs: BoardInputs,
    fmt: Formatter,
    title: str,
    header: str,
    body: str,
    prefix: str,
    reload: bool,
) -> str:
    refresh = f'<meta http-equiv="refresh" content="{TV_RELOAD_SECONDS}">' if reload else ""
    return (
        f'<!DOCTYPE html><html lang="{inputs.context.locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{refresh}<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"{header}{body}{_footer(inputs, fmt)}</body></html>\n"
    )


def _header(title: str, row: BoardRow, fmt: Formatter, extra: str = "") -> str:
    day = fmt.text("day_of_month", elapsed=row.days_elapsed, total=row.days_in_month)
    parts = [f"<h1>{escape(title)}</h1>", f'<div class="sub">{escape(day)}</div>']
    if extra:
        parts.append(f'<div class="sub">{escape(extra)}</div>')
    return f"<header>{''.join(parts)}</header>"


def _kpis(row: BoardRow, fmt: Formatter) -> str:
    cells = "".join(
        f'<div class="kpi"><div class="label">{escape(fmt.text(tile.label))}</div>'
        f'<div class="value">{escape(tile.value)}</div>'
        f'<div class="note">{escape(tile.note)}&nbsp;</div></div>'
        for tile in kpi_tiles(row, fmt)
    )
    return f'<div class="kpis">{cells}</div>'


def _table(fmt: Formatter, ranked: list[Standing]) -> str:
    heads = (
        ("table.rank", "rank"),
        ("table.manager", "name"),
        ("table.net_sales", ""),
        ("table.count", ""),
        ("table.avg_check", ""),
        ("table.attainment", ""),
        ("table.pace", ""),
        ("table.forecast", ""),
        ("table.reach", ""),
    )
    header = "".join(f'<th class="{cls}">{escape(fmt.text(key))}</th>' for key, cls in heads)
    rows = []
    for standing in ranked:
        row = standing.row
        cells = (  # money without its sign: the headers carry it, the rows stay narrow
            fmt.number(row.mtd_net_sales),
            fmt.number(row.mtd_sales_count),
            fmt.number(row.avg_check),
            fmt.percent(row.plan_attainment),
            fmt.percent(row.pace_attainment),
            fmt.number(row.stat_forecast_rub),
            fmt.percent(row.reach_rate),
        )
        rows.append(
            f'<tr><td class="rank">{standing.rank}</td>'
            f'<td class="name">{_link(row)}</td>'
            + "".join(f"<td>{escape(cell)}</td>" for cell in cells)
            + "</tr>"
        )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _names(rows: list[BoardRow]) -> str:
    return '<div class="names">' + "".join(f"<span>{_link(r)}</span>" for r in rows) + "</div>"


def _link(row: BoardRow) -> str:
    return f'<a href="{manager_page(row.manager_id)}">{escape(row.manager_name)}</a>'


def _charts(inputs: BoardInputs, row: BoardRow, fmt: Formatter) -> str:
    """The daily trend (each day's sales are whole whatever the history), then the month's
    funnel and plan charts when the month's history is complete."""
    trend = trend_svg(inputs.trend_of(row.manager_id), row.as_of_day, fmt)
    if not row.is_history_complete:
        return trend
    return f"{trend}{funnel_svg(row, fmt)}{forecast_svg(row, fmt)}"


def _month_parts(inputs: BoardInputs, row: BoardRow, fmt: Formatter) -> str:
    """The month to date's sale types and splits, or nothing when the month began before
    the landed history (the tiles and the notice say so)."""
    if not row.is_history_complete:
        return ""
    return f"{_sale_types(row, fmt)}{_splits(inputs, row.manager_id, fmt)}"


def _incomplete_notice(fmt: Formatter) -> str:
    return f'<p class="rule">{escape(fmt.text("managers.incomplete_history"))}</p>'


def _splits(inputs: BoardInputs, manager_id: int, fmt: Formatter) -> str:
    blocks = []
    for kind in ("tariff", "period"):
        splits = inputs.splits_of(manager_id, kind)
        if not splits:
            continue
        rows = "".join(
            f'<tr><td class="name">{escape(_split_label(kind, s.split_value, fmt))}</td>'
            f"<td>{escape(fmt.number(s.sales_count))}</td>"
            f"<td>{escape(fmt.money(s.net_sales))}</td></tr>"
            for s in splits
        )
        blocks.append(
            f"<div><h2>{escape(fmt.text(f'splits.{kind}'))}</h2><table>{rows}</table></div>"
        )
    return f'<div class="splits">{"".join(blocks)}</div>' if blocks else ""


def _sale_types(row: BoardRow, fmt: Formatter) -> str:
    """New sales, renewals and (when the history cannot tell) sales of unknown type: one
    line of cells under the heading, so the TV page keeps its height."""
    cells = "".join(
        f'<td><span class="type">{escape(fmt.text(label))}</span> '
        f"{escape(fmt.number(count))} · {escape(fmt.money(net))}</td>"
        for label, count, net in sale_types(row)
    )
    return (
        f"<div><h2>{escape(fmt.text('sale_types.title'))}</h2>"
        f'<table class="types"><tr>{cells}</tr></table></div>'
    )


def _split_label(kind: str, value: str, fmt: Formatter) -> str:
    if kind == "period" and value.isdigit():
        return fmt.text("splits.period_value", months=value)
    return value


def _footer(inputs: BoardInputs, fmt: Formatter) -> str:
    context = inputs.context
    parts = [
        fmt.text(
            "footer.as_of",
            date=fmt.date(context.as_of_day),
            moment=fmt.moment(context.generated_at),
        ),
        fmt.text("footer.sources") + ":",
    ]
    parts += [
        f"{name}: {fmt.moment(moment) if moment else fmt.text('footer.never')}"
        for name, moment in context.source_loads.items()
    ]
    spans = "".join(f"<span>{escape(p)}</span>" for p in parts)
    warnings = "".join(
        f'<div class="warn">{escape(fmt.text("footer.warnings"))}: {escape(w)}</div>'
        for w in context.warnings
    )
    return f"<footer><div>{spans}</div>{warnings}</footer>"
