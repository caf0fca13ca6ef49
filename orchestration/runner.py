"""Run the main job over a range of days as one Dagster run, showing progress a person can
follow (days done of total, current stage, time left) instead of a wall of logs.

The run is recorded in the Dagster instance under `DAGSTER_HOME`, so it shows in the UI
(`make dev`) afterwards; its full event log is also written to `data/logs/run-<id>.log`.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

import dagster as dg
from dagster._core.utils import make_new_run_id

from ingestion.paths import DataLayout
from ingestion.windows import BUSINESS_TZ, activity_complete

JOB_NAME = "daily_pipeline"
BOARD_KEY = dg.AssetKey(["board", "snapshot"])
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
STEP_DONE = re.compile(r"^\[(\d+)/(\d+)\] (\S+) (\S+):")


def history_range(days: int, now: datetime | None = None) -> tuple[date, date]:
    """The last `days` complete business days: (first, last), last = yesterday in Moscow,
    or the day before while yesterday's product activity is not exported yet (its first
    hours after midnight), so that `make run` works at any hour."""
    now = now or datetime.now(UTC)
    last = now.astimezone(BUSINESS_TZ).date() - timedelta(days=1)
    while not activity_complete(last, now):
        last -= timedelta(days=1)
    return last - timedelta(days=days - 1), last


class Progress:
    """Turns the run's event log into one status line."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str, units: int, out=sys.stdout):
        self.instance, self.run_id, self.units, self.out = instance, run_id, units, out
        self.cursor: str | None = None
        self.done = 0
        self.streams_done: dict[str, int] = {}
        self.stage = "starting"
        self.started = time.monotonic()
        self.lines: list[str] = []
        self.tty = out.isatty()
        self.last_printed = -1

    def poll(self) -> None:
        while True:
            conn = self.instance.event_log_storage.get_records_for_run(
                self.run_id, cursor=self.cursor, limit=1000
            )
            for record in conn.records:
                entry = record.event_log_entry
                self.lines.append(
                    f"{datetime.fromtimestamp(entry.timestamp, UTC):%H:%M:%S} "
                    f"{logging.getLevelName(entry.level)} {entry.step_key or '-'} {entry.message}"
                )
                match = STEP_DONE.match(entry.user_message or "")
                if match:  # a stream reports its days done so far, one line per batch
                    self.streams_done[match.group(3)] = int(match.group(1))
                    self.done = sum(self.streams_done.values())
                    self.stage = f"{match.group(3)} {match.group(4)}"
                elif entry.is_dagster_event and entry.dagster_event.step_key:
                    self.stage = entry.dagster_event.step_key
            self.cursor = conn.cursor
            if not conn.has_more:
                break
        self._show()

    def _show(self) -> None:
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.units - self.done) if self.done else None
        percent = int(100 * self.done / self.units) if self.units else 100
        text = (
            f"{self.done}/{self.units} stream-days ({percent}%) | {self.stage} | "
            f"elapsed {elapsed:4.0f} s | left {'?' if left is None else f'{left:4.0f} s'}"
        )
        if self.tty:
            self.out.write("\r" + text.ljust(100))
            self.out.flush()
        elif percent // 10 != self.last_printed // 10:
            print(text, file=self.out, flush=True)
            self.last_printed = percent


def execute_range(
    first: date, last: date, instance: dg.DagsterInstance, run_id: str
) -> dg.ExecuteInProcessResult:
    """Run the main job over the days [first, last] as one in-process run (a single-run
    backfill when they are several), quiet on the console; the event log has everything."""
    from orchestration.definitions import defs

    return (
        defs()
        .resolve_job_def(JOB_NAME)
        .execute_in_process(
            run_config=QUIET_CONSOLE,
            instance=instance,
            run_id=run_id,
            raise_on_error=False,
            tags={
                "dagster/asset_partition_range_start": first.isoformat(),
                "dagster/asset_partition_range_end": last.isoformat(),
            },
        )
    )


def run_history(layout: DataLayout, days: int) -> int:
    from orchestration.definitions import defs

    first, last = history_range(days)
    job = defs().resolve_job_def(JOB_NAME)
    streams = len(job.asset_layer.executable_asset_keys)
    instance = dg.DagsterInstance.get()
    run_id = make_new_run_id()
    log_path = layout.logs / f"run-{run_id}.log"
    print(f"running {JOB_NAME} for {first} .. {last} ({days} days, {streams} assets)")
    print(f"run {run_id}: full log in {log_path}")
    outcome: dict[str, dg.ExecuteInProcessResult] = {}

    def execute() -> None:
        outcome["result"] = execute_range(first, last, instance, run_id)

    worker = threading.Thread(target=execute, name="salesboard-run")
    worker.start()
    progress = Progress(instance, run_id, units=streams * days)
    while worker.is_alive():
        worker.join(timeout=1.0)
        if instance.get_run_by_id(run_id) is not None:
            progress.poll()
    progress.poll()
    print()
    log_path.write_text("\n".join(progress.lines) + "\n", encoding="utf-8")
    return _report(outcome.get("result"), log_path)


def _report(result: dg.ExecuteInProcessResult | None, log_path) -> int:
    if result is None:
        print(f"the run did not start; see {log_path}")
        return 1
    warnings = [c for c in result.get_asset_check_evaluations() if not c.passed]
    for check in warnings:
        print(
            f"check {check.asset_key.to_user_string()}:{check.check_name} "
            f"failed ({check.severity.value})"
        )
    if not result.success:
        failure = next((e for e in result.all_events if e.is_step_failure), None)
        reason = failure.step_failure_data.error.message.strip() if failure else "unknown"
        print(f"FAILED: {reason.splitlines()[0] if reason else 'see log'}\nlog: {log_path}")
        return 1
    materializations = result.get_asset_materialization_events()
    print(f"done: {len(materializations)} materializations; log: {log_path}")
    boards = {  # a backfill records the one published board under each of its days
        m.metadata["path"].value
        for m in (event.step_materialization_data.materialization for event in materializations)
        if m.asset_key == BOARD_KEY
    }
    for path in sorted(boards):
        print(f"board: {path}/index.html")
    return 0
