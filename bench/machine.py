"""What the figures were measured on: a benchmark without its machine and load is noise."""

from __future__ import annotations

import os
import platform
import time
from importlib.metadata import version

PACKAGES = (
    "dagster",
    "dagster-dbt",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "pyarrow",
    "requests",
    "dlt",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        return None


def machine_info() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {name: version(name) for name in PACKAGES},
        "load_average_1m_at_start": os.getloadavg()[0],
    }


def wait_until_quiet(threshold: float, max_wait: float, poll: float = 15.0) -> float:
    """Wait (up to `max_wait` s) for the 1-minute load average to drop under `threshold`,
    since other work on a shared machine inflates every figure; returns the last reading."""
    deadline = time.monotonic() + max_wait
    load = os.getloadavg()[0]
    while load >= threshold and time.monotonic() < deadline:
        print(f"load average {load:.2f} >= {threshold}: waiting", flush=True)
        time.sleep(poll)
        load = os.getloadavg()[0]
    return load
