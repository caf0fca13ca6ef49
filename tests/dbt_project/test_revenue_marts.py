"""Real dbt on real landing data: the revenue, churn and forecast marts against the
simulator's truth (dbt_project/DECISIONS.md, "Revenue, churn and forecast marts").

The long history (18 months of the demo company, `long_history` in conftest.py) is landed
through the real clients and built with `dbt build`, which also runs the dbt unit tests of
the movement rules and churn formulas. The mrr-playbook fixture is fed through the same
movement logic in a warehouse of its own.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import orjson
import pytest

from ingestion.demo.truth import churn_days, daily_truth, paid_periods
from tests.dbt_project.conftest import LONG_HISTORY_END, LongHistory
from tests.support.dbt import dbt_run

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
PLAYBOOK_CSV = Path("/work/shared/conformance/mrr-playbook/subscription_periods.csv")
ARTICLE_BAND = (0.035, 0.055)
# Months whose base is large enough for a rate to mean something (the company starts from 0).
RATE_MONTHS_FROM = date(2025, 1, 1)
UNIT_TESTS = (
    "periods_chain_renewals_and_cut_at_refunds",
    "mrr_movements_follow_the_rules",
    "churn_rates_follow_the_formulas",
)


def _sql(history: LongHistory, query: str) -> list[tuple]:
    with duckdb.connect(str(history.warehouse), read_only=True) as con:
        return con.sql(query).fetchall()


def _month(day: date) -> date:
    return day.replace(day=1)


def _truth_churn_by_month(history: LongHistory) -> dict[date, dict[str, tuple[int, int]]]:
    """Per month: (active at the start, churned in the month among them) by promo segment,
    from the simulator (an account's segment = whether its period covering the start was
    bought on promotion)."""
    world = history.world
    covering = defaultdict(list)  # account -> [(start, end, is_promo)]
    for p in world.payments:
        if p.status == "succeeded" and p.period_start is not None and p.period_end > p.period_start:
            covering[p.account_id].append((p.period_start, p.period_end, p.is_promo))
    assert set(covering) <= set(paid_periods(world))
    churned = defaultdict(set)
    for account, day in churn_days(world):
        churned[_month(day)].add(account)
    months = sorted({_month(d) for _, d in churn_days(world)})
    result = {}
    for month in months:
        last_day_before = month - timedelta(days=1)
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for account, spans in covering.items():
            hits = [promo for start, end, promo in spans if start <= last_day_before < end]
            if not hits:
                continue
            for segment in ("all", "promo" if hits[0] else "non_promo"):
                counts[segment][0] += 1
                counts[segment][1] += account in churned[month]
        result[month] = {k: (v[0], v[1]) for k, v in counts.items()}
    return result


def test_every_dbt_unit_test_passes(long_history: LongHistory, tmp_path):
    """Every unit test of the project (upgrade, downgrade, gap and return, refunds of a
    renewal, the churn-rate formulas, the funnel and call rules...) on its hand-made rows.
    Production builds skip them (`build_args`), so this is where they run."""
    manifest = orjson.loads((PROJECT_DIR / "target" / "manifest.json").read_bytes())
    unit_tests = {node["name"] for node in manifest["unit_tests"].values()}
    assert set(UNIT_TESTS) <= unit_tests
    result = dbt_run(
        tmp_path, "test", "--select", "test_type:unit", env=long_history.env, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:]
    # Per unit test, not dbt's PASS total: that also counts the on-run-start hook.
    passed = [line for line in result.stdout.splitlines() if " PASS " in line]
    assert all(any(f"::{name} " in line for line in passed) for name in unit_tests), passed


def test_churn_matches_the_truth_and_the_article(long_history: LongHistory):
    truth = _truth_churn_by_month(long_history)
    mart = {
        month: (active, churned, rate)
        for month, active, churned, rate in _sql(
            long_history,
            "select month_start, active_at_start, churned_accounts, logo_churn_rate"
            " from marts.mart_churn_monthly"
            " where segment_kind = 'all' and is_complete_month and active_at_start > 0",
        )
    }
    # The truth waits out the renewal grace before calling a churn; the mart dates churn at
    # the month end, so the last month is compared only once its grace has passed.
    grace = timedelta(days=long_history.world.config["churn"]["renewal_grace_days"])
    data_end = LONG_HISTORY_END - timedelta(days=1)
    compared = 0
    for month, (active, churned, rate) in sorted(mart.items()):
        month_end = _month(month + timedelta(days=31)) - timedelta(days=1)
        if month not in truth or month_end + grace > data_end:
            continue
        true_active, true_churned = truth[month]["all"]
        true_rate = true_churned / true_active
        assert abs(rate - true_rate) <= 0.005, (month, rate, true_rate)
        assert abs(active - true_active) <= max(2, 0.01 * true_active), (month, active, true_active)
        assert abs(churned - true_churned) <= max(1, 0.05 * true_churned), (month, churned)
        compared += 1
    assert compared >= 15
    recent = [(a, c) for m, (a, c, _) in mart.items() if m >= RATE_MONTHS_FROM]
    pooled = sum(c for _, c in recent) / sum(a for a, _ in recent)
    assert ARTICLE_BAND[0] <= pooled <= ARTICLE_BAND[1], pooled


def test_promo_buyers_churn_more_as_in_the_simulation(long_history: LongHistory):
    truth = _truth_churn_by_month(long_history)
    last_month = _month(LONG_HISTORY_END - timedelta(days=1))
    truth.pop(last_month, None)  # its churns wait out the grace in the truth
    mart = dict(
        (segment, (active, churned))
        for segment, active, churned in _sql(
            long_history,
            "select segment_value, sum(active_at_start), sum(churned_accounts)"
            " from marts.mart_churn_monthly"
            " where segment_kind = 'promo' and is_complete_month"
            f" and month_start < '{last_month}' group by segment_value",
        )
    )
    mart_rate = {k: c / a for k, (a, c) in mart.items()}
    true_rate = {}
    for segment in ("promo", "non_promo"):
        active = sum(t.get(segment, (0, 0))[0] for t in truth.values())
        churned = sum(t.get(segment, (0, 0))[1] for t in truth.values())
        true_rate[segment] = churned / active
    assert mart_rate["promo"] > mart_rate["non_promo"] * 1.2, mart_rate
    assert true_rate["promo"] > true_rate["non_promo"], true_rate
    for segment in ("promo", "non_promo"):
        assert abs(mart_rate[segment] - true_rate[segment]) <= 0.005, (mart_rate, true_rate)


def test_risk_band_calibration_is_monotonic(long_history: LongHistory):
    rates = dict(
        _sql(
            long_history,
            "select risk_band, realised_churn_rate from marts.mart_churn_risk_calibration",
        )
    )
    scored = dict(
        _sql(
            long_history, "select risk_band, renewals_scored from marts.mart_churn_risk_calibration"
        )
    )
    assert min(scored.values()) >= 30, scored
    assert rates["low"] < rates["medium"] < rates["high"], rates
    work_list = _sql(
        long_history,
        "select count(*), count(distinct as_of_day), min(days_to_period_end),"
        " max(days_to_period_end), count(top_reasons) from marts.mart_churn_risk",
    )[0]
    assert work_list[0] > 0 and work_list[1] == 1
    assert work_list[2] > 0 and work_list[3] <= 45


def test_both_forecasts_beat_naive_from_mid_month(long_history: LongHistory):
    mape = dict(
        ((method, bucket), value)
        for method, bucket, value in _sql(
            long_history,
            "select forecast_method, case when days_elapsed < 22 then 'days 15-21'"
            " else 'days 22-31' end, avg(absolute_percentage_error)"
            " from marts.mart_forecast_accuracy"
            " where manager_id = 0 and days_elapsed >= 15 group by all",
        )
    )
    months = _sql(
        long_history, "select count(distinct month_start) from marts.mart_forecast_accuracy"
    )[0][0]
    assert months >= 10
    for bucket in ("days 15-21", "days 22-31"):
        naive = mape[("naive", bucket)]
        assert mape[("statistical", bucket)] < naive, (bucket, mape)
        assert mape[("funnel", bucket)] < naive, (bucket, mape)
    board = _sql(
        long_history,
        "select count(*) from marts.mart_forecast_daily where manager_id = 0 and not"
        " (stat_forecast_low <= stat_forecast_rub and stat_forecast_rub <= stat_forecast_high)",
    )[0][0]
    assert board == 0


# --- The same movement logic on the dbt-labs mrr-playbook fixture --------------------------


def _playbook_reference(rows: list[dict], as_of_month: date) -> dict[tuple[str, date], tuple]:
    """metrics.md's rules, written independently: a customer × month spine from the first
    active month to one past the last (not past the end of data); active = a period covers
    the month; new / churn / reactivation (before expansion) / expansion / contraction."""

    def add_month(day: date) -> date:
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)

    by_customer = defaultdict(list)
    for row in rows:
        by_customer[row["customer_id"]].append(row)
    expected = {}
    for customer, periods in by_customer.items():

        def mrr(month: date, periods=periods) -> int:
            return sum(
                int(p["monthly_amount"])
                for p in periods
                if date.fromisoformat(p["start_date"]) <= month < date.fromisoformat(p["end_date"])
            )

        month = min(date.fromisoformat(p["start_date"]) for p in periods)
        active = [m for m in _months(month, as_of_month) if mrr(m) > 0]
        last = min(add_month(active[-1]), as_of_month)
        previous = None
        for m in _months(active[0], last):
            now = mrr(m)
            if previous is None:
                movement = "new"
            elif now == 0 and previous > 0:
                movement = "churn"
            elif now > 0 and previous == 0:
                movement = "reactivation"
            elif now > previous:
                movement = "expansion"
            elif now < previous:
                movement = "contraction"
            else:
                movement = None
            expected[(customer, m)] = (now, movement)
            previous = now
    return expected


def _months(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def test_mrr_playbook_fixture_through_the_same_movement_logic(tmp_path):
    """The revenue marts read only `revenue_periods()`: pointed at the playbook's
    subscription periods (month-aligned, 2017-2020), they give the playbook's movements."""
    rows = list(csv.DictReader(PLAYBOOK_CSV.open()))
    data_dir = tmp_path / "data"
    (data_dir / "warehouse").mkdir(parents=True)
    with duckdb.connect(str(data_dir / "warehouse" / "salesboard.duckdb")) as con:
        con.execute("create schema conformance")
        con.execute(
            "create table conformance.subscription_periods as select"
            " cast(subscription_id as varchar) as subscription_id,"
            " cast(customer_id as varchar) as account_id,"
            " cast(start_date as date) as period_start, cast(end_date as date) as period_end,"
            " cast(monthly_amount as decimal(18, 2)) as mrr,"
            " cast(null as varchar) as tariff, false as is_special_tariff, false as is_promo,"
            " cast(start_date as date) as paid_day, cast(null as bigint) as manager_id"
            f" from read_csv('{PLAYBOOK_CSV}', header = true)"
        )
    env = os.environ.copy() | {
        "SALESBOARD_DATA_DIR": str(data_dir),
        "SALESBOARD_PHONE_SALT": "test-salt",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    result = dbt_run(
        tmp_path, "build",
        "--select", "int_period_renewals", "mart_mrr_monthly", "mart_churn_monthly",
        "mart_cohort_retention", "--exclude-resource-type", "unit_test",
        variables={
            "revenue_periods_relation": "conformance.subscription_periods",
            "as_of_day": "2020-01-31",
        },
        env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:]
    assert " WARN=0 " in result.stdout
    with duckdb.connect(str(data_dir / "warehouse" / "salesboard.duckdb"), read_only=True) as con:
        got = {
            (account, month): (int(mrr), movement)
            for account, month, mrr, movement in con.sql(
                "select account_id, month_start, mrr, movement from marts.mart_mrr_monthly"
            ).fetchall()
        }
        rates = con.sql(
            "select month_start, active_at_start, churned_accounts, logo_churn_rate"
            " from marts.mart_churn_monthly where segment_kind = 'all'"
        ).fetchall()
    expected = _playbook_reference(rows, as_of_month=date(2020, 1, 1))
    assert got == expected
    # Customer 1: new Nov 2018, churn Feb 2019, back (reactivation) Apr 2019, upgrade Jun 2019.
    assert got[("1", date(2018, 11, 1))] == (50, "new")
    assert got[("1", date(2019, 2, 1))] == (0, "churn")
    assert got[("1", date(2019, 4, 1))] == (50, "reactivation")
    assert got[("1", date(2019, 6, 1))] == (75, "expansion")
    for month, active, churned, rate in rates:
        base = [k for k, (mrr, _) in expected.items() if k[1] == _previous_month(month) and mrr > 0]
        lost = [k for k, (_, mv) in expected.items() if k[1] == month and mv == "churn"]
        assert active == len(base) and churned == len(lost)
        assert rate == (pytest.approx(len(lost) / len(base)) if base else None)


def _previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def test_technique_lifts_match_the_simulator(long_history: LongHistory):
    """mart_technique_lift, pooled over cohorts old enough to have converted, finds the
    simulator's lifts (both measured among reached signups, as the mart's populations):
    consultation 6-7x and a case study about 2x (domain.md), within sampling error."""
    world = long_history.world
    mature = LONG_HISTORY_END - timedelta(days=60)
    with duckdb.connect(str(long_history.warehouse), read_only=True) as con:
        rows = con.execute(
            "select technique, sum(paid_with), sum(signups_with), sum(paid_without),"
            " sum(signups_without) from marts.mart_technique_lift where cohort_month < ?"
            " and technique in ('consultation_held', 'case_study_shown') group by technique",
            [_month(mature)],
        ).fetchall()
    mart = {t: (pw / sw) / (po / so) for t, pw, sw, po, so in rows}
    reached = [s for s in world.signups if s.reached_at and s.created_at.date() < _month(mature)]

    def lift(flag) -> float:
        with_, without = [s for s in reached if flag(s)], [s for s in reached if not flag(s)]
        rate = lambda group: sum(s.paid_at is not None for s in group) / len(group)  # noqa: E731
        return rate(with_) / rate(without)

    truth = {
        "consultation_held": lift(lambda s: s.consultation_at is not None),
        "case_study_shown": lift(lambda s: s.saw_case_study),
    }
    assert mart["consultation_held"] == pytest.approx(truth["consultation_held"], rel=0.1)
    assert mart["case_study_shown"] == pytest.approx(truth["case_study_shown"], rel=0.1)
    assert 4.5 <= mart["consultation_held"] <= 8 and 1.5 <= mart["case_study_shown"] <= 2.6


# --- A history that starts mid-subscription (DECISIONS.md, "History and completeness") ------

# The long history's landing cut as a partial backfill lands it: payments and refunds from
# CUT_PAYMENTS_FROM (a lead-in shorter than the 12-month longest period, so the first
# months shown are incomplete), every other stream from CUT_SHOWN_FROM. Revenue figures
# are complete from CUT_PAYMENTS_FROM + 12 months + the 7-day renewal grace.
CUT_PAYMENTS_FROM = date(2024, 9, 1)
CUT_SHOWN_FROM = date(2025, 2, 1)
CUT_COMPLETE_FROM = date(2025, 9, 8)


@pytest.fixture(scope="module")
def cut_history(long_history: LongHistory, tmp_path_factory) -> LongHistory:
    """`long_history`'s partitions from the cut days on, hard-linked (no new pulls), built
    with `dbt build` (data tests included)."""
    tmp = tmp_path_factory.mktemp("cut_history")
    data_dir = tmp / "data"
    for folder in sorted((long_history.data_dir / "landing").glob("*/*/day=*")):
        source = folder.parent.parent.name
        first = CUT_PAYMENTS_FROM if source == "yookassa" else CUT_SHOWN_FROM
        if date.fromisoformat(folder.name.removeprefix("day=")) < first:
            continue
        target = data_dir / "landing" / source / folder.parent.name / folder.name
        target.mkdir(parents=True)
        for file in folder.iterdir():
            os.link(file, target / file.name)
    (data_dir / "warehouse").mkdir()
    env = long_history.env | {"SALESBOARD_DATA_DIR": str(data_dir)}
    result = dbt_run(tmp, "build", "--exclude-resource-type", "unit_test", env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:]
    assert " WARN=0 " in result.stdout
    return LongHistory(world=long_history.world, data_dir=data_dir, env=env)


def _moscow_day(at) -> date:
    return at.astimezone(ZoneInfo("Europe/Moscow")).date()


def test_the_edge_of_history_is_flagged_and_complete_history_matches_the_truth(
    cut_history: LongHistory,
):
    world = cut_history.world
    history = _sql(
        cut_history,
        "select payments_from_day, leads_from_day, revenue_complete_from_day"
        " from intermediate.int_landed_history",
    )[0]
    assert history == (CUT_PAYMENTS_FROM, CUT_SHOWN_FROM, CUT_COMPLETE_FROM)
    last_day = LONG_HISTORY_END - timedelta(days=1)

    # Active subscriptions: every day from the first complete one equals the truth.
    truth = {t.day: t for t in daily_truth(world)}
    active = dict(
        _sql(
            cut_history,
            "select spine.day, count(distinct periods.account_id) from"
            " (select unnest(generate_series(date '2025-09-08', date '2025-12-31',"
            " interval 1 day))::date as day) as spine"
            " left join intermediate.int_subscription_periods as periods"
            " on periods.period_start <= spine.day and spine.day < periods.period_end"
            " group by spine.day",
        )
    )
    assert len(active) == (last_day - CUT_COMPLETE_FROM).days + 1
    # One known limit: a renewal paid a few days early whose previous period predates the
    # landed payments starts on its payment day, and the periods chained to it keep that
    # offset, so such an account can look lapsed on the day before a later renewal.
    off = {
        d: n - truth[d].active_subscriptions
        for d, n in active.items()
        if n != truth[d].active_subscriptions
    }
    assert active[CUT_COMPLETE_FROM] == truth[CUT_COMPLETE_FROM].active_subscriptions
    assert len(off) <= 2 and all(abs(v) <= 1 for v in off.values()), off

    # Months before completeness keep their rows, flagged, with every figure null.
    months = {
        month: (complete, active_at_start, churned, rate, renewal_rate)
        for month, complete, active_at_start, churned, rate, renewal_rate in _sql(
            cut_history,
            "select month_start, is_history_complete, active_at_start, churned_accounts,"
            " logo_churn_rate, renewal_churn_rate from marts.mart_churn_monthly"
            " where segment_kind = 'all'",
        )
    }
    incomplete = [m for m, row in months.items() if not row[0]]
    assert min(months) in incomplete and max(incomplete) == date(2025, 9, 1)
    assert all(months[m][1:] == (None, None, None, None) for m in incomplete)
    # A complete month's logo churn equals the truth (the truth waits out the grace).
    true_churn = _truth_churn_by_month(cut_history)
    for month in (date(2025, 10, 1), date(2025, 11, 1)):
        assert months[month][0], month
        assert months[month][1:3] == true_churn[month]["all"], month
    assert _sql(
        cut_history,
        "select count(*) from marts.mart_mrr_monthly where not is_history_complete"
        " and (movement is not null or mrr_change is not null)",
    ) == [(0,)]

    # New vs renewal: unknown (null) before completeness, the truth's split after it.
    split = {
        day: (complete, new, renewal)
        for day, complete, new, renewal in _sql(
            cut_history,
            "select sale_day, bool_and(is_history_complete), sum(new_sales_count),"
            " sum(renewal_sales_count) from marts.mart_sales_daily group by sale_day",
        )
    }
    assert all(row == (False, None, None) for day, row in split.items() if day < CUT_COMPLETE_FROM)
    true_split: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for p in world.payments:
        if p.status == "succeeded" and p.refunded_rub < p.amount_rub:
            true_split[_moscow_day(p.captured_at)][p.is_renewal] += 1
    after = {d: row[1:] for d, row in split.items() if d >= CUT_COMPLETE_FROM}
    assert len(after) == (last_day - CUT_COMPLETE_FROM).days + 1
    assert {d: r for d, r in after.items() if r != tuple(true_split[d])} == {}


def test_a_refund_of_a_payment_made_before_the_shown_days_is_counted(cut_history: LongHistory):
    """The lead-in lands the payment, so the refund made inside the shown days reduces it."""
    world = cut_history.world
    paid_before = {
        p.payment_id: p
        for p in world.payments
        if p.status == "succeeded" and _moscow_day(p.captured_at) < CUT_SHOWN_FROM
    }
    refunded = defaultdict(int)
    for r in world.refunds:
        if r.payment_id in paid_before and _moscow_day(r.created_at) >= CUT_SHOWN_FROM:
            refunded[r.payment_id] += r.amount_rub
    assert refunded, "the world has refunds across the shown window's start"
    ids = ", ".join(f"'{payment_id}'" for payment_id in refunded)
    got = dict(
        _sql(
            cut_history,
            "select payment_id, refunded_amount from marts.fct_payments"
            f" where payment_id in ({ids})",
        )
    )
    assert {k: int(v) for k, v in got.items()} == {k: paid_before[k].refunded_rub for k in refunded}


def test_unknown_funnel_stages_are_null_never_zero(cut_history: LongHistory):
    """Signup days before the leads' history hold only leads changed inside it: every count
    is null; from the first day on, each day's signups and reached signups are the truth's."""
    rows = _sql(
        cut_history,
        "select signup_day, bool_or(is_history_complete), sum(signed_up_count),"
        " sum(first_called_count), sum(reached_count), sum(consulted_count),"
        " sum(activated_count), sum(paid_count), max(first_called_to_reached_rate)"
        " from marts.mart_funnel_daily group by signup_day",
    )
    before = [row for row in rows if row[0] < CUT_SHOWN_FROM]
    assert len(before) > 30, "the cut history has signups dated before it"
    assert all(row[1:] == (False, *[None] * 7) for row in before)
    true_counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for s in cut_history.world.signups:
        true_counts[_moscow_day(s.created_at)][0] += 1
        true_counts[_moscow_day(s.created_at)][1] += s.reached_at is not None
    after = {row[0]: (row[2], row[4]) for row in rows if row[0] >= CUT_SHOWN_FROM}
    assert all(row[1] for row in rows if row[0] >= CUT_SHOWN_FROM)
    assert {d: r for d, r in after.items() if r != tuple(true_counts[d])} == {}
