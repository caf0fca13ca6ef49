"""dbt-duckdb plugins of the salesboard dbt project (loaded by `profiles.yml`)."""
