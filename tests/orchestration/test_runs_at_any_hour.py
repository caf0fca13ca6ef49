"""Runs at any hour (issue 15): whatever time a run starts, it lands the current version of
every lead, every signup of its days is in the funnel, and every funnel and revenue figure
is the demo's truth.

amoCRM lists leads at their *current* `updated_at`, so a lead changed after a run's last
day ended (since midnight, before the run started) used to land in no partition. One demo
world, simulated through `CLOCK_DAY`, is served with its clock frozen at several times of
that day (Moscow). At each, the real Dagster job runs on a fresh data dir: the 06:00
schedule's run of yesterday's partition, and a single-run backfill ending yesterday as
`salesboard run` draws it at that hour (`history_range`: before Amplitude's export of
yesterday is complete, the day before). Each test first asserts that some of its window's
signups changed since the last day ended, so it cannot pass without the rule. Truth:
`tests/support/funnel_truth.py`, from the world's records.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import dagster as dg
import duckdb
import pytest

from ingestion.demo.config import load_config
from ingestion.demo.model import STATUS_NEW, Signup
from ingestion.demo.server import DemoServer
from ingestion.demo.simulation import build_world
from ingestion.demo.world import World
from orchestration.definitions import defs
from salesboard.calendar import history_range, range_tags
from tests.conftest import TEST_FAULTS, pipeline_environment
from tests.support.funnel_truth import (
    MOSCOW,  # domain.md: the team's day
    changed_since,
    day_of,
    funnel_truth,
    marts_by_day,
    revenue_truth,
)

# A day of the demo's second month (payments have begun) with leads moved in each of the
# hours before every clock below.
CLOCK_DAY = date(2024, 8, 14)
CLOCKS = (time(0, 20), time(5, 59), time(13, 30), time(23, 50))
BACKFILL_DAYS = 4


@pytest.fixture(scope="module")
def world() -> World:
    """The demo company through CLOCK_DAY (its records do not depend on the build's now)."""
    return build_world(load_config(), datetime.combine(CLOCK_DAY, time(23, 59), MOSCOW))


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[DemoServer]:
    with DemoServer(world, faults=TEST_FAULTS) as running:
        yield running


def _run(world, server, tmp_path, monkeypatch, at: time, kind: str, assets: list[dg.AssetKey]):
    """Run the daily job's `assets` at `at` on CLOCK_DAY on a fresh data dir, as `kind`:
    the 06:00 schedule's run (or one launched by hand) of yesterday's partition, or a
    single-run backfill ending yesterday as `salesboard run --days 4` draws it at that
    hour. Returns (clock, the run's days, data dir, result); asserts that some of the
    window's signups changed since its last day ended (else the test would be vacuous)."""
    clock = datetime.combine(CLOCK_DAY, at, MOSCOW)
    if kind == "daily":
        first = last = CLOCK_DAY - timedelta(days=1)
        run = {"partition_key": last.isoformat()}
    else:
        first, last = history_range(BACKFILL_DAYS, clock)
        run = {"tags": range_tags(first, last)}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert changed_since(world, days, clock), "no signup of the window changed since it ended"
    server.set_clock(clock)
    data_dir = tmp_path / "data"
    for name, value in pipeline_environment(world, server, data_dir, "any-hour-salt").items():
        monkeypatch.setenv(name, value)
    job = defs().resolve_job_def("daily_pipeline")
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=assets,
        **run,
    )  # fmt: skip
    assert result.success
    in_window = {
        e.asset_key.to_user_string(): e.passed
        for e in result.get_asset_check_evaluations()
        if e.check_name == "timestamps_in_window"
    }
    assert in_window["amocrm/leads"] and in_window["amocrm/contacts"]
    return clock, days, data_dir, result


def _lead_at(s: Signup, clock: datetime) -> tuple[int, datetime]:
    """(status id, updated_at) of a lead as amoCRM shows it at `clock`."""
    changes = [c for c in s.status_changes if c.at <= clock]
    if not changes:
        return STATUS_NEW, s.created_at.replace(microsecond=0)
    return changes[-1].status_after, changes[-1].at.replace(microsecond=0)


