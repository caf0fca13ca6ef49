"""Ground truth: the demo company's real daily figures, for tests to compare marts with.

Days are business days in `business_tz` (Europe/Moscow), like the pipeline's partitions.
Definitions match domain.md: reached = a call with >= 60 s of talk; revenue = succeeded
payments by capture day; refunds by their own day; an account churns on the day its paid
period ends when no new period starts within the renewal grace.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ingestion.demo.world import World


@dataclass(frozen=True)
class DayTruth:
    day: date
    signups: int
    first_calls: int
    reached: int
    consultations: int
    activations: int
    first_payments: int
    revenue_rub: int
    refunds_rub: int
    churned_accounts: int
    active_subscriptions: int

    def as_dict(self) -> dict:
        return asdict(self) | {"day": self.day.isoformat()}


def paid_periods(world: World) -> dict[str, list[tuple[date, date]]]:
    """Per account, its paid periods [start, end) in order (full refunds already cut them)."""
    periods: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for p in world.payments:
        if p.status == "succeeded" and p.period_start is not None:
            periods[p.account_id].append((p.period_start, p.period_end))
    return {account: sorted(spans) for account, spans in periods.items()}


def churn_days(world: World) -> list[tuple[str, date]]:
    """(account, churn day) for every churn, so an account can churn more than once."""
    grace = timedelta(days=world.config["churn"]["renewal_grace_days"])
    last_day = _day(world, world.as_of - timedelta(microseconds=1))
    churns = []
    for account, spans in paid_periods(world).items():
        covered_until = None
        for i, (_, end) in enumerate(spans):
            covered_until = max(covered_until or end, end)
            next_start = spans[i + 1][0] if i + 1 < len(spans) else None
            if next_start is not None and next_start <= covered_until + grace:
                continue
            if next_start is None and covered_until + grace > last_day:
                continue  # may still renew: not churned as of now
            churns.append((account, covered_until))
            covered_until = None
    return churns


def daily_truth(world: World) -> list[DayTruth]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for s in world.signups:
        counts["signups"][_day(world, s.created_at)] += 1
        for field, key in (
            ("first_call_at", "first_calls"),
            ("reached_at", "reached"),
            ("consultation_at", "consultations"),
            ("activated_at", "activations"),
            ("paid_at", "first_payments"),
        ):
            at = getattr(s, field)
            if at is not None:
                counts[key][_day(world, at)] += 1
    for p in world.payments:
        if p.status == "succeeded":
            counts["revenue_rub"][_day(world, p.captured_at)] += p.amount_rub
    for r in world.refunds:
        counts["refunds_rub"][_day(world, r.created_at)] += r.amount_rub
    for _, day in churn_days(world):
        counts["churned_accounts"][day] += 1
    active = _active_subscriptions_by_day(world)
    first = world.config.start_date
    last = _day(world, world.as_of - timedelta(microseconds=1))
    return [
        DayTruth(
            day=first + timedelta(days=n),
            active_subscriptions=active.get(first + timedelta(days=n), 0),
            **{key: counts[key][first + timedelta(days=n)] for key in _COUNTED},
        )
        for n in range((last - first).days + 1)
    ]


_COUNTED = (
    "signups",
    "first_calls",
    "reached",
    "consultations",
    "activations",
    "first_payments",
    "revenue_rub",
    "refunds_rub",
    "churned_accounts",
)


def _active_subscriptions_by_day(world: World) -> dict[date, int]:
    """Accounts with a paid period covering the day (each account counted once)."""
    delta: Counter = Counter()
    for spans in paid_periods(world).values():
        merged: list[list[date]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            delta[start] += 1
            delta[end] -= 1
    active, running = {}, 0
    day, last = world.config.start_date, _day(world, world.as_of)
    while day <= last:
        running += delta[day]
        active[day] = running
        day += timedelta(days=1)
    return active


def _day(world: World, at: datetime) -> date:
    return at.astimezone(ZoneInfo(world.config.business_tz)).date()
