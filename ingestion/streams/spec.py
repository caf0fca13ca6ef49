"""What one landed stream is: its key, its typed columns, how a raw record becomes a row,
and the facts its data-quality suite is generated from.

Everything a consumer needs to know about a stream lives in one `StreamSpec`, so landing,
the Great Expectations suites and the dbt sources cannot disagree about a column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from itertools import chain
from typing import Any

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")
AMOUNT = pa.decimal128(18, 2)

# Columns every landed row carries besides the stream's own.
META_COLUMNS = (
    pa.field("_raw", pa.string(), nullable=False),
    pa.field("_source_updated_at", TIMESTAMP),
    pa.field("_ingested_at", TIMESTAMP, nullable=False),
    pa.field("_run_id", pa.string(), nullable=False),
    pa.field("_partition_day", pa.date32(), nullable=False),
)
QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("_reason", pa.string(), nullable=False),
        pa.field("_raw", pa.string(), nullable=False),
        pa.field("_ingested_at", TIMESTAMP, nullable=False),
        pa.field("_run_id", pa.string(), nullable=False),
    ]
)


Pages = Iterator[list[dict]]
# A client call: (vendor client, half-open UTC window or None for a snapshot) -> pages.
Fetch = Callable[[Any, "tuple[datetime, datetime] | None"], Pages]


class Rule(Enum):
    """How a stream's fetch window for one business day is drawn (`ingestion.windows`)."""

    DAY = "day"  # the business day itself, by the stream's own time field
    # The day by the record's current `updated_at` (a cursor: a record is listed at its
    # latest change only); a run's last day reaches to the run's start.
    UPDATED = "updated"
    OVERLAP = "overlap"  # the day plus `calls_overlap` before it
    LOOKBACK = "lookback"  # the day plus `payments_lookback` before it
    SNAPSHOT = "snapshot"  # the whole current state; no window


class RecordRejected(Exception):
    """A raw record that cannot become a row; it goes to quarantine under `reason`.

    Reasons are short stable codes (`missing:call_uuid`, `bad_timestamp:created_at`,
    `not_positive:amount`) so quarantine counts group meaningfully across runs.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Quality:
    """The checks a stream's data-quality suite makes, as data rather than code."""

    # Columns besides the key that the vendor always fills (the key check requires the key).
    not_null: tuple[str, ...] = ()
    window_column: str | None = None  # must fall inside the day's fetch window
    enums: Mapping[str, frozenset[str]] = field(default_factory=dict)
    positive: tuple[str, ...] = ()  # amounts that must be > 0
    non_negative: tuple[str, ...] = ()  # durations, prices that may be 0
    currency_columns: tuple[str, ...] = ()
    currencies: frozenset[str] = frozenset({"RUB"})
    not_greater: tuple[tuple[str, str], ...] = ()  # (a, b): a <= b where both are set
    # Boolean columns whose true rows each landing counts (`LandingResult.flagged`).
    flags: tuple[str, ...] = ()
    # The flag that marks a deletion marker: a record the vendor sends for a deleted object
    # with little more than its key and change time (amoCRM's trash listing). `not_null`
    # and the vendor's expected fields are not asked of such a row.
    deletion_flag: str | None = None


def _as_is(raw: dict) -> Iterable[dict]:
    return (raw,)


@dataclass(frozen=True)
class StreamSpec:
    """One stream of one source.

    `window` says which window a day's pull fetches, and `fetch` is the client call that
    fetches it. `normalize` maps one raw record to the canonical columns (or raises
    `RecordRejected`). `explode` turns one record as the client yields it into the stream's
    records (amoCRM pipelines arrive with their statuses embedded; one row per status).
    `known_fields` are the top-level raw fields this code knows about: anything else is
    reported as schema drift and kept in `_raw`. `expected_fields` are those the vendor
    always sends: their absence is reported. `updated_at` names the canonical columns whose
    first non-null value says when the source last changed the record (`_source_updated_at`);
    empty for snapshots, where the latest fetched version wins.
    """

    source: str
    name: str
    key: tuple[str, ...]
    columns: pa.Schema
    normalize: Callable[[dict], dict]
    known_fields: frozenset[str]
    expected_fields: frozenset[str]
    updated_at: tuple[str, ...]
    quality: Quality
    window: Rule
    fetch: Fetch
    explode: Callable[[dict], Iterable[dict]] = _as_is

    def __post_init__(self) -> None:
        names = set(self.columns.names)
        referenced = {*self.key, *self.updated_at, *self.quality.not_null, *self.quality.enums}
        referenced |= {*self.quality.positive, *self.quality.non_negative}
        referenced |= {*self.quality.currency_columns, *chain(*self.quality.not_greater)}
        referenced |= {*self.quality.flags}
        if self.quality.window_column:
            referenced.add(self.quality.window_column)
        if set(self.key) & set(self.quality.not_null):
            raise ValueError(f"{self.stream}: the key check requires the key; not_null is the rest")
        if self.quality.deletion_flag not in (None, *self.quality.flags):
            raise ValueError(f"{self.stream}: the deletion flag must be one of the flags")
        unknown = referenced - names
        if unknown:
            raise ValueError(f"{self.stream}: spec names unknown columns {sorted(unknown)}")
        if not self.expected_fields <= self.known_fields:
            raise ValueError(f"{self.stream}: expected fields must be known fields")

    @property
    def stream(self) -> str:
        """The registry key, e.g. `telphin.calls`."""
        return f"{self.source}.{self.name}"

    @property
    def landing_schema(self) -> pa.Schema:
        return pa.schema([*self.columns, *META_COLUMNS])
