"""Landing partitions as real Parquet files: counts, de-duplication, idempotency, atomicity."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from ingestion.landing import land_partition
from ingestion.streams import STREAMS
from ingestion.streams.spec import QUARANTINE_SCHEMA
from salesboard.layout import DataLayout

CALLS = STREAMS["telphin.calls"]
DAY = date(2025, 3, 3)
AT = datetime(2025, 3, 4, 3, tzinfo=UTC)
START = datetime(2025, 3, 2, 21, tzinfo=UTC)


def call(n: int, *, hangup_extra: int = 0, **changes) -> dict:
    """Call number `n` as Telphin sends it; `hangup_extra` moves its last change later."""
    start = START + timedelta(seconds=37 * n)
    hangup = start + timedelta(seconds=60 + hangup_extra)
    record = {
        "call_uuid": f"call-{n:07d}",
        "flow": "out",
        "init_time_gmt": f"{start:%Y-%m-%d %H:%M:%S}",
        "start_time_gmt": f"{start:%Y-%m-%d %H:%M:%S}",
        "bridged_time_gmt": None,
        "hangup_time_gmt": f"{hangup:%Y-%m-%d %H:%M:%S}",
        "duration": 60 + hangup_extra,
        "bridged_duration": None,
        "result": "not answered",
        "hangup_disposition": "caller_cancel",
        "extension_id": 700101,
        "extension_name": "00000*101",
        "from_username": "00000*101",
        "to_username": "+7 (913) 123-45-67",
        "did_number": "74951234567",
        "cdr": [{"ani_number": "74951234567", "dest_number": "+7 (913) 123-45-67"}],
    }
    return record | changes


def land(root: Path, pages, spec=CALLS, run_id="run-1", **options):
    return land_partition(DataLayout(root), spec, DAY, pages, run_id, AT, **options)


def visible(root: Path) -> list[Path]:
    """What a reader globbing the landing zone sees."""
    return sorted(root.glob("landing/*/*/day=*/part-*.parquet"))


def test_counts_reconcile_and_drift_is_reported(tmp_path):
    pages = [
        [call(1), call(2, x_new_field=1), call(3, duration="61")],
        [
            call(2),
            call(4, start_time_gmt="yesterday"),
            {k: v for k, v in call(5).items() if k != "did_number"},
        ],
        [call(6, call_uuid=None), call(1), "not a record"],
    ]
    result = land(tmp_path, pages)
    assert (result.fetched, result.landed, result.quarantined, result.duplicates_dropped) == (
        9,
        4,
        3,
        2,
    )
    assert result.unknown_fields == {"x_new_field": 1}
    assert result.missing_fields == {"did_number": 1}
    assert result.retyped_fields == {"duration": 1}
    assert result.quarantine_reasons == {
        "bad_timestamp:start_time_gmt": 1,
        "missing:call_uuid": 1,
        "not_an_object": 1,
    }
    landed = pq.read_table(result.landing_path)
    assert landed.schema == CALLS.landing_schema
    assert sorted(landed["call_uuid"].to_pylist()) == [f"call-{n:07d}" for n in (1, 2, 3, 5)]
    assert set(landed["_run_id"].to_pylist()) == {"run-1"}
    assert set(landed["_partition_day"].to_pylist()) == {DAY}
    quarantined = pq.read_table(result.quarantine_path)
    assert quarantined.schema == QUARANTINE_SCHEMA
    assert '"start_time_gmt":"yesterday"' in quarantined["_raw"].to_pylist()[0]
    assert result.landing_bytes == result.landing_path.stat().st_size > 0


def test_the_version_the_source_changed_last_wins(tmp_path):
    pages = [
        [call(1), call(2, hangup_extra=30)],
        [call(1, hangup_extra=30), call(3)],  # 1 changed later: replaces the first copy
        [call(2), call(1, hangup_extra=10)],  # older than what was landed: dropped
    ]
    result = land(tmp_path, pages, row_group_rows=2)
    assert (result.landed, result.duplicates_dropped) == (3, 3)
    rows = {r["call_uuid"]: r for r in pq.read_table(result.landing_path).to_pylist()}
    assert rows["call-0000001"]["duration_seconds"] == 90
    assert rows["call-0000002"]["duration_seconds"] == 90
    assert rows["call-0000001"]["_source_updated_at"] == rows["call-0000001"]["hangup_time"]


def test_snapshots_keep_the_last_copy_fetched(tmp_path):
    users = STREAMS["amocrm.users"]
    pages = [[{"id": 1, "name": "Anna"}], [{"id": 1, "name": "Anna Smirnova"}]]
    result = land(tmp_path, pages, spec=users)
    assert pq.read_table(result.landing_path)["name"].to_pylist() == ["Anna Smirnova"]


def test_pages_are_written_as_row_groups(tmp_path):
    result = land(tmp_path, ([call(n)] for n in range(35)), row_group_rows=10)
    assert pq.ParquetFile(result.landing_path).metadata.num_row_groups == 4


@pytest.mark.reliability
def test_a_rerun_writes_identical_files(tmp_path):
    pages = [[call(n) for n in range(50)], [call(7, hangup_extra=5), call(99, flow=None)]]
    first = land(tmp_path, pages)
    data = first.landing_path.read_bytes(), first.quarantine_path.read_bytes()
    second = land(tmp_path, pages)
    assert second == first
    assert (second.landing_path.read_bytes(), second.quarantine_path.read_bytes()) == data


@pytest.mark.reliability
def test_a_rerun_replaces_the_whole_partition(tmp_path):
    land(tmp_path, [[call(1), call(2), call(3, result=None)]])
    result = land(tmp_path, [[call(4)]], run_id="run-2")
    assert pq.read_table(result.landing_path)["call_uuid"].to_pylist() == ["call-0000004"]
    assert pq.read_table(result.quarantine_path).num_rows == 0  # yesterday's rejects gone
    assert [p.name for p in result.landing_path.parent.parent.iterdir()] == ["day=2025-03-03"]


def test_an_empty_partition_is_an_empty_file_with_the_schema(tmp_path):
    result = land(tmp_path, iter(()))
    assert (result.fetched, result.landed) == (0, 0)
    table = pq.read_table(result.landing_path)
    assert table.num_rows == 0 and table.schema == CALLS.landing_schema
    assert pq.read_table(result.quarantine_path).schema == QUARANTINE_SCHEMA
    assert result.landing_path == (tmp_path / "landing/telphin/calls/day=2025-03-03/part-0.parquet")
    assert result.quarantine_path == (
        tmp_path / "quarantine/telphin/calls/day=2025-03-03/part-0.parquet"
    )


def test_phone_numbers_survive_landing_intact(tmp_path):
    formats = ["+7 (913) 123-45-67", "8 913 1234567", "79131234567", "8(913)123-45-67"]
    contacts = STREAMS["amocrm.contacts"]
    page = [
        {
            "id": n,
            "created_at": 1721604672,
            "updated_at": 1721604672,
            "custom_fields_values": [{"field_code": "PHONE", "values": [{"value": phone}]}],
        }
        for n, phone in enumerate(formats)
    ]
    result = land(tmp_path, [page], spec=contacts)
    assert pq.read_table(result.landing_path)["phones"].to_pylist() == [[p] for p in formats]
    calls = land(tmp_path, [[call(n, to_username=p) for n, p in enumerate(formats)]])
    assert pq.read_table(calls.landing_path)["to_username"].to_pylist() == formats


def test_pipelines_land_one_row_per_status(tmp_path):
    pipeline = {
        "id": 7000001,
        "name": "Sales",
        "_embedded": {"statuses": [{"id": 10, "name": "New"}, {"id": 142, "name": "Paid"}]},
    }
    result = land(tmp_path, [[pipeline]], spec=STREAMS["amocrm.pipelines"])
    assert (result.fetched, result.landed) == (2, 2)


def test_duckdb_reads_the_partitions_through_the_readers_glob(tmp_path):
    land(tmp_path, [[call(1), call(2)]])
    stale = tmp_path / "landing/telphin/calls/.incoming-2025-03-04-dead"
    stale.mkdir()
    (stale / "part-0.parquet").write_bytes(b"partial garbage")
    pattern = str(tmp_path / "landing/telphin/calls/day=*/part-*.parquet")
    count = duckdb.execute(
        "select count(*) from read_parquet(?, hive_partitioning=true)", [pattern]
    ).fetchall()
    assert count == [(2,)]


def test_stale_staging_from_a_killed_run_is_cleaned_up(tmp_path):
    calls_dir = tmp_path / "landing/telphin/calls"
    calls_dir.mkdir(parents=True)
    for name in (".incoming-2025-03-03-dead", ".retired-2025-03-03-dead"):
        (calls_dir / name).mkdir()
    land(tmp_path, [[call(1)]])
    assert [p.name for p in calls_dir.iterdir()] == ["day=2025-03-03"]


@pytest.mark.reliability
def test_readers_always_see_a_complete_partition_while_it_is_replaced(tmp_path):
    first = land(tmp_path, [[call(n) for n in range(200)]])
    seen: list[int | str] = []
    done = threading.Event()

    def read_until_done() -> None:
        while not done.is_set():
            try:  # one open file: the state of the partition at one instant
                with first.landing_path.open("rb") as snapshot:
                    seen.append(pq.read_table(snapshot).num_rows)
            except OSError as error:  # absent or partial: what the swap must prevent
                seen.append(repr(error))

    reader = threading.Thread(target=read_until_done)
    reader.start()
    try:
        for size in (100, 200) * 10:
            land(tmp_path, [[call(n) for n in range(size)]])
    finally:
        done.set()
        reader.join()
    assert seen and set(seen) <= {100, 200}


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, date, datetime
    from pathlib import Path

    from ingestion.landing import land_partition
    from salesboard.layout import DataLayout
    from ingestion.streams import STREAMS
    from tests.ingestion.test_landing import call

    pages = ([call(page * 100 + n) for n in range(100)] for page in range(10**6))
    land_partition(
        DataLayout(Path(sys.argv[1])), STREAMS["telphin.calls"], date(2025, 3, 3), pages,
        "run-killed", datetime(2025, 3, 4, 3, tzinfo=UTC), row_group_rows=1000,
    )
    """
)


