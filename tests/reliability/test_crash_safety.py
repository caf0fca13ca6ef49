"""SIGKILL the pipeline at seeded points of its fetch/landing, dbt and publishing phases
(the runner's whole process group, dbt included) and check what a reader could see at that
moment: every landed and quarantined Parquet part reads, no board folder is partial,
`latest` leads to a whole snapshot. Then an uninterrupted rerun must rebuild the very
warehouse the uninterrupted reference run built.

Kill points are timed from the reference run's event log: a step is chosen, and the kill
lands a seeded fraction of that step's reference duration after the crashed run logs the
step's start. One data dir is reused throughout, as in production: each run starts from
what the previous crash left. To fit 20 kills in ~11 minutes on 2 cores, the run started
after a kill is itself killed at the next point a few times over (crashes during
recovery), and every `KILLS_PER_RERUN` kills an uninterrupted rerun is checked against the
reference checksums.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from salesboard.layout import DataLayout
from tests.reliability.crash_runner import (
    FIRST,
    LAST,
    RUN_TIMEOUT,
    WAREHOUSE_SCHEMAS,
    Reference,
    assert_nothing_partial_visible,
    run,
    start,
)
from tests.reliability.results import Outcome, record
from tests.support.checksums import table_checksums

pytestmark = pytest.mark.reliability
SEED = 20240728
KILLS = 20
KILLS_PER_RERUN = 4
# how many of the kills go to each phase (the publishing steps are short but are where a
# reader could meet a half-written board)
PHASE_SHARE = {"fetch/landing": 7, "dbt": 7, "publishing": 6}


@dataclass(frozen=True)
class KillPoint:
    step: str
    fraction: float  # of the step's reference duration, after its STEP_START

    def label(self, reference: Reference) -> str:
        """Stable across runs (the report's case name): phase, step, share of the step."""
        return f"{reference.phase(self.step)}: {self.step} at {self.fraction:.0%}"

    def describe(self, reference: Reference) -> str:
        start, end = reference.steps[self.step]
        return f"{reference.phase(self.step)}: {self.step} +{self.fraction * (end - start):.2f} s"


def kill_points(reference: Reference, seed: int = SEED) -> list[KillPoint]:
    rng = random.Random(seed)
    by_phase: dict[str, list[str]] = {}
    for step in sorted(reference.steps):
        by_phase.setdefault(reference.phase(step), []).append(step)
    points = [
        KillPoint(rng.choice(by_phase[phase]), round(rng.random(), 3))
        for phase, count in PHASE_SHARE.items()
        for _ in range(count)
    ]
    rng.shuffle(points)
    return points


@dataclass
class Kill:
    point: KillPoint
    killed: bool  # False: the run ended before the kill point was reached
    at: float  # seconds after the runner started
    returncode: int | None


def run_and_kill(data_dir: Path, reference: Reference, point: KillPoint) -> Kill:
    """Start the runner, wait for `point.step` to start in its event log, wait the point's
    share of the step's reference duration, SIGKILL its process group."""
    layout = DataLayout(data_dir)
    start_s, end_s = reference.steps[point.step]
    delay = point.fraction * (end_s - start_s)
    output = data_dir.parent / "runner-output.txt"
    began = time.monotonic()
    with output.open("w") as sink:
        process = start(data_dir, layout.dagster_home, FIRST, LAST, reference.env,
                        stdout=sink, stderr=subprocess.STDOUT, text=True)  # fmt: skip
        try:
            run_id = _wait_for_run_id(output, process)
            started = _wait_for_step(layout.dagster_home, run_id, point.step, process)
            if started:
                time.sleep(delay)
            killed = process.poll() is None
            if killed:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    return Kill(point, killed, time.monotonic() - began, None if killed else process.returncode)


def _wait_for_run_id(output: Path, process: subprocess.Popen) -> str | None:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        first = output.read_text().split("\n", 1)
        if len(first) == 2 and first[0].startswith("run_id "):
            return first[0].split()[1]
        time.sleep(0.02)
    return None


def _wait_for_step(home: Path, run_id: str | None, step: str, process) -> bool:
    if run_id is None:
        return False
    deadline = time.monotonic() + RUN_TIMEOUT
    with dg.DagsterInstance.from_config(str(home)) as instance:
        while time.monotonic() < deadline and process.poll() is None:
            started = instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)
            if any(entry.step_key == step for entry in started):
                return True
            time.sleep(0.02)
    return False


def check_kill(kill: Kill, layout: DataLayout, reference: Reference) -> str:
    seen = assert_nothing_partial_visible(layout)
    where = kill.point.describe(reference)
    if not kill.killed:
        return f"{where}: the run ended (exit {kill.returncode}) before the kill point"
    return (
        f"{where}: killed at {kill.at:.1f} s; {seen['parquet']} parts, {seen['boards']} boards read"
    )


def rerun_matches_reference(data_dir: Path, reference: Reference) -> float:
    rerun = run(data_dir, reference.env)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    layout = DataLayout(data_dir)
    assert_nothing_partial_visible(layout)
    checksums = table_checksums(layout.warehouse_db, WAREHOUSE_SCHEMAS)
    differing = sorted(k for k in reference.checksums if checksums.get(k) != reference.checksums[k])
    assert checksums == reference.checksums, f"differs from the reference: {differing}"
    return rerun.seconds


def test_sigkill_at_seeded_points_leaves_nothing_partial_and_reruns_identical(reference, tmp_path):
    data_dir = tmp_path / "data"
    DataLayout(data_dir).ensure()
    points = kill_points(reference)
    assert len(points) == KILLS
    pending: list[tuple[Kill, str]] = []
    delivered = 0
    for n, point in enumerate(points, start=1):
        kill = run_and_kill(data_dir, reference, point)
        delivered += kill.killed
        pending.append((kill, check_kill(kill, DataLayout(data_dir), reference)))
        if n % KILLS_PER_RERUN and n != len(points):
            continue  # the next run starts from this crash: a crash during recovery
        seconds = rerun_matches_reference(data_dir, reference)
        for number, (done, note) in enumerate(pending, start=n - len(pending) + 1):
            outcome = "nothing partial visible, identical after rerun"
            if not done.killed:
                outcome = "run ended before the kill point, identical after rerun"
            case = f"SIGKILL #{number:02d} ({done.point.label(reference)})"
            record(Outcome("crash safety", case, outcome, notes=f"{note}; rerun {seconds:.0f} s"))
        pending = []
    # A seeded point can fall after this run's end (runs vary in speed), but a suite whose
    # kills mostly missed would have tested nothing.
    assert delivered >= 3 * len(points) // 4, f"only {delivered} of {len(points)} kills landed"


@pytest.mark.reliability_fast
def test_sigkill_while_the_board_is_published(reference, tmp_path):
    """The short window a reader could meet a half-written board in (fast subset)."""
    data_dir = tmp_path / "data"
    DataLayout(data_dir).ensure()
    point = KillPoint("board__snapshot", 0.5)
    kill = run_and_kill(data_dir, reference, point)
    note = check_kill(kill, DataLayout(data_dir), reference)
    seconds = rerun_matches_reference(data_dir, reference)
    outcome = "nothing partial visible, identical after rerun"
    case = f"SIGKILL while publishing the board ({point.label(reference)})"
    outcome = outcome if kill.killed else "run ended before the kill point"
    record(Outcome("crash safety", case, outcome, notes=f"{note}; rerun {seconds:.0f} s"))
    assert kill.killed, note