@pytest.mark.parametrize("kind", ["daily", "backfill"])
@pytest.mark.parametrize("at", CLOCKS, ids=lambda at: at.strftime("%H%M"))
def test_a_run_at_any_hour_lands_the_current_version_of_every_changed_lead(
    world, server, tmp_path, monkeypatch, at, kind
):
    """Every lead amoCRM lists as changed since the run's first window began (the first
    day less the day's late lookback) is landed in its version at the clock, and so is
    every contact created since."""
    crm = [dg.AssetKey(["amocrm", "leads"]), dg.AssetKey(["amocrm", "contacts"])]
    clock, days, data_dir, _ = _run(world, server, tmp_path, monkeypatch, at, kind, crm)
    since = datetime.combine(days[0] - timedelta(days=1), time(), MOSCOW)
    expected = {
        s.lead_id: _lead_at(s, clock)
        for s in world.signups
        if s.created_at <= clock and _lead_at(s, clock)[1] >= since
    }
    landing = data_dir / "landing" / "amocrm"
    with duckdb.connect() as con:
        landed = con.execute(
            "select id, arg_max(status_id, updated_at), max(updated_at)"
            f" from read_parquet('{landing}/leads/*/*.parquet') group by id"
        ).fetchall()
        contacts = con.execute(
            f"select distinct id from read_parquet('{landing}/contacts/*/*.parquet')"
        ).fetchall()
    assert {lead: (status, at) for lead, status, at in landed} == expected
    assert {c for (c,) in contacts} == {
        s.contact_id for s in world.signups if since <= s.created_at <= clock
    }


@pytest.mark.parametrize(
    ("at", "kind"),
    [(CLOCKS[1], "daily"), (CLOCKS[2], "backfill")],  # the 06:00 schedule; `make run` at noon
    ids=lambda value: value.strftime("%H%M") if isinstance(value, time) else value,
)
def test_a_run_at_any_hour_shows_every_signup_and_the_true_figures(
    world, server, tmp_path, monkeypatch, at, kind
):
    """The pipeline through dbt (the models the funnel and sales marts rest on): every
    signup of the run's days is in `fct_signup_funnel`, each day's funnel and revenue are
    the truth."""
    # dbt tests only where every model they read is built (a relationships test of a
    # selected model towards one not selected is left out, as dbt's `cautious` says).
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "cautious")
    graph = defs().resolve_asset_graph()
    marts = [
        dg.AssetKey(["marts", "fct_signup_funnel"]),
        dg.AssetKey(["marts", "mart_sales_daily"]),
    ]
    assets = list(dg.AssetSelection.assets(*marts).upstream().resolve(graph))
    clock, days, data_dir, _ = _run(world, server, tmp_path, monkeypatch, at, kind, assets)

    leads, funnel, revenue = marts_by_day(data_dir / "warehouse" / "salesboard.duckdb", days)
    expected_leads = {(day_of(s.created_at), s.lead_id) for s in world.signups}
    expected_leads = {(day, lead) for day, lead in expected_leads if day in days}
    assert sorted(leads) == sorted(expected_leads), "signups missing from fct_signup_funnel"
    # Today's signups, landed with the last day's leads, are a day no run has landed yet.
    today = {s.lead_id for s in world.signups if days[-1] < day_of(s.created_at) <= day_of(clock)}
    assert today or at < time(9), "no signup made today before the clock to leave out"
    with duckdb.connect(str(data_dir / "warehouse" / "salesboard.duckdb"), read_only=True) as con:
        later = con.execute(
            "select count(*) from marts.fct_signup_funnel where signup_day > ?", [days[-1]]
        ).fetchone()[0]
    assert later == 0, "a signup of a day not landed yet is in fct_signup_funnel"
    assert funnel == funnel_truth(world, days, clock)
    assert revenue == revenue_truth(world, days)
    assert sum(gross for gross, _ in revenue.values()) > 0, "no sale to compare"
