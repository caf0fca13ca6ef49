"""Dagster tests run against the demo APIs over real HTTP, with a throw-away data dir."""

from __future__ import annotations

import pytest

from ingestion.demo.server import DemoServer
from ingestion.demo.world import World
from tests.conftest import pipeline_environment


@pytest.fixture
def pipeline_env(demo_api: DemoServer, demo_world: World, tmp_path, monkeypatch):
    """Environment of a pipeline pointed at the demo server; returns the data dir."""
    data_dir = tmp_path / "data"
    for name, value in pipeline_environment(
        demo_world, demo_api, data_dir, "pytest-phone-salt"
    ).items():
        monkeypatch.setenv(name, value)
    return data_dir
