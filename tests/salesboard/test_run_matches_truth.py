"""A fresh clone matches the truth (issue 15): `salesboard run`, what `make run` calls, on
an empty data dir at a late-morning instant, shows every signup of its days and each
day's funnel and revenue as the demo's truth.

The command runs as a user types it, in a subprocess that starts the demo APIs itself,
with the demo's clock frozen by `SALESBOARD_DEMO_NOW` (README) at today's 11:30 in Moscow,
or a minute ago when that has not come yet: the pipeline fetches up to its own now, so
the demo may not be ahead of it. By then leads of the run's days have moved again today,
which is what `make run` used to lose. Truth: `tests/support/funnel_truth.py`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from ingestion.demo.config import load_config
from ingestion.demo.simulation import build_world
from salesboard.layout import PROJECT_ROOT
from tests.support.commands import free_port
from tests.support.funnel_truth import (
    MOSCOW,
    changed_since,
    day_of,
    funnel_truth,
    marts_by_day,
    revenue_truth,
)

DAYS = 2


@pytest.mark.slow
def test_salesboard_run_late_in_the_morning_shows_the_true_figures(tmp_path: Path):
    now = datetime.now(UTC)
    clock = min(now - timedelta(minutes=1), datetime.combine(day_of(now), time(11, 30), MOSCOW))
    root = f"http://127.0.0.1:{free_port()}"
    data_dir = tmp_path / "data"
    # As on a fresh clone: Dagster's home is the data dir's (`load_settings`).
    env = {name: value for name, value in os.environ.items() if name != "DAGSTER_HOME"}
    env |= {
        "SALESBOARD_DATA_DIR": str(data_dir),
        "SALESBOARD_DEMO_NOW": clock.isoformat(),
        "SALESBOARD_ENGINE": "duckdb",
        "TELPHIN_BASE_URL": f"{root}/telphin",
        "AMOCRM_BASE_URL": f"{root}/amocrm",
        "YOOKASSA_BASE_URL": f"{root}/yookassa/v3",
        "AMPLITUDE_BASE_URL": f"{root}/amplitude",
    }
    salesboard = Path(sys.executable).with_name("salesboard")
    # Output to a file, not a pipe: Dagster's compute-log helpers can outlive the command.
    out = tmp_path / "output.txt"
    with out.open("w") as output:
        done = subprocess.run(
            [str(salesboard), "run", "--days", str(DAYS)], cwd=PROJECT_ROOT, env=env,
            stdout=output, stderr=subprocess.STDOUT, timeout=1200, check=False,
        )  # fmt: skip
    text = out.read_text()
    assert done.returncode == 0, text[-5000:]
    first, last = map(
        date.fromisoformat, re.search(r"daily pipeline for (\S+) \.\. (\S+) ", text).groups()
    )
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert len(days) == DAYS and last in (day_of(clock) - timedelta(days=n) for n in (1, 2))

    world = build_world(load_config(), clock)
    assert changed_since(world, days, clock), "no signup of the run's days moved since"
    leads, funnel, revenue = marts_by_day(data_dir / "warehouse" / "salesboard.duckdb", days)
    expected = sorted((day_of(s.created_at), s.lead_id) for s in world.signups)
    assert sorted(leads) == [(day, lead) for day, lead in expected if day in days]
    assert funnel == funnel_truth(world, days, clock)
    assert revenue == revenue_truth(world, days)
