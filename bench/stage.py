"""One measured run of the main job over [first, last], in a process of its own so its
peak memory is its own: `python -m bench.stage FIRST LAST OUT.json`.

Where the time goes comes from the run's Dagster event log (STEP_START -> STEP_SUCCESS
per asset step) and from dbt's `run_results.json` (per model).
"""

from __future__ import annotations

import resource
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import dagster as dg
import orjson

from orchestration.definitions import defs
from orchestration.execution import execute_range
from salesboard.cli import prepare
from salesboard.layout import DBT_PROJECT_DIR

STEP_EVENTS = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS}


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds from each step's start to its success, slowest first."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(run_id, of_type=STEP_EVENTS):
        event = entry.dagster_event
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
        elif event.step_key in started:
            seconds[event.step_key] = round(entry.timestamp - started[event.step_key], 2)
    return dict(sorted(seconds.items(), key=lambda item: -item[1]))


def dbt_node_seconds(run_id: str) -> dict[str, float]:
    """Every dbt node's time in the run, slowest first. dagster-dbt names each invocation's
    target directory `<op>-<run id[:7]>-<random>`; other runs write beside it."""
    found = sorted(DBT_PROJECT_DIR.glob(f"target/*-{run_id[:7]}-*/run_results.json"))
    if not found:
        return {}
    body = orjson.loads(found[-1].read_bytes())
    timings = {r["unique_id"]: round(r["execution_time"], 2) for r in body["results"]}
    return dict(sorted(timings.items(), key=lambda item: -item[1]))


def measure(first: date, last: date) -> dict:
    """Time loading the code location apart from the run: a run worker loads it once, and
    the daily figure is the run. dbt is parsed first: the project may have changed since
    the bench started, and the manifest must match what `dbt build` will run."""
    prepare()
    began = time.perf_counter()
    defs()
    load = time.perf_counter() - began
    instance = dg.DagsterInstance.get()
    run_id = str(uuid.uuid4())
    began = time.perf_counter()
    result = execute_range(first, last, instance, run_id)
    wall = time.perf_counter() - began
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "days": (last - first).days + 1,
        "success": result.success,
        "failure": failure.step_failure_data.error.message.splitlines()[0] if failure else None,
        "wall_seconds": round(wall, 2),
        "code_load_seconds": round(load, 2),
        "steps_seconds": step_seconds(instance, run_id),
        "dbt_nodes_seconds": dbt_node_seconds(run_id),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "peak_rss_dbt_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
        "run_id": run_id,
    }


def main(argv: list[str]) -> int:
    first, last, out = date.fromisoformat(argv[0]), date.fromisoformat(argv[1]), Path(argv[2])
    report = measure(first, last)
    out.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    return 0 if report["success"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
