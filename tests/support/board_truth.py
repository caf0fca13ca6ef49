"""The board's published figures recounted from the simulator's records, for the marts to be
compared with: `mart_sales_daily` (day x manager), `mart_board` (as-of day x manager and
the team) and `mart_funnel_daily` (signup day x manager x channel).

Every rule comes from the docs, never from the product's SQL or Python:
- /work/shared/metrics.md: average order ("average check") = net amount of paid orders ÷
  their count; funnel stage conversion i -> i+1 = entities reaching i+1 ÷ entities that
  entered i, time to convert = median time between stage timestamps.
- /work/shared/domain.md: the funnel (signup, first call, reached, consultation,
  activated, paid); special (turnkey) tariffs tracked apart; promotions.
- dbt_project/DECISIONS.md: Moscow business days; revenue = succeeded payments; a refund
  reduces its sale on the sale's (capture) day, whenever it is made; a fully refunded
  payment is no sale; new = the account's first payment, later ones renewals; plans are
  the company file's, attainment = month-to-date net ÷ plan; pace = plan x days elapsed ÷
  days in month (calendar days), pace attainment = month to date ÷ pace; the board's
  funnel is this month's signups with a stage counted when reached by the end of the
  as-of day, every board rate of the month's signups; stages are not nested, a
  stage-to-stage rate is the share of those at stage i who also reached i+1; time between
  stages = median hours among signups having both; unknown is null, never 0.

Money is whole roubles (int, the simulator's unit) or, where the docs publish a rounded
figure in roubles and kopecks (average check, pace), a `Decimal` rounded to the kopeck;
rates and hours are floats; None = unknown (a ratio with a zero denominator, no sales).
"""

from __future__ import annotations

import calendar
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from ingestion.demo.model import STATUS_CONSULTATION
from ingestion.demo.world import World
from tests.support.funnel_truth import MIN_TALK_SECONDS, day_of

ACTIVATION_EVENT = "bank_statement_imported"  # domain.md: the prospect loads their own data
TEAM = 0  # DECISIONS.md, "The board": the team row is manager 0
KOPECK = Decimal("0.01")
COMPANY_FILE = Path(__file__).resolve().parents[2] / "ingestion" / "demo" / "salesboard.yaml"

