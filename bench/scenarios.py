"""The measured scenarios: a backfill then the next day's partition at a scale, the
flatness pair (same day, 30 days vs 3 years of history), throughput per stream, and the
forecast backtest read from the warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import orjson

from bench.demo import company_config, demo_company, set_natural_limits
from salesboard.layout import DataLayout

# Streams timed for throughput, and the days each pulls (activity: one day, it is large).
# At 10x the demo's amoCRM answers a page in seconds (it scans the whole world in Python),
# which would time the demo, not the clients: `make bench` measures at 1x.
# Payments take a year: 30 days at 1x are ~230 records, a 5 ms download, so the ratio was
# fixed per-call costs (client, Parquet writers, fsyncs); 365 days, ~2,400 records, is a
# sample the size of the others'.
THROUGHPUT_STREAMS = {
    "telphin.calls": 30,
    "amocrm.leads": 30,
    "amocrm.status_events": 30,
    "yookassa.payments": 365,
    "amplitude.events": 1,
}
FORECAST_MART = "marts.mart_forecast_accuracy"


def _child(module: str, args: list[str], env: dict[str, str], out: Path) -> dict:
    """Run `python -m module args` with `env` added, its output to a log beside `out`;
    its JSON report from `out`."""
    command = [sys.executable, "-m", module, *args, str(out)]
    log = out.with_suffix(".log")
    with log.open("wb") as sink:
        completed = subprocess.run(
            command, env={**os.environ, **env}, stdout=sink, stderr=subprocess.STDOUT, check=False
        )
    if not out.exists():
        raise SystemExit(f"{module} {args} wrote no report (exit {completed.returncode}): {log}")
    return orjson.loads(out.read_bytes())


def _fresh(folder: Path) -> DataLayout:
    shutil.rmtree(folder, ignore_errors=True)
    return DataLayout(folder).ensure()


def _data_env(layout: DataLayout) -> dict[str, str]:
    return {"SALESBOARD_DATA_DIR": str(layout.root), "DAGSTER_HOME": str(layout.dagster_home)}


def history_then_day(
    work: Path, name: str, scale: float, day: date, history: int, start: date | None = None
) -> dict:
    """Backfill the `history` days before `day` as one run, then run `day` alone: the
    daily run as production does it, on a history already loaded."""
    layout = _fresh(work / name)
    config = company_config(work, scale, start)
    env = _data_env(layout)
    with demo_company(layout, config, end_date=day + timedelta(days=1), start_date=start) as vendor:
        env |= vendor
        first = day - timedelta(days=history)
        backfill = _child(
            "bench.stage",
            [str(first), str(day - timedelta(days=1))],
            env,
            layout.logs / "backfill.json",
        )
        daily = _child("bench.stage", [str(day), str(day)], env, layout.logs / "daily.json")
    return {
        "scale": scale,
        "history_days": history,
        "backfill": backfill,
        "daily": daily,
        "warehouse": str(layout.warehouse_db),
    }


def flatness(work: Path, day: date, short: int, long: int) -> dict:
    """The same day's run after `short` and after `long` days of history, in one world
    (its start moved back so that `long` days of history exist). Both histories are
    loaded without Dagster (`bench.history`), the shorter one copied from the longer, with
    the vendors' natural limits off (amoCRM's 7 requests/s alone would make three years
    of status events minutes of waiting); each measured run has them on, as every other."""
    start = day - timedelta(days=long + 1)
    config = company_config(work, 1, start)
    runs = {}
    long_layout = _fresh(work / f"flat-{long}d")
    with demo_company(
        long_layout, config, end_date=day + timedelta(days=1), start_date=start
    ) as vendor:
        for days in (long, short):
            label = f"{days}d"
            layout = long_layout if days > short else _fresh(work / f"flat-{label}")
            env = _data_env(layout) | vendor
            first, last = str(day - timedelta(days=days)), str(day - timedelta(days=1))
            copy = [] if layout is long_layout else [str(long_layout.root)]
            set_natural_limits(vendor["DEMO_ROOT"], on=False)
            history = _child(
                "bench.history", [first, last, *copy], env, layout.logs / "history.json"
            )
            set_natural_limits(vendor["DEMO_ROOT"], on=True)
            daily = _child("bench.stage", [str(day), str(day)], env, layout.logs / "daily.json")
            runs[label] = {"history_days": days, "history": history, "daily": daily}
    short_run, long_run = runs[f"{short}d"]["daily"], runs[f"{long}d"]["daily"]
    ratio = long_run["wall_seconds"] / short_run["wall_seconds"]
    return {
        "runs": runs,
        "ratio": round(ratio, 3),
        "target": 1.25,
        "dbt_growth": dbt_growth(short_run["dbt_nodes_seconds"], long_run["dbt_nodes_seconds"]),
    }


def dbt_growth(short: dict[str, float], long: dict[str, float]) -> list[tuple[str, float, float]]:
    """dbt nodes by how many seconds more they take on the long history: the non-flat ones."""
    grown = [(node, short.get(node, 0.0), seconds) for node, seconds in long.items()]
    return sorted(grown, key=lambda item: item[1] - item[2])


def throughput(work: Path, scale: float, day: date, reps: int) -> dict:
    """Per stream: ours, the raw download of the same requests, dlt; medians of `reps`."""
    layout = _fresh(work / f"throughput-{scale:g}x")
    config = company_config(work, scale)
    results: dict[str, dict] = {}
    with demo_company(layout, config, end_date=day + timedelta(days=1)) as vendor:
        set_natural_limits(vendor["DEMO_ROOT"], on=False)
        env = _data_env(layout) | vendor
        for stream, days in THROUGHPUT_STREAMS.items():
            first, calls = day - timedelta(days=days - 1), layout.logs / f"{stream}.calls.json"
            args = [stream, str(first), str(day), str(reps), str(calls)]
            tools = ["ours", "raw"] + (
                ["dlt"] if stream.split(".")[0] in ("amocrm", "yookassa") else []
            )
            runs = {
                t: _child("bench.throughput", [t, *args], env, layout.logs / f"{stream}.{t}.json")
                for t in tools
            }
            calls.unlink(missing_ok=True)  # it holds request headers
            results[stream] = _ratios(runs, days)
    return {"scale": scale, "reps": reps, "streams": results}


def _ratios(runs: dict[str, dict], days: int) -> dict:
    ours, raw = runs["ours"], runs["raw"]
    megabytes = raw["bytes"] / 2**20
    summary = {
        "days": days,
        "records": ours["records"],
        "response_mb": round(megabytes, 2),
        "runs": runs,
        "records_per_second": round(ours["records"] / ours["seconds_median"]),
        "mb_per_second": round(megabytes / ours["seconds_median"], 2),
        "x_raw_time": round(ours["seconds_median"] / raw["seconds_median"], 2),
        "peak_rss_mb": ours["peak_rss_mb"],
    }
    if "dlt" in runs:
        summary["x_faster_than_dlt"] = round(
            runs["dlt"]["seconds_median"] / ours["seconds_median"], 2
        )
    return summary


# Team-level backtest error per method; the raw rows if the mart's columns differ.
FORECAST_SUMMARY = """
    select forecast_method, count(*) as backtests,
           round(avg(absolute_percentage_error), 4) as mape
    from marts.mart_forecast_accuracy where manager_id = 0 group by 1 order by mape
"""


def forecast_accuracy(warehouse: str) -> dict | str:
    """The backtest MAPE per forecast method (naive run-rate included), or "pending"
    until the forecast-accuracy mart exists."""
    try:
        with duckdb.connect(warehouse, read_only=True) as con:
            try:
                frame = con.sql(FORECAST_SUMMARY)
            except duckdb.BinderException:
                frame = con.sql(f"select * from {FORECAST_MART} limit 20")  # noqa: S608
            columns, rows = frame.columns, frame.fetchall()
    except duckdb.Error:
        return "pending"
    return {"columns": columns, "rows": [[_plain(v) for v in row] for row in rows]}


def _plain(value):
    """JSON-ready: decimals (DuckDB's numeric) as floats, dates and the rest as text."""
    if isinstance(value, Decimal):
        return float(value)
    return value if isinstance(value, (int, float, str, type(None))) else str(value)
