"""A realistic board: seven managers, the team row, 30-day trends, splits and last week.

Rows are dicts of Decimals, dates, ints and floats, exactly as DuckDB returns the
`mart_board*` marts, and they are internally consistent (the team row sums the managers,
rates are their counts' ratios, ranks follow the sales, the changes compare the board with
last week's) so the figures on the board can be checked against them.
This week against last the three largest moves are: Anna's reach rate 52% -> 61% (+17%
relative), Gleb's reach rate 44% -> 40% (-9%) and the team's statistical forecast (-6%);
the funnel forecast moves 5%.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from publishing.board import BoardContext, from_rows

AS_OF = date(2026, 11, 26)
WEEK_AGO = AS_OF - timedelta(days=7)
GENERATED_AT = datetime(2026, 11, 27, 3, 5, tzinfo=UTC)

# id, name, plan, signups, reached (today, a week ago), consultations, activated, paid
# (a week ago every funnel count is lower: signups by 25, reached by 13, ...)
MANAGERS = (
    (5001, "Анна Смирнова", 1_100_000, 100, (61, 52), 30, 28, 7),
    (5002, "Борис Иванов", 1_200_000, 100, (48, 50), 25, 27, 8),
    (5003, "Вера Кузнецова", 1_100_000, 100, (58, 57), 31, 29, 7),
    (5004, "Глеб Попов", 900_000, 100, (40, 46), 14, 22, 4),
    (5005, "Дарья Соколова", 1_000_000, 100, (55, 55), 23, 26, 6),
    (5006, "Егор Лебедев", 900_000, 100, (50, 49), 20, 25, 5),
    (5007, "Жанна Козлова", 1_000_000, 100, (63, 60), 26, 30, 5),
)
TEAM_CANDIDATES = (  # mart_board_changes' team metrics, in candidate order (managers: 0)
    "reach_rate",
    "consultation_rate",
    "activation_rate",
    "stat_forecast_rub",
    "funnel_forecast_rub",
)
TARIFFS = (("pro", 8000), ("business", 5000), ("start", 3000), ("turnkey", 25000))
PERIODS = ("12", "6", "3")


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _sale_type(tariff: str, period: str) -> str | None:
    """The sample's sale types: annual sales renew, a quarterly turnkey sale's type is
    unknown (its account's history predates the warehouse), the rest are new."""
    if period == "12":
        return "renewal"
    return None if (tariff, period) == ("turnkey", "3") else "new"


def _row(day: date, manager_id: int, name: str, plan: int, counts: dict, sales: list) -> dict:
    """One mart_board row from funnel counts and the manager's sales of the month."""
    days_elapsed = day.day
    net = _money(sum(amount for amount, _, _ in sales))
    paid_amounts = [amount for amount, _, _ in sales]
    pace = _money(plan * days_elapsed / 30)
    typed = {
        kind: [amount for amount, tariff, period in sales if _sale_type(tariff, period) == kind]
        for kind in ("new", "renewal", None)
    }
    stat = _money(float(net) / days_elapsed * 30)
    funnel = _money(stat * Decimal("0.95") + counts["activated"] * 900)
    special = [amount for amount, tariff, _ in sales if tariff == "turnkey"]
    return {
        "as_of_day": day,
        "manager_id": manager_id,
        "manager_name": name,
        "is_team_total": manager_id == 0,
        "month_start": day.replace(day=1),
        "is_history_complete": True,
        "days_elapsed": days_elapsed,
        "days_in_month": 30,
        "mtd_sales_count": len(sales),
        "mtd_net_sales": net,
        "plan_rub": _money(plan),
        "plan_attainment": float(net) / plan,
        "plan_pace_rub": pace,
        "pace_attainment": float(net / pace),
        "avg_check": _money(sum(paid_amounts) / len(paid_amounts)) if paid_amounts else None,
        "new_sales_count": len(typed["new"]),
        "new_net_sales": _money(sum(typed["new"])),
        "renewal_sales_count": len(typed["renewal"]),
        "renewal_net_sales": _money(sum(typed["renewal"])),
        "unknown_type_sales_count": len(typed[None]),
        "unknown_type_net_sales": _money(sum(typed[None])),
        "signups_mtd": counts["signups"],
        "reached_mtd": counts["reached"],
        "consultations_mtd": counts["consultations"],
        "activated_mtd": counts["activated"],
        "paid_mtd": counts["paid"],
        "reach_rate": _rate(counts["reached"], counts["signups"]),
        "consultation_rate": _rate(counts["consultations"], counts["signups"]),
        "activation_rate": _rate(counts["activated"], counts["signups"]),
        "paid_rate": _rate(counts["paid"], counts["signups"]),
        "stat_forecast_rub": stat,
        "stat_forecast_low": _money(stat * Decimal("0.85")),
        "stat_forecast_high": _money(stat * Decimal("1.15")),
        "funnel_forecast_rub": funnel,
        "forecast_to_plan": float(stat) / plan,
        "special_sales_count": len(special),
        "special_net_sales": _money(sum(special)),
    }


def _sales_by_day(manager_id: int, first: date, last: date) -> dict[date, list]:
    """Deterministic sales per day: (net amount, tariff) pairs."""
    rng = random.Random(manager_id)
    days = {}
    day = first
    while day <= last:
        sales = []
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2))):
            tariff, monthly = rng.choices(TARIFFS, weights=(28, 40, 25, 7))[0]
            period = rng.choice(PERIODS)
            sales.append(
                (round(monthly * int(period) * rng.uniform(0.75, 0.95), 2), tariff, period)
            )
        days[day] = sales
        day += timedelta(days=1)
    return days


