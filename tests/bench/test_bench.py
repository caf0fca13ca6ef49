"""The bench's own plumbing, fast: reports carry the fields the summary needs, the summary
renders them (and "pending" before the forecast mart exists), step timings come from the
event log. No figure is measured here."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from bench.demo import company_config
from bench.machine import machine_info
from bench.report import render
from bench.scenarios import _ratios, dbt_growth, forecast_accuracy
from bench.stage import step_seconds
from ingestion.demo.config import load_config


def _run(wall: float) -> dict:
    return {
        "wall_seconds": wall,
        "steps_seconds": {"warehouse": wall / 2, "telphin__calls": 1.0},
        "dbt_nodes_seconds": {"model.salesboard.fct_calls": 0.5},
        "peak_rss_mb": 300,
        "peak_rss_dbt_mb": 200,
    }


def _results(forecast) -> dict:
    runs = {
        t: {"seconds_median": s, "records": 100, "bytes": 2**20, "peak_rss_mb": 99}
        for t, s in (("ours", 1.0), ("raw", 0.5), ("dlt", 3.0))
    }
    return {
        "started": "2026-01-01T00:00:00+00:00",
        "day": "2025-12-31",
        "load_average_1m": 0.4,
        "machine": machine_info(),
        "pipeline": [{"scale": 1.0, "history_days": 365, "backfill": _run(200), "daily": _run(20)}],
        "flatness": {
            "runs": {"30d": {"daily": _run(20)}, "3y": {"daily": _run(22)}},
            "ratio": 1.1,
            "target": 1.25,
            "dbt_growth": [("model.salesboard.int_signups", 0.1, 0.9)],
        },
        "throughput": {"scale": 10.0, "reps": 3, "streams": {"amocrm.leads": _ratios(runs, 7)}},
        "forecast_accuracy": forecast,
    }


def test_machine_info_names_cpus_memory_python_and_packages():
    """Against what the kernel, the interpreter and pyproject.toml say themselves."""
    info = machine_info()
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    assert info["cpu_count"] == sum(line.startswith("processor") for line in cpuinfo.splitlines())
    meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
    total_kb = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE).group(1))
    assert abs(info["memory_gb"] - total_kb / 2**20) <= 0.1
    assert info["python"] == "{}.{}.{}".format(*sys.version_info[:3])
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    assert f'"dagster=={info["packages"]["dagster"]}"' in pyproject
    assert {"dagster", "dbt-core", "dlt"} <= info["packages"].keys()


def test_ratios_give_absolute_figures_and_ratios_against_raw_and_dlt():
    runs = {
        t: {"seconds_median": s, "records": 100, "bytes": 2**20, "peak_rss_mb": 99}
        for t, s in (("ours", 1.0), ("raw", 0.5), ("dlt", 3.0))
    }
    summary = _ratios(runs, days=7)
    assert summary["records_per_second"] == 100 and summary["mb_per_second"] == 1.0
    assert summary["x_raw_time"] == 2.0 and summary["x_faster_than_dlt"] == 3.0


def test_summary_renders_every_section_and_forecast_pending():
    text = render(_results("pending"))
    for heading in ("Daily run and backfill", "Flatness", "Ingestion throughput", "pending"):
        assert heading in text
    assert "ratio **1.1**" in text and "load average 0.40" in text
    assert "`int_signups` 0.1 -> 0.9 s" in text
    assert "## 100x" not in text


def test_summary_adds_the_newest_large_run_when_there_is_one():
    large = _results("pending") | {
        "pipeline": [_results("pending")["pipeline"][0] | {"scale": 100.0}]
    }
    text = render(_results("pending"), large)
    assert "## 100x (`make bench-large`" in text and "| 100x | 365 d |" in text
    assert text.count("## Ingestion throughput") == 2


def test_dbt_growth_ranks_the_nodes_that_scale_with_history():
    short = {"model.a.flat": 1.0, "model.a.grows": 0.5}
    long = {"model.a.flat": 1.1, "model.a.grows": 4.0, "model.a.new": 0.2}
    assert [n for n, _, _ in dbt_growth(short, long)][:2] == ["model.a.grows", "model.a.new"]


def test_forecast_accuracy_is_pending_without_the_mart_and_read_with_it(tmp_path):
    db = tmp_path / "w.duckdb"
    assert forecast_accuracy(str(db)) == "pending"
    with duckdb.connect(str(db)) as con:
        con.sql("create schema marts")
        con.sql(
            "create table marts.mart_forecast_accuracy as select 'naive' as method, 0.2 as mape"
        )
    accuracy = forecast_accuracy(str(db))
    assert accuracy["columns"] == ["method", "mape"] and accuracy["rows"] == [["naive", 0.2]]
    assert "| naive | 0.2 |" in render(_results(accuracy))


def test_company_config_changes_only_scale_and_start(tmp_path):
    path = company_config(tmp_path, 10, date(2023, 1, 1))
    config, default = load_config(path), load_config()
    assert (config.scale, config.start_date) == (10, date(2023, 1, 1))
    assert config.sections == default.sections and config.seed == default.seed


def test_step_seconds_come_from_the_event_log():
    @dg.asset
    def quick() -> int:
        return 1

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([quick], instance=instance)
    assert set(step_seconds(instance, result.run_id)) == {"quick"}
