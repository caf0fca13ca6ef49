"""The code location loads: through `dg check defs`, and in the Dagster UI that the README's
`salesboard dev` starts (with dg's daemon and the demo vendor APIs), whose GraphQL API must
list every asset, check, partition set, sensor and schedule without errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from ingestion.demo.config import load_config
from orchestration.definitions import defs
from salesboard.cli.demo import DEMO_HEALTH_PATH, DEMO_NOW_VAR
from salesboard.layout import PROJECT_ROOT
from tests.support.commands import free_port, local, readme_command, running, wait_for

BIN = Path(sys.executable).parent


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "VIRTUAL_ENV": str(BIN.parent),
        "DAGSTER_HOME": str(tmp_path),
        "SALESBOARD_DATA_DIR": str(tmp_path / "data"),
    }


def test_dg_check_defs_passes(tmp_path):
    result = subprocess.run(
        [str(BIN / "dg"), "check", "defs"],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All definitions loaded successfully" in result.stdout + result.stderr


WORKSPACE_QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        locationOrLoadError {
          __typename
          ... on PythonError { message }
          ... on RepositoryLocation {
            repositories {
              name
              assetNodes {
                assetKey { path }
                isPartitioned
                assetChecksOrError { ... on AssetChecks { checks { name blocking description } } }
              }
              partitionSets { name }
              sensors { name }
              schedules { name cronSchedule executionTimezone }
              jobs { name }
            }
          }
        }
      }
    }
  }
}
"""


INSTANCE_QUERY = "{ instance { info daemonHealth { allDaemonStatuses { daemonType healthy } } } }"


@dataclass(frozen=True)
class Dev:
    url: str  # the Dagster UI
    demo_root: str  # where the demo APIs were configured to answer
    data_dir: Path
    output: Path  # what `salesboard dev` printed


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    """`salesboard dev` as the README shows it, on a free port (`--port`), in a fresh data
    directory with no DAGSTER_HOME set (dev puts Dagster's instance in the data directory),
    the demo vendors' base URLs on another free port. It runs in its own session; at the end
    its process group is stopped and nothing of it (dg's webserver, daemon and code server,
    the demo APIs) may be left running (tests/support/commands.py)."""
    home = tmp_path_factory.mktemp("dev")
    port, demo_root = free_port(), f"http://127.0.0.1:{free_port()}"
    env = _env(home) | {
        "TELPHIN_BASE_URL": f"{demo_root}/telphin",
        "AMOCRM_BASE_URL": f"{demo_root}/amocrm",
        "YOOKASSA_BASE_URL": f"{demo_root}/yookassa/v3",
        "AMPLITUDE_BASE_URL": f"{demo_root}/amplitude",
    }
    for name in ("DAGSTER_HOME", DEMO_NOW_VAR):
        env.pop(name, None)
    command = [*local(readme_command(r"salesboard dev\b")), "--port", str(port)]
    output = home / "dev.log"
    with running(command, env, output) as process:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{url}/server_info"), process, output, "Dagster UI", 300)
        yield Dev(url, demo_root, home / "data", output)


