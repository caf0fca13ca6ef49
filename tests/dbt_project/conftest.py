"""Fixtures for the dbt project: the orchestration fixtures (demo server, pipeline env), and a
long demo history (18 months) for the revenue, churn and forecast marts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests

from ingestion.demo.config import load_config
from ingestion.demo.simulation import build_world
from ingestion.demo.world import World
from tests.orchestration.conftest import pipeline_env  # noqa: F401
from tests.support.commands import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Long enough for churn, cohorts and a forecast backtest (months are warm after 91 days):
# 2024-07-01 .. 2025-12-31, the demo's default scale.
LONG_HISTORY_END = date(2026, 1, 1)
SOURCES = ("amocrm", "telphin", "yookassa", "amplitude")


@dataclass(frozen=True)
class LongHistory:
    world: World
    data_dir: Path
    env: dict[str, str]

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse" / "salesboard.duckdb"


def _long_history_env(world: World, root: str, data_dir: Path) -> dict[str, str]:
    creds = world.config.credentials
    return os.environ.copy() | {
        "SALESBOARD_DATA_DIR": str(data_dir),
        "SALESBOARD_PHONE_SALT": "test-salt",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "TELPHIN_BASE_URL": f"{root}/telphin",
        "TELPHIN_CLIENT_ID": creds["telphin"]["client_id"],
        "TELPHIN_CLIENT_SECRET": creds["telphin"]["client_secret"],
        "AMOCRM_BASE_URL": f"{root}/amocrm",
        "AMOCRM_TOKEN": creds["amocrm"]["token"],
        "YOOKASSA_BASE_URL": f"{root}/yookassa/v3",
        "YOOKASSA_SHOP_ID": creds["yookassa"]["shop_id"],
        "YOOKASSA_SECRET_KEY": creds["yookassa"]["secret_key"],
        "AMPLITUDE_BASE_URL": f"{root}/amplitude",
        "AMPLITUDE_API_KEY": creds["amplitude"]["api_key"],
        "AMPLITUDE_SECRET_KEY": creds["amplitude"]["secret_key"],
    }


def land_source(source: str, env: dict[str, str], first: date, last: date) -> None:
    """Land every stream of one source over [first, last] in chunked pulls (the path a
    multi-day run takes); snapshot streams for the last day only. Runs in a worker process."""
    from ingestion.pull import pull_days
    from ingestion.streams import STREAMS
    from ingestion.streams.spec import Rule
    from salesboard.layout import DataLayout
    from tests.support.warehouse import vendor_clients

    layout = DataLayout(Path(env["SALESBOARD_DATA_DIR"])).ensure()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    run_id, ingested_at = str(uuid.uuid4()), datetime.now(UTC)
    with vendor_clients(env)[source] as client:
        for stream, spec in STREAMS.items():
            if spec.source != source:
                continue
            stream_days = days[-1:] if STREAMS[stream].window is Rule.SNAPSHOT else days
            for _ in pull_days(
                client, stream, stream_days, layout, run_id=run_id, ingested_at=ingested_at
            ):
                pass


@pytest.fixture(scope="module")
def long_history(tmp_path_factory) -> Iterator[LongHistory]:
    """The demo's first 18 months landed through the real clients and built with `dbt build`
    (models, seeds, data tests, unit tests). The demo APIs run in their own process and each
    source lands in its own worker, so the ~1.5 GB of HTTP traffic fits the time budget."""
    from tests.support.warehouse import dbt_ok

    world = build_world(load_config(end_date=LONG_HISTORY_END))
    tmp = tmp_path_factory.mktemp("long_history")
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "ingestion.demo", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--end-date", LONG_HISTORY_END.isoformat()],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{root}/_demo/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "demo APIs did not start"
            time.sleep(0.2)
        env = _long_history_env(world, root, tmp / "data")
        first, last = world.config.start_date, LONG_HISTORY_END - timedelta(days=1)
        with ProcessPoolExecutor(max_workers=len(SOURCES)) as pool:
            for done in [pool.submit(land_source, s, env, first, last) for s in SOURCES]:
                done.result()
    finally:
        server.terminate()
        server.wait(timeout=10)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        dbt_ok(tmp, "build")
    yield LongHistory(world=world, data_dir=tmp / "data", env=env)


# The Spark parity test's world: six months, the least that fills every mart (renewals,
# refunds, complete churn months, forecast backtests), at a third of the 18 months' cost.
HALF_YEAR_END = date(2025, 1, 1)


@pytest.fixture(scope="module")
def half_year(long_history: LongHistory, tmp_path_factory) -> LongHistory:
    """The long history cut at `HALF_YEAR_END`: its landed days before it (hard links to the
    same Parquet files) and the snapshot streams' one day as landed, built with `dbt run`
    in a data dir of its own, as if the history had been pulled only up to there."""
    from ingestion.landing import partition_dir
    from ingestion.streams import STREAMS
    from ingestion.streams.spec import Rule
    from salesboard.layout import DataLayout
    from tests.support.warehouse import dbt_ok

    tmp = tmp_path_factory.mktemp("half_year")
    source, cut = DataLayout(long_history.data_dir), DataLayout(tmp / "data").ensure()
    for spec in STREAMS.values():
        landed = partition_dir(source.landing, spec, LONG_HISTORY_END).parent
        for day in landed.glob("day=*"):
            if spec.window is Rule.SNAPSHOT or day.name < f"day={HALF_YEAR_END.isoformat()}":
                target = cut.landing / day.relative_to(source.landing)
                target.mkdir(parents=True)
                for part in day.glob("*.parquet"):
                    (target / part.name).hardlink_to(part)
    env = long_history.env | {"SALESBOARD_DATA_DIR": str(cut.root)}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        dbt_ok(tmp, "run")
    return LongHistory(world=long_history.world, data_dir=cut.root, env=env)
