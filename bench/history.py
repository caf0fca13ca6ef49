"""A long history loaded without Dagster, for the flatness pair: `python -m bench.history
FIRST LAST [FROM_DATA_DIR] OUT.json` lands every stream for [FIRST, LAST] with the
production pulls (the four vendors concurrently), or copies those days' partitions from
another data dir, and builds the warehouse over them with one `dbt build`.

Setting up three years through a single-run backfill would spend most of its time writing
Dagster's per-partition events (see docs/performance.md); what flatness measures is the
next daily run, which does go through Dagster.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson

from bench.throughput import client
from ingestion.pull import pull_days
from ingestion.streams import STREAMS
from salesboard.dbt import build_args, dbt_command
from salesboard.layout import DataLayout, data_layout


def land_source(source: str, days: list[date], layout: DataLayout) -> int:
    """Every stream of `source` for `days`; the number of partitions landed. The set-up is
    not measured, so it runs with the vendors' natural limits off (see `flatness`)."""
    landed = 0
    with client(source) as vendor:
        for stream in (s for s in STREAMS if s.startswith(f"{source}.")):
            now = datetime.now(UTC)
            pulls = pull_days(vendor, stream, days, layout, run_id="bench-history", ingested_at=now)
            landed += sum(1 for _ in pulls)
    return landed


def build_warehouse(first: date, last: date, target: Path) -> None:
    """One `dbt build` over [first, last] (the same arguments the warehouse asset uses)."""
    command = dbt_command(build_args(), window=(first, last))
    subprocess.run([*command, "--target-path", str(target)], check=True)


def copy_recent(source: DataLayout, target: DataLayout, first: date) -> None:
    """The landing partitions from `first` on, copied: a shorter history of the same world."""
    for part in source.landing.glob("*/*/day=*"):
        if date.fromisoformat(part.name.removeprefix("day=")) >= first:
            shutil.copytree(part, target.landing / part.relative_to(source.landing))


def main(argv: list[str]) -> int:
    first, last, out = date.fromisoformat(argv[0]), date.fromisoformat(argv[1]), Path(argv[-1])
    layout = data_layout().ensure()
    began = time.perf_counter()
    if len(argv) == 4:
        copy_recent(DataLayout(Path(argv[2])), layout, first)
    else:
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        sources = sorted({spec.source for spec in STREAMS.values()})
        with ThreadPoolExecutor(len(sources)) as pool:
            list(pool.map(lambda source: land_source(source, days, layout), sources))
    landed = time.perf_counter() - began
    build_warehouse(first, last, layout.logs / "dbt-target")
    report = {
        "first": str(first),
        "last": str(last),
        "land_seconds": round(landed, 1),
        "dbt_seconds": round(time.perf_counter() - began - landed, 1),
    }
    out.write_bytes(orjson.dumps(report))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    sys.exit(main(sys.argv[1:]))
