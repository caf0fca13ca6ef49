"""The process environment every `salesboard` command starts from.

Settings come from the environment, then `.env`, then `.env.example` (the demo defaults),
so a fresh clone runs with no set-up and real vendors are configuration only.
"""

from __future__ import annotations

import os

from dotenv import load_dotenv

from salesboard.layout import PROJECT_ROOT, DataLayout, data_layout


def load_settings() -> DataLayout:
    """Fill the environment from `.env` then `.env.example` without overriding what is set;
    create the data directory and Dagster's instance config in it; return its layout."""
    for name in (".env", ".env.example"):
        load_dotenv(PROJECT_ROOT / name, override=False)
    layout = data_layout().ensure()
    os.environ["SALESBOARD_DATA_DIR"] = str(layout.root)
    os.environ.setdefault("DAGSTER_HOME", str(layout.dagster_home))
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # A single-run backfill logs one "planned" event per asset, not one per asset and day:
    # on SQLite each is a commit (10-40 ms here), and a year is 4,745 of them. Dagster's
    # trade-off: the days of a failed backfill show as missing, not failed (the run and
    # the failure alert still say what failed).
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    _write_instance_config(layout)
    return layout


def _write_instance_config(layout: DataLayout) -> None:
    """Dagster's instance lives in the data directory; telemetry off, pools declared."""
    config = layout.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(
            "telemetry:\n  enabled: false\nconcurrency:\n  pools:\n    default_limit: 1\n",
            encoding="utf-8",
        )
