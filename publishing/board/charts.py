"""The board's charts as inline SVG strings: daily trend, funnel bars, forecast vs plan.

Inline SVG keeps index.html self-contained (the TV's browser may be offline) and crisp at
any screen size: each chart has a fixed viewBox and scales to its box. Text is large and
high-contrast for reading from the back of the room; hover titles carry exact figures for
the people who open the board on a laptop. Only layout is computed here, no metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from html import escape

from publishing.board.formatting import Formatter
from publishing.board.model import BoardRow, TrendPoint

TREND_DAYS = 30
FG = "#f8fafc"
MUTED = "#a5b4c8"
BAR = "#38bdf8"
HIGHLIGHT = "#facc15"
PLAN = "#fb7185"
PACE = "#4ade80"
TRACK = "#1e293b"


def _text(x: float, y: float, content: str, size: int, anchor: str = "start", **style) -> str:
    fill = style.get("fill", FG)
    weight = style.get("weight", "normal")
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(content)}</text>'
    )


def _rect(x: float, y: float, width: float, height: float, fill: str, title: str = "") -> str:
    hover = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" '
        f'height="{max(height, 0):.1f}" fill="{fill}">{hover}</rect>'
    )


def _svg(width: int, height: int, label: str, body: Sequence[str]) -> str:
    """Inline SVG in HTML needs no namespace, so the board holds no URL at all."""
    return (
        f'<svg viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def trend_svg(points: Sequence[TrendPoint], as_of_day: date, fmt: Formatter) -> str:
    """Net sales per day for the 30 days up to the as-of day (missing days are 0)."""
    days = [as_of_day - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    by_day = {p.day: p for p in points}
    values = [by_day[d].net_sales if d in by_day else Decimal(0) for d in days]
    width, height, left, top, bottom = 900, 250, 10, 46, 36
    high = max(max(values), Decimal(1))
    low = min(min(values), Decimal(0))
    plot_h = height - top - bottom
    scale = plot_h / float(high - low)
    zero_y = top + float(high) * scale
    slot = (width - 2 * left) / TREND_DAYS
    body = [_text(left, 30, fmt.text("chart.trend"), 26, weight="bold")]
    body.append(_text(width - left, 30, fmt.money(high), 22, "end", fill=MUTED))
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        point = by_day.get(day)
        count = point.sales_count if point else 0
        bar_h = abs(float(value)) * scale
        y = zero_y - bar_h if value >= 0 else zero_y
        body.append(
            _rect(
                left + index * slot + 2,
                y,
                slot - 4,
                bar_h,
                HIGHLIGHT if day == as_of_day else BAR,
                f"{fmt.date(day)}: {fmt.money(value)} · {fmt.number(count)}",
            )
        )
        if index % 7 == 1 or day == as_of_day:
            anchor = "end" if day == as_of_day else "middle"
            x = width - left if day == as_of_day else left + (index + 0.5) * slot
            body.append(_text(x, height - 8, fmt.short_date(day), 20, anchor))
    body.append(_rect(left, zero_y, width - 2 * left, 2, MUTED))
    return _svg(width, height, fmt.text("chart.trend"), body)


def funnel_svg(row: BoardRow, fmt: Formatter) -> str:
    """The month's signup cohort stage by stage, bars relative to signups, mart rates."""
    stages = (
        ("funnel.signups", row.signups_mtd, None),
        ("funnel.reached", row.reached_mtd, row.reach_rate),
        ("funnel.consultations", row.consultations_mtd, row.consultation_rate),
        ("funnel.activated", row.activated_mtd, row.activation_rate),
        ("funnel.paid", row.paid_mtd, row.paid_rate),
    )
    width, row_h, top, label_w = 900, 40, 44, 250
    bar_w = width - label_w - 230
    largest = max(max(count for _, count, _ in stages), 1)
    body = [_text(0, 30, fmt.text("chart.funnel"), 26, weight="bold")]
    for index, (key, count, rate) in enumerate(stages):
        y = top + index * row_h
        body.append(_text(0, y + row_h - 11, fmt.text(key), 24))
        body.append(_rect(label_w, y + 6, bar_w, row_h - 12, TRACK))
        body.append(_rect(label_w, y + 6, bar_w * count / largest, row_h - 12, BAR))
        shown = fmt.number(count) if rate is None else f"{fmt.number(count)} · {fmt.percent(rate)}"
        body.append(_text(width, y + row_h - 11, shown, 24, "end", weight="bold"))
    return _svg(width, top + len(stages) * row_h + 4, fmt.text("chart.funnel"), body)


