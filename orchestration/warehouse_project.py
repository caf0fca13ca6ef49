"""The dbt project as Dagster sees it, and the pure rules for how a run calls dbt.

Kept outside `defs/` so the launcher and tests can prepare the manifest (`dbt parse`)
before any definitions load: parsing inside concurrent runs races on `target/`.
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from dagster_dbt import DbtProject

from ingestion.paths import PROJECT_ROOT
from ingestion.windows import BUSINESS_TZ
from orchestration.marts import current_engine

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

# dbt is installed beside this interpreter; make it findable when the virtualenv is not
# activated (`.venv/bin/python -m ...`, the webserver's code server, pytest).
if shutil.which("dbt") is None:
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

salesboard_dbt = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=current_engine(),  # the profile has one output per engine, named after it
)


def dbt_vars(window_start: datetime, window_end: datetime) -> dict[str, str]:
    """dbt's day window for a run's partitions: Moscow calendar days, half-open
    [min_day, max_day), zero-padded ISO dates so dbt compares them as dates."""
    first = window_start.astimezone(BUSINESS_TZ).date()
    last = window_end.astimezone(BUSINESS_TZ).date()
    if last <= first:
        raise ValueError(f"empty partition window {window_start} .. {window_end}")
    return {"min_day": first.isoformat(), "max_day": last.isoformat()}


def build_args(variables: dict[str, str], *, full_refresh: bool) -> list[str]:
    """`dbt build` for the window; `--full-refresh` rebuilds incremental models from scratch.

    Unit tests check SQL logic on hand-made rows, not the data: they run in the test suite
    (tests/dbt_project), as dbt advises, not in every production build.
    """
    import orjson

    args = ["build", "--vars", orjson.dumps(variables).decode()]
    args += ["--exclude-resource-type", "unit_test"]
    return [*args, "--full-refresh"] if full_refresh else args
