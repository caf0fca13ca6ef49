"""The demo company's monthly sales plans, set the way a SaaS sales team sets them.

A real head of sales sets each manager's plan for a month from what is known when the month
starts: the manager's renewal book (the subscriptions that end in the month) and their
recent performance, plus a stretch target. The demo's plans follow that rule on the
simulated history, so they grow with the company (about 1.6x a year) and plan attainment
lands in a believable band instead of drifting far above 100%:

    plan(M) = renewal book(M) x renewal yield + new-sales target, rounded to `round_to_rub`

- **renewal book(M)**: what the manager's paying accounts paid for their current periods
  that end in M (succeeded, not fully refunded payments). All of it was paid before M.
- **renewal yield**: the manager's renewal net revenue over the `trailing_months` before M
  divided by their renewal book of those months (how much of a book comes back).
- **new-sales target**: the manager's average new-sale net revenue over the same months,
  times `1 + new_sales_stretch`.
- A manager with fewer than `trailing_months` whole months on staff before M (a new hire,
  the demo's first months) has their configured `starting_plan_rub`.

Net revenue is by payment day, as the marts count it (a refund reduces its payment's day).
The plans are the company's configured input: `python -m ingestion.demo plans` prints them
as the `plans:` section of the demo's company file (`ingestion/demo/salesboard.yaml`); the
pipeline reads that file and never derives a plan from its own actuals. Same seed and config
give the same plans, and a plan depends only on the history before its month, so a longer
simulation never changes an earlier plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from ingestion.demo.billing import add_months
from ingestion.demo.world import World


@dataclass(frozen=True)
class MonthSales:
    """One manager's month: net revenue of new sales and of renewals by payment day, and the
    renewal book (amounts of the paid periods ending in the month)."""

    new_net_rub: int = 0
    renewal_net_rub: int = 0
    renewal_book_rub: int = 0

    @property
    def net_rub(self) -> int:
        return self.new_net_rub + self.renewal_net_rub


def monthly_sales(world: World, known_at: datetime | None = None) -> dict:
    """Per (manager, month start): the month's `MonthSales` as known at `known_at` (UTC;
    default: everything the world holds), counting only payments and refunds made before."""
    known_at = known_at or world.as_of
    tz = ZoneInfo(world.config.business_tz)
    refunded = defaultdict(int)
    for refund in world.refunds:
        if refund.created_at < known_at:
            refunded[refund.payment_id] += refund.amount_rub
    figures: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for payment in world.payments:
        if payment.status != "succeeded" or payment.captured_at >= known_at:
            continue
        month = payment.captured_at.astimezone(tz).date().replace(day=1)
        net = payment.amount_rub - refunded[payment.payment_id]
        figures[payment.manager_id, month][1 if payment.is_renewal else 0] += net
        if payment.period_end is not None and net > 0:
            figures[payment.manager_id, payment.period_end.replace(day=1)][2] += payment.amount_rub
    return {key: MonthSales(*values) for key, values in figures.items()}


def plans(world: World, through: date) -> list[tuple[int, date, Decimal]]:
    """(manager_id, month start, plan RUB) for every manager from their hire month through
    the month of `through`, in manager then month order. Each month's plan reads only what
    was known when the month began, so the world must reach the start of `through`'s month."""
    config = world.config
    rule = config["plans"]
    window = int(rule["trailing_months"])
    stretch = Decimal(str(rule["new_sales_stretch"]))
    unit = Decimal(int(rule["round_to_rub"]))
    tz = ZoneInfo(config.business_tz)
    last = through.replace(day=1)
    if datetime.combine(last, time(), tz) > world.as_of:
        raise ValueError(f"the world ends at {world.as_of}, before the plan month {last}")
    known: dict[date, dict] = {}
    rows = []
    for manager in config["managers"]:
        hired = manager["hired_on"]
        first_whole = hired.replace(day=1) if hired.day == 1 else add_months(hired, 1)
        month = hired.replace(day=1)
        while month <= last:
            trailing = [add_months(month, -n) for n in range(window, 0, -1)]
            if trailing[0] < first_whole:
                plan = Decimal(int(manager["starting_plan_rub"]))
            else:
                if month not in known:
                    start = datetime.combine(month, time(), tz).astimezone(UTC)
                    known[month] = monthly_sales(world, start)
                sales = known[month]
                past = [sales.get((manager["user_id"], m), MonthSales()) for m in trailing]
                book = sum(s.renewal_book_rub for s in past)
                renewed = sum(s.renewal_net_rub for s in past)
                due = sales.get((manager["user_id"], month), MonthSales()).renewal_book_rub
                renewals = Decimal(due) * renewed / book if book else Decimal(0)
                new = Decimal(sum(s.new_net_rub for s in past)) / window * (1 + stretch)
                plan = ((renewals + new) / unit).quantize(Decimal(1), ROUND_HALF_UP) * unit
            rows.append((manager["user_id"], month, plan))
            month = add_months(month, 1)
    return rows


def plans_yaml(rows: list[tuple[int, date, Decimal]], per_line: int = 6) -> str:
    """The company file's `plans:` section for `rows`: per manager, {"YYYY-MM": RUB}."""
    lines = ["plans:"]
    by_manager: dict[int, list[str]] = defaultdict(list)
    for manager, month, plan in rows:
        by_manager[manager].append(f'"{month:%Y-%m}": {int(plan)}')
    for manager, items in by_manager.items():
        chunks = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        lines += [f"  {manager}:", "    {" + ",\n     ".join(chunks) + "}"]
    return "\n".join(lines) + "\n"