def build_rows() -> dict[str, list[dict]]:
    """The four row lists the Dagster asset passes to `from_rows` (`board`, `trend`,
    `splits`, `changes`), and `week_ago`: mart_board a week before, which `changes` compares
    with."""
    trend_start = AS_OF - timedelta(days=29)
    rows: dict[str, list[dict]] = {"board": [], "trend": [], "splits": [], "week_ago": []}
    totals = {
        key: {"signups": 0, "reached": 0, "consultations": 0, "activated": 0, "paid": 0}
        for key in ("board", "week_ago")
    }
    team_sales: dict[str, list] = {"board": [], "week_ago": []}
    team_trend: dict[date, list] = {}
    team_splits: dict[tuple[str, str], list] = {}
    for manager_id, name, plan, signups, reached_pair, consult, active, paid in MANAGERS:
        reached, reached_before = reached_pair
        by_day = _sales_by_day(manager_id, trend_start, AS_OF)
        for key, day, reach in (("board", AS_OF, reached), ("week_ago", WEEK_AGO, reached_before)):
            before = key == "week_ago"
            counts = {
                "signups": signups - (25 if before else 0),
                "reached": reach - (13 if before else 0),
                "consultations": consult - (7 if before else 0),
                "activated": active - (6 if before else 0),
                "paid": paid - (2 if before else 0),
            }
            for stage, value in counts.items():
                totals[key][stage] += value
            month = [
                sale
                for sale_day, sales in by_day.items()
                if day.replace(day=1) <= sale_day <= day
                for sale in sales
            ]
            team_sales[key] += month
            rows[key].append(_row(day, manager_id, name, plan, counts, month))
        for day, sales in by_day.items():
            team_trend.setdefault(day, []).extend(sales)
            rows["trend"].append(_trend(manager_id, day, sales))
        for kind, index in (("tariff", 1), ("period", 2)):
            grouped: dict[str, list] = {}
            for day, sales in by_day.items():
                if day >= AS_OF.replace(day=1):
                    for sale in sales:
                        grouped.setdefault(sale[index], []).append(sale[0])
                        team_splits.setdefault((kind, sale[index]), []).append(sale[0])
            rows["splits"] += [_split(manager_id, kind, v, a) for v, a in grouped.items()]
    team_plan = sum(m[2] for m in MANAGERS)
    rows["board"].append(_row(AS_OF, 0, "Team", team_plan, totals["board"], team_sales["board"]))
    rows["week_ago"].append(
        _row(WEEK_AGO, 0, "Team", team_plan, totals["week_ago"], team_sales["week_ago"])
    )
    rows["trend"] += [_trend(0, day, sales) for day, sales in team_trend.items()]
    rows["splits"] += [_split(0, k, v, a) for (k, v), a in team_splits.items()]
    for board in (rows["board"], rows["week_ago"]):
        _rank(board)
    rows["changes"] = _changes(rows["board"], rows["week_ago"])
    return rows


