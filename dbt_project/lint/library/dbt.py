"""Stand-ins for dbt's cross-database macros (`dbt.*`) when sqlfluff's jinja templater
renders the models; they return the DuckDB SQL the real macros produce."""


def type_bigint() -> str:
    return "bigint"


def type_int() -> str:
    return "integer"


def date_trunc(datepart: str, expression: str) -> str:
    return f"date_trunc('{datepart}', {expression})"