# mart_funnel_daily's stages, in domain.md's funnel order.
FUNNEL_STAGES = ("signed_up", "first_called", "reached", "consulted", "activated", "paid")
# The board's point-in-time funnel counts, their rates and their stage (DECISIONS.md, "The
# board").
BOARD_STAGES = (
    ("reached_mtd", "reach_rate", "reached"),
    ("consultations_mtd", "consultation_rate", "consulted"),
    ("activated_mtd", "activation_rate", "activated"),
    ("paid_mtd", "paid_rate", "paid"),
)
# Month-to-date sums of mart_board and the daily figure of mart_sales_daily each adds up.
BOARD_SUMS = {
    "mtd_sales_count": "sales_count",
    "mtd_net_sales": "net_revenue",
    "new_sales_count": "new_sales_count",
    "new_net_sales": "new_net_revenue",
    "renewal_sales_count": "renewal_sales_count",
    "renewal_net_sales": "renewal_net_revenue",
    "special_sales_count": "special_tariff_sales_count",
    "special_net_sales": "special_tariff_net_revenue",
}


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator, None (unknown) when either is unknown or the base is 0."""
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


def kopecks(value: Decimal) -> Decimal:
    """A rouble amount rounded to the kopeck, halves away from zero (the money columns'
    decimal(18, 2))."""
    return value.quantize(KOPECK, ROUND_HALF_UP)


def month_of(day: date) -> date:
    return day.replace(day=1)


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def company_plans(company_file: Path = COMPANY_FILE) -> dict[tuple[int, date], int]:
    """(manager's CRM user id, month start) -> the month's net-revenue plan in whole RUB,
    read straight from the company file's `plans:` section ({"YYYY-MM": RUB} per manager):
    the configured input the pipeline reads (DECISIONS.md, "Plans")."""
    raw = yaml.safe_load(company_file.read_text(encoding="utf-8"))["plans"]
    return {
        (int(manager), date.fromisoformat(f"{month}-01")): int(rub)
        for manager, months in raw.items()
        for month, rub in months.items()
    }


def last_day(world: World) -> date:
    """The last business day the world holds (its `as_of` is exclusive)."""
    return day_of(world.as_of - timedelta(microseconds=1))


def business_days(world: World) -> list[date]:
    """Every business day of the world, from its start date through `last_day`."""
    first, last = world.config.start_date, last_day(world)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def staff_on(world: World, day: date) -> set[int]:
    """The managers on staff on `day` (hired on or before it: the company's roster)."""
    return {m.user_id for m in world.managers if m.hired_on <= day}


def refunded_by_payment(world: World, before: datetime | None = None) -> dict[str, int]:
    """payment_id -> RUB returned by the world's refunds created before `before` (default:
    every refund the history holds)."""
    before = before or world.as_of
    refunded: dict[str, int] = defaultdict(int)
    for refund in world.refunds:
        if refund.created_at < before:
            refunded[refund.payment_id] += refund.amount_rub
    return refunded


def sales_daily_truth(
    world: World, plans: dict[tuple[int, date], int]
) -> dict[tuple[date, int], dict[str, object]]:
    """(sale day, manager) -> every figure of `mart_sales_daily` for every business day and
    every manager on staff that day (zeros without sales), from the succeeded payments
    (Moscow capture day, credited to the payment's manager) and every refund of them the
    history holds, counted on the payment's day (DECISIONS.md, "Net revenue is by payment
    day"). Counts exclude fully refunded payments; new/renewal is the simulator's
    `is_renewal` (the account's first payment is new); special = the tariff's `is_special`;
    promo = a promotion code. avg_check_daily = net ÷ sales (float, None without sales);
    month_to_date_net_revenue sums the month's days through this one; the plan is the
    company file's (None without one) and attainment = month to date ÷ plan."""
    refunded = refunded_by_payment(world)
    daily: dict[tuple[date, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in world.payments:
        if p.status != "succeeded" or p.captured_at >= world.as_of:
            continue
        back = refunded[p.payment_id]
        net, is_sale = p.amount_rub - back, back < p.amount_rub
        special = world.tariffs[p.tariff].is_special
        kind = "renewal" if p.is_renewal else "new"
        row = daily[(day_of(p.captured_at), p.manager_id)]
        row["gross_revenue"] += p.amount_rub
        row["refunded_amount"] += back
        row["net_revenue"] += net
        row["sales_count"] += is_sale
        row[f"{kind}_sales_count"] += is_sale
        row[f"{kind}_net_revenue"] += net
        row["special_tariff_sales_count"] += is_sale and special
        row["special_tariff_net_revenue"] += net if special else 0
        row["promo_sales_count"] += is_sale and p.promo_code is not None
    credited = {key[1] for key in daily}
    assert credited <= {m.user_id for m in world.managers}, "a sale credited to no manager"
    truth: dict[tuple[date, int], dict[str, object]] = {}
    month_to_date: dict[int, int] = defaultdict(int)
    for day in business_days(world):
        if day.day == 1:
            month_to_date.clear()
        for manager in sorted(staff_on(world, day)):
            row = dict.fromkeys(
                (
                    "sales_count", "new_sales_count", "renewal_sales_count", "new_net_revenue",
                    "renewal_net_revenue", "gross_revenue", "refunded_amount", "net_revenue",
                    "special_tariff_sales_count", "special_tariff_net_revenue",
                    "promo_sales_count",
                ),
                0,
            ) | dict(daily.get((day, manager), {}))  # fmt: skip
            month_to_date[manager] += row["net_revenue"]
            plan = plans.get((manager, month_of(day)))
            row["avg_check_daily"] = ratio(row["net_revenue"], row["sales_count"])
            row["month_to_date_net_revenue"] = month_to_date[manager]
            row["month_plan_net_revenue"] = plan
            row["month_plan_attainment"] = ratio(month_to_date[manager], plan)
            truth[(day, manager)] = row
    # Nothing sold by someone off the roster that day (it would fall out of every mart row).
    off_roster = [key for key in daily if key[1] not in staff_on(world, key[0])]
    assert off_roster == [], off_roster[:5]
    return truth


def board_truth(
    world: World, plans: dict[tuple[int, date], int]
) -> dict[tuple[date, int], dict[str, object]]:
    """(as-of day, manager) -> `mart_board`'s own figures for every business day, every
    manager on staff and the team (manager 0): days_elapsed / days_in_month (calendar);
    the month-to-date sales sums of BOARD_SUMS (from `sales_daily_truth`: refunds on their
    sale's day, every refund the history holds); unknown-type sales (0: the history is
    whole); avg_check = month-to-date net ÷ sales (kopecks, None without sales); plan_rub
    (the team's = the sum of its managers'), plan_attainment = month to date ÷ plan,
    plan_pace_rub = plan x days elapsed ÷ days in month (kopecks), pace_attainment = month
    to date ÷ that pace; the month's signups through the day (`signups_mtd`), each stage
    counted when reached (`stage_times`) before the day ended (BOARD_STAGES), and each
    stage's rate of the month's signups (None without signups)."""
    sales = sales_daily_truth(world, plans)
    times = stage_times(world)
    # Signups per (day, manager), and per stage the day a month's signup reached it.
    signups: dict[tuple[date, int], int] = defaultdict(int)
    stage_days: dict[tuple[str, date, int], int] = defaultdict(int)
    for s in world.signups:
        signed_up = day_of(s.created_at)
        signups[(signed_up, s.manager_id)] += 1
        for figure, _, stage in BOARD_STAGES:
            at = times[s.lead_id][FUNNEL_STAGES.index(stage)]
            if at is not None:
                # Counted from the later of its signup day and the day it was reached, so
                # only on the boards of its signup month.
                counted_from = max(signed_up, day_of(at))
                if month_of(counted_from) == month_of(signed_up):
                    stage_days[(figure, counted_from, s.manager_id)] += 1
    # No signup is anyone's but a manager on staff that day (it would be on no board row).
    off_roster = [key for key in signups if key[1] not in staff_on(world, key[0])]
    assert off_roster == [], off_roster[:5]
    truth: dict[tuple[date, int], dict[str, object]] = {}
    running: dict[int, dict[str, int]] = {}
    for day in business_days(world):
        if day.day == 1:
            running = {}
        managers = sorted(staff_on(world, day))
        for manager in managers:
            row = running.setdefault(manager, defaultdict(int))
            for figure, column in BOARD_SUMS.items():
                row[figure] += sales[(day, manager)][column]
            row["signups_mtd"] += signups[(day, manager)]
            for figure, _, _ in BOARD_STAGES:
                row[figure] += stage_days[(figure, day, manager)]
        rows = {m: dict(running[m]) for m in managers}
        team = {name: sum(row[name] for row in rows.values()) for name in rows[managers[0]]}
        month_plans = [plans.get((m, month_of(day))) for m in managers]
        for manager, plan in zip(managers, month_plans, strict=True):
            rows[manager]["plan_rub"] = plan
        team["plan_rub"] = None if None in month_plans else sum(month_plans)
        rows[TEAM] = team
        for manager, row in rows.items():
            elapsed, length = day.day, days_in_month(day)
            plan = row["plan_rub"]
            pace = None if plan is None else kopecks(Decimal(plan) * elapsed / length)
            check = None
            if row["mtd_sales_count"]:
                check = kopecks(Decimal(row["mtd_net_sales"]) / row["mtd_sales_count"])
            row |= {
                "days_elapsed": elapsed,
                "days_in_month": length,
                "unknown_type_sales_count": row["mtd_sales_count"]
                - row["new_sales_count"]
                - row["renewal_sales_count"],
                "unknown_type_net_sales": row["mtd_net_sales"]
                - row["new_net_sales"]
                - row["renewal_net_sales"],
                "avg_check": check,
                "plan_attainment": ratio(row["mtd_net_sales"], plan),
                "plan_pace_rub": pace,
                "pace_attainment": ratio(row["mtd_net_sales"], pace),
            }
            for figure, rate, _ in BOARD_STAGES:
                row[rate] = ratio(row[figure], row["signups_mtd"])
            truth[(day, manager)] = row
    return truth


def _hours(start: datetime, end: datetime) -> float:
    """Hours from `start` to `end`, from whole microseconds (negative when `end` is earlier)."""
    return (end - start) / timedelta(microseconds=1) / 1e6 / 3600


def _seconds(at: datetime | None) -> datetime | None:
    """An instant as amoCRM records it (unix seconds)."""
    return None if at is None else at.replace(microsecond=0)


def _centis(at: datetime | None) -> datetime | None:
    """An instant as Telphin records it ("%Y-%m-%d %H:%M:%S.cc")."""
    return None if at is None else at.replace(microsecond=at.microsecond // 10_000 * 10_000)


def _millis(at: datetime | None) -> datetime | None:
    """An instant as YooKassa records it (milliseconds)."""
    return None if at is None else at.replace(microsecond=at.microsecond // 1000 * 1000)


def stage_times(world: World) -> dict[int, tuple[datetime | None, ...]]:
    """lead_id -> the instant the signup reached each of FUNNEL_STAGES (None = not yet), by
    DECISIONS.md's rules ("Signups and calls", "Funnel stages") on the simulator's records,
    at the precision the vendor records them: signed up = the lead's creation (amoCRM,
    seconds); first called = the start of its first outbound call (Telphin, centiseconds);
    reached = the pick-up of its first call with >= 60 s of talk (Telphin, centiseconds);
    consulted = its first move into the CRM's Consultation stage (amoCRM, seconds);
    activated = its bank statement import, once uploaded before the history's end
    (Amplitude, microseconds); paid = the capture of the account's first succeeded payment
    after signing up (YooKassa, milliseconds)."""
    first_out: dict[int, datetime] = {}
    reached: dict[int, datetime] = {}
    for call in world.calls:  # in start order
        if call.flow == "out":
            first_out.setdefault(call.lead_id, call.start_time)
        # Talk as Telphin reports it (bridged_duration, whole seconds).
        if call.talk_seconds is not None and round(call.talk_seconds) >= MIN_TALK_SECONDS:
            at = call.bridged_time
            reached[call.lead_id] = min(at, reached.get(call.lead_id, at))
    # An import reaches Amplitude when the device uploads it (up to `upload_delay_minutes`
    # later): one made in the history's last hours may not be uploaded by its end.
    delay = timedelta(minutes=world.config["activity"]["upload_delay_minutes"][1])
    late = world.as_of - delay
    uploaded_late = {
        (e.user_id, e.event_time)
        for e in world.activity_events(late, world.as_of)
        if e.event_type == ACTIVATION_EVENT
    }
    paid: dict[str, list[datetime]] = defaultdict(list)
    for p in world.payments:
        if p.status == "succeeded" and p.captured_at < world.as_of:
            paid[p.account_id].append(p.captured_at)
    times = {}
    for s in world.signups:
        consulted = [c.at for c in s.status_changes if c.status_after == STATUS_CONSULTATION]
        captures = [at for at in paid[s.account_id] if at >= s.created_at]
        activated = s.activated_at
        if activated is not None and activated >= late:
            activated = activated if (s.account_id, activated) in uploaded_late else None
        times[s.lead_id] = (
            _seconds(s.created_at),
            _centis(first_out.get(s.lead_id)),
            _centis(reached.get(s.lead_id)),
            _seconds(min(consulted, default=None)),
            activated,
            _millis(min(captures, default=None)),
        )
    return times


def funnel_cohort_truth(world: World) -> dict[tuple[date, int, str], dict[str, object]]:
    """(signup day, manager, channel) -> every figure of `mart_funnel_daily`: per stage of
    FUNNEL_STAGES the cohort's signups that reached it by the end of the history
    (`<stage>_count`, times from `stage_times`), each consecutive pair's rate = of those at
    stage i, the share who also reached i+1 (`<i>_to_<i+1>_rate`, None when none reached
    i), overall = paid ÷ signed up, and `median_hours_<i>_to_<i+1>` = the median (the mean
    of the middle two for an even count) of t(i+1) − t(i) in hours among the signups
    having both (negative when a signup skipped ahead; None when none has both)."""
    times = stage_times(world)
    cohorts: dict[tuple[date, int, str], list] = defaultdict(list)
    for s in world.signups:
        cohorts[(day_of(s.created_at), s.manager_id, s.channel)].append(times[s.lead_id])
    truth = {}
    for key, members in cohorts.items():
        row: dict[str, object] = {}
        for i, stage in enumerate(FUNNEL_STAGES):
            row[f"{stage}_count"] = sum(t[i] is not None for t in members)
        for i in range(1, len(FUNNEL_STAGES)):
            previous, stage = FUNNEL_STAGES[i - 1], FUNNEL_STAGES[i]
            both = [t for t in members if t[i - 1] is not None and t[i] is not None]
            row[f"{previous}_to_{stage}_rate"] = ratio(len(both), row[f"{previous}_count"])
            hours = [_hours(t[i - 1], t[i]) for t in both]
            row[f"median_hours_{previous}_to_{stage}"] = statistics.median(hours) if hours else None
        row["overall_conversion_rate"] = ratio(row["paid_count"], row["signed_up_count"])
        truth[key] = row
    return truth
