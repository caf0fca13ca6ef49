"""The calling policies show in the marts: reach 35% -> 52% -> 64% (domain.md).

A smaller company (scale 0.25) over fifteen months, so every policy period has hundreds of
signups; each stream is landed in one wide window as the last day's partition, after an
empty first day's partition (the marts do not care which partition a record arrived in,
only that none predates the history and none is of a day after its partition's), then real
`dbt build`, then `fct_signup_funnel` is compared with the world: the reached
signups are exactly the world's, and each period's rate is the article's.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from ingestion.demo.config import load_config
from ingestion.demo.server import DemoServer
from ingestion.demo.simulation import build_world
from ingestion.landing import land_partition
from ingestion.streams import STREAMS
from ingestion.streams.spec import Rule
from salesboard.calendar import day_bounds
from salesboard.layout import DataLayout
from tests.conftest import TEST_FAULTS, pipeline_environment
from tests.support.warehouse import dbt_ok, vendor_clients

END = date(2025, 10, 1)
PERIODS = [  # (first signup day, last exclusive, the article's reach rate)
    (date(2024, 7, 1), date(2025, 1, 15), 0.35),
    (date(2025, 1, 15), date(2025, 6, 1), 0.52),
    (date(2025, 6, 1), date(2025, 9, 1), 0.64),
]


@pytest.fixture(scope="module")
def long_world():
    return build_world(load_config(end_date=END, scale=0.25))


@pytest.fixture
def warehouse(long_world, tmp_path, monkeypatch):
    with DemoServer(long_world, faults=TEST_FAULTS) as server:
        env = pipeline_environment(long_world, server, tmp_path / "data", "policy-salt")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        layout = DataLayout(tmp_path / "data").ensure()
        last_day = END - timedelta(days=1)
        whole = (day_bounds(long_world.config.start_date)[0], day_bounds(last_day)[1])
        one_day = day_bounds(last_day)  # enough of the streams the funnel's reach ignores
        wide = {"telphin.calls", "amocrm.leads", "amocrm.contacts", "amocrm.status_events"}
        clients = vendor_clients(env)
        for stream, spec in STREAMS.items():
            window = (
                None
                if STREAMS[stream].window is Rule.SNAPSHOT
                else whole
                if stream in wide
                else one_day
            )
            pages = STREAMS[stream].fetch(clients[spec.source], window)
            if window is not None:  # the landed history starts on the first day, empty
                first_day = long_world.config.start_date
                land_partition(
                    layout, spec, first_day, iter([]), str(uuid.uuid4()), datetime.now(UTC)
                )
            land_partition(layout, spec, last_day, pages, str(uuid.uuid4()), datetime.now(UTC))
    dbt_ok(tmp_path, "build")
    return layout.warehouse_db


def test_reach_rate_per_policy_period_is_the_articles(warehouse, long_world):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reached = dict(
            con.sql(
                "select lead_id, reached_at is not null from marts.fct_signup_funnel"
            ).fetchall()
        )
    world_reached = {s.lead_id: s.reached_at is not None for s in long_world.signups}
    assert reached == world_reached
    for first, last, expected in PERIODS:
        period = [s for s in long_world.signups if first <= s.created_at.date() < last]
        rate = sum(reached[s.lead_id] for s in period) / len(period)
        assert len(period) > 400
        assert rate == pytest.approx(expected, abs=0.04), (first, rate)
