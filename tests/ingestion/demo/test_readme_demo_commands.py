"""The README's demo-company commands, run as written (a server's port substituted):
`python -m ingestion.demo serve` with the real and with a frozen clock, `truth`, `plans`."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson
import requests

from ingestion.demo.config import load_config
from ingestion.demo.simulation import build_world
from salesboard.layout import PROJECT_ROOT
from tests.support.commands import free_port, local, readme_command, running, wait_for
from tests.support.funnel_truth import MIN_TALK_SECONDS, day_of

COMPANY_FILE = PROJECT_ROOT / "ingestion" / "demo" / "salesboard.yaml"
AMO_TOKEN = load_config().credentials["amocrm"]["token"]


def _run(command: list[str], tmp_path: Path) -> str:
    """Run `command` to its end; its stdout (exit 0 asserted)."""
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        done = subprocess.run(
            local(command), cwd=PROJECT_ROOT, stdout=stdout, stderr=stderr, timeout=300,
            check=False,
        )  # fmt: skip
    assert done.returncode == 0, err.read_text()[-3000:]
    return out.read_text(encoding="utf-8")


def _health(root: str) -> dict | None:
    try:
        answer = requests.get(f"{root}/_demo/health", timeout=2)
    except requests.RequestException:
        return None
    return answer.json() if answer.ok else None


def _contacts(root: str, low: datetime, high: datetime) -> dict[int, int]:
    """amoCRM's contacts created in [low, high] as the server shows them: id -> created_at."""
    answer = requests.get(
        f"{root}/amocrm/api/v4/contacts",
        params={
            "filter[updated_at][from]": int(low.timestamp()),
            "filter[updated_at][to]": int(high.timestamp()),
            "limit": 250,
        },
        headers={"Authorization": f"Bearer {AMO_TOKEN}"},
        timeout=30,
    )
    if answer.status_code == 204:
        return {}
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "next" not in body["_links"]  # one page holds the window
    return {c["id"]: c["created_at"] for c in body["_embedded"]["contacts"]}


def test_serve_answers_and_a_frozen_clock_hides_what_came_after_it(tmp_path):
    """Both README `serve` lines, each on a free port: the real-clock server shows the
    contacts created in the three hours either side of the README's frozen instant; the
    frozen server shows exactly those created up to that instant (some, not all), and says
    its now is that instant."""
    real = readme_command(r"ingestion\.demo serve --port \d+")
    frozen = readme_command(r"ingestion\.demo serve --clock ")
    real[real.index("--port") + 1] = str(free_port())
    frozen += ["--port", str(free_port())]
    clock = datetime.fromisoformat(frozen[frozen.index("--clock") + 1])
    roots = {
        "real": f"http://127.0.0.1:{real[-1]}",
        "frozen": f"http://127.0.0.1:{frozen[-1]}",
    }
    with (
        running(local(real), os.environ, tmp_path / "real.log") as real_server,
        running(local(frozen), os.environ, tmp_path / "frozen.log") as frozen_server,
    ):
        for name, server in (("real", real_server), ("frozen", frozen_server)):
            wait_for(
                lambda name=name: _health(roots[name]) is not None,
                server, tmp_path / f"{name}.log", f"{name}-clock demo APIs", 120,
            )  # fmt: skip
        frozen_now = datetime.fromisoformat(_health(roots["frozen"])["now"])
        real_now = datetime.fromisoformat(_health(roots["real"])["now"])
        around = (clock - timedelta(hours=3), clock + timedelta(hours=3))
        shown_real = _contacts(roots["real"], *around)
        shown_frozen = _contacts(roots["frozen"], *around)
    assert frozen_now == clock
    assert abs(real_now - datetime.now(UTC)) < timedelta(minutes=5)
    before = {i: at for i, at in shown_real.items() if at <= clock.timestamp()}
    assert 0 < len(before) < len(shown_real)  # contacts on both sides of the instant
    assert shown_frozen == before


