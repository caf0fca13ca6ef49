{#
    The landing zone as dbt sources. DuckDB reads each source's Parquet files through its
    `external_location` (the sources' yml). Spark has no such config, so every run starts
    by pointing one view per source at the same files: `landing/<source>/<identifier>/
    day=*/part-*.parquet`, the layout of ingestion/paths.py. The glob names the files, so
    Spark adds no `day` partition column (DuckDB: hive_partitioning = false), and
    `spark.sql.parquet.mergeSchema` (profiles.yml) unions drifted schemas by name like
    DuckDB's union_by_name. Views are recreated each run, so a new column is seen at once.
#}
{% macro register_landing_sources() -%}
    {{ return(adapter.dispatch('register_landing_sources', 'salesboard')()) }}
{%- endmacro %}

{% macro default__register_landing_sources() -%}
{%- endmacro %}

{% macro spark__register_landing_sources() -%}
    {%- if execute -%}
        {%- set landing = env_var('SALESBOARD_DATA_DIR') ~ '/landing' -%}
        {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- set files = [landing, source.source_name, source.identifier, 'day=*', 'part-*.parquet'] | join('/') -%}
            {%- do run_query('create schema if not exists ' ~ source.schema) -%}
            {%- do run_query(
                'create or replace view ' ~ source.schema ~ '.' ~ source.identifier
                ~ ' as select * from parquet.`' ~ files ~ '`'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
