"""The code location loads: through `dg check defs`, and in a real webserver whose GraphQL
API must list every asset, check, partition set, sensor and schedule without errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from orchestration.definitions import defs
from salesboard.layout import PROJECT_ROOT

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    port = _free_port()
    log = (home / "webserver.log").open("wb")
    process = subprocess.Popen(
        [
            str(BIN / "dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=_env(home),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{url}/server_info", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, (home / "webserver.log").read_text()
            assert time.monotonic() < deadline, "webserver did not start in 180 s"
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_webserver_loads_every_definition_without_errors(webserver):
    answer = requests.post(
        f"{webserver}/graphql", json={"query": WORKSPACE_QUERY}, timeout=60
    ).json()
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
