"""Loading `company.yaml`: the one file that holds every parameter of the demo company."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG_PATH = Path(__file__).with_name("company.yaml")


@dataclass(frozen=True)
class CompanyConfig:
    """The parsed config. Top-level scalars are typed; each story section stays a mapping
    read by the part of the simulation that owns it (signups, calls, funnel, ...)."""

    seed: int
    start_date: date
    end_date: date | None
    scale: float
    business_tz: str
    sections: dict[str, Any]

    def __getitem__(self, section: str) -> Any:
        return self.sections[section]

    @property
    def credentials(self) -> dict[str, dict[str, str]]:
        return self.sections["credentials"]


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return datetime.strptime(str(value), "%Y-%m-%d").date()


def load_config(path: Path | str | None = None, **overrides: Any) -> CompanyConfig:
    """Read the YAML and apply keyword overrides (top-level keys: `seed`, `end_date`, `scale`...).

    Unknown override keys are an error, so a typo in a test or a CLI flag cannot silently
    simulate the default company.
    """
    raw = yaml.safe_load(Path(path or DEFAULT_CONFIG_PATH).read_text(encoding="utf-8"))
    unknown = set(overrides) - set(raw)
    if unknown:
        raise KeyError(f"unknown company config keys: {sorted(unknown)}")
    raw = copy.deepcopy(raw) | overrides
    scalars = {"seed", "start_date", "end_date", "scale", "business_tz"}
    return CompanyConfig(
        seed=int(raw["seed"]),
        start_date=_as_date(raw["start_date"]),
        end_date=_as_date(raw["end_date"]),
        scale=float(raw["scale"]),
        business_tz=str(raw["business_tz"]),
        sections={k: v for k, v in raw.items() if k not in scalars},
    )