def forecast_svg(row: BoardRow, fmt: Formatter) -> str:
    """Month to date and both month-end forecasts against the plan line; the statistical
    forecast carries its 80% interval as a whisker, and the month to date a pace marker
    (where the plan says it should be by today)."""
    bars = (
        ("forecast.actual", row.mtd_net_sales, HIGHLIGHT),
        ("forecast.stat", row.stat_forecast_rub, BAR),
        ("forecast.funnel", row.funnel_forecast_rub, BAR),
    )
    width, row_h, top, label_w = 900, 44, 46, 250
    bar_w = width - label_w - 20
    extent = [v for v in (*(b[1] for b in bars), row.stat_forecast_high, row.plan_rub) if v]
    scale = bar_w / float(max(max(extent, default=Decimal(1)), Decimal(1)) * Decimal("1.05"))
    height = top + len(bars) * row_h + 40
    body = [_text(0, 30, fmt.text("chart.forecast"), 26, weight="bold")]
    for index, (key, value, colour) in enumerate(bars):
        y = top + index * row_h
        body.append(_text(0, y + row_h - 13, fmt.text(key), 24))
        if value is None:
            body.append(_text(label_w, y + row_h - 13, fmt.money(None), 24, fill=MUTED))
            continue
        length = float(value) * scale
        body.append(_rect(label_w, y + 8, length, row_h - 16, colour))
        if length > 260:  # the figure fits inside its bar, dark on the bright bar
            body.append(_text(label_w + 12, y + row_h - 13, fmt.money(value), 24, fill="#0f172a"))
        else:
            body.append(_text(label_w + length + 12, y + row_h - 13, fmt.money(value), 24))
        if key == "forecast.stat" and row.stat_forecast_low and row.stat_forecast_high:
            low = label_w + float(row.stat_forecast_low) * scale
            high = label_w + float(row.stat_forecast_high) * scale
            interval = fmt.text(
                "kpi.interval",
                low=fmt.money(row.stat_forecast_low),
                high=fmt.money(row.stat_forecast_high),
            )
            body.append(_rect(low, y + row_h / 2 - 2, high - low, 4, FG, interval))
            body.append(_rect(low - 2, y + 6, 4, row_h - 12, FG, interval))
            body.append(_rect(high - 2, y + 6, 4, row_h - 12, FG, interval))
    if row.plan_rub:
        x = label_w + float(row.plan_rub) * scale
        body.append(_rect(x - 2, top - 6, 4, len(bars) * row_h + 6, PLAN))
        plan_label = f"{fmt.text('forecast.plan')} {fmt.money(row.plan_rub)}"
        anchor = "end" if x > width / 2 else "start"
        body.append(_text(x, height - 8, plan_label, 22, anchor, fill=PLAN, weight="bold"))
    if row.plan_pace_rub is not None:
        x = label_w + float(row.plan_pace_rub) * scale
        pace_label = (
            f"{fmt.text('forecast.pace')} {fmt.money(row.plan_pace_rub)}"
            f" · {fmt.percent(row.pace_attainment)}"
        )
        body.append(_rect(x - 3, top + 2, 6, row_h - 4, PACE, pace_label))
        body.append(_text(width, 30, pace_label, 22, "end", fill=PACE, weight="bold"))
    return _svg(width, height, fmt.text("chart.forecast"), body)
