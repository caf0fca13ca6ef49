"""README "Your own company", step by step against the demo, each step the README's command
as written: discover a starter file, edit it as a user would, check it, backfill a past
range with it, and read the board. The demo APIs run as `salesboard` starts them (the demo
file switches them on), their clock a minute ago so the accounts hold recent records."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import yaml

from salesboard.company import load_company
from salesboard.layout import PROJECT_ROOT
from tests.support.commands import free_port
from tests.support.funnel_truth import day_of

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Your own company") :]


def _command(pattern: str) -> list[str]:
    """The section's command line matching `pattern`, split as a shell would."""
    lines = [line.strip() for line in SECTION.splitlines() if re.search(pattern, line)]
    assert lines, f"'Your own company' shows no command matching {pattern!r}"
    return shlex.split(lines[0])


@pytest.mark.slow
def test_discover_edit_check_backfill_board(tmp_path: Path):
    root = f"http://127.0.0.1:{free_port()}"
    clock = datetime.now(UTC) - timedelta(minutes=1)
    env = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_HOME", "SALESBOARD_CONFIG"}}
    env |= {
        "SALESBOARD_DATA_DIR": str(tmp_path / "data"),
        "SALESBOARD_DEMO_NOW": clock.isoformat(),
        "SALESBOARD_ENGINE": "duckdb",
        "TELPHIN_BASE_URL": f"{root}/telphin",
        "AMOCRM_BASE_URL": f"{root}/amocrm",
        "YOOKASSA_BASE_URL": f"{root}/yookassa/v3",
        "AMPLITUDE_BASE_URL": f"{root}/amplitude",
    }
    starter = tmp_path / "salesboard.yaml"

    def run(command: list[str], **extra: str) -> str:
        executable = Path(sys.executable).with_name(Path(command[0]).name)
        out = tmp_path / "output.txt"  # a file: Dagster's log helpers can outlive the command
        with out.open("w") as output:
            done = subprocess.run(
                [str(executable), *command[1:]], cwd=PROJECT_ROOT, env=env | extra,
                stdout=output, stderr=subprocess.STDOUT, timeout=900, check=False,
            )  # fmt: skip
        text = out.read_text()
        assert done.returncode == 0, text[-4000:]
        return text

    # 1. discover (the demo file is the configuration that starts the demo APIs)
    discover = _command(r"salesboard discover --out")
    discover[discover.index("--out") + 1] = str(starter)
    assert f"wrote {starter}" in run(discover, SALESBOARD_CONFIG="ingestion/demo/salesboard.yaml")
    # 2. edit: every TODO, as the comments ask, and `demo: true` to try it on the demo
    edited = yaml.safe_load(starter.read_text(encoding="utf-8"))
    assert edited["crm"]["consultation_stage"] == {"id": 7100030, "name": "Consultation"}
    edited |= {"demo": True, "start_date": "2024-07-01"}
    edited["product"]["activation_event"] = "bank_statement_imported"
    edited["crm"]["channels"] = ["ads", "organic", "referral", "webinar"]
    starter.write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    load_company(starter)  # valid as edited
    # 3. check
    checked = run(_command(r"salesboard check$"), SALESBOARD_CONFIG=str(starter))
    assert "FAIL" not in checked and re.search(r"\d+ passed", checked)
    # 4. backfill two past days, 5. the board
    backfill = _command(r"salesboard backfill --from")
    first, last = day_of(clock) - timedelta(days=3), day_of(clock) - timedelta(days=2)
    backfill[backfill.index("--from") + 1] = first.isoformat()
    backfill[backfill.index("--to") + 1] = last.isoformat()
    run(backfill, SALESBOARD_CONFIG=str(starter))
    board = tmp_path / "data" / "boards" / "latest" / "board.json"
    document = orjson.loads(board.read_bytes())
    assert document["as_of"] == last.isoformat()
    assert {row["manager_id"] for row in document["managers"]} == {
        m["crm_user_id"] for m in edited["managers"]
    }
