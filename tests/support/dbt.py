"""dbt in a subprocess for tests, on the same command line the product uses
(`salesboard.dbt.dbt_command`: the calendar's vars), with its target and logs kept under the
test's own temporary folder so tests never race on `dbt_project/target`."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from salesboard.dbt import dbt_command


def dbt_run(
    workdir: Path,
    *args: str,
    variables: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: int = 600,
) -> subprocess.CompletedProcess:
    """`dbt <args>` with `variables` over the calendar's; output captured, not checked."""
    command = [
        *dbt_command(args, variables=variables),
        "--target-path", str(workdir / "dbt_target"),
        "--log-path", str(workdir / "dbt_logs"),
    ]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout,
        env=dict(os.environ if env is None else env),
    )  # fmt: skip
