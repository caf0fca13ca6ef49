"""A run of one stream over its days: pull, land and validate in batches, with totals.

What a scheduler needs from ingestion, in one call: `ingest_days` pulls and lands each day
(`pull.pull_days`), validates the landed partitions in batches (`quality.StreamValidator`)
and yields a `Batch` after each, so the caller can report progress; `RunTotals` adds the
days' landing results up (the reconciliation `fetched = landed + quarantined +
duplicates_dropped`, schema drift, quarantine reasons). The Dagster asset only maps these
onto its events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyarrow.parquet as pq

from ingestion.landing import LandingResult
from ingestion.pull import CHUNK_DAYS, pull_days
from ingestion.quality import CheckOutcome, Partition, StreamValidator
from ingestion.windows import run_windows
from salesboard.calendar import WindowSettings
from salesboard.layout import DataLayout

# Days are validated and reported in batches (at most CHUNK_DAYS days or this many landed
# rows; a 100x day of activity events goes alone): GX and each event a scheduler stores
# cost tens of milliseconds whatever their size, and a year is 3,650 stream-days.
BATCH_ROWS = 200_000


@dataclass(frozen=True)
class Batch:
    """Days just landed and validated: `results` in day order, `done` of `total` days."""

    results: list[LandingResult]
    done: int
    total: int

    @property
    def name(self) -> str:
        """`2025-01-01` or `2025-01-01..2025-01-31`."""
        first, last = self.results[0].day, self.results[-1].day
        return f"{first}" if first == last else f"{first}..{last}"


def ingest_days(
    client: Any,
    stream: str,
    days: list[date],
    layout: DataLayout,
    outcomes: dict[str, CheckOutcome],
    validator: StreamValidator,
    *,
    run_id: str,
    ingested_at: datetime,
    settings: WindowSettings,
) -> Iterator[Batch]:
    """Land `stream` for `days` and validate each landed partition into `outcomes`,
    yielding a `Batch` as each batch is validated. Raises what the client raises
    (`ingestion.errors`) after the days landed so far stay landed. Each partition is
    validated against the window it was fetched with (`windows.run_windows`: the last day
    of a stream pulled by `updated_at` reaches to `ingested_at`)."""
    windows = run_windows(stream, days, ingested_at, settings)
    landings = pull_days(
        client, stream, days, layout, run_id=run_id, ingested_at=ingested_at,
        window_settings=settings,
    )  # fmt: skip
    pending: list[Partition] = []
    batch: list[LandingResult] = []
    for done, result in enumerate(landings, start=1):
        table = pq.read_table(result.landing_path)
        pending.append((result.day.isoformat(), table, windows[result.day], result))
        batch.append(result)
        rows = sum(partition[1].num_rows for partition in pending)
        if done == len(days) or len(pending) >= CHUNK_DAYS or rows >= BATCH_ROWS:
            validator.validate_days(outcomes, pending)
            yield Batch(batch, done, len(days))
            pending, batch = [], []


@dataclass
class RunTotals:
    """The landing results of a run's days, added up."""

    results: list[LandingResult] = field(default_factory=list)
    totals: Counter = field(default_factory=Counter)
    drift: Counter = field(default_factory=Counter)  # "unknown:x" / "missing:x" / "retyped:x"
    quarantine_reasons: Counter = field(default_factory=Counter)
    flagged: Counter = field(default_factory=Counter)  # deletion markers, clock flags

    def add(self, results: list[LandingResult]) -> None:
        for result in results:
            self.results.append(result)
            self.totals.update(
                fetched=result.fetched,
                landed=result.landed,
                quarantined=result.quarantined,
                duplicates_dropped=result.duplicates_dropped,
                landing_bytes=result.landing_bytes,
            )
            self.drift.update({f"unknown:{k}": v for k, v in result.unknown_fields.items()})
            self.drift.update({f"missing:{k}": v for k, v in result.missing_fields.items()})
            self.drift.update({f"retyped:{k}": v for k, v in result.retyped_fields.items()})
            self.quarantine_reasons.update(result.quarantine_reasons)
            self.flagged.update(result.flagged)

    def per_day_table(self, last: int = 31) -> str:
        """The last `last` days' counts as a Markdown table."""
        return "| day | fetched | landed | quarantined | duplicates |\n|---|---|---|---|---|\n" + (
            "\n".join(
                f"| {r.day} | {r.fetched} | {r.landed} | {r.quarantined} | {r.duplicates_dropped} |"
                for r in self.results[-last:]
            )
        )
