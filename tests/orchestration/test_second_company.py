"""A second company, end to end, configured only through its file (issue 17).

Lakeside (`tests/companies/lakeside/`) shares nothing with the demo: its own ids, names,
custom fields without codes, pipeline and stages, event types, managers, regions and
tariffs, and other environment-variable names. Its world is served by its own server;
the product is pointed at it only by `SALESBOARD_CONFIG` and the variables its file names,
and runs as a user types it (`salesboard backfill`, a subprocess). Figures are compared with
the world's own records (`tests/support/funnel_truth.py`), not with the pipeline.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import orjson
import pytest

from ingestion.demo.config import load_config
from ingestion.demo.server import DemoServer
from ingestion.demo.simulation import build_world
from salesboard.accounts import vendor_clients
from salesboard.check import check
from salesboard.company import load_company
from salesboard.discover import discover, starter_config
from salesboard.layout import PROJECT_ROOT
from tests.conftest import TEST_FAULTS
from tests.support.funnel_truth import day_of, end_of, funnel_truth, marts_by_day, revenue_truth

pytestmark = pytest.mark.slow  # the module fixture runs a three-month backfill

LAKESIDE = PROJECT_ROOT / "tests" / "companies" / "lakeside"
FIRST, LAST = date(2025, 3, 3), date(2025, 5, 31)
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


@pytest.fixture(scope="module")
def world():
    return build_world(load_config(LAKESIDE / "company.yaml", end_date=LAST + timedelta(days=1)))


@pytest.fixture(scope="module")
def server(world):
    with DemoServer(world, faults=TEST_FAULTS) as running:
        yield running


@pytest.fixture(scope="module")
def lakeside_env(world, server) -> dict[str, str]:
    """Only what Lakeside's file names, plus the data dir: no demo variable is needed."""
    creds = world.config.credentials
    return {
        "SALESBOARD_CONFIG": str(LAKESIDE / "salesboard.yaml"),
        "SALESBOARD_PHONE_SALT": "lakeside-salt",
        "LAKESIDE_TELPHIN_URL": server.urls["telphin"],
        "LAKESIDE_TELPHIN_APP_ID": creds["telphin"]["client_id"],
        "LAKESIDE_TELPHIN_APP_SECRET": creds["telphin"]["client_secret"],
        "LAKESIDE_AMOCRM_URL": server.urls["amocrm"],
        "LAKESIDE_AMOCRM_TOKEN": creds["amocrm"]["token"],
        "LAKESIDE_YOOKASSA_URL": server.urls["yookassa"],
        "LAKESIDE_SHOP_ID": creds["yookassa"]["shop_id"],
        "LAKESIDE_SHOP_SECRET": creds["yookassa"]["secret_key"],
        "LAKESIDE_AMPLITUDE_URL": server.urls["amplitude"],
        "LAKESIDE_AMPLITUDE_KEY": creds["amplitude"]["api_key"],
        "LAKESIDE_AMPLITUDE_SECRET": creds["amplitude"]["secret_key"],
    }


@pytest.fixture(scope="module")
def backfill(lakeside_env, tmp_path_factory) -> Path:
    """`salesboard backfill` over Lakeside's first three months; its data dir."""
    folder = tmp_path_factory.mktemp("lakeside")
    demo = ("TELPHIN_", "AMOCRM_", "YOOKASSA_", "AMPLITUDE_", "SALESBOARD_", "DAGSTER_HOME")
    env = {k: v for k, v in os.environ.items() if not k.startswith(demo)}
    env |= lakeside_env | {"SALESBOARD_DATA_DIR": str(folder / "data")}
    salesboard = Path(sys.executable).with_name("salesboard")
    out = folder / "output.txt"  # a file, not a pipe: Dagster's log helpers can outlive it
    with out.open("w") as output:
        done = subprocess.run(
            [str(salesboard), "backfill", "--from", FIRST.isoformat(), "--to", LAST.isoformat()],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            timeout=1500, check=False,
        )  # fmt: skip
    assert done.returncode == 0, out.read_text()[-5000:]
    assert "demo vendor APIs up" not in out.read_text()  # demo: false starts none
    return folder / "data"


