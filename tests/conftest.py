"""Session fixtures: one small simulated world and one demo API server over real HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date

import pytest

from ingestion.demo.api.faults import FaultConfig
from ingestion.demo.config import load_config
from ingestion.demo.server import DemoServer
from ingestion.demo.simulation import build_world
from ingestion.demo.world import World


def pytest_configure(config: pytest.Config) -> None:
    """The Dagster definitions load the dbt manifest at import: parse the project first when
    it is missing (`make test` always re-parses; this covers a bare `pytest`)."""
    from orchestration.warehouse_project import salesboard_dbt

    if not salesboard_dbt.manifest_path.exists():
        os.environ.setdefault("SALESBOARD_DATA_DIR", str(config.rootpath / "data"))
        os.environ.setdefault("SALESBOARD_PHONE_SALT", "pytest-salt")
        salesboard_dbt.preparer.prepare(salesboard_dbt)


DEMO_END_DATE = date(2024, 7, 29)  # four weeks from the config's start date: fast to build
# Tests fire requests back to back; the vendors' natural limits are switched on by the
# tests about them only.
TEST_FAULTS = FaultConfig(natural_limits=False)


def pipeline_environment(world: World, server: DemoServer, data_dir, salt: str) -> dict[str, str]:
    """The environment a pipeline pointed at `server` runs with (what `.env` holds in real
    deployments): base URLs, the world's credentials, a data dir and a phone-hash salt."""
    creds = world.config.credentials
    return {
        "SALESBOARD_DATA_DIR": str(data_dir),
        "SALESBOARD_PHONE_SALT": salt,
        "TELPHIN_BASE_URL": server.urls["telphin"],
        "TELPHIN_CLIENT_ID": creds["telphin"]["client_id"],
        "TELPHIN_CLIENT_SECRET": creds["telphin"]["client_secret"],
        "AMOCRM_BASE_URL": server.urls["amocrm"],
        "AMOCRM_TOKEN": creds["amocrm"]["token"],
        "YOOKASSA_BASE_URL": server.urls["yookassa"],
        "YOOKASSA_SHOP_ID": creds["yookassa"]["shop_id"],
        "YOOKASSA_SECRET_KEY": creds["yookassa"]["secret_key"],
        "AMPLITUDE_BASE_URL": server.urls["amplitude"],
        "AMPLITUDE_API_KEY": creds["amplitude"]["api_key"],
        "AMPLITUDE_SECRET_KEY": creds["amplitude"]["secret_key"],
    }


@pytest.fixture(scope="session")
def demo_world() -> World:
    return build_world(load_config(end_date=DEMO_END_DATE))


@pytest.fixture(scope="session")
def demo_server(demo_world: World) -> Iterator[DemoServer]:
    with DemoServer(demo_world, faults=TEST_FAULTS) as server:
        yield server


@pytest.fixture
def demo_api(demo_server: DemoServer) -> Iterator[DemoServer]:
    """The session server, reset to no faults and the real clock after each test."""
    demo_server.set_faults(TEST_FAULTS)
    demo_server.set_clock(None)
    yield demo_server
    demo_server.set_faults(TEST_FAULTS)
    demo_server.set_clock(None)
