"""Runs meeting other users of the data dir: a BI tool holding the serving file open, and
the same partitions launched twice at once (a double-clicked backfill, a schedule tick
racing a manual run) on one data dir and one Dagster instance."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from datetime import timedelta

import duckdb
import pytest

from salesboard.layout import DataLayout
from tests.reliability.crash_runner import (
    FIRST,
    LAST,
    RUN_TIMEOUT,
    WAREHOUSE_SCHEMAS,
    assert_nothing_partial_visible,
    finish,
    run,
    start,
)
from tests.reliability.results import Outcome, record
from tests.support.checksums import table_checksums

pytestmark = pytest.mark.reliability
READER_QUERY = (
    "select (select count(*) from marts.fct_payments), (select count(*) from marts.mart_board),"
    " (select coalesce(sum(hash(b)), 0) from marts.mart_board b)"
)


@pytest.fixture
def loaded(reference, tmp_path) -> DataLayout:
    """A copy of the reference run's data dir (and instance)."""
    shutil.copytree(reference.data_dir, tmp_path / "data", symlinks=True)
    return DataLayout(tmp_path / "data")


def root_cause(stderr: str) -> str:
    """The innermost exception line of the runner's traceback (what a person acts on)."""
    errors = [
        ln.strip() for ln in stderr.splitlines() if re.match(r"^\s*[\w.]+(Error|Exception): ", ln)
    ]
    return errors[-1][:200] if errors else stderr.strip().splitlines()[-1][:200]


@pytest.mark.reliability_fast
def test_a_bi_reader_sees_one_version_or_the_next_never_a_mix(reference, loaded):
    """Version A is the reference run's serving file (FIRST..LAST); a run over the three
    days before FIRST publishes version B, which holds more days. A reader holding A open
    sees A throughout and after; readers connecting anew all through the run see A or B,
    whole, never a mix of the two; once the run is done a new reader sees B."""
    earlier = (FIRST - timedelta(days=3), FIRST - timedelta(days=1))
    seen: list[tuple] = []
    with duckdb.connect(str(loaded.serving_db), read_only=True) as holder:
        version_a = holder.execute(READER_QUERY).fetchone()
        started = time.monotonic()
        process = start(loaded.root, loaded.dagster_home, *earlier, reference.env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
        while process.poll() is None and time.monotonic() - started < RUN_TIMEOUT:
            assert holder.execute(READER_QUERY).fetchone() == version_a, "the holder saw a change"
            with duckdb.connect(str(loaded.serving_db), read_only=True) as reader:
                seen.append(reader.execute(READER_QUERY).fetchone())
            time.sleep(0.1)
        finished = finish(process, started)
        assert holder.execute(READER_QUERY).fetchone() == version_a
    assert finished.returncode == 0, finished.stderr[-3000:]
    with duckdb.connect(str(loaded.serving_db), read_only=True) as reader:
        version_b = reader.execute(READER_QUERY).fetchone()
    assert version_b != version_a, "version B holds three more days"
    mixed = [state for state in seen if state not in (version_a, version_b)]
    assert mixed == [], f"a reader saw neither version: {mixed[:3]}"
    assert seen.count(version_a) > 0
    record(Outcome("concurrency", "BI readers while a run publishes a new serving file",
                   "the open reader kept version A; every new reader saw A or B, never a mix",
                   notes=f"{len(seen)} new readers during a {finished.seconds:.0f} s run: "
                   f"{seen.count(version_a)} saw A, {seen.count(version_b)} saw B; the new file "
                   "is swapped in by rename"))  # fmt: skip


def test_the_same_partitions_launched_twice_at_once(reference, loaded):
    started = time.monotonic()
    processes = [
        start(
            loaded.root,
            loaded.dagster_home,
            FIRST,
            LAST,
            reference.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    finished = [finish(p, started) for p in processes]  # a hang fails here (timeout)
    failed = [f for f in finished if f.returncode != 0]
    assert len(failed) <= 1, [f.stderr[-2000:] for f in failed]
    for n, f in enumerate(finished):  # kept beside the data dir for a person to read
        (loaded.root.parent / f"launch-{n}.stderr.txt").write_text(f.stderr)
    for f in failed:  # loudly: the step failure is reported
        assert "FAILED:" in f.stderr, f.stderr[-2000:]
    seen = assert_nothing_partial_visible(loaded)
    rerun = run(loaded.root, reference.env)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert table_checksums(loaded.warehouse_db, WAREHOUSE_SCHEMAS) == reference.checksums
    reason = ""
    if failed:
        cause = root_cause(failed[0].stderr).replace(str(loaded.root), "<data>")
        reason = f"; the loser failed with {cause}"
    outcome = f"{2 - len(failed)} of 2 succeeded, " + ("1 failed loudly, " if failed else "")
    record(Outcome("concurrency", "the same partitions launched twice at once",
                   outcome + "identical after rerun",
                   notes=f"both ended within {max(f.seconds for f in finished):.0f} s; "
                   f"{seen['parquet']} landed parts readable{reason}"))  # fmt: skip
