"""Secrets and personal data stay where they belong, and configuration cannot inject SQL.

The vendors reject wrong credentials (and the pipeline says so without echoing them), and
dbt's day-window vars, pasted into SQL as date literals, are refused unless they are days.
"""

from __future__ import annotations

import os
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest

from ingestion.errors import SourceAuthError
from salesboard.layout import DataLayout
from tests.reliability.fortnight import LAST, run_time, vendor_clients
from tests.reliability.results import Outcome, record
from tests.support.dbt import dbt_run
from tests.support.pull import pull_day

pytestmark = pytest.mark.reliability
INJECTION = "2024-07-01' or 1=1 --"


def _dbt_compile(data_dir: Path, variables: dict) -> subprocess.CompletedProcess:
    environment = {
        "SALESBOARD_DATA_DIR": str(data_dir),
        "SALESBOARD_PHONE_SALT": "security-test-salt",  # dbt's connections require it
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    return dbt_run(
        data_dir, "compile", "--select", "fct_calls", variables=variables,
        env={**_base_environment(), **environment}, timeout=300,
    )  # fmt: skip


def _base_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SALESBOARD_")}


@pytest.mark.reliability_fast
@pytest.mark.parametrize("name", ["min_day", "max_day"])
def test_dbt_refuses_a_window_var_that_is_not_a_day(name, tmp_path):
    (tmp_path / "warehouse").mkdir()
    refused = _dbt_compile(
        tmp_path, {"min_day": "2024-07-01", "max_day": "2024-07-02", name: INJECTION}
    )
    assert refused.returncode != 0
    assert f"{name} must be a YYYY-MM-DD day" in refused.stdout
    compiled = _dbt_compile(tmp_path, {"min_day": "2024-07-01", "max_day": "2024-07-02"})
    assert compiled.returncode == 0, compiled.stdout[-2000:]
    sql = next((tmp_path / "dbt_target").rglob("fct_calls.sql")).read_text()
    assert "cast('2024-07-01' as date)" in sql
    record(Outcome("security", f"SQL injection through dbt var {name}", "refused at compile time"))


STREAM_OF = {
    "telphin": "telphin.calls",
    "amocrm": "amocrm.leads",
    "yookassa": "yookassa.payments",
    "amplitude": "amplitude.events",
}


@pytest.mark.reliability_fast
@pytest.mark.parametrize("source", sorted(STREAM_OF))
def test_the_demo_vendors_reject_wrong_credentials(source, demo_api, demo_world, tmp_path):
    wrong = "wrong-secret-" + source
    creds = {k: wrong for k in demo_world.config.credentials[source]}
    with ExitStack() as stack, pytest.raises(SourceAuthError) as failed:
        client = vendor_clients(demo_api, {source: creds}, stack)[source]
        pull_day(client, STREAM_OF[source], LAST, DataLayout(tmp_path).ensure(),
                 run_id="wrong-credentials", ingested_at=run_time(LAST))  # fmt: skip
    assert str(failed.value).startswith(f"{source}/") and wrong not in str(failed.value)
    record(Outcome("security", f"wrong {source} credentials", "rejected, run fails loudly",
                   notes="the error names the source and never echoes the secret"))  # fmt: skip
