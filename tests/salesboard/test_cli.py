"""The `salesboard` console script: its settings, its report, and its argument checks."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import dagster as dg
import pytest

from orchestration.execution import RunOutcome
from salesboard.cli import parser
from salesboard.cli.console import report
from salesboard.cli.settings import load_settings
from salesboard.layout import PROJECT_ROOT


def test_a_backfill_plans_each_asset_once_not_once_per_day(tmp_path):
    """`load_settings` makes a single-run backfill log one planned event per asset: on the
    SQLite instance each event is a commit, and a year's backfill logged one per day."""
    days = dg.DailyPartitionsDefinition(start_date="2025-01-01")

    @dg.asset(partitions_def=days, backfill_policy=dg.BackfillPolicy.single_run())
    def landed() -> None:
        return None

    tags = {
        "dagster/asset_partition_range_start": "2025-01-01",
        "dagster/asset_partition_range_end": "2025-01-05",
    }
    with mock.patch.dict(os.environ, {"SALESBOARD_DATA_DIR": str(tmp_path / "data")}):
        os.environ.pop("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", None)
        load_settings()
        with dg.instance_for_test() as instance:
            result = dg.materialize([landed], instance=instance, tags=tags)
            planned = instance.get_records_for_run(
                result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
            ).records
    assert len(planned) == 1
    assert len(result.get_asset_materialization_events()) == 5


def test_the_report_prints_each_board_once_and_fails_loudly(tmp_path):
    good = RunOutcome("r1", True, None, ("amocrm/leads:enums_in_set (WARN)",), 12,
                      ("boards/2025-01-03",), (), checks=40)  # fmt: skip
    out = io.StringIO()
    assert report(good, tmp_path / "run.log", out) == 0
    assert "done: 12 materializations, 40 checks (1 failed)" in out.getvalue()
    assert out.getvalue().count("board: boards/2025-01-03/index.html") == 1
    assert "check amocrm/leads:enums_in_set (WARN) failed" in out.getvalue()
    bad = RunOutcome("r2", False, "SourceAuthError: telphin: 401", (), 0, (), ())
    out = io.StringIO()
    assert report(bad, tmp_path / "run.log", out) == 1
    assert "FAILED: SourceAuthError: telphin: 401" in out.getvalue()


def test_backfill_needs_two_days_in_order():
    args = parser().parse_args(["backfill", "--from", "2025-01-01", "--to", "2025-01-31"])
    assert (str(args.first), str(args.last)) == ("2025-01-01", "2025-01-31")
    with pytest.raises(SystemExit):
        parser().parse_args(["backfill", "--from", "2025-13-01", "--to", "2025-01-31"])
    done = subprocess.run(
        [sys.executable, "-m", "salesboard", "backfill",
         "--from", "2025-02-01", "--to", "2025-01-01"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0 and "is before --from" in done.stderr


def test_the_console_script_is_installed_beside_the_interpreter():
    script = Path(sys.executable).with_name("salesboard")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    for command in ("run", "backfill", "dev", "prepare", "docs", "dbt"):
        assert command in done.stdout


def test_the_demo_clock_is_an_aware_instant_not_ahead_of_the_pipeline(monkeypatch):
    """`SALESBOARD_DEMO_NOW` freezes the demo APIs' clock (`--clock`); a naive or future
    instant stops the command with a message instead of serving records no run can fetch."""
    from salesboard.cli.demo import demo_clock_args

    monkeypatch.delenv("SALESBOARD_DEMO_NOW", raising=False)
    assert demo_clock_args() == []
    monkeypatch.setenv("SALESBOARD_DEMO_NOW", "2026-03-02T11:30+03:00")
    assert demo_clock_args() == ["--clock", "2026-03-02T11:30:00+03:00"]
    for value, message in [
        ("2026-03-02T11:30", "needs a UTC offset"),
        ("11:30 tomorrow", "is not an ISO instant"),
        ("2999-01-01T00:00+00:00", "is in the future"),
    ]:
        monkeypatch.setenv("SALESBOARD_DEMO_NOW", value)
        with pytest.raises(SystemExit, match=message):
            demo_clock_args()


def test_make_run_calls_salesboard_run_over_the_readmes_120_days():
    """`make run` (README, set-up) is `salesboard run` with no arguments, whose default is
    the README's "last 120 days"; the run itself is tested in test_run_matches_truth.py."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    days = int(re.search(r"`make run` does the same for the last (\d+) days", readme).group(1))
    # Under `make test` (CI) the outer make's MAKEFLAGS/MAKELEVEL would add its own lines.
    outer_make = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    env = {name: value for name, value in os.environ.items() if name not in outer_make}
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # After `make install` the target's one command; before it, the install steps come first.
    assert planned[-1].split() == [".venv/bin/salesboard", "run"], planned
    assert parser().parse_args(["run"]).days == days == 120
