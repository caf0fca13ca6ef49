"""Session fixtures: one small simulated world and one demo API server over real HTTP."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import date

import pytest

from ingestion.demo.api.faults import FaultConfig
from ingestion.demo.config import load_config
from ingestion.demo.server import DemoServer
from ingestion.demo.simulation import build_world
from ingestion.demo.world import World
from salesboard.company import CONFIG_VARIABLE
from salesboard.layout import PROJECT_ROOT

DEMO_COMPANY_FILE = PROJECT_ROOT / "ingestion" / "demo" / "salesboard.yaml"


def pytest_configure(config: pytest.Config) -> None:
    """The Dagster definitions load the dbt manifest at import: parse the project first when
    it is missing (`make test` always re-parses; this covers a bare `pytest`). Tests run as
    the demo company (`ingestion/demo/salesboard.yaml`) unless `SALESBOARD_CONFIG` says else.

    In a pytest-xdist worker (`execnet` runs `python -c`), `__main__` has neither a
    `__spec__` nor a `__file__`; PySpark takes that for its own doctest run and exits at
    `import pyspark.sql.connect` (pyspark/sql/connect/utils.py, `check_dependencies`), which
    Great Expectations imports. The worker's `__main__` is given the name of what it runs."""
    main = sys.modules["__main__"]
    if hasattr(config, "workerinput") and getattr(main, "__file__", None) is None:
        main.__file__ = "<pytest-xdist worker>"
    os.environ.setdefault(CONFIG_VARIABLE, str(DEMO_COMPANY_FILE))
    from orchestration.warehouse_project import salesboard_dbt

    if not salesboard_dbt.manifest_path.exists():
        os.environ.setdefault("SALESBOARD_DATA_DIR", str(config.rootpath / "data"))
        os.environ.setdefault("SALESBOARD_PHONE_SALT", "pytest-salt")
        salesboard_dbt.preparer.prepare(salesboard_dbt)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules holding a `slow` test first, then those of the reliability suite, otherwise in
    collection order. A parallel run (`-n 3 --dist loadfile`, pyproject.toml) hands out
    whole modules in this order: the longest start first, and none is left running alone at
    the end."""

    def rank(module: str) -> int:
        marks = {mark.name for item in by_module[module] for mark in item.iter_markers()}
        return 0 if "slow" in marks else 1 if "reliability" in marks else 2

    by_module: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_module.setdefault(item.nodeid.split("::")[0], []).append(item)
    items[:] = [item for module in sorted(by_module, key=rank) for item in by_module[module]]


DEMO_END_DATE = date(2024, 7, 29)  # four weeks from the config's start date: fast to build
# Tests fire requests back to back; the vendors' natural limits are switched on by the
# tests about them only.
TEST_FAULTS = FaultConfig(natural_limits=False)


def pipeline_environment(world: World, server: DemoServer, data_dir, salt: str) -> dict[str, str]:
    """The environment a pipeline pointed at `server` runs with (what `.env` holds in real
    deployments): the demo company file, base URLs, the world's credentials, a data dir and
    a phone-hash salt."""
    creds = world.config.credentials
    return {
        "SALESBOARD_CONFIG": str(DEMO_COMPANY_FILE),
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