def _rank(board: list[dict]) -> None:
    """mart_board.sales_rank: 1 + the managers with more sales; none for the team."""
    managers = [r for r in board if not r["is_team_total"]]
    for row in board:
        ahead = sum(other["mtd_net_sales"] > row["mtd_net_sales"] for other in managers)
        row["sales_rank"] = None if row["is_team_total"] else 1 + ahead


def _changes(board: list[dict], week_ago: list[dict]) -> list[dict]:
    """mart_board_changes for AS_OF. Every candidate qualifies here: nothing is missing or
    zero last week, and last week is in the same month."""
    before = {r["manager_id"]: r for r in week_ago}
    team = next(r for r in board if r["is_team_total"])
    candidates = [(row, "reach_rate", 0) for row in board if not row["is_team_total"]]
    candidates += [(team, metric, n) for n, metric in enumerate(TEAM_CANDIDATES, start=1)]
    return [
        change_row(row["manager_id"], metric, order, before[row["manager_id"]][metric], row[metric])
        for row, metric, order in candidates
    ]


def change_row(manager_id: int, metric: str, order: int, before, after) -> dict:
    """One mart_board_changes row: doubles, the relative change divided exactly."""
    return {
        "as_of_day": AS_OF,
        "metric": metric,
        "manager_id": manager_id,
        "candidate_order": order,
        "value_week_ago": float(before),
        "value_now": float(after),
        "relative_change": float((after - before) / before),
    }


def _trend(manager_id: int, day: date, sales: list) -> dict:
    return {
        "as_of_day": AS_OF,
        "manager_id": manager_id,
        "day": day,
        "net_sales": _money(sum(s[0] for s in sales)),
        "sales_count": len(sales),
    }


def _split(manager_id: int, kind: str, value: str, amounts: list) -> dict:
    return {
        "as_of_day": AS_OF,
        "manager_id": manager_id,
        "split_kind": kind,
        "split_value": value,
        "sales_count": len(amounts),
        "net_sales": _money(sum(amounts)),
    }


def make_context(**overrides) -> BoardContext:
    values = {
        "as_of_day": AS_OF,
        "generated_at": GENERATED_AT,
        "locale": "ru",
        "mode": "leaderboard",
        "source_loads": {
            "telphin": datetime(2026, 11, 27, 2, 40, tzinfo=UTC),
            "amocrm": datetime(2026, 11, 27, 2, 42, tzinfo=UTC),
            "yookassa": datetime(2026, 11, 27, 2, 45, tzinfo=UTC),
            "amplitude": None,
        },
        "warnings": ["amplitude/events: последняя выгрузка опоздала на 3 часа"],
    }
    return BoardContext(**(values | overrides))


@pytest.fixture(scope="session")
def rows() -> dict[str, list[dict]]:
    return build_rows()


@pytest.fixture
def make_inputs(rows):
    """`make_inputs(mode=..., locale=...)`: the sample board under another context."""

    def make(**context):
        return from_rows(
            make_context(**context), rows["board"], rows["trend"], rows["splits"], rows["changes"]
        )

    return make


@pytest.fixture
def inputs(make_inputs):
    return make_inputs()
