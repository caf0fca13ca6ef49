{#
    The landing zone as dbt sources. DuckDB reads each source's Parquet files through its
    `external_location` (the sources' yml). Spark has no such config, so every run starts
    by pointing one view per source at the same files: the folder `landing/<source>/
    <identifier>/` of salesboard/layout.py, whose `day=*/part-*.parquet` files Spark finds
    itself (hidden `.incoming-*` folders of a landing in progress are skipped). Spark reads
    `day=` as a partition column, which DuckDB does not (hive_partitioning = false), so the
    view selects every column but `day`. `spark.sql.parquet.mergeSchema` (profiles.yml)
    unions drifted schemas by name like DuckDB's union_by_name; views are recreated each
    run, so a new column is seen at once. (A glob path would avoid the `day` column, but
    Spark then logs a warning with a stack trace every time a query reads the view.)
#}
{% macro register_landing_sources() -%}
    {{ return(adapter.dispatch('register_landing_sources', 'salesboard')()) }}
{%- endmacro %}

{% macro default__register_landing_sources() -%}
{%- endmacro %}

{% macro spark__register_landing_sources() -%}
    {%- if execute -%}
        {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- set folder = [env_var('SALESBOARD_DATA_DIR'), 'landing', source.source_name, source.identifier] | join('/') -%}
            {%- set files = 'parquet.`' ~ folder ~ '`' -%}
            {%- set described = run_query('describe query select * from ' ~ files) -%}
            {%- set columns = described.columns[0].values() | reject('equalto', 'day') | list -%}
            {%- do run_query('create schema if not exists ' ~ source.schema) -%}
            {%- do run_query(
                'create or replace view ' ~ source.schema ~ '.' ~ source.identifier
                ~ ' as select `' ~ columns | join('`, `') ~ '` from ' ~ files
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
