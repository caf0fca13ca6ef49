"""Stand-ins for dbt's cross-database macros (`dbt.*`) when sqlfluff's jinja templater
renders the models; they return the DuckDB SQL the real macros produce."""


def type_bigint() -> str:
    return "bigint"


def type_int() -> str:
    return "integer"


def date_trunc(datepart: str, expression: str) -> str:
    return f"date_trunc('{datepart}', {expression})"


def type_string() -> str:
    return "varchar"


def dateadd(datepart: str, interval, from_date_or_timestamp: str) -> str:
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def last_day(date: str, datepart: str) -> str:
    return f"last_day({date})"


def generate_series(upper_bound) -> str:
    return "select range + 1 as generated_number from range(10)"
