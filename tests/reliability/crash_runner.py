"""The daily pipeline over a range of days in a process of its own, for the crash-safety
and concurrency tests to SIGKILL or race: like `make run`, but pointed at a demo server.

python -m tests.reliability.crash_runner <data_dir> <dagster_home> <first> <last>

The environment carries the rest, as `.env` does in a deployment: the vendors' base URLs
and credentials and the phone salt (`runner_environment` builds it from
`tests.conftest.pipeline_environment`). Exits 0 when the run succeeded, 1 when it failed
(its first step failure on stderr), and prints the run id first so a test can read the run's
event log from the instance under `dagster_home`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from salesboard.layout import PROJECT_ROOT, DataLayout

PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
FIRST, LAST = date(2024, 7, 26), date(2024, 7, 28)  # three days of the small demo world
RUN_TIMEOUT = 300  # seconds; a run takes ~40 s on 2 cores
WAREHOUSE_SCHEMAS = ("intermediate", "marts")
# Distinctive values, so a scan for them cannot match anything by chance. Identifiers the
# vendors put in their own responses (Telphin client id, YooKassa shop id: in every
# payment's `recipient`) are not secrets and are not scanned for.
SECRET_CREDENTIALS = {
    "telphin": {"client_id": "rel-telphin-client", "client_secret": "Zq7-telphin-SECRET-4f1c9"},
    "amocrm": {"subdomain": "demo", "token": "Zq7-amocrm-TOKEN-8d2e0"},
    "yookassa": {"shop_id": "100500", "secret_key": "Zq7-yookassa-SECRET-3b7a6"},
    "amplitude": {"api_key": "Zq7-amplitude-KEY-9c4d1", "secret_key": "Zq7-amplitude-SECRET-5e8f2"},
}
SECRET_SALT = "Zq7-phone-SALT-2a9b3"
SECRETS = {
    "telphin client_secret": SECRET_CREDENTIALS["telphin"]["client_secret"],
    "amocrm token": SECRET_CREDENTIALS["amocrm"]["token"],
    "yookassa secret_key": SECRET_CREDENTIALS["yookassa"]["secret_key"],
    "amplitude api_key": SECRET_CREDENTIALS["amplitude"]["api_key"],
    "amplitude secret_key": SECRET_CREDENTIALS["amplitude"]["secret_key"],
    "SALESBOARD_PHONE_SALT": SECRET_SALT,
}
PUBLISH_STEPS = ("board__snapshot", "serving__warehouse")


def runner_environment(pipeline_env: dict[str, str], dagster_home: Path) -> dict[str, str]:
    """The current environment without any SALESBOARD_ / vendor variable, plus `pipeline_env`
    (what `pipeline_environment` returns) and `DAGSTER_HOME`."""
    vendors = ("SALESBOARD_", "TELPHIN_", "AMOCRM_", "YOOKASSA_", "AMPLITUDE_", "DAGSTER_HOME")
    base = {k: v for k, v in os.environ.items() if not k.startswith(vendors)}
    return {**base, **pipeline_env, "DAGSTER_HOME": str(dagster_home), "PYTHONUNBUFFERED": "1"}


def start(
    data_dir: Path, dagster_home: Path, first: date, last: date, env: dict[str, str], **kwargs
) -> subprocess.Popen:
    """Start the runner in a new session (its own process group, dbt included), so a test
    can kill the whole group at once: `os.killpg(process.pid, signal.SIGKILL)`."""
    command = [str(PYTHON), "-m", "tests.reliability.crash_runner", str(data_dir),
               str(dagster_home), first.isoformat(), last.isoformat()]  # fmt: skip
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, start_new_session=True, **kwargs
    )  # fmt: skip


@dataclass
class Finished:
    """A runner process that ended (or was killed)."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def run_id(self) -> str | None:
        first = self.stdout.split("\n", 1)[0].split()
        return first[1] if first[:1] == ["run_id"] else None


def finish(process: subprocess.Popen, started: float, timeout: float = RUN_TIMEOUT) -> Finished:
    """Wait for the runner (killing its group if it outlives `timeout`: a hang fails)."""
    import signal

    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        raise AssertionError(f"the run hung for {timeout} s:\n{err[-2000:]}") from None
    return Finished(process.returncode, out, err, time.monotonic() - started)


