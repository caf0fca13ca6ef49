"""`python -m bench run|large|report`: `make bench` (1x and 10x), `make bench-large` (100x),
or only rewrite `docs/performance.md` from the newest results."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.machine import machine_info, wait_until_quiet
from bench.report import RESULTS_DIR, write_doc
from bench.scenarios import flatness, forecast_accuracy, history_then_day, throughput
from salesboard.calendar import history_range
from salesboard.cli import prepare
from salesboard.cli.settings import load_settings


def run(args: argparse.Namespace) -> int:
    layout = load_settings()
    prepare()
    load = wait_until_quiet(args.quiet_load, args.max_wait)
    started = datetime.now(UTC)
    day = history_range(1)[1]
    work = Path(args.work or layout.root / "bench")
    results: dict = {
        "kind": args.kind,
        "started": started.isoformat(timespec="seconds"),
        "day": day.isoformat(),
        "load_average_1m": load,
        "machine": machine_info(),
        "targets": {
            "daily_1x_seconds": 30,
            "backfill_365d_1x_seconds": 300,
            "flatness_ratio": 1.25,
            "x_faster_than_dlt": 2,
            "x_raw_time": 3,
            "peak_rss_mb_100x_activity_day": 500,
        },
    }
    results["pipeline"] = [
        history_then_day(work, f"pipeline-{scale:g}x", scale, day, days)
        for scale, days in zip(args.scales, args.history, strict=True)
    ]
    if args.flat_long:
        results["flatness"] = flatness(work, day, args.flat_short, args.flat_long)
    results["throughput"] = throughput(work, args.throughput_scale, day, args.reps)
    results["forecast_accuracy"] = forecast_accuracy(results["pipeline"][0]["warehouse"])
    results["load_average_1m_at_end"] = os.getloadavg()[0]
    results["bench_seconds"] = round((datetime.now(UTC) - started).total_seconds())
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{args.kind}-{started:%Y%m%dT%H%M%S}.json"
    out.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    print(f"results: {out}")
    if args.kind == "bench":
        print(f"summary: {write_doc()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, scales, history, flat_long, tp_scale in (
        ("run", [1, 10], [365, 14], 3 * 365, 1),
        ("large", [100], [7], 0, 100),
    ):
        cmd = sub.add_parser(name)
        cmd.set_defaults(kind="bench" if name == "run" else "bench-large")
        cmd.add_argument("--scales", type=float, nargs="+", default=scales)
        cmd.add_argument(
            "--history",
            type=int,
            nargs="+",
            default=history,
            help="days backfilled before the measured day, per scale",
        )
        cmd.add_argument("--flat-long", type=int, default=flat_long, help="days; 0: skip")
        cmd.add_argument("--flat-short", type=int, default=30)
        cmd.add_argument("--throughput-scale", type=float, default=tp_scale)
        cmd.add_argument("--reps", type=int, default=3)
        cmd.add_argument("--quiet-load", type=float, default=0.7)
        cmd.add_argument("--max-wait", type=float, default=1200)
        cmd.add_argument("--work", help="scratch data dir (default: <data dir>/bench)")
    sub.add_parser("report")
    args = parser.parse_args(argv)
    if args.command == "report":
        print(write_doc() or "no results yet")
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
