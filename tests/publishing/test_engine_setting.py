"""`SALESBOARD_ENGINE` is the one switch between DuckDB and Spark (salesboard/layout.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from publishing.marts import MartsSource
from salesboard.layout import DataLayout, current_engine


def test_duckdb_is_the_default_and_spark_is_chosen_by_name(monkeypatch):
    monkeypatch.delenv("SALESBOARD_ENGINE", raising=False)
    assert current_engine() == "duckdb"
    monkeypatch.setenv("SALESBOARD_ENGINE", "spark")
    assert current_engine() == "spark"


def test_a_misspelt_engine_fails_instead_of_building_on_the_default(monkeypatch):
    monkeypatch.setenv("SALESBOARD_ENGINE", "Spark ")
    with pytest.raises(ValueError, match="SALESBOARD_ENGINE"):
        current_engine()


def test_readers_follow_the_engine_to_its_warehouse(monkeypatch):
    layout = DataLayout(Path("/data"))
    monkeypatch.setenv("SALESBOARD_ENGINE", "spark")
    assert MartsSource.of(layout) == MartsSource("spark", Path("/data/spark/warehouse"))
    monkeypatch.delenv("SALESBOARD_ENGINE")
    assert MartsSource.of(layout).path == layout.warehouse_db
