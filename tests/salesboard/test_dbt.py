"""How dbt is invoked: the calendar's vars on every command line, and a bare dbt run
without them refused with a message that says what to do."""

from __future__ import annotations

import os
import subprocess

import orjson
import pytest

from ingestion.demo.model import PIPELINE_ID, STATUS_CONSULTATION
from salesboard.dbt import build_args, dbt_command
from salesboard.layout import DBT_PROJECT_DIR
from tests.salesboard.test_company import REFERENCE_TABLES


def _vars(command: list[str]) -> dict:
    """The command's vars but the company's reference rows (test_company.py checks those)."""
    variables = orjson.loads(command[command.index("--vars") + 1])
    assert set(variables.pop("company_reference")) == {*REFERENCE_TABLES}
    return variables


def test_every_command_carries_the_calendars_vars():
    command = dbt_command(["compile"])
    assert _vars(command) == {
        "business_tz": "Europe/Moscow",
        "lookback_days": 14,
        "history_start_day": "2024-07-01",  # the demo's first day (SALESBOARD_START_DATE unset)
        "longest_period_months": 12,  # the demo sells 1-12 month periods
        "sales_pipeline_id": PIPELINE_ID,  # the demo company file's
        "consultation_status_id": STATUS_CONSULTATION,
        "activation_event": "bank_statement_imported",  # domain.md
        "lesson_event": "video_lesson_watched",
        "signup_channels": ["ads", "organic", "referral", "webinar"],
    }
    assert command[command.index("--project-dir") + 1] == str(DBT_PROJECT_DIR)


def test_a_window_and_extra_vars_are_merged_and_extra_vars_win():
    from datetime import date

    command = dbt_command(
        ["build"], window=(date(2025, 1, 1), date(2025, 1, 31)), variables={"lookback_days": 3}
    )
    assert _vars(command) == {
        "business_tz": "Europe/Moscow",
        "lookback_days": 3,
        "history_start_day": "2024-07-01",
        "longest_period_months": 12,
        "sales_pipeline_id": PIPELINE_ID,  # the demo company file's
        "consultation_status_id": STATUS_CONSULTATION,
        "activation_event": "bank_statement_imported",  # domain.md
        "lesson_event": "video_lesson_watched",
        "signup_channels": ["ads", "organic", "referral", "webinar"],
        "min_day": "2025-01-01",
        "max_day": "2025-02-01",
    }
    with pytest.raises(ValueError):
        dbt_command(["build", "--vars", "{}"])


def test_production_builds_leave_unit_tests_to_the_test_suite():
    args = build_args()
    assert args[:1] == ["build"]
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert build_args(full_refresh=True)[-1] == "--full-refresh"


def test_a_bare_dbt_run_without_the_calendars_vars_is_refused(tmp_path):
    command = dbt_command(["compile", "--select", "stg_telphin__calls"])
    bare = command[: command.index("--vars")] + command[command.index("--vars") + 2 :]
    env = os.environ | {"SALESBOARD_DATA_DIR": str(tmp_path), "SALESBOARD_PHONE_SALT": "x"}
    (tmp_path / "warehouse").mkdir()
    target = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    refused = subprocess.run(
        [*bare, *target], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert refused.returncode != 0
    assert "dbt var 'business_tz' is not set" in refused.stdout
    assert "salesboard dbt" in refused.stdout
    allowed = subprocess.run(
        [*command, *target], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert allowed.returncode == 0, allowed.stdout[-2000:]
