"""The README's range commands, run as a user types them: the Dagster CLI's
`dg launch --partition-range` and `salesboard backfill`, each a real run against the demo
APIs (over HTTP) that ends with a published board. The README's example range is replaced
by the test world's last two days; everything else is the README's text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from salesboard.layout import PROJECT_ROOT
from tests.conftest import pipeline_environment
from tests.support.commands import readme_command

FIRST, LAST = "2024-07-27", "2024-07-28"


def _run(command: list[str], demo_server, demo_world, tmp_path: Path):
    data_dir = tmp_path / "data"
    env = os.environ | pipeline_environment(demo_world, demo_server, data_dir, "readme-salt")
    env |= {"DAGSTER_HOME": str(tmp_path / "dagster_home"), "SALESBOARD_ENGINE": "duckdb"}
    (tmp_path / "dagster_home").mkdir()
    executable = Path(sys.executable).with_name(Path(command[0]).name)
    # Output to files, not pipes: Dagster's compute-log capture starts `tail -F` helpers
    # that can outlive the command and would hold a pipe open (and the test) until timeout.
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        done = subprocess.run(
            [str(executable), *command[1:]], cwd=PROJECT_ROOT, env=env,
            stdout=stdout, stderr=stderr, timeout=900, check=False,
        )  # fmt: skip
    output = out.read_text()
    assert done.returncode == 0, output[-3000:] + err.read_text()[-3000:]
    board = orjson.loads((data_dir / "boards" / "latest" / "board.json").read_bytes())
    return output, board


@pytest.mark.slow
def test_the_readme_dg_launch_range_command_runs_one_run(demo_server, demo_world, tmp_path):
    command = readme_command(r"dg launch .*--partition-range")
    assert command[1:4] == ["launch", "--job", "daily_pipeline"]
    command[command.index("--partition-range") + 1] = f"{FIRST}...{LAST}"
    _, board = _run(command, demo_server, demo_world, tmp_path)
    assert board["as_of"] == LAST


@pytest.mark.slow
def test_the_readme_backfill_command_publishes_the_ranges_last_day(
    demo_server, demo_world, tmp_path
):
    command = readme_command(r"salesboard backfill --from")
    command[command.index("--from") + 1], command[command.index("--to") + 1] = FIRST, LAST
    output, board = _run(command, demo_server, demo_world, tmp_path)
    assert board["as_of"] == LAST
    assert f"board: {tmp_path / 'data' / 'boards' / LAST}" in output
    assert "20/20 stream-days (100%)" in output  # 10 streams x 2 days, reported done
    # A calm console: dbt's per-node lines and the engines' warnings go to their log file,
    # without colour codes; the console has the progress, a count of checks and the board.
    assert re.search(r"done: \d+ materializations, \d+ checks \(\d+ failed\)", output)
    for noise in ("\x1b[", "START test", "FutureWarning", "partial parsing"):
        assert noise not in output, noise
    engine_log = Path(re.search(r"engines' own output: (\S+)", output).group(1))
    engines = engine_log.read_text(encoding="utf-8")
    assert "Done. PASS=" in engines and "\x1b[" not in engines