def test_webserver_loads_every_definition_without_errors(dev):
    answer = requests.post(f"{dev.url}/graphql", json={"query": WORKSPACE_QUERY}, timeout=60).json()
    assert "errors" not in answer, answer
    entries = answer["data"]["workspaceOrError"]["locationEntries"]
    assert [e["name"] for e in entries] == ["salesboard"]
    location = entries[0]["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location
    repository = location["repositories"][0]

    loaded = defs()
    expected_assets = {tuple(key.path) for key in loaded.resolve_all_asset_keys()}
    served_assets = {tuple(node["assetKey"]["path"]) for node in repository["assetNodes"]}
    assert served_assets == expected_assets
    # Landing, board and serving are daily partitions; the dbt warehouse is not.
    graph = loaded.resolve_asset_graph()
    partitioned = {
        tuple(key.path) for key in graph.get_all_asset_keys() if graph.get(key).is_partitioned
    }
    served_partitioned = {
        tuple(node["assetKey"]["path"])
        for node in repository["assetNodes"]
        if node["isPartitioned"]
    }
    assert served_partitioned == partitioned
    assert {path[0] for path in partitioned} == {
        "telphin",
        "amocrm",
        "yookassa",
        "amplitude",
        "board",
        "serving",
    }
    served_checks = {
        (tuple(node["assetKey"]["path"]), check["name"])
        for node in repository["assetNodes"]
        for check in node["assetChecksOrError"]["checks"]
    }
    check_keys = loaded.resolve_asset_graph().asset_check_keys
    expected_checks = {(tuple(k.asset_key.path), k.name) for k in check_keys}
    assert served_checks == expected_checks
    assert (("yookassa", "payments"), "currency_rub") in served_checks
    # The UI shows each check's description: none may read "No description provided".
    undescribed = [
        (tuple(node["assetKey"]["path"]), check["name"])
        for node in repository["assetNodes"]
        for check in node["assetChecksOrError"]["checks"]
        if not (check["description"] or "").strip()
    ]
    assert len(served_checks) > 250 and undescribed == []

    assert {s["name"] for s in repository["sensors"]} == {s.name for s in loaded.sensors}
    schedules = {s["name"]: s for s in repository["schedules"]}
    assert schedules["daily_pipeline_0600_msk"]["cronSchedule"] == "0 6 * * *"
    assert schedules["daily_pipeline_0600_msk"]["executionTimezone"] == "Europe/Moscow"
    assert any(p["name"].startswith("daily_pipeline") for p in repository["partitionSets"])


def test_dev_runs_the_demo_apis_it_announces(dev):
    """The demo company file says `demo: true`, so dev starts the demo vendor APIs where
    the base URLs point: the root it prints is that one, its health answers there with the
    real clock, and amoCRM answers the demo token with the company's managers."""
    printed = re.search(r"demo vendor APIs up at (\S+) \(log: (\S+)\)", dev.output.read_text())
    assert printed, dev.output.read_text()[-3000:]
    assert printed.group(1) == dev.demo_root
    assert Path(printed.group(2)).resolve() == (dev.data_dir / "logs" / "demo-api.log").resolve()
    health = requests.get(dev.demo_root + DEMO_HEALTH_PATH, timeout=5).json()
    assert health["status"] == "ok"
    assert abs(datetime.fromisoformat(health["now"]) - datetime.now(UTC)) < timedelta(minutes=5)
    demo = load_config()
    users = requests.get(
        f"{dev.demo_root}/amocrm/api/v4/users",
        headers={"Authorization": f"Bearer {demo.credentials['amocrm']['token']}"},
        timeout=30,
    )
    assert users.status_code == 200, users.text
    managers = {m["user_id"] for m in demo["managers"]}
    assert managers <= {u["id"] for u in users.json()["_embedded"]["users"]}


def test_dev_runs_the_daemon_with_its_instance_in_the_data_dir(dev):
    """Schedules and sensors need dg's daemon: the UI reports the scheduler, sensor and
    run-queue daemons healthy (polled: the first heartbeat can lag the UI), and the
    instance it describes is the one dev set up in the data directory (its storage there,
    telemetry off)."""
    wanted = {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"}

    def instance() -> tuple[set[str], str]:
        answer = requests.post(f"{dev.url}/graphql", json={"query": INSTANCE_QUERY}, timeout=30)
        data = answer.json()["data"]["instance"]
        statuses = data["daemonHealth"]["allDaemonStatuses"]
        return {s["daemonType"] for s in statuses if s["healthy"]}, data["info"]

    deadline = time.monotonic() + 60
    while not wanted <= (seen := instance())[0] and time.monotonic() < deadline:
        time.sleep(1)
    healthy, info = seen
    assert wanted <= healthy
    assert f"base_dir: {dev.data_dir.resolve() / 'dagster_home'}" in info, info
    assert re.search(r"telemetry:\s+enabled: false", info), info
