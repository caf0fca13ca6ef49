"""One partition of one stream, from the vendor to the landing zone.

Each stream's client call and window rule live in its `StreamSpec`; this module pulls and
lands, so the Dagster asset only says *which* days to pull.

A multi-day run (a single-run backfill) fetches a windowed stream in chunks of consecutive
days: one request sequence over the union of the chunk's windows, each record then routed
to every partition whose own window holds it (`windows.partitions_holding`). Re-paging the
vendor per day costs a request sequence per day, and amoCRM allows ~7 requests/s: a year
at three streams a day is minutes of waiting for mostly empty pages. Each partition still
lands through `land_partition` with exactly the records a pull of its own window returns.

While a chunk's days land, the next chunk is already being fetched (one thread): the
vendor's time (amoCRM's rate limit, Amplitude building an export) overlaps ours, and at
most two chunks are in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from ingestion.landing import LandingResult, land_partition
from ingestion.streams import STREAMS
from ingestion.streams.parsing import missing_allowed
from ingestion.streams.spec import RecordRejected, StreamSpec
from ingestion.windows import partitions_holding, run_windows, widest_reach
from salesboard.calendar import Window, WindowSettings
from salesboard.layout import DataLayout

# A chunk's records are held in memory until its days land. Chunks are at most CHUNK_DAYS
# days and, judged by the records per day fetched so far, about CHUNK_RECORDS records:
# a year of CRM updates goes in 31-day chunks at any scale, product activity in ~4-week
# chunks at 1x and day by day (streamed to Parquet, never held) at 100x. Day by day, a
# stream with a late lookback fetches every day twice.
CHUNK_DAYS = 31
CHUNK_RECORDS = 100_000


def pull_days(
    client: Any,
    stream: str,
    days: list[date],
    layout: DataLayout,
    *,
    run_id: str,
    ingested_at: datetime,
    window_settings: WindowSettings | None = None,
    chunk_days: int = CHUNK_DAYS,
    chunk_records: int = CHUNK_RECORDS,
) -> Iterator[LandingResult]:
    """Land each of `days` in turn, yielding as each partition is published.

    A snapshot stream (no window) is fetched once and the same state lands in every day of
    the run: a backfill must not ask the vendor for its user list a hundred times. A
    windowed stream is fetched once per chunk of consecutive days (see the module doc),
    the first chunk a single day and later ones sized by `ChunkSizer`. Windows are
    `windows.run_windows`: a stream pulled by `updated_at` fetches its last day up to
    `ingested_at`, the instant this run started landing it.
    """
    spec = STREAMS[stream]
    land = partial(land_partition, layout, spec, run_id=run_id, ingested_at=ingested_at)
    windows = run_windows(stream, days, ingested_at, window_settings)
    if days and windows[days[0]] is None:
        snapshot = list(spec.fetch(client, None))
        for day in days:
            yield land(day, snapshot)
        return

    def fetch(chunk: list[date]) -> tuple[dict[date, list[dict]], int]:
        span = (windows[chunk[0]][0], windows[chunk[-1]][1])
        return _route(spec, spec.fetch(client, span), {d: windows[d] for d in chunk})

    sizer = ChunkSizer(chunk_days, chunk_records)
    chunks = _consecutive_chunks(days, sizer)
    with ThreadPoolExecutor(1, thread_name_prefix=f"fetch-{stream}") as fetcher:
        chunk, ahead = next(chunks, None), None
        while chunk is not None:
            if len(chunk) == 1:  # streamed from the pages to Parquet, never held
                result = land(chunk[0], spec.fetch(client, windows[chunk[0]]))
                sizer.fetched(1, result.fetched)
                yield result
                chunk = next(chunks, None)
                continue
            routed, fetched = ahead.result() if ahead else fetch(chunk)
            sizer.fetched(len(chunk), fetched)
            chunk = next(chunks, None)
            ahead = fetcher.submit(fetch, chunk) if chunk and len(chunk) > 1 else None
            for day in routed:
                yield land(day, [routed[day]])


@dataclass
class ChunkSizer:
    """How many days the next chunk may span: as many as keep it near `max_records`
    records at the rate fetched so far, between 1 and `max_days`. The first chunk, with
    no rate known yet, is one day (streamed, whatever its size). The rate counts each
    window's late lookback too, so it errs on the small side."""

    max_days: int
    max_records: int
    days: int = 0
    records: int = 0

    def fetched(self, days: int, records: int) -> None:
        self.days += days
        self.records += records

    def __call__(self) -> int:
        if not self.days:
            return 1
        per_day = self.records / self.days
        fits = int(self.max_records / per_day) if per_day else self.max_days
        return max(1, min(self.max_days, fits))


def _consecutive_chunks(days: list[date], size: Callable[[], int]) -> Iterator[list[date]]:
    """Runs of consecutive days, each at most `size()` long (asked as the run starts, after
    the previous chunk was consumed): a chunk's windows must be contiguous so that their
    union is one window and no unrequested day is fetched."""
    chunk: list[date] = []
    limit = size()
    for day in days:
        if chunk and (len(chunk) == limit or day != chunk[-1] + timedelta(days=1)):
            yield chunk
            chunk = []
            limit = size()
        chunk.append(day)
    if chunk:
        yield chunk


def _route(
    spec: StreamSpec, pages: Iterable[list[dict]], windows: dict[date, Window]
) -> tuple[dict[date, list[dict]], int]:
    """Each fetched record under every day whose window holds its window column, in fetch
    order (so a day's partition is what a pull of its own window lands), and the number
    of records fetched.

    A record missing fields (its key, say) is still dated by the fields it has. One too
    broken to be dated (it will be quarantined anyway) goes to the chunk's last day only,
    so it is quarantined once rather than lost or multiplied.
    """
    routed: dict[date, list[dict]] = {day: [] for day in windows}
    last, reach = max(windows), widest_reach(windows)
    fetched = 0
    for page in pages:
        fetched += len(page)
        for record in page:
            at = _window_time(spec, record)
            for day in [last] if at is None else partitions_holding(at, windows, reach):
                routed[day].append(record)
    return routed, fetched


def _window_time(spec: StreamSpec, record: object) -> datetime | None:
    """The record's value of the column its stream's window filters on, if readable."""
    if not isinstance(record, dict) or spec.quality.window_column is None:
        return None
    try:
        with missing_allowed():
            return spec.normalize(record)[spec.quality.window_column]
    except RecordRejected:
        return None