def run(data_dir: Path, env: dict[str, str]) -> Finished:
    """One uninterrupted run over [FIRST, LAST] with the instance under the data dir."""
    started = time.monotonic()
    process = start(data_dir, DataLayout(data_dir).dagster_home, FIRST, LAST, env,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    return finish(process, started)


@dataclass
class Reference:
    """The uninterrupted run every crashed or raced run is compared with."""

    data_dir: Path
    env: dict[str, str]
    finished: Finished
    checksums: dict[str, tuple]
    # step key -> (start, end) in seconds from the run's first event
    steps: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def layout(self) -> DataLayout:
        return DataLayout(self.data_dir)

    def phase(self, step: str) -> str:
        if step == "warehouse":
            return "dbt"
        return "publishing" if step in PUBLISH_STEPS else "fetch/landing"


def step_times(dagster_home: Path, run_id: str) -> dict[str, tuple[float, float]]:
    """Each step's (start, end) seconds after the run's first event, from its event log."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        logs = instance.all_logs(run_id)
    origin, steps = logs[0].timestamp, {}
    for entry in logs:
        kind = entry.dagster_event.event_type_value if entry.is_dagster_event else None
        if kind == "STEP_START":
            steps[entry.step_key] = (entry.timestamp - origin, entry.timestamp - origin)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and entry.step_key in steps:
            steps[entry.step_key] = (steps[entry.step_key][0], entry.timestamp - origin)
    return steps


def reference_run(world, server, folder: Path) -> Reference:
    from tests.conftest import pipeline_environment
    from tests.support.checksums import table_checksums

    data_dir = folder / "data"
    layout = DataLayout(data_dir).ensure()
    env = runner_environment(
        pipeline_environment(world, server, data_dir, SECRET_SALT), layout.dagster_home
    )
    finished = run(data_dir, env)
    assert finished.returncode == 0, finished.stderr[-3000:]
    checksums = table_checksums(layout.warehouse_db, WAREHOUSE_SCHEMAS)
    steps = step_times(layout.dagster_home, finished.run_id)
    assert "warehouse" in steps and all(step in steps for step in PUBLISH_STEPS), steps
    return Reference(data_dir, env, finished, checksums, steps)


def assert_nothing_partial_visible(layout: DataLayout) -> dict[str, int]:
    """Every file a reader can see is whole: landed and quarantined Parquet parts read,
    every dated board folder has all its files and a parseable board.json, `latest` (when
    there) leads to one of them. Returns what was checked, by kind."""
    import orjson
    import pyarrow.parquet as pq

    from publishing.board.publish import SNAPSHOT_NAME

    seen = {"parquet": 0, "boards": 0}
    for root in (layout.landing, layout.quarantine):
        for part in sorted(root.glob("*/*/day=*/part-*.parquet")):
            pq.read_table(part)  # raises on a torn file
            seen["parquet"] += 1
    if layout.boards.exists():
        for folder in sorted(layout.boards.iterdir()):
            if not SNAPSHOT_NAME.match(folder.name):
                continue
            names = {p.name for p in folder.iterdir()}
            missing = {"board.json", "index.html", "board.png", "board.csv"} - names
            assert not missing, f"{folder} is partial: {sorted(missing)} missing"
            orjson.loads((folder / "board.json").read_bytes())
            assert all((folder / n).stat().st_size > 0 for n in ("index.html", "board.png"))
            seen["boards"] += 1
        latest = layout.boards / "latest"
        if latest.is_symlink() or latest.exists():
            target = latest.resolve()
            assert target.parent == layout.boards.resolve() and SNAPSHOT_NAME.match(target.name)
            assert (target / "board.json").exists(), f"latest -> {target}: not a snapshot"
    return seen


def main(argv: list[str]) -> int:
    data_dir, dagster_home, first, last = argv
    os.environ["SALESBOARD_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ["DAGSTER_HOME"] = str(Path(dagster_home).resolve())
    Path(dagster_home).mkdir(parents=True, exist_ok=True)

    import dagster as dg

    from orchestration.execution import execute_range

    run_id = str(uuid.uuid4())
    print(f"run_id {run_id}", flush=True)
    with dg.DagsterInstance.get() as instance:
        result = execute_range(
            date.fromisoformat(first), date.fromisoformat(last), instance, run_id
        )
    if result.success:
        print("success", flush=True)
        return 0
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    message = failure.step_failure_data.error.message if failure else "the run failed"
    print(f"FAILED: {message}", file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
