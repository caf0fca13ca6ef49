"""Ingestion throughput of one stream over one window, three ways, each in its own process
(`python -m bench.throughput TOOL STREAM FIRST LAST REPS OUT`) so peak RSS is per tool:

* `ours`: the production client and `land_partition`, pages to one typed Parquet partition;
  it records the exact requests it made (URL and headers) for the other two;
* `raw`: the same requests with `requests`, bodies streamed to /dev/null: the limit;
* `dlt`: dlt's REST API source with the same first request and the same paging, loaded
  into DuckDB through Parquet files: a peer. Only JSON-paged APIs (amoCRM, YooKassa); the
  Telphin time-cursor and Amplitude's ZIP export are not expressible in its config.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import orjson
import requests

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.landing import land_partition
from ingestion.streams import STREAMS
from ingestion.telphin import TelphinClient
from ingestion.yookassa import YooKassaClient
from salesboard.calendar import window_of_days
from salesboard.layout import DataLayout

# dlt: where each stream's records sit in a page, and how its pages link.
DLT_PAGING = {
    "amocrm": {"type": "json_link", "next_url_path": "_links.next.href"},
    "yookassa": {"type": "cursor", "cursor_path": "next_cursor", "cursor_param": "cursor"},
}
DLT_SELECTOR = {
    "amocrm.leads": "_embedded.leads",
    "amocrm.contacts": "_embedded.contacts",
    "amocrm.status_events": "_embedded.events",
    "yookassa.payments": "items",
    "yookassa.refunds": "items",
}


def client(source: str, *, throttled: bool = False):
    """The production client from the environment. Unthrottled (amoCRM's 6 req/s off) when
    the demo's natural limits are off: throughput measures software, not the vendor."""
    env = os.environ
    if source == "telphin":
        return TelphinClient(
            env["TELPHIN_BASE_URL"], env["TELPHIN_CLIENT_ID"], env["TELPHIN_CLIENT_SECRET"]
        )
    if source == "amocrm":
        rate = {} if throttled else {"requests_per_second": 1e6}
        return AmoCrmClient(env["AMOCRM_BASE_URL"], env["AMOCRM_TOKEN"], **rate)
    if source == "yookassa":
        return YooKassaClient(
            env["YOOKASSA_BASE_URL"], env["YOOKASSA_SHOP_ID"], env["YOOKASSA_SECRET_KEY"]
        )
    return AmplitudeClient(
        env["AMPLITUDE_BASE_URL"], env["AMPLITUDE_API_KEY"], env["AMPLITUDE_SECRET_KEY"]
    )


def run_ours(stream: str, first: date, last: date, calls: Path) -> tuple[int, int]:
    """Pull and land; returns (records, bytes) and leaves the requests made in `calls`."""
    vendor = client(stream.split(".")[0])
    made: list[dict] = []
    session = vendor._http._session  # the bench listens in; production code never does
    session.hooks["response"].append(
        lambda r, *a, **k: made.append({"url": r.url, "headers": dict(r.request.headers)})
    )
    window = window_of_days(first, last)
    with tempfile.TemporaryDirectory() as folder:
        result = land_partition(
            DataLayout(Path(folder)).ensure(),
            STREAMS[stream],
            last,
            STREAMS[stream].fetch(vendor, window),
            "bench",
            datetime.now(UTC),
        )
    vendor.close()
    calls.write_bytes(orjson.dumps(made))
    return result.fetched, result.landing_bytes


def run_raw(calls: Path) -> tuple[int, int]:
    """The recorded requests again, bodies to /dev/null; returns (0, bytes received)."""
    received = 0
    with requests.Session() as session, open(os.devnull, "wb") as sink:
        for call in orjson.loads(calls.read_bytes()):
            with session.get(call["url"], headers=call["headers"], stream=True) as response:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    received += len(chunk)
                    sink.write(chunk)
    return 0, received


def run_dlt(stream: str, calls: Path) -> tuple[int, int]:
    """dlt's REST API source from the same first request, into DuckDB via Parquet."""
    import dlt
    from dlt.sources.rest_api import rest_api_source

    first = orjson.loads(calls.read_bytes())[0]
    parts = urlsplit(first["url"])
    table = stream.replace(".", "_")
    source = rest_api_source(
        {
            "client": {
                "base_url": f"{parts.scheme}://{parts.netloc}",
                "headers": {"Authorization": first["headers"]["Authorization"]},
                "paginator": DLT_PAGING[stream.split(".")[0]],
            },
            "resources": [
                {
                    "name": table,
                    "endpoint": {
                        "path": parts.path,
                        "params": dict(parse_qsl(parts.query)),
                        "data_selector": DLT_SELECTOR[stream],
                    },
                }
            ],
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        pipeline = dlt.pipeline(
            pipeline_name="bench",
            pipelines_dir=folder,
            destination=dlt.destinations.duckdb(str(Path(folder) / "dlt.duckdb")),
            dataset_name="bench",
        )
        pipeline.run(source, loader_file_format="parquet")
        rows = pipeline.last_trace.last_normalize_info.row_counts.get(table, 0)
    return rows, 0


def measure(tool: str, stream: str, first: date, last: date, reps: int, calls: Path) -> dict:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    seconds, records, size = [], 0, 0
    for _ in range(reps + 1):  # the first one warms up: imports, connections, tokens
        began = time.perf_counter()
        if tool == "ours":
            records, size = run_ours(stream, first, last, calls)
        elif tool == "raw":
            records, size = run_raw(calls)
        else:
            records, size = run_dlt(stream, calls)
        seconds.append(time.perf_counter() - began)
    return {
        "tool": tool,
        "stream": stream,
        "seconds_median": round(statistics.median(seconds[1:]), 3),
        "seconds_runs": [round(s, 3) for s in seconds[1:]],
        "records": records,
        "bytes": size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main(argv: list[str]) -> int:
    tool, stream, first, last, reps, calls, out = argv
    report = measure(
        tool, stream, date.fromisoformat(first), date.fromisoformat(last), int(reps), Path(calls)
    )
    Path(out).write_bytes(orjson.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
