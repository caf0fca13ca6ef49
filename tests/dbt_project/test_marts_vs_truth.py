"""Real dbt on real landing data: the marts must tell the simulator's true story.

The demo world (2024-07-01 .. 2024-07-28) is pulled over HTTP into a throw-away data dir,
`dbt build` runs on it (models, seeds, data tests, unit tests), and the marts are compared
day by day with `ingestion.demo.truth`. Definitions are those of dbt_project/DECISIONS.md.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.demo.truth import daily_truth
from ingestion.demo.world import World
from ingestion.streams import STREAMS
from ingestion.streams.spec import Rule
from ingestion.telphin import TelphinClient
from ingestion.yookassa import YooKassaClient
from salesboard.layout import DataLayout
from tests.support.dbt import dbt_run
from tests.support.pull import pull_day

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MOSCOW = ZoneInfo("Europe/Moscow")
FUNNEL_STAGES = {
    "signups": "signed_up_at",
    "first_calls": "first_call_at",
    "reached": "reached_at",
    "consultations": "consultation_at",
    "activations": "activated_at",
    "first_payments": "paid_at",
}


def _clients(env) -> dict:
    return {
        "telphin": TelphinClient(
            env["TELPHIN_BASE_URL"], env["TELPHIN_CLIENT_ID"], env["TELPHIN_CLIENT_SECRET"]
        ),
        "amocrm": AmoCrmClient(env["AMOCRM_BASE_URL"], env["AMOCRM_TOKEN"]),
        "yookassa": YooKassaClient(
            env["YOOKASSA_BASE_URL"], env["YOOKASSA_SHOP_ID"], env["YOOKASSA_SECRET_KEY"]
        ),
        "amplitude": AmplitudeClient(
            env["AMPLITUDE_BASE_URL"], env["AMPLITUDE_API_KEY"], env["AMPLITUDE_SECRET_KEY"]
        ),
    }


def _land_history(data_dir: Path, days: list[date]) -> None:
    """Every windowed stream for every day; snapshot streams for the last day only."""
    layout = DataLayout(data_dir).ensure()
    run_id = str(uuid.uuid4())
    ingested_at = datetime.now(UTC)
    for source, client in _clients(os.environ).items():
        with client:
            for stream, spec in STREAMS.items():
                if spec.source != source:
                    continue
                stream_days = days[-1:] if STREAMS[stream].window is Rule.SNAPSHOT else days
                for day in stream_days:
                    pull_day(client, stream, day, layout, run_id=run_id, ingested_at=ingested_at)


def _dbt(tmp_path: Path, *args: str, variables: dict | None = None) -> None:
    """dbt in a subprocess: dbt-duckdb keeps its connection open in-process, which would
    stop this test opening the warehouse read-only afterwards."""
    result = dbt_run(tmp_path, *args, variables=variables)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " WARN=0 " in result.stdout, "dbt build must be warning-free on the demo"


def _moscow_day(at: datetime) -> date:
    return at.astimezone(MOSCOW).date()


@pytest.fixture
def warehouse(pipeline_env: Path, demo_world: World, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SALESBOARD_PHONE_SALT", "test-salt")
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    first = demo_world.config.start_date
    last = _moscow_day(demo_world.as_of - timedelta(microseconds=1))
    _land_history(pipeline_env, [first + timedelta(days=n) for n in range((last - first).days + 1)])
    _dbt(tmp_path, "build")
    return pipeline_env / "warehouse" / "salesboard.duckdb"


def test_marts_match_the_simulators_truth(warehouse: Path, demo_world: World):
    truth = {t.day: t for t in daily_truth(demo_world)}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        funnel = {
            name: Counter(
                dict(
                    con.sql(
                        f"select cast(timezone('Europe/Moscow', timezone('UTC', {column}))"
                        f" as date) as day, count(*) from marts.fct_signup_funnel"
                        f" where {column} is not null group by day"
                    ).fetchall()
                )
            )
            for name, column in FUNNEL_STAGES.items()
        }
        board = {
            day: (gross, net)
            for day, gross, net in con.sql(
                "select sale_day, sum(gross_revenue), sum(net_revenue)"
                " from marts.mart_sales_daily group by sale_day"
            ).fetchall()
        }

    # Net revenue by payment day (DECISIONS.md): a sale's refunds reduce its own day.
    net_by_payment_day: Counter = Counter()
    for p in demo_world.payments:
        if p.status == "succeeded":
            net_by_payment_day[_moscow_day(p.captured_at)] += p.amount_rub - p.refunded_rub

    last_day = max(truth)
    mismatches = []
    for day, t in sorted(truth.items()):
        for name in FUNNEL_STAGES:
            if name == "activations" and day == last_day:
                continue  # uploads lag events by up to 4 h: the last day is not complete yet
            expected, got = getattr(t, name), funnel[name][day]
            if expected != got:
                mismatches.append((day.isoformat(), name, expected, got))
        gross, net = board.get(day, (0, 0))
        if gross != t.revenue_rub:
            mismatches.append((day.isoformat(), "revenue_rub", t.revenue_rub, gross))
        if net != net_by_payment_day[day]:
            mismatches.append((day.isoformat(), "net_revenue", net_by_payment_day[day], net))
    assert sum(t.signups for t in truth.values()) > 300, "the world is big enough to mean it"
    assert sum(t.first_payments for t in truth.values()) > 0
    assert mismatches == []
    _assert_no_raw_phone_or_email(warehouse, demo_world)


def _assert_no_raw_phone_or_email(warehouse: Path, demo_world: World) -> None:
    """No string column anywhere in the warehouse holds a signup's phone or e-mail."""
    secrets = {s.phone_raw for s in demo_world.signups}
    secrets |= {s.phone_e164 for s in demo_world.signups}
    secrets |= {s.email for s in demo_world.signups}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("create temp table secrets (value varchar)")
        con.executemany("insert into secrets values (?)", [(v,) for v in secrets])
        columns = con.sql(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where data_type = 'VARCHAR' and table_catalog = 'salesboard'"
        ).fetchall()
        leaks = [
            (schema, table, column)
            for schema, table, column in columns
            if con.sql(
                f'select count(*) from "{schema}"."{table}"'
                f' where "{column}" in (select value from secrets)'
            ).fetchall()[0][0]
        ]
    assert leaks == []
