"""dbt-duckdb plugin: hands the phone-hash salt to DuckDB as a session variable.

A salt written into SQL would sit in plain text in compiled files, dbt's logs and the
definitions of views in the warehouse. Here it goes from the environment straight to each
connection as a bound parameter; models read it with `getvariable('phone_salt')`.
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

SALT_VARIABLE = "SALESBOARD_PHONE_SALT"


class Plugin(BasePlugin):
    """Session variables belong to one DuckDB connection, and dbt-duckdb runs each model on
    a cursor of its own (a connection of its own), so every cursor gets the variable."""

    def configure_connection(self, conn) -> None:
        _set_salt(conn)

    def configure_cursor(self, cursor):
        _set_salt(cursor)
        return cursor


def _set_salt(conn) -> None:
    salt = os.environ.get(SALT_VARIABLE, "")
    if not salt:
        raise RuntimeError(f"{SALT_VARIABLE} must be set: phones and e-mails are hashed with it")
    conn.execute("SET VARIABLE phone_salt = ?", [salt])
