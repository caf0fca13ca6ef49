"""How every process that is not Dagster calls dbt: `salesboard dbt ...`, the docs site,
the benchmarks and the tests. One command line, so the calendar's vars
(`salesboard.calendar.dbt_vars`: business time zone, lookback, day window) reach every
build and nobody types them.

dbt runs in a subprocess: dbt-duckdb keeps its connection open in-process, which would stop
the caller opening the warehouse read-only afterwards.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import orjson

from salesboard.calendar import WindowSettings, dbt_vars
from salesboard.layout import DBT_PROJECT_DIR


def dbt_executable() -> str:
    """dbt installed beside this interpreter (the virtualenv need not be activated)."""
    return str(Path(sys.executable).with_name("dbt"))


def build_args(*, full_refresh: bool = False) -> list[str]:
    """`dbt build` as production runs it. Unit tests check SQL logic on hand-made rows, not
    the data: they run in the test suite (tests/dbt_project), as dbt advises, not in every
    build. `full_refresh` rebuilds incremental models from scratch."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    return [*args, "--full-refresh"] if full_refresh else args


def vars_args(variables: Mapping[str, object]) -> list[str]:
    """`--vars` with `variables` as dbt reads them (JSON is YAML)."""
    return ["--vars", orjson.dumps(dict(variables)).decode()]


def dbt_command(
    args: Sequence[str],
    *,
    variables: Mapping[str, object] | None = None,
    window: tuple | None = None,
    settings: WindowSettings | None = None,
) -> list[str]:
    """`dbt <args>` on this project with `--vars`: the calendar's vars for `window` (first,
    last day, or None for all history) merged with `variables` (which win). `args` must not
    carry `--vars` of its own."""
    if "--vars" in args:
        raise ValueError("pass dbt vars as `variables`, not in args")
    merged = {**dbt_vars(window, settings), **(variables or {})}
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    return [dbt_executable(), *args, *vars_args(merged), *project]


def run_dbt(args: Sequence[str], **options) -> int:
    """Run `dbt_command(args, **options)` with its output on this console; dbt's exit code."""
    return subprocess.call(dbt_command(args, **options))
