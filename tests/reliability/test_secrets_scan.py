"""After a full run with distinctive credentials and phone salt (`crash_runner.SECRETS`),
none of them is anywhere a person or a tool could read it: the run's Dagster event log,
its stdout and stderr, any file under the data dir (DuckDB files queried column by column
too, as their strings may be compressed), the dbt target folder the run's dbt build wrote
(`dbt_project/target/warehouse-<run id>-*`: compiled SQL, `dbt.log`, run results). And no
signup's phone number (as typed, E.164,
bare digits, 8-prefixed) or e-mail reaches the warehouse, the serving copy or the boards."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster import serialize_value

from orchestration.warehouse_project import DBT_PROJECT_DIR
from tests.reliability.crash_runner import SECRETS
from tests.reliability.results import Outcome, record
from tests.support.warehouse import assert_no_raw_phone_or_email

pytestmark = [pytest.mark.reliability, pytest.mark.reliability_fast]
# Regression: the phone-hash salt was once pasted into SQL as a literal, so it sat in the
# warehouse's staging view definitions and in every dbt target folder (compiled SQL,
# manifest, dbt.log). It now reaches DuckDB only as a bound session variable
# (dbt_project/salesboard_dbt_plugins/phone_salt.py); the scan below covers both places.


def _duckdb_strings(path) -> str:
    """Every VARCHAR value of every table of a DuckDB file, one per line."""
    with duckdb.connect(str(path), read_only=True) as con:
        catalog = con.execute("select current_database()").fetchone()[0]
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_catalog = ?",
            [catalog],
        ).fetchall()
        values = []
        for schema, table, column in columns:
            sql = f'select distinct "{column}" from "{schema}"."{table}"'
            values += [str(v) for (v,) in con.execute(sql).fetchall() if v is not None]
    return "\n".join(values)


def _leaks(text: str, needles: dict[str, str]) -> list[str]:
    return sorted(name for name, value in needles.items() if value in text)


def test_no_secret_in_logs_output_or_any_file(reference):
    layout, finished = reference.layout, reference.finished
    found: dict[str, list[str]] = {}
    with dg.DagsterInstance.from_config(str(layout.dagster_home)) as instance:
        entries = instance.all_logs(finished.run_id)
        run = instance.get_run_by_id(finished.run_id)
    event_log = "\n".join(serialize_value(entry) for entry in entries)
    assert len(entries) > 50 and "warehouse" in event_log
    found["event log"] = _leaks(event_log + serialize_value(run), SECRETS)
    found["stdout"] = _leaks(finished.stdout, SECRETS)
    found["stderr"] = _leaks(finished.stderr, SECRETS)
    files = [p for p in sorted(layout.root.rglob("*")) if p.is_file()]
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="ignore")
        if path.suffix == ".duckdb":
            text += _duckdb_strings(path)
        found[str(path.relative_to(layout.root))] = _leaks(text, SECRETS)
    targets = sorted((DBT_PROJECT_DIR / "target").glob(f"*-{finished.run_id[:7]}-*"))
    assert targets, "the run's dbt target folder"
    for path in (p for target in targets for p in sorted(target.rglob("*")) if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="ignore")
        found[f"dbt target/{path.relative_to(DBT_PROJECT_DIR / 'target')}"] = _leaks(text, SECRETS)
    leaks = {where: names for where, names in found.items() if names}
    assert len(files) > 50 and any(p.suffix == ".duckdb" for p in files)
    notes = (
        f"{len(SECRETS)} distinctive secrets; the run's {len(entries)} events, stdout/stderr, "
        f"{len(files)} files of the data dir (DuckDB VARCHAR columns queried), the run's dbt "
        "target folder"
    )
    outcome = "none found"
    if leaks:
        names = sorted({name for found_names in leaks.values() for name in found_names})
        where = sorted({Path(w).name for w in leaks})
        outcome = f"LEAKED: {', '.join(names)} in {len(leaks)} files ({', '.join(where)})"
    record(
        Outcome(
            "security", "secrets in logs, output, the data dir and dbt target", outcome, notes=notes
        )
    )
    assert leaks == {}


def test_no_phone_or_email_in_marts_serving_or_boards(reference, secret_world):
    layout = reference.layout
    assert_no_raw_phone_or_email(layout.warehouse_db, secret_world)
    assert_no_raw_phone_or_email(layout.serving_db, secret_world)
    needles = {}
    for s in secret_world.signups:
        digits = s.phone_e164[1:]
        for form, value in {"raw": s.phone_raw, "e164": s.phone_e164, "digits": digits,
                            "8-prefixed": "8" + digits[1:], "email": s.email}.items():  # fmt: skip
            needles[f"{form} {value}"] = value
    texts = {"serving (VARCHAR)": _duckdb_strings(layout.serving_db)}
    texts |= {f"marts (VARCHAR) {layout.warehouse_db.name}": _duckdb_strings(layout.warehouse_db)}
    boards = [p for p in layout.boards.rglob("*") if p.is_file()]
    for path in [*boards, layout.serving_db]:
        texts[str(path.relative_to(layout.root))] = path.read_bytes().decode("utf-8", "ignore")
    leaks = {where: found[:3] for where, text in texts.items() if (found := _leaks(text, needles))}
    record(Outcome("security", "signups' phones and e-mails in marts, serving and boards",
                   "none found" if not leaks else f"LEAKED: {sorted(leaks)}",
                   notes=f"{len(secret_world.signups)} signups x 5 forms; {len(boards)} board "
                   "files, the serving file's bytes, every VARCHAR column"))  # fmt: skip
    assert len(boards) > 4 and leaks == {}