def test_the_funnel_and_revenue_match_the_worlds_records(backfill, world):
    leads, funnel, revenue = marts_by_day(backfill / "warehouse" / "salesboard.duckdb", DAYS)
    expected = sorted((day_of(s.created_at), s.lead_id) for s in world.signups)
    assert sorted(leads) == [(day, lead) for day, lead in expected if day in DAYS]
    truth = funnel_truth(world, DAYS, datetime.now(UTC))
    assert funnel == {day: counts for day, counts in truth.items() if counts}
    for stage in ("consulted", "activated", "paid"):  # the renamed stage, event and fields
        assert sum(c[stage] for c in truth.values()) > 0, stage
    assert revenue == revenue_truth(world, DAYS)


def _month_net_by(world, key) -> Counter:
    """Net sales of LAST's month to LAST, per `key(payment)`: succeeded payments by capture
    day, less the refunds made by the end of LAST (domain.md: a refund reduces its sale)."""
    end = end_of(LAST)
    refunded = Counter()
    for refund in world.refunds:
        if refund.created_at < end:
            refunded[refund.payment_id] += refund.amount_rub
    net = Counter()
    for p in world.payments:
        if p.status == "succeeded" and LAST.replace(day=1) <= day_of(p.captured_at) <= LAST:
            net[key(p)] += p.amount_rub - refunded[p.payment_id]
    return net


def test_managers_tariffs_and_splits_are_lakesides(backfill, world):
    """The month's net sales per tariff (rows of mart_board_splits) equal the world's, under
    Lakeside's own codes; the managers are its CRM users with its extensions."""
    truth = _month_net_by(world, lambda p: p.tariff)
    with duckdb.connect(str(backfill / "warehouse" / "salesboard.duckdb"), read_only=True) as con:
        splits = con.execute(
            "select split_value, net_sales from marts.mart_board_splits"
            " where as_of_day = ? and manager_id = 0 and split_kind = 'tariff'",
            [LAST],
        ).fetchall()
        managers = con.execute(
            "select manager_id, extension_id from marts.dim_managers where is_sales_manager"
            " order by manager_id"
        ).fetchall()
    assert {code: int(net) for code, net in splits if net} == {k: v for k, v in truth.items() if v}
    assert set(truth) <= {"lite", "team", "enterprise", "concierge"}
    assert managers == [(m.user_id, m.extension_id) for m in world.managers]


def test_the_board_is_published_with_lakesides_managers(backfill, world):
    board = orjson.loads((backfill / "boards" / LAST.isoformat() / "board.json").read_bytes())
    assert {row["manager_name"] for row in board["managers"]} == {m.name for m in world.managers}
    by_manager = _month_net_by(world, lambda p: p.manager_id)
    assert {row["manager_id"]: Decimal(str(row["mtd_net_sales"])) for row in board["managers"]} == {
        m.user_id: Decimal(by_manager[m.user_id]) for m in world.managers
    }
    assert Decimal(str(board["team"]["mtd_net_sales"])) == sum(by_manager.values())


def test_check_passes_and_discover_lists_lakesides_account(lakeside_env, world):
    config = load_company(LAKESIDE / "salesboard.yaml")
    clients = vendor_clients(config.sources, lakeside_env)
    now = end_of(LAST)
    try:
        findings = check(config, clients, now=now)
        starter = starter_config(discover(clients, now=now))
    finally:
        for client in clients.values():
            client.close()
    assert [f for f in findings if f.status == "fail"] == []
    assert {f.subject for f in findings} >= {'stage 5551003 "Demo call"', "tariffs"}
    assert "5551003 Demo call" in starter and "91003 Workspace ID - text" in starter
