"""The dbt project as Dagster sees it (`DbtProject`): its manifest, target and preparer.

Kept outside `defs/` so `salesboard prepare` and tests can prepare the manifest (`dbt parse`)
before any definitions load: parsing inside concurrent runs races on `target/`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from salesboard.layout import DBT_PROJECT_DIR, current_engine

# dbt is installed beside this interpreter; make it findable when the virtualenv is not
# activated (`.venv/bin/python -m ...`, the webserver's code server, pytest).
if shutil.which("dbt") is None:
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

salesboard_dbt = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=current_engine(),  # the profile has one output per engine, named after it
)
