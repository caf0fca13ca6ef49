"""The demo's truth for a run's days, and the marts' figures to compare with it.

The truth is the world's own records as the vendors show them at the run's clock, cut
where the run's event-dated windows end (the end of its last day), counted with
domain.md's rules: per signup day, the signups and those first called, reached (a call
with >= 60 s of talk), consulted, activated (a bank statement imported after signing up)
and paid; per sale day, gross revenue (the simulator's `daily_truth`) and net revenue.
No product code is used to compute it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from ingestion.demo.model import STATUS_CONSULTATION, Signup
from ingestion.demo.truth import daily_truth
from ingestion.demo.world import World

MOSCOW = ZoneInfo("Europe/Moscow")  # domain.md: the team's business day
STAGES = ("signups", "called", "reached", "consulted", "activated", "paid")
MIN_TALK_SECONDS = 60  # domain.md: a first contact counts as reached from 60 s of talk


def end_of(day: date) -> datetime:
    """The UTC instant the business day `day` ends."""
    return datetime.combine(day + timedelta(days=1), time(), MOSCOW).astimezone(UTC)


def day_of(at: datetime) -> date:
    """The business day of an aware instant."""
    return at.astimezone(MOSCOW).date()


def changed_since(world: World, days: list[date], clock: datetime) -> list[int]:
    """The window's signups whose lead changed after the last day ended, before `clock`."""
    since = end_of(days[-1])
    return [
        s.lead_id
        for s in world.signups
        if day_of(s.created_at) in days and any(since <= c.at <= clock for c in s.status_changes)
    ]


def funnel_truth(world: World, days: list[date], clock: datetime) -> dict[date, Counter]:
    """Per signup day of `days` (consecutive), how many signups reached each of STAGES, as
    the vendors show them at `clock` within the run's event windows: calls started, status
    moves made, product events uploaded and payments created before the last day ended
    (calls finished and payments captured by `clock`)."""
    end = end_of(days[-1])
    calls: dict[int, list] = {}
    for c in world.calls:
        if c.start_time < end and c.hangup_time <= clock:
            calls.setdefault(c.lead_id, []).append(c)
    imports: dict[str, list[datetime]] = {}
    first_upload = datetime.combine(days[0], time(), MOSCOW).astimezone(UTC)
    for event in world.activity_events(first_upload - timedelta(days=1), end):
        if event.event_type == "bank_statement_imported":
            imports.setdefault(event.user_id, []).append(event.event_time)
    payments: dict[str, list] = {}
    for p in world.payments:
        if p.status == "succeeded" and p.created_at < end and p.captured_at <= clock:
            payments.setdefault(p.account_id, []).append(p)

    def stages(s: Signup) -> dict[str, bool]:
        own_calls = calls.get(s.lead_id, [])
        return {
            "signups": True,
            "called": any(c.flow == "out" for c in own_calls),
            "reached": any((c.talk_seconds or 0) >= MIN_TALK_SECONDS for c in own_calls),
            "consulted": any(
                c.status_after == STATUS_CONSULTATION and c.at < end for c in s.status_changes
            ),
            "activated": any(at >= s.created_at for at in imports.get(s.account_id, [])),
            "paid": any(p.captured_at >= s.created_at for p in payments.get(s.account_id, [])),
        }

    truth = {day: Counter() for day in days}
    for s in world.signups:
        if day_of(s.created_at) in truth:
            truth[day_of(s.created_at)].update(k for k, reached in stages(s).items() if reached)
    return truth


def revenue_truth(world: World, days: list[date]) -> dict[date, tuple[int, int]]:
    """Per sale day: gross (the simulator's own daily figure) and net of the refunds made
    by the end of the last day (a refund lands on its own day, DECISIONS.md)."""
    end = end_of(days[-1])
    gross = {t.day: t.revenue_rub for t in daily_truth(world) if t.day in days}
    refunded = Counter()
    for r in world.refunds:
        if r.created_at < end:
            refunded[r.payment_id] += r.amount_rub
    net = Counter()
    for p in world.payments:
        if p.status == "succeeded" and day_of(p.captured_at) in gross:
            net[day_of(p.captured_at)] += p.amount_rub - refunded[p.payment_id]
    return {day: (gross[day], net[day]) for day in days}


def marts_by_day(
    warehouse: Path, days: list[date]
) -> tuple[list[tuple[date, int]], dict[date, Counter], dict[date, tuple[int, int]]]:
    """What the marts show for `days`: (signup day, lead id) of every `fct_signup_funnel`
    row, per signup day the count of each of STAGES, and per sale day `mart_sales_daily`'s
    (gross, net) revenue in whole RUB."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        leads = con.execute(
            "select signup_day, lead_id from marts.fct_signup_funnel"
            " where signup_day between ? and ?",
            [days[0], days[-1]],
        ).fetchall()
        counts = con.execute(
            "select signup_day, count(*), count(first_call_at), count(reached_at),"
            " count(consultation_at), count(activated_at), count(paid_at)"
            " from marts.fct_signup_funnel where signup_day between ? and ? group by signup_day",
            [days[0], days[-1]],
        ).fetchall()
        revenue = con.execute(
            "select sale_day, sum(gross_revenue), sum(net_revenue) from marts.mart_sales_daily"
            " where sale_day between ? and ? group by sale_day",
            [days[0], days[-1]],
        ).fetchall()
    funnel = {row[0]: Counter(dict(zip(STAGES, row[1:], strict=True))) for row in counts}
    return leads, funnel, {day: (int(g), int(n)) for day, g, n in revenue}
