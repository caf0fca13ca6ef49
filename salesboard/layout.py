"""Where things are: the project's folders, the one data directory and its fixed layout,
and which engine builds the warehouse.

Everything the pipeline writes lives under `SALESBOARD_DATA_DIR` (default `./data` at the
project root), so a fresh clone needs no set-up and `rm -rf data` is a clean slate.
`SALESBOARD_ENGINE` (`duckdb`, the default, or `spark`) names the dbt target
(`dbt_project/profiles.yml` has one output per engine) and so where the marts live.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
ENGINE_VARIABLE = "SALESBOARD_ENGINE"
ENGINES = ("duckdb", "spark")


def current_engine() -> str:
    """The engine named by `SALESBOARD_ENGINE` (default duckdb). Raises ValueError for any
    other value: a typo fails loudly rather than silently building on the default."""
    engine = os.environ.get(ENGINE_VARIABLE, "") or "duckdb"
    if engine not in ENGINES:
        raise ValueError(f"{ENGINE_VARIABLE} must be one of {', '.join(ENGINES)}, got {engine!r}")
    return engine


@dataclass(frozen=True)
class DataLayout:
    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse_db(self) -> Path:
        return self.root / "warehouse" / "salesboard.duckdb"

    @property
    def spark_warehouse(self) -> Path:
        """Spark's tables (Parquet, `<schema>.db/<table>/`) when SALESBOARD_ENGINE=spark;
        profiles.yml points spark.sql.warehouse.dir here."""
        return self.root / "spark" / "warehouse"

    @property
    def serving_db(self) -> Path:
        return self.root / "serving" / "salesboard.duckdb"

    @property
    def boards(self) -> Path:
        return self.root / "boards"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    def ensure(self) -> DataLayout:
        for folder in (
            self.landing,
            self.quarantine,
            self.warehouse_db.parent,
            self.serving_db.parent,
            self.boards,
            self.logs,
            self.dagster_home,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def data_layout(environ: os._Environ | dict | None = None) -> DataLayout:
    """The layout for `SALESBOARD_DATA_DIR`, always absolute (dbt and Python readers must
    open the very same warehouse file)."""
    env = os.environ if environ is None else environ
    configured = env.get("SALESBOARD_DATA_DIR") or str(PROJECT_ROOT / "data")
    root = Path(configured)
    if not root.is_absolute():
        root = PROJECT_ROOT / root
    return DataLayout(root.resolve())
