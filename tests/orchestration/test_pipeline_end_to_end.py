"""The whole daily pipeline as Dagster runs it: demo APIs -> landing -> dbt -> board/serving.

One backfill run over the demo world's four weeks (a single dbt invocation), then a daily
rerun of its last day, which must change nothing in the warehouse.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import orjson
import pandas
import pytest
import requests
import sqlalchemy
import yaml

from ingestion.demo.model import PIPELINE_ID, STATUS_CONSULTATION
from orchestration.definitions import defs
from salesboard.layout import DBT_PROJECT_DIR, PROJECT_ROOT
from tests.conftest import TEST_FAULTS, pipeline_environment
from tests.support.checksums import table_checksums
from tests.support.commands import README, free_port, local, readme_command, running, wait_for
from tests.support.funnel_truth import revenue_truth

pytestmark = pytest.mark.slow  # the module fixture runs the pipeline end to end

FIRST, LAST = "2024-07-01", "2024-07-28"
RANGE = {
    "dagster/asset_partition_range_start": FIRST,
    "dagster/asset_partition_range_end": LAST,
}


@pytest.fixture(scope="module")
def pipeline(demo_server, demo_world, tmp_path_factory):
    """(job, instance, data dir, backfill result) after one backfill of the whole world."""
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    demo_server.set_faults(TEST_FAULTS)
    demo_server.set_clock(None)
    with pytest.MonkeyPatch.context() as patch:
        env = pipeline_environment(demo_world, demo_server, data_dir, "e2e-phone-salt")
        for name, value in env.items():
            patch.setenv(name, value)
        job = defs().resolve_job_def("daily_pipeline")
        instance = dg.DagsterInstance.ephemeral()
        backfill = job.execute_in_process(instance=instance, tags=RANGE, raise_on_error=False)
        yield job, instance, data_dir, backfill


def test_a_month_backfill_is_one_run_with_one_dbt_build(pipeline):
    _, instance, data_dir, backfill = pipeline
    assert backfill.success
    windows = [
        entry.user_message
        for entry in instance.all_logs(backfill.run_id)
        if entry.user_message.startswith("dbt build for")
    ]
    assert windows == ["dbt build for [2024-07-01, 2024-07-29)"]
    assert (data_dir / "warehouse" / "salesboard.duckdb").exists()


def test_rerunning_a_day_changes_nothing(pipeline):
    """Every model equal after a rerun (staging keeps each record's `_ingested_at` and
    `_run_id` lineage, which a rerun renews by design, so it is compared without them)."""
    job, instance, data_dir, _ = pipeline
    warehouse = data_dir / "warehouse" / "salesboard.duckdb"
    before = table_checksums(warehouse, ("intermediate", "marts"))
    rerun = job.execute_in_process(instance=instance, partition_key=LAST, raise_on_error=False)
    assert rerun.success
    after = table_checksums(warehouse, ("intermediate", "marts"))
    assert after == before
    assert any(re.match(r"marts\.", name) for name in after)


def test_the_board_is_published_and_shows_the_marts_figures(pipeline):
    _, _, data_dir, _ = pipeline
    latest = data_dir / "boards" / "latest"
    assert latest.is_symlink() and latest.resolve().name.split(".")[0] == LAST  # reruns: .2, .3
    board = orjson.loads((latest / "board.json").read_bytes())
    assert board["as_of"] == LAST
    with duckdb.connect(str(data_dir / "warehouse" / "salesboard.duckdb"), read_only=True) as con:
        team = con.execute(
            "select mtd_net_sales, mtd_sales_count, signups_mtd, reached_mtd "
            "from marts.mart_board where as_of_day = ? and is_team_total",
            [date.fromisoformat(LAST)],
        ).fetchone()
        managers = con.execute(
            "select count(*) from marts.mart_board where as_of_day = ? and not is_team_total",
            [date.fromisoformat(LAST)],
        ).fetchone()[0]
    assert Decimal(board["team"]["mtd_net_sales"]) == team[0]
    assert (board["team"]["mtd_sales_count"], board["team"]["signups_mtd"]) == (team[1], team[2])
    assert board["team"]["reached_mtd"] == team[3]
    assert len(board["managers"]) == managers > 0
    for name in ("index.html", "board.png", "board.csv"):
        assert (latest / name).stat().st_size > 0


def test_no_phone_or_email_reaches_boards_or_serving(pipeline, demo_world):
    _, _, data_dir, _ = pipeline
    needles = set()
    for s in demo_world.signups:
        digits = s.phone_e164[1:]
        needles |= {s.phone_raw, s.phone_e164, digits, "8" + digits[1:], s.email}
    files = [p for p in (data_dir / "boards").rglob("*") if p.is_file()]
    files.append(data_dir / "serving" / "salesboard.duckdb")
    leaks = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="ignore")
        leaks += [(path.name, n) for n in needles if n in text]
    assert len(files) > 5 and leaks == []


def test_a_bi_reader_holding_the_serving_file_survives_a_run(pipeline):
    """A BI tool connected as the README says (SQLAlchemy with `duckdb-engine`, the `bi`
    extra, on the README's URL) holds the serving file open through a run: the run succeeds
    and the reader keeps one consistent state. (A plain `duckdb` reader: test_concurrency.)"""
    job, instance, data_dir, _ = pipeline
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    url = re.search(r"`(duckdb:////absolute/path/to/data/\S+)`", readme).group(1)
    url = url.replace("/absolute/path/to/data", str(data_dir.resolve()))
    query = sqlalchemy.text("select count(*) from marts.fct_payments")
    engine = sqlalchemy.create_engine(url)
    try:
        with (
            engine.connect() as writer,
            pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"),
        ):
            writer.execute(sqlalchemy.text("create table marts.scratch (a int)"))
        with engine.connect() as reader:
            before = reader.execute(query).one()
            rerun = job.execute_in_process(
                instance=instance, partition_key=LAST, raise_on_error=False
            )
            assert rerun.success  # the open reader blocked nothing
            assert reader.execute(query).one() == before
    finally:
        # The pool keeps the file open, which would stop later tests in this process from
        # opening it with plain `duckdb` ("a different configuration").
        engine.dispose()


def test_served_marts_say_per_row_whether_their_history_is_complete(pipeline):
    """BI users see `is_history_complete` on every served mart that rests on history
    (dbt_project/DECISIONS.md, "History and completeness"); this world is landed from the
    start of the records, so every row is complete."""
    _, _, data_dir, _ = pipeline
    marts = (
        "fct_signup_funnel", "mart_funnel_daily", "mart_sales_daily", "mart_mrr_monthly",
        "mart_churn_monthly", "mart_cohort_retention", "mart_churn_risk", "mart_board",
    )  # fmt: skip
    serving = data_dir / "serving" / "salesboard.duckdb"
    with duckdb.connect(str(serving), read_only=True) as con:
        flagged = {
            table
            for (table,) in con.execute(
                "select table_name from information_schema.columns"
                " where table_schema = 'marts' and column_name = 'is_history_complete'"
            ).fetchall()
        }
        incomplete = {
            mart: con.execute(
                f"select count(*) from marts.{mart} where not is_history_complete"
            ).fetchone()[0]
            for mart in marts
        }
    assert set(marts) <= flagged
    assert incomplete == dict.fromkeys(marts, 0)


def test_a_failed_blocking_check_publishes_no_board_and_a_clean_rerun_recovers(
    pipeline, demo_server
):
    job, instance, data_dir, _ = pipeline
    boards = data_dir / "boards"
    latest_before = (boards / "latest").resolve()
    snapshots_before = sorted(p.name for p in boards.iterdir())
    warehouse = data_dir / "warehouse" / "salesboard.duckdb"
    marts_before = table_checksums(warehouse)
    bad = {"malformed_record": {"probability": 0.1}}
    demo_server.set_faults({"seed": 1, "yookassa": bad, "amocrm": bad, "telphin": bad})
    try:
        gated = job.execute_in_process(instance=instance, partition_key=LAST, raise_on_error=False)
    finally:
        demo_server.set_faults(TEST_FAULTS)
    assert not gated.success
    failed = [c for c in gated.get_asset_check_evaluations() if not c.passed]
    assert any(c.check_name == "quarantine_share" for c in failed)
    assert (boards / "latest").resolve() == latest_before
    assert sorted(p.name for p in boards.iterdir()) == snapshots_before
    assert table_checksums(warehouse) == marts_before
    quarantined = list((data_dir / "quarantine").rglob(f"day={LAST}/part-0.parquet"))
    assert quarantined, "the rejected records are kept with their reason"

    recovered = job.execute_in_process(instance=instance, partition_key=LAST, raise_on_error=False)
    assert recovered.success
    assert table_checksums(warehouse) == marts_before


def test_the_lookback_setting_and_the_business_day_reach_dbt(pipeline):
    """The payments lookback set in the launchpad (`ingestion_settings`) is what dbt's
    payment models re-read, with the calendar's time zone: dbt's own record of the vars
    it ran with (run_results.json) says so."""
    job, instance, _, _ = pipeline
    settings = {"resources": {"ingestion_settings": {"config": {"payments_lookback_days": 3}}}}
    rerun = job.execute_in_process(
        instance=instance, partition_key=LAST, run_config=settings, raise_on_error=False
    )
    assert rerun.success
    results = list(DBT_PROJECT_DIR.glob(f"target/*-{rerun.run_id[:7]}-*/run_results.json"))
    assert len(results) == 1
    received = orjson.loads(results[0].read_bytes())["args"]["vars"]
    assert received.pop("company_reference")["manager_extensions"]  # rows: test_company.py
    assert received == {
        "business_tz": "Europe/Moscow",  # domain.md: the team works on Moscow time
        "lookback_days": 3,
        "history_start_day": "2024-07-01",  # the demo's first day (SALESBOARD_START_DATE unset)
        "longest_period_months": 12,  # the demo sells 1-12 month periods (company.yaml)
        "sales_pipeline_id": PIPELINE_ID,  # the demo company file's
        "consultation_status_id": STATUS_CONSULTATION,
        "activation_event": "bank_statement_imported",  # domain.md
        "lesson_event": "video_lesson_watched",
        "signup_channels": ["ads", "organic", "referral", "webinar"],
        "min_day": LAST,
        "max_day": "2024-07-29",
    }


@pytest.fixture(scope="module")
def readme_env(pipeline, tmp_path_factory) -> dict[str, str]:
    """The module's pipeline environment (the fixture's data dir, salt and demo) for the
    README's dbt commands, with dbt's target directory of their own: dbt rewrites
    target/manifest.json, which processes in the other test worker load. (One directory for
    both commands: the second parses partially.)"""
    target = tmp_path_factory.mktemp("dbt_target")
    return os.environ | {"SALESBOARD_ENGINE": "duckdb", "DBT_TARGET_PATH": str(target)}


def test_the_readme_dbt_command_rebuilds_mart_sales_daily_unchanged(pipeline, readme_env, tmp_path):
    """`salesboard dbt build --select mart_sales_daily` as written, on the built warehouse:
    exit 0, the model rebuilt and its tests passed, and every intermediate table and mart
    (mart_sales_daily's rows among them) the same as before (the build is idempotent)."""
    _, _, data_dir, _ = pipeline
    warehouse = data_dir / "warehouse" / "salesboard.duckdb"
    before = table_checksums(warehouse, ("intermediate", "marts"))
    command = local(readme_command(r"salesboard dbt build --select mart_sales_daily"))
    out = tmp_path / "output.txt"
    with out.open("wb") as sink:
        done = subprocess.run(
            command, cwd=PROJECT_ROOT, env=readme_env, stdout=sink,
            stderr=subprocess.STDOUT, timeout=600, check=False,
        )  # fmt: skip
    output = out.read_text(encoding="utf-8")
    assert done.returncode == 0, output[-3000:]
    assert re.search(r"OK created sql incremental model marts\.mart_sales_daily", output), output
    assert re.search(r"Done\. PASS=\d+ WARN=0 ERROR=0", output), output[-3000:]
    assert table_checksums(warehouse, ("intermediate", "marts")) == before
    assert before["marts.mart_sales_daily"][0] > 0


def test_the_readme_docs_command_serves_the_warehouses_catalog(pipeline, readme_env, tmp_path):
    """`salesboard docs --port P` as written (its port substituted): the site answers on
    loopback with dbt's docs page, its manifest holds mart_sales_daily, and its catalog,
    read from the built warehouse, lists exactly the warehouse's columns of that table."""
    _, _, data_dir, _ = pipeline
    port = free_port()
    command = [*local(readme_command(r"salesboard docs\b")), "--port", str(port)]
    site, output = f"http://127.0.0.1:{port}", tmp_path / "docs.txt"

    def page(path: str) -> requests.Response | None:
        try:
            answer = requests.get(site + path, timeout=5)
        except requests.RequestException:
            return None
        return answer if answer.ok else None

    with running(command, readme_env, output) as process:
        wait_for(lambda: page("/") is not None, process, output, "the docs site", 300)
        index, manifest, catalog = page("/"), page("/manifest.json"), page("/catalog.json")
    printed = output.read_text()
    assert f"dbt docs on {site}" in printed and "no warehouse yet" not in printed
    assert "dbt" in index.text and "<html" in index.text.lower()
    node = "model.salesboard.mart_sales_daily"
    assert manifest.json()["nodes"][node]["schema"] == "marts"
    listed = {c.lower() for c in catalog.json()["nodes"][node]["columns"]}
    with duckdb.connect(str(data_dir / "warehouse" / "salesboard.duckdb"), read_only=True) as con:
        columns = con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'mart_sales_daily'"
        ).fetchall()
    assert listed == {name for (name,) in columns} and "net_revenue" in listed