def kill_mid_write(root: Path) -> None:
    """Start a landing of an endless partition and SIGKILL it once row groups hit disk."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(root)], env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            partial = list(root.glob("landing/telphin/calls/.incoming-*/part-0.parquet.partial"))
            if partial and partial[0].stat().st_size > 100_000:
                break
            assert writer.poll() is None, "the writer ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the writer never started writing")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL


@pytest.mark.reliability
def test_a_run_killed_mid_write_leaves_the_previous_partition(tmp_path):
    previous = land(tmp_path, [[call(n) for n in range(10)]])
    before = previous.landing_path.read_bytes()
    kill_mid_write(tmp_path)
    assert visible(tmp_path) == [previous.landing_path]
    assert previous.landing_path.read_bytes() == before
    rerun = land(tmp_path, [[call(1)]])
    assert pq.read_table(rerun.landing_path).num_rows == 1
    assert [p.name for p in rerun.landing_path.parent.parent.iterdir()] == ["day=2025-03-03"]


@pytest.mark.reliability
def test_a_run_killed_mid_write_leaves_no_partition_when_none_existed(tmp_path):
    kill_mid_write(tmp_path)
    assert visible(tmp_path) == []
    assert not (tmp_path / "landing/telphin/calls/day=2025-03-03").exists()
