"""Landing one stream's day: raw vendor pages in, one typed Parquet partition out.

`land_partition` streams pages through the stream's normalizer into a Parquet file, row
group by row group, so a day never sits in memory. Rejected records go to a quarantine
partition beside it, with their reason. Records repeated within the partition (pages that
shift while being read, overlapping windows) are de-duplicated on the natural key, keeping
the version the source changed last; only the keys seen are held in memory.

Partitions are replaced whole and atomically: both files are written into hidden staging
directories (`.incoming-<day>-<token>`, never matched by readers' `day=*/part-*.parquet`),
fsynced, and then swapped with the visible `day=<day>` directory. A reader, or a run killed
at any moment, sees the previous complete partition or the new complete one, never a part.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingestion.streams.parsing import collect_retyped, raw_json
from ingestion.streams.spec import QUARANTINE_SCHEMA, RecordRejected, StreamSpec
from salesboard.layout import DataLayout

PART_FILE = "part-0.parquet"
ROW_GROUP_ROWS = 50_000
STAGING_PREFIX = ".incoming-"
RETIRED_PREFIX = ".retired-"


@dataclass(frozen=True)
class LandingResult:
    """What one landing did; `fetched = landed + quarantined + duplicates_dropped`."""

    stream: str
    day: date
    fetched: int
    landed: int
    quarantined: int
    duplicates_dropped: int
    unknown_fields: dict[str, int]  # raw fields the spec does not know: schema drift
    missing_fields: dict[str, int]  # fields the vendor always sends, absent here
    retyped_fields: dict[str, int]  # values coerced from a changed wire type
    quarantine_reasons: dict[str, int]
    # Landed rows with each of the stream's flags set (`Quality.flags`): deletion markers,
    # events whose device clock was implausible. Counted, not rejected.
    flagged: dict[str, int]
    landing_path: Path
    quarantine_path: Path
    landing_bytes: int
    quarantine_bytes: int

    def __post_init__(self) -> None:
        accounted = self.landed + self.quarantined + self.duplicates_dropped
        assert self.fetched == accounted, f"{self.stream} {self.day}: counts do not reconcile"


def partition_dir(root: Path, spec: StreamSpec, day: date) -> Path:
    """`<root>/<source>/<stream>/day=YYYY-MM-DD`, for landing and quarantine alike."""
    return root / spec.source / spec.name / f"day={day.isoformat()}"


def land_partition(
    layout: DataLayout,
    spec: StreamSpec,
    day: date,
    pages: Iterable[list[dict]],
    run_id: str,
    ingested_at: datetime,
    *,
    row_group_rows: int = ROW_GROUP_ROWS,
) -> LandingResult:
    """Land `pages` as the whole `day` partition of `spec`, replacing any previous one.

    Re-running with the same pages, run id and `ingested_at` writes identical files.
    One writer per partition at a time is assumed (the orchestrator's partition lock).
    """
    if ingested_at.tzinfo is None:
        raise ValueError("ingested_at must be timezone-aware")
    landing = _Staging(partition_dir(layout.landing, spec, day))
    quarantine = _Staging(partition_dir(layout.quarantine, spec, day))
    try:
        rows = _PartWriter(landing.part, spec.landing_schema, row_group_rows)
        rejects = _PartWriter(quarantine.part, QUARANTINE_SCHEMA, row_group_rows)
        meta = {"_ingested_at": ingested_at, "_run_id": run_id, "_partition_day": day}
        tally = _Tally(spec)
        with collect_retyped() as retyped:
            for page in pages:
                for item in page:
                    for record in spec.explode(item) if isinstance(item, dict) else (item,):
                        tally.land(record, rows, rejects, meta)
        rows.close()
        rejects.close()
        if tally.superseded:
            _drop_rows(landing.part, tally.superseded, spec.landing_schema, row_group_rows)
        quarantine_path = quarantine.publish()
        landing_path = landing.publish()
    finally:
        landing.discard()
        quarantine.discard()
    return LandingResult(
        stream=spec.stream,
        day=day,
        fetched=tally.fetched,
        landed=rows.count - len(tally.superseded),
        quarantined=rejects.count,
        duplicates_dropped=tally.duplicates,
        unknown_fields=dict(sorted(tally.unknown.items())),
        missing_fields=dict(sorted(tally.missing.items())),
        retyped_fields=dict(sorted(retyped.items())),
        quarantine_reasons=dict(sorted(tally.reasons.items())),
        flagged=_count_flags(landing_path, spec.quality.flags),
        landing_path=landing_path,
        quarantine_path=quarantine_path,
        landing_bytes=landing_path.stat().st_size,
        quarantine_bytes=quarantine_path.stat().st_size,
    )


class _Tally:
    """Routes each record to the landing or quarantine writer and counts what happened.

    De-duplication keeps, per key, the position of the version written so far. A later
    version replaces it (the older row's position is marked superseded and removed in a
    final pass); an older one is dropped at once. Ties go to the later arrival: a record
    fetched again is at least as fresh as the first copy.
    """

    def __init__(self, spec: StreamSpec) -> None:
        self.spec = spec
        self.fetched = self.duplicates = 0
        self.unknown: Counter[str] = Counter()
        self.missing: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.versions: dict[tuple, tuple[datetime | None, int]] = {}
        self.superseded: set[int] = set()

    def land(self, record: object, rows: _PartWriter, rejects: _PartWriter, meta: dict) -> None:
        self.fetched += 1
        raw = raw_json(record)
        try:
            row = self._normalize(record)
        except RecordRejected as rejected:
            self.reasons[rejected.reason] += 1
            rejects.add({"_reason": rejected.reason, "_raw": raw, **meta})
            return
        key = tuple(row[column] for column in self.spec.key)
        updated = next((row[c] for c in self.spec.updated_at if row[c] is not None), None)
        previous = self.versions.get(key)
        if previous is not None:
            self.duplicates += 1
            if _older(updated, previous[0]):
                return
            self.superseded.add(previous[1])
        self.versions[key] = (updated, rows.count)
        rows.add({**row, "_raw": raw, "_source_updated_at": updated, **meta})

    def _normalize(self, record: object) -> dict:
        if not isinstance(record, dict):
            raise RecordRejected("not_an_object")
        # Counter.update is slow even when given nothing, and both sets nearly always are empty.
        if unknown := record.keys() - self.spec.known_fields:
            self.unknown.update(unknown)
        missing = self.spec.expected_fields - record.keys()
        try:
            row = self.spec.normalize(record)
        except RecordRejected:
            self.missing.update(missing)
            raise
        # A deletion marker lacks the fields by design: that is not schema drift.
        deletion = self.spec.quality.deletion_flag
        if missing and not (deletion and row[deletion]):
            self.missing.update(missing)
        return row


def _count_flags(part: Path, flags: tuple[str, ...]) -> dict[str, int]:
    """Rows of the landed file with each flag column true (read after de-duplication, so a
    flagged record fetched twice counts once)."""
    if not flags:
        return {}
    table = pq.read_table(part, columns=list(flags))
    return {flag: pc.sum(table[flag]).as_py() or 0 for flag in flags}


def _older(candidate: datetime | None, current: datetime | None) -> bool:
    if current is None:
        return False
    return candidate is None or candidate < current


class _PartWriter:
    """A Parquet file written in row groups of `row_group_rows` as rows arrive."""

    def __init__(self, path: Path, schema: pa.Schema, row_group_rows: int) -> None:
        self.schema = schema
        self.row_group_rows = row_group_rows
        self.buffer: list[dict] = []
        self.count = 0
        self.writer = pq.ParquetWriter(path, schema)

    def add(self, row: dict) -> None:
        self.buffer.append(row)
        self.count += 1
        if len(self.buffer) >= self.row_group_rows:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            self.writer.write_table(pa.Table.from_pylist(self.buffer, schema=self.schema))
            self.buffer = []

    def close(self) -> None:
        """Write what is left; a file with no rows still carries the schema."""
        self._flush()
        self.writer.close()


def _drop_rows(path: Path, positions: set[int], schema: pa.Schema, row_group_rows: int) -> None:
    """Rewrite `path` without the rows at `positions`, one batch at a time."""
    kept = path.with_name(path.name + ".dedup")
    dropped = pa.array(sorted(positions), pa.int64())
    offset = 0
    with pq.ParquetWriter(kept, schema) as writer:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=row_group_rows):
            index = pa.array(range(offset, offset + batch.num_rows), pa.int64())
            offset += batch.num_rows
            writer.write_table(
                pa.Table.from_batches([batch.filter(pc.invert(pc.is_in(index, dropped)))])
            )
    os.replace(kept, path)


class _Staging:
    """A hidden directory beside a partition where its new version is written.

    Creating one first removes what killed runs left for the same partition: their staging
    and retired directories are invisible to readers but would accumulate.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        parent = target.parent
        parent.mkdir(parents=True, exist_ok=True)
        day = target.name.removeprefix("day=")
        for prefix in (STAGING_PREFIX, RETIRED_PREFIX):
            for stale in parent.glob(f"{prefix}{day}-*"):
                shutil.rmtree(stale, ignore_errors=True)
        token = secrets.token_hex(6)
        self.dir = parent / f"{STAGING_PREFIX}{day}-{token}"
        self.retired = parent / f"{RETIRED_PREFIX}{day}-{token}"
        self.dir.mkdir()
        # Written under a name no reader's glob matches, renamed once complete.
        self.part = self.dir / f"{PART_FILE}.partial"

    def publish(self) -> Path:
        """fsync the file, then swap the staging directory in as the partition."""
        final = self.dir / PART_FILE
        _fsync(self.part)
        os.replace(self.part, final)
        _fsync(self.dir)
        if self.target.exists():
            _swap(self.dir, self.target, self.retired)
        else:
            os.replace(self.dir, self.target)
        _fsync(self.target.parent)
        return self.target / PART_FILE

    def discard(self) -> None:
        for leftover in (self.dir, self.retired):
            shutil.rmtree(leftover, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap(new: Path, target: Path, retired: Path) -> None:
    """Put directory `new` at `target`; the old partition ends up at `new` or `retired`,
    both hidden and removed by the caller.

    Linux exchanges the two in one step (renameat2 RENAME_EXCHANGE), so `target` is never
    absent. Elsewhere the old one is moved aside first: a crash between the two renames
    leaves the partition absent ("never ran"), still never partial.
    """
    try:
        _exchange(new, target)
    except OSError as error:
        if error.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise
        os.replace(target, retired)
        os.replace(new, target)


def _exchange(a: Path, b: Path) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a))
