"""How a landing asset reports progress, and how a follower reads it back: typed events.

After each batch of days it lands, a stream's asset logs an `AssetObservation` whose
metadata says how many of the run's days it has done (`progress_event`); whoever follows
the run (`salesboard run`, through `orchestration.execution`) reads those events from the
run's event log (`days_done`). No log text is formatted to be parsed back.
"""

from __future__ import annotations

import dagster as dg

DAYS_DONE, DAYS_TOTAL, BATCH = "progress_days_done", "progress_days_total", "progress_batch"


def progress_event(key: dg.AssetKey, done: int, total: int, batch: str) -> dg.AssetObservation:
    """`done` of `total` days landed for `key`; `batch` names the days just landed."""
    return dg.AssetObservation(
        asset_key=key,
        description=f"{done}/{total} days landed",
        metadata={DAYS_DONE: done, DAYS_TOTAL: total, BATCH: batch},
    )


def days_done(entry: dg.EventLogEntry) -> tuple[str, int, str] | None:
    """(asset, days done, batch) when `entry` is a progress event, else None."""
    event = entry.dagster_event
    if event is None or event.event_type != dg.DagsterEventType.ASSET_OBSERVATION:
        return None
    observation = event.asset_observation_data.asset_observation
    metadata = observation.metadata
    if DAYS_DONE not in metadata:
        return None
    return observation.asset_key.to_user_string(), metadata[DAYS_DONE].value, metadata[BATCH].value
