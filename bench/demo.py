"""The demo company at a given scale, served by `python -m ingestion.demo serve` in its own
process (as a vendor would be: not sharing the pipeline's interpreter or memory)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import requests
import yaml

from ingestion.demo.api.app import VENDOR_PREFIXES
from ingestion.demo.config import DEFAULT_CONFIG_PATH
from salesboard.cli.demo import demo_apis
from salesboard.layout import DataLayout

BASE_URL_VARS = {source: f"{source.upper()}_BASE_URL" for source in VENDOR_PREFIXES}


def company_config(folder: Path, scale: float, start_date: date | None = None) -> Path:
    """`company.yaml` with another `scale` (and start date, for a longer history)."""
    raw = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    raw["scale"] = scale
    if start_date is not None:
        raw["start_date"] = start_date
    path = folder / f"company-{scale:g}x-{raw['start_date']}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def demo_company(
    layout: DataLayout, config: Path, end_date: date, start_date: date | None = None
) -> Iterator[dict[str, str]]:
    """Serve the company until `end_date` (exclusive); yields the environment pointing the
    pipeline at it (base URLs; credentials come from `.env.example` as for `make run`)."""
    port = _free_port()
    env = {
        var: f"http://127.0.0.1:{port}{VENDOR_PREFIXES[source]}"
        for source, var in BASE_URL_VARS.items()
    }
    if start_date is not None:
        env["SALESBOARD_START_DATE"] = start_date.isoformat()
    saved = {var: os.environ.get(var) for var in env}
    os.environ.update(env)
    try:
        args = ["--config", str(config), "--end-date", end_date.isoformat()]
        with demo_apis(layout, timeout=900, serve_args=args) as root:
            env["DEMO_ROOT"] = str(root)
            yield env
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def set_natural_limits(root: str, on: bool) -> None:
    """The vendors' own limits (amoCRM 7 req/s, Telphin one request at a time) on or off."""
    response = requests.put(f"{root}/_demo/faults", json={"natural_limits": on}, timeout=10)
    response.raise_for_status()