def _recount(first: date, last: date) -> dict[str, dict[str, int]]:
    """Per day of [first, last], recounted from the simulator's records (a history running
    a week past `last`, so cutting it short cannot hide a figure): signups by creation,
    first calls and reached leads (first outbound call, first call with >= 60 s of talk) by
    the call's start, revenue by capture of succeeded payments, refunds by creation, and the
    accounts with a paid period covering the day."""
    world = build_world(load_config(end_date=last + timedelta(days=8)))

    def day(at: datetime) -> str:
        return day_of(at).isoformat()

    first_call: dict[int, datetime] = {}
    reached: dict[int, datetime] = {}
    for call in world.calls:
        if call.flow == "out":
            first_call[call.lead_id] = min(first_call.get(call.lead_id, call.start_time),
                                           call.start_time)  # fmt: skip
        if (call.talk_seconds or 0) >= MIN_TALK_SECONDS:
            reached[call.lead_id] = min(reached.get(call.lead_id, call.start_time),
                                        call.start_time)  # fmt: skip
    revenue, refunds = Counter(), Counter()
    for p in world.payments:
        if p.status == "succeeded":
            revenue[day(p.captured_at)] += p.amount_rub
    for r in world.refunds:
        refunds[day(r.created_at)] += r.amount_rub
    counts = {
        "signups": Counter(day(s.created_at) for s in world.signups),
        "first_calls": Counter(day(at) for at in first_call.values()),
        "reached": Counter(day(at) for at in reached.values()),
        "revenue_rub": revenue,
        "refunds_rub": refunds,
    }
    figures = {}
    for n in range((last - first).days + 1):
        d = first + timedelta(days=n)
        covered = {
            p.account_id
            for p in world.payments
            if p.status == "succeeded" and p.period_start is not None
            and p.period_start <= d < p.period_end
        }  # fmt: skip
        figures[d.isoformat()] = {k: c[d.isoformat()] for k, c in counts.items()}
        figures[d.isoformat()]["active_subscriptions"] = len(covered)
    return figures


def test_truth_prints_the_simulators_figures_for_the_readmes_days(tmp_path):
    """`truth --from A --to B` as written: one JSON line per day of [A, B) (`--to` is
    exclusive), whose signups, first calls, reached, revenue, refunds and active
    subscriptions equal the test's own recount from the simulator's records."""
    command = readme_command(r"ingestion\.demo truth --from")
    first = date.fromisoformat(command[command.index("--from") + 1])
    to = date.fromisoformat(command[command.index("--to") + 1])
    printed = [orjson.loads(line) for line in _run(command, tmp_path).splitlines()]
    expected = _recount(first, to - timedelta(days=1))
    assert [row["day"] for row in printed] == list(expected)
    shown = {row["day"]: {k: row[k] for k in expected[row["day"]]} for row in printed}
    assert shown == expected
    assert sum(day["signups"] for day in expected.values()) > 100  # not an empty week
    assert sum(day["revenue_rub"] for day in expected.values()) > 0


def test_plans_prints_the_company_files_plans_section(tmp_path):
    """`plans` as written prints, character for character, the `plans:` section of the demo
    company file (ingestion/demo/salesboard.yaml), which the README says to replace with it."""
    text = COMPANY_FILE.read_text(encoding="utf-8")
    section = text[text.index("\nplans:\n") + 1 :]
    top_level = [i for i, line in enumerate(section.splitlines()) if line[:1].isalnum()]
    assert top_level[0] == 0
    if len(top_level) > 1:  # the section ends where the next top-level key starts
        section = "".join(section.splitlines(keepends=True)[: top_level[1]]).rstrip() + "\n"
    printed = _run(readme_command(r"ingestion\.demo plans"), tmp_path)
    assert printed.count("\n  50") >= 5  # one entry per manager
    assert printed == section
