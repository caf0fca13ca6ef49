"""Outcome rows of the reliability suite, one JSON file per case, rendered by `report`.

Tests record what they proved (fault, outcome, records lost and duplicated, notes) as they
run, so `docs/reliability.md` is regenerated from real results by `make reliability`
rather than typed by hand.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from salesboard.layout import PROJECT_ROOT

RESULTS_ENV = "SALESBOARD_RELIABILITY_RESULTS"


def results_dir() -> Path:
    return Path(os.environ.get(RESULTS_ENV) or PROJECT_ROOT / "data" / "reliability")


@dataclass(frozen=True)
class Outcome:
    area: str  # "fault matrix", "crash safety", ...
    case: str  # the fault or scenario, as the table shows it
    outcome: str  # "identical", "failed loudly, identical after rerun", ...
    lost: int = 0
    duplicated: int = 0
    notes: str = ""


def record(outcome: Outcome) -> None:
    """Write the case's row (replacing an earlier run's row for the same case)."""
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", f"{outcome.area} {outcome.case}".lower()).strip("-")
    (folder / f"{name}.json").write_bytes(orjson.dumps(asdict(outcome)))


def load_all(folder: Path | None = None) -> list[Outcome]:
    folder = folder or results_dir()
    return [Outcome(**orjson.loads(p.read_bytes())) for p in sorted(folder.glob("*.json"))]
