"""Running the daily job in this process over a range of days, and following it.

The `salesboard` console script runs histories and backfills through `run_days`: the run
is recorded in the Dagster instance under `DAGSTER_HOME` (so it shows in the UI
afterwards), its progress is read from the run's typed events (`orchestration.progress`)
and handed to a callback, and what happened comes back as a plain `RunOutcome`, so the
console code needs no Dagster. A history's payments lead-in (`salesboard.calendar.
payments_lead_in`) is a run of the payment streams alone (`LEAD_IN_STREAMS`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import dagster as dg

from ingestion.streams import STREAMS
from orchestration.errors import root_message
from orchestration.progress import days_done
from salesboard.calendar import range_tags

JOB_NAME = "daily_pipeline"
BOARD_KEY = dg.AssetKey(["board", "snapshot"])
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
POLL_SECONDS = 1.0
# What a history lands before its first shown day: payments and their refunds only.
LEAD_IN_STREAMS = ("yookassa.payments", "yookassa.refunds")


@dataclass(frozen=True)
class RunProgress:
    """Where a run stands: stream-days landed of all it will land, and the last stage."""

    days_done: int
    days_total: int
    stage: str


@dataclass(frozen=True)
class RunOutcome:
    """What a finished run did. `failed_checks` are `asset:check (severity)` strings, of
    `checks` evaluated (dbt's tests and the landing's checks); `boards` the folders of the
    boards it published (one, however many days it ran)."""

    run_id: str
    success: bool
    failure: str | None
    failed_checks: tuple[str, ...]
    materializations: int
    boards: tuple[str, ...]
    log_lines: tuple[str, ...] = field(repr=False)
    checks: int = 0


def execute_range(
    first: date,
    last: date,
    instance: dg.DagsterInstance,
    run_id: str,
    *,
    streams: tuple[str, ...] | None = None,
    whole_history: bool = False,
) -> dg.ExecuteInProcessResult:
    """Run the main job over the days [first, last] as one in-process run (a single-run
    backfill when they are several), quiet on the console; the event log has everything.
    `streams` (e.g. `LEAD_IN_STREAMS`) lands only those streams and builds nothing;
    `whole_history` builds the warehouse over every landed day, not only the run's."""
    from orchestration.definitions import defs

    run_config: dict = dict(QUIET_CONSOLE)
    if whole_history:
        run_config["ops"] = {"warehouse": {"config": {"whole_history": True}}}
    selection = None
    if streams is not None:
        selection = [dg.AssetKey([STREAMS[s].source, STREAMS[s].name]) for s in streams]
    return (
        defs()
        .resolve_job_def(JOB_NAME)
        .execute_in_process(
            run_config=run_config,
            instance=instance,
            run_id=run_id,
            raise_on_error=False,
            tags=range_tags(first, last),
            asset_selection=selection,
        )
    )


class RunFollower:
    """Reads a run's new events from the instance: a log line each, and the progress the
    landing assets report."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str, days_total: int):
        self.instance, self.run_id, self.days_total = instance, run_id, days_total
        self.cursor: str | None = None
        self.per_stream: dict[str, int] = {}
        self.stage = "starting"
        self.lines: list[str] = []

    def poll(self) -> RunProgress:
        if self.instance.get_run_by_id(self.run_id) is None:
            return self.progress()
        while True:
            conn = self.instance.event_log_storage.get_records_for_run(
                self.run_id, cursor=self.cursor, limit=1000
            )
            for record in conn.records:
                self._read(record.event_log_entry)
            self.cursor = conn.cursor
            if not conn.has_more:
                return self.progress()

    def progress(self) -> RunProgress:
        return RunProgress(sum(self.per_stream.values()), self.days_total, self.stage)

    def _read(self, entry: dg.EventLogEntry) -> None:
        self.lines.append(
            f"{datetime.fromtimestamp(entry.timestamp, UTC):%H:%M:%S} "
            f"{logging.getLevelName(entry.level)} {entry.step_key or '-'} {entry.message}"
        )
        reported = days_done(entry)
        if reported is not None:  # a stream reports its days done so far, once per batch
            asset, done, batch = reported
            self.per_stream[asset] = done
            self.stage = f"{asset} {batch}"
        elif entry.is_dagster_event and entry.dagster_event.step_key:
            self.stage = entry.dagster_event.step_key


def run_days(
    first: date,
    last: date,
    on_progress: Callable[[RunProgress], None],
    *,
    streams: tuple[str, ...] | None = None,
    whole_history: bool = False,
) -> RunOutcome:
    """Run the main job over [first, last] (`execute_range`, with its `streams` and
    `whole_history`) in a worker thread, calling `on_progress` about once a second with
    where it stands, and return what it did."""
    days = (last - first).days + 1
    instance = dg.DagsterInstance.get()
    run_id = str(uuid.uuid4())  # what Dagster itself uses for run ids
    outcome: dict[str, dg.ExecuteInProcessResult] = {}

    def execute() -> None:
        outcome["result"] = execute_range(
            first, last, instance, run_id, streams=streams, whole_history=whole_history
        )

    worker = threading.Thread(target=execute, name="salesboard-run")
    worker.start()
    follower = RunFollower(instance, run_id, days_total=len(streams or STREAMS) * days)
    while worker.is_alive():
        worker.join(timeout=POLL_SECONDS)
        on_progress(follower.poll())
    on_progress(follower.poll())
    return summarize(run_id, outcome.get("result"), follower.lines)


def summarize(
    run_id: str, result: dg.ExecuteInProcessResult | None, lines: list[str]
) -> RunOutcome:
    """A run's result as a `RunOutcome` (a run that never started has success False)."""
    if result is None:
        return RunOutcome(run_id, False, "the run did not start", (), 0, (), tuple(lines))
    evaluations = result.get_asset_check_evaluations()
    failed_checks = tuple(
        f"{check.asset_key.to_user_string()}:{check.check_name} ({check.severity.value})"
        for check in evaluations
        if not check.passed
    )
    failure = None
    if not result.success:
        step_failure = next((e for e in result.all_events if e.is_step_failure), None)
        error = step_failure.step_failure_data.error if step_failure else None
        failure = root_message(error) if error else "see the log"
    materializations = result.get_asset_materialization_events()
    boards = {  # a backfill records the one published board under each of its days
        m.metadata["path"].value
        for m in (event.step_materialization_data.materialization for event in materializations)
        if m.asset_key == BOARD_KEY
    }
    return RunOutcome(
        run_id=run_id,
        success=result.success,
        failure=failure,
        failed_checks=failed_checks,
        materializations=len(materializations),
        boards=tuple(sorted(boards)),
        log_lines=tuple(lines),
        checks=len(evaluations),
    )
