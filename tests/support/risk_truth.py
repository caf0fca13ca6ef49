"""The churn-risk calibration recomputed from the demo simulator's own records (issue 22).

The rules are the documented ones, not the product's SQL: dbt_project/DECISIONS.md "Churn
risk" (points model, bands, calibration), "Subscription periods" (a full refund ends a
period on its day; a renewal refunded before it began is dropped), "Renewal churn" (the
grace) and "History and completeness"; domain.md's Moscow business day. The records are
the world's: succeeded payments and their paid periods (the simulator's truth, full refunds
already applied), canceled payments, and the product events as the Amplitude API serves
them. No warehouse table is read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from ingestion.demo.model import Payment
from ingestion.demo.world import World
from tests.support.funnel_truth import day_of

# DECISIONS.md "Churn risk" (the values it states for the vars in dbt_project.yml).
LEAD_DAYS = 30  # `churn_risk_calibration_lead_days`: scored 30 days before the period end
MEDIUM_FROM, HIGH_FROM = 3, 6  # `churn_risk_medium_from` / `_high_from`: low < 3 <= medium < 6
BANDS = ("low", "medium", "high")
SIGNAL_DAYS = 56  # the signals read the 8 weeks (2 x 4) of product use up to the as-of day


@dataclass(frozen=True)
class ScoredRenewal:
    """One decided renewal as the calibration scores it."""

    account_id: str
    period_start: date
    period_end: date
    as_of_day: date
    score: int
    band: str
    lost: bool


@dataclass(frozen=True)
class BandTruth:
    """One band of the calibration: its renewals, how many were lost, their mean score and
    the first and last as-of days scored."""

    renewals_scored: int
    renewals_lost: int
    average_score: float
    first_scored_on: date
    last_scored_on: date

    @property
    def realised_churn_rate(self) -> float:
        return self.renewals_lost / self.renewals_scored


def band_of(score: int) -> str:
    if score >= HIGH_FROM:
        return "high"
    return "medium" if score >= MEDIUM_FROM else "low"


def scored_renewals(world: World, activity_from: date | None = None) -> list[ScoredRenewal]:
    """Every decided renewal of the world, scored `LEAD_DAYS` before its period ends.

    Periods: each succeeded payment's paid period [period_start, period_end) as the simulator
    recorded it; one that never covered a day (refunded on or before its first day) is
    dropped. A period is lost when the account's next period does not start within the
    grace (the simulator's `renewal_grace_days`, 7) after its end; it is decided once
    end + grace is on or before the day the data ends (the last day of a succeeded payment).
    Scored: the decided periods whose payment was made by the as-of day d = end - 30 (only
    what was known then). The world holds every record since it began, so every account's
    history is whole and no product activity is missing; `activity_from` (a landing whose
    events begin later) leaves out the renewals whose 8 signal weeks begin before it
    (d - 56 < activity_from). Points on day d, events counted per Moscow day up to d:
    no event for > 14 days +3; < 60 events in (d-28, d] +2; a period of >= 6 months +2;
    bought on promotion +2; events of (d-28, d] < 0.7 x those of (d-56, d-28] +1; no report
    viewed in (d-28, d] +1; a canceled payment dated in (d-90, d] +1; the account's first
    period (its first renewal) +1.
    """
    grace = timedelta(days=world.config["churn"]["renewal_grace_days"])
    lead = timedelta(days=LEAD_DAYS)
    periods: dict[str, list[Payment]] = defaultdict(list)
    failed: dict[str, list[date]] = defaultdict(list)
    for p in world.payments:
        if p.status == "succeeded" and p.period_end > p.period_start:
            periods[p.account_id].append(p)
        elif p.status == "canceled":
            failed[p.account_id].append(day_of(p.created_at))
    data_end = max(day_of(p.captured_at) for p in world.payments if p.status == "succeeded")

    candidates: list[tuple[Payment, bool, bool]] = []  # (payment, first period, lost)
    for chain in periods.values():
        chain.sort(key=lambda p: (p.period_start, p.captured_at))
        for i, p in enumerate(chain):
            as_of = p.period_end - lead
            if p.period_end + grace > data_end or day_of(p.captured_at) > as_of:
                continue  # not decided yet, or paid after its as-of day
            if activity_from is not None and as_of - timedelta(SIGNAL_DAYS) < activity_from:
                continue
            renewed = i + 1 < len(chain) and chain[i + 1].period_start <= p.period_end + grace
            candidates.append((p, i == 0, not renewed))

    # (events, reports viewed) per account and Moscow day, as landed: uploaded before the end.
    accounts = {p.account_id for p, _, _ in candidates}
    activity: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    first = world.config.start_date - timedelta(days=1)
    days = [first + timedelta(days=n) for n in range((world.as_of.date() - first).days + 1)]
    for account in accounts:
        for event in world.activity.account_events(account, days):
            if event.server_upload_time < world.as_of and event.event_time < world.as_of:
                counts = activity[account][day_of(event.event_time)]
                counts[0] += 1
                counts[1] += event.event_type == "report_viewed"

    scored = []
    for p, first_period, lost in candidates:
        d = p.period_end - lead
        days = {day: n for day, n in activity.get(p.account_id, {}).items() if day <= d}
        last_4w = [n for day, n in days.items() if day > d - timedelta(28)]
        prior_4w = [n for day, n in days.items() if d - timedelta(56) < day <= d - timedelta(28)]
        events_4w = sum(n[0] for n in last_4w)
        score = (
            3 * (not days or (d - max(days)).days > 14)
            + 2 * (events_4w < 60)
            + 2 * (p.period_months >= 6)
            + 2 * p.is_promo
            + 1 * (events_4w < 0.7 * sum(n[0] for n in prior_4w))
            + 1 * (sum(n[1] for n in last_4w) == 0)
            + 1 * any(d - timedelta(90) < day <= d for day in failed.get(p.account_id, []))
            + 1 * first_period
        )
        scored.append(
            ScoredRenewal(
                p.account_id, p.period_start, p.period_end, d, score, band_of(score), lost
            )
        )
    return scored


def risk_calibration_truth(world: World, activity_from: date | None = None) -> dict[str, BandTruth]:
    """Per risk band ("low", "medium", "high"), what `marts.mart_churn_risk_calibration` must
    show: renewals scored and lost (rate = lost / scored), mean score, first and last as-of
    day. Rules: DECISIONS.md "Churn risk" and the period, grace and history rules
    (`scored_renewals`). A band with no renewal is absent."""
    by_band: dict[str, list[ScoredRenewal]] = defaultdict(list)
    for renewal in scored_renewals(world, activity_from):
        by_band[renewal.band].append(renewal)
    return {
        band: BandTruth(
            renewals_scored=len(rows),
            renewals_lost=sum(r.lost for r in rows),
            average_score=sum(r.score for r in rows) / len(rows),
            first_scored_on=min(r.as_of_day for r in rows),
            last_scored_on=max(r.as_of_day for r in rows),
        )
        for band in BANDS
        if (rows := by_band[band])
    }