def test_the_readme_pandas_snippet_reads_the_serving_marts(pipeline, demo_world, tmp_path):
    """The README's pandas snippet, run from the directory holding `data/`: as written it
    returns mart_sales_daily's documented columns (no rows: this world ended in 2024); with
    `current_date` put the morning after the world's last day, one row per day and
    manager for the seven days before it, whose gross and net revenue per day equal the
    simulator's (revenue_truth)."""
    _, _, data_dir, _ = pipeline
    snippet = re.search(r"\*\*Python / pandas\*\*:\s*```python\n(.*?)```", README, re.S)
    code = textwrap.dedent(snippet.group(1))
    assert "current_date" in code
    documented = yaml.safe_load(
        (DBT_PROJECT_DIR / "models" / "marts" / "_mart_sales_daily.yml").read_text()
    )["models"][0]["columns"]
    assert data_dir.name == "data"
    today = date.fromisoformat(LAST) + timedelta(days=1)
    morning_after = code.replace("current_date", f"date '{today}'")
    as_written, frame = _run_sessions([code, morning_after], data_dir.parent, tmp_path)
    assert list(as_written.columns) == [c["name"] for c in documented] and as_written.empty
    days = [today - timedelta(days=n) for n in range(7, 0, -1)]
    frame["sale_day"] = pandas.to_datetime(frame["sale_day"]).dt.date
    assert sorted(set(frame["sale_day"])) == days
    assert not frame.duplicated(["sale_day", "manager_id"]).any()
    by_day = frame.groupby("sale_day")[["gross_revenue", "net_revenue"]].sum()
    shown = {d: (int(row.gross_revenue), int(row.net_revenue)) for d, row in by_day.iterrows()}
    assert shown == revenue_truth(demo_world, days)
    assert sum(gross for gross, _ in shown.values()) > 0


def _run_sessions(codes: list[str], cwd: Path, tmp_path: Path) -> list:
    """Run each of `codes` (a snippet ending with an expression) in one fresh Python
    process started in `cwd`, each in a namespace of its own as separate sessions would;
    the value of each one's last expression, a DataFrame (passed back as Parquet)."""
    script = ["import sys"]
    for n, code in enumerate(codes):
        tree = ast.parse(code)
        assert isinstance(tree.body[-1], ast.Expr), "the snippet ends with an expression"
        lines = code.strip().splitlines()
        assert tree.body[-1].lineno == len(lines), "... on its last line"
        script += [f"def session_{n}():", *(f"    {line}" for line in lines[:-1])]
        script.append(f"    return {lines[-1]}")
        script.append(f"session_{n}().to_parquet(sys.argv[1] + '/{n}.parquet')")
    values, err = tmp_path / "values", tmp_path / "stderr.txt"
    values.mkdir()
    with err.open("wb") as stderr:
        done = subprocess.run(
            [sys.executable, "-c", "\n".join(script), str(values)], cwd=cwd, stderr=stderr,
            timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 0, err.read_text()[-3000:]
    return [pandas.read_parquet(values / f"{n}.parquet") for n in range(len(codes))]
