"""Payments of the demo company: first purchases, renewals, promotions, failures, refunds.

A paying account is a chain of paid periods. At the end of each period the account renews
or churns; the chance to churn grows as engagement (product activity) falls and is higher
for promo buyers - the mechanism behind domain.md's 3.5-5.5% monthly churn.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ingestion.demo.config import CompanyConfig
from ingestion.demo.model import Payment, Refund, Signup, Tariff
from ingestion.demo.randomness import rng_for, uuid4_from, weighted_choice


def tariffs(config: CompanyConfig) -> dict[str, Tariff]:
    return {t["code"]: Tariff(**t) for t in config["tariffs"]}


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_promo_window(config: CompanyConfig, day: date) -> bool:
    """Month-end promotions until `monthly_until`, quarter-end ones until `quarterly_until`."""
    promo = config["promotions"]
    days_left = calendar.monthrange(day.year, day.month)[1] - day.day
    if days_left >= promo["window_days"]:
        return False
    if day <= promo["monthly_until"]:
        return True
    return day < promo["quarterly_until"] and day.month % 3 == 0


def pricing_era(config: CompanyConfig, day: date) -> dict:
    current = config["pricing_eras"][0]
    for era in config["pricing_eras"]:
        if era["from"] <= day:
            current = era
    return current


def price(config: CompanyConfig, tariff: Tariff, months: int, promo: bool) -> tuple[int, int]:
    """(list price, charged amount) in whole roubles, charged rounded to 10 RUB."""
    list_price = tariff.monthly_price_rub * months
    factor = 1 - config["period_discount"][months]
    if promo:
        factor *= 1 - config["promotions"]["discount"]
    return list_price, round(list_price * factor / 10.0) * 10


def simulate_payments(
    config: CompanyConfig,
    signups: list[Signup],
    tariff_by_code: dict[str, Tariff],
    until: datetime,
) -> tuple[list[Payment], list[Refund]]:
    payments: list[Payment] = []
    refunds: list[Refund] = []
    for signup in signups:
        if signup.paid_at is not None:
            _AccountBilling(config, signup, tariff_by_code, until).run(payments, refunds)
    payments.sort(key=lambda p: (p.created_at, p.payment_id))
    refunds.sort(key=lambda r: (r.created_at, r.refund_id))
    return payments, refunds


class _AccountBilling:
    def __init__(self, config, signup: Signup, tariff_by_code: dict[str, Tariff], until):
        self.config = config
        self.signup = signup
        self.tariffs = tariff_by_code
        # Renewals step up or down the ordinary tariffs, in the config's order.
        self.ladder = [code for code, t in tariff_by_code.items() if not t.is_special]
        self.until = until
        self.tz = ZoneInfo(config.business_tz)
        self.rng = rng_for(config.seed, "billing", signup.lead_id)

    def run(self, payments: list[Payment], refunds: list[Refund]) -> None:
        rng, churn = self.rng, self.config["churn"]
        at = self.signup.paid_at
        era = pricing_era(self.config, self._day(at))
        tariff = weighted_choice(rng, era["tariff_mix"])
        months = int(weighted_choice(rng, era["period_mix"]))
        period_start = self._day(at)
        is_renewal = False
        while at < self.until:
            era = pricing_era(self.config, self._day(at))
            if months not in {int(k) for k in era["period_mix"]}:
                months = int(weighted_choice(rng, era["period_mix"]))
            payment = self._charge(payments, at, tariff, months, period_start, is_renewal)
            cancelled_on = self._maybe_refund(payment, refunds)
            if cancelled_on is not None:
                payment.period_end = max(payment.period_start, cancelled_on)
                return
            end = payment.period_end
            if rng.random() < self._churn_chance(payment):
                if rng.random() >= churn["winback_share"]:
                    return
                lo, hi = churn["winback_delay_days"]
                at = self._instant(end + timedelta(days=rng.randint(lo, hi)))
                period_start = self._day(at)
            else:
                at = self._instant(end - timedelta(days=rng.randint(0, 5)))
                period_start = end
                tariff = self._renewal_tariff(tariff)
            is_renewal = True

    def _churn_chance(self, payment: Payment) -> float:
        """Chance not to renew: a monthly hazard from engagement, compounded over the period,
        so churn per month stays level whatever period lengths are sold."""
        churn = self.config["churn"]
        hazard = churn["base"] + churn["low_engagement"] * (1 - self.signup.engagement) ** 2
        if payment.is_promo:
            hazard += churn["promo_extra"]
        return 1 - (1 - hazard) ** payment.period_months

    def _day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def _instant(self, day: date) -> datetime:
        seconds = self.rng.randrange(9 * 3600, 21 * 3600)
        local = datetime.combine(day, time(), self.tz) + timedelta(seconds=seconds)
        return local.astimezone(UTC).replace(microsecond=self.rng.randrange(1000) * 1000)

    def _renewal_tariff(self, tariff: str) -> str:
        if tariff not in self.ladder:
            return tariff
        churn, step = self.config["churn"], 0
        draw = self.rng.random()
        if draw < churn["upgrade_share"]:
            step = 1
        elif draw < churn["upgrade_share"] + churn["downgrade_share"]:
            step = -1
        index = min(len(self.ladder) - 1, max(0, self.ladder.index(tariff) + step))
        return self.ladder[index]

    def _charge(self, payments, at, tariff_code, months, period_start, is_renewal) -> Payment:
        rng, pay = self.rng, self.config["payments"]
        promo_cfg = self.config["promotions"]
        promo = in_promo_window(self.config, self._day(at)) and (
            rng.random() < promo_cfg["promo_buyers_share"]
        )
        promo_code = f"PROMO{self._day(at):%Y%m}" if promo else None
        list_price, amount = price(self.config, self.tariffs[tariff_code], months, promo)
        common = dict(
            account_id=self.signup.account_id,
            lead_id=self.signup.lead_id,
            manager_id=self.signup.manager_id,
            tariff=tariff_code,
            period_months=months,
            list_price_rub=list_price,
            amount_rub=amount,
            promo_code=promo_code,
            is_renewal=is_renewal,
        )
        if rng.random() < pay["failed_attempt_share"]:
            failed_at = at - timedelta(minutes=rng.uniform(2, 90))
            reason = rng.choice(["insufficient_funds", "card_expired", "3d_secure_failed"])
            payments.append(
                Payment(
                    payment_id=uuid4_from(rng),
                    status="canceled",
                    created_at=failed_at,
                    captured_at=None,
                    cancellation_reason=reason,
                    **common,
                )
            )
        if rng.random() < pay["pending_share"]:
            payments.append(
                Payment(
                    payment_id=uuid4_from(rng),
                    status="pending",
                    created_at=at - timedelta(minutes=rng.uniform(1, 30)),
                    captured_at=None,
                    **common,
                )
            )
        payment = Payment(
            payment_id=uuid4_from(rng),
            status="succeeded",
            created_at=at,
            captured_at=at + timedelta(seconds=rng.uniform(2, 40)),
            period_start=period_start,
            period_end=add_months(period_start, months),
            **common,
        )
        payments.append(payment)
        return payment

    def _maybe_refund(self, payment: Payment, refunds: list[Refund]) -> date | None:
        """A later refund: full refunds cancel the period (the day returned)."""
        rng, pay = self.rng, self.config["payments"]
        if rng.random() >= pay["refund_share"]:
            return None
        lo, hi = pay["refund_delay_days"]
        created = payment.created_at + timedelta(days=rng.uniform(lo, hi))
        partial = rng.random() < pay["partial_refund_share"]
        amount = int(payment.amount_rub * rng.uniform(0.3, 0.7)) if partial else payment.amount_rub
        refunds.append(
            Refund(
                refund_id=uuid4_from(rng),
                payment_id=payment.payment_id,
                amount_rub=amount,
                created_at=created,
                status="succeeded",
            )
        )
        if created < self.until:
            payment.refunded_rub = amount
        return None if partial else self._day(created)
