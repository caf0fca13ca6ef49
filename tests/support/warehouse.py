"""Building a test warehouse from the demo vendor APIs, and a privacy check on it: the
production clients pointed at an environment's base URLs, `dbt` in a subprocess that must
succeed warning-free, and a scan of every string column for the world's phones and e-mails."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.demo.world import World
from ingestion.telphin import TelphinClient
from ingestion.yookassa import YooKassaClient
from tests.support.dbt import dbt_run


def vendor_clients(env: Mapping[str, str]) -> dict:
    """source -> the production client for the base URL and credentials in `env`."""
    return {
        "telphin": TelphinClient(
            env["TELPHIN_BASE_URL"], env["TELPHIN_CLIENT_ID"], env["TELPHIN_CLIENT_SECRET"]
        ),
        "amocrm": AmoCrmClient(env["AMOCRM_BASE_URL"], env["AMOCRM_TOKEN"]),
        "yookassa": YooKassaClient(
            env["YOOKASSA_BASE_URL"], env["YOOKASSA_SHOP_ID"], env["YOOKASSA_SECRET_KEY"]
        ),
        "amplitude": AmplitudeClient(
            env["AMPLITUDE_BASE_URL"], env["AMPLITUDE_API_KEY"], env["AMPLITUDE_SECRET_KEY"]
        ),
    }


def dbt_ok(workdir: Path, *args: str, variables: dict | None = None) -> None:
    """dbt in a subprocess (dbt-duckdb keeps its connection open in-process, which would
    stop a test opening the warehouse read-only afterwards); it must succeed warning-free."""
    result = dbt_run(workdir, *args, variables=variables)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " WARN=0 " in result.stdout, "dbt build must be warning-free on the demo"


def assert_no_raw_phone_or_email(warehouse: Path, world: World) -> None:
    """No string column anywhere in the warehouse holds a signup's phone or e-mail."""
    secrets = {s.phone_raw for s in world.signups}
    secrets |= {s.phone_e164 for s in world.signups}
    secrets |= {s.email for s in world.signups}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("create temp table secrets (value varchar)")
        con.executemany("insert into secrets values (?)", [(v,) for v in secrets])
        columns = con.sql(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where data_type = 'VARCHAR' and table_catalog = 'salesboard'"
        ).fetchall()
        leaks = [
            (schema, table, column)
            for schema, table, column in columns
            if con.sql(
                f'select count(*) from "{schema}"."{table}"'
                f' where "{column}" in (select value from secrets)'
            ).fetchall()[0][0]
        ]
    assert leaks == []
