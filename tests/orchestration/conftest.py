"""Dagster tests run against the demo APIs over real HTTP, with a throw-away data dir."""

from __future__ import annotations

import pytest

from ingestion.demo.server import DemoServer
from ingestion.demo.world import World


@pytest.fixture
def pipeline_env(demo_api: DemoServer, demo_world: World, tmp_path, monkeypatch):
    """Environment of a pipeline pointed at the demo server; returns the data dir."""
    creds = demo_world.config.credentials
    data_dir = tmp_path / "data"
    values = {
        "SALESBOARD_DATA_DIR": str(data_dir),
        "SALESBOARD_PHONE_SALT": "pytest-phone-salt",
        "TELPHIN_BASE_URL": demo_api.urls["telphin"],
        "TELPHIN_CLIENT_ID": creds["telphin"]["client_id"],
        "TELPHIN_CLIENT_SECRET": creds["telphin"]["client_secret"],
        "AMOCRM_BASE_URL": demo_api.urls["amocrm"],
        "AMOCRM_TOKEN": creds["amocrm"]["token"],
        "YOOKASSA_BASE_URL": demo_api.urls["yookassa"],
        "YOOKASSA_SHOP_ID": creds["yookassa"]["shop_id"],
        "YOOKASSA_SECRET_KEY": creds["yookassa"]["secret_key"],
        "AMPLITUDE_BASE_URL": demo_api.urls["amplitude"],
        "AMPLITUDE_API_KEY": creds["amplitude"]["api_key"],
        "AMPLITUDE_SECRET_KEY": creds["amplitude"]["secret_key"],
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return data_dir
