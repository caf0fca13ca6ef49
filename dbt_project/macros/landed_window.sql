{#
    Reading only the landing files a run needs. A DuckDB source is a `read_parquet` of its
    stream's glob with union_by_name (the sources' yml), which reads the schema of every
    landed file before any filter applies: a query over a day costs a scan of the whole
    history's file footers. `landed_files(relation, first_day, end_day)` is the same
    `read_parquet` over the files of the partitions [first_day, end_day) only (ISO day
    strings, none = unbounded), found by listing the folder (DuckDB's glob() opens no file),
    plus the newest partition's files so the columns are those of the newest schema. Callers
    still filter on `_partition_day`: the files only narrow what is read, never the result
    (ingestion/landing.py writes `_partition_day` = the folder's day). Spark, parsing, and an
    unbounded range get the source itself.
#}
{% macro landed_files(relation, first_day=none, end_day=none) -%}
    {{ return(adapter.dispatch('landed_files', 'salesboard')(relation, first_day, end_day)) }}
{%- endmacro %}

{% macro default__landed_files(relation, first_day=none, end_day=none) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro duckdb__landed_files(relation, first_day=none, end_day=none) -%}
    {%- set found = modules.re.search("read_parquet[(]'([^']+)'(.*)[)]$", (relation | string).strip()) -%}
    {%- if not execute or found is none or (first_day is none and end_day is none) -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set listed -%}
        with listed as (
            select file, regexp_extract(file, '/day=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1) as day
            from glob('{{ found.group(1) }}')
        )
        select file from listed
        where
            day = ''
            or day = (select max(day) from listed)
            or {% if first_day is none %}true{% else %}day >= '{{ first_day }}'{% endif %}
            and {% if end_day is none %}true{% else %}day < '{{ end_day }}'{% endif %}
        order by file
    {%- endset -%}
    {%- set files = run_query(listed).columns[0].values() -%}
    {%- if files | length == 0 -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return("read_parquet(['" ~ files | join("', '") ~ "']" ~ found.group(2) ~ ")") }}
{%- endmacro %}

{#- The landed files of the run's window (in_day_window on `_partition_day`, the same
    lookback): every file in a run without vars. -#}
{% macro landed_window_files(relation, lookback_days=0) -%}
    {%- set min_day = window_day_var('min_day') -%}
    {%- set first_day = none -%}
    {%- if min_day is not none -%}
        {%- set first_day = (modules.datetime.date.fromisoformat(min_day)
            - modules.datetime.timedelta(days=lookback_days | int)).isoformat() -%}
    {%- endif -%}
    {{ return(landed_files(relation, first_day, window_day_var('max_day'))) }}
{%- endmacro %}

{#
    The first (`edge` = 'min') or newest ('max') landed partition of `relation`, found from
    the folder names and checked to hold rows: its ISO day, or none (Spark, parsing, no
    match, an empty edge partition), where callers read every landed row instead.
#}
{% macro landed_edge(relation, edge) -%}
    {%- set found = modules.re.search("read_parquet[(]'([^']+)'", relation | string) -%}
    {%- if not execute or target.type != 'duckdb' or found is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set edge_day = run_query(
        "select " ~ edge ~ "(regexp_extract(file, '/day=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1)) from glob('"
        ~ found.group(1) ~ "')"
    ).columns[0].values()[0] -%}
    {%- if edge_day is none or edge_day == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query(
        "select count(*) from " ~ landed_files(relation, edge_day, _next_day(edge_day))
        ~ " where _partition_day = " ~ day_literal(edge_day)
    ).columns[0].values()[0] -%}
    {{ return(edge_day if rows > 0 else none) }}
{%- endmacro %}

{% macro _next_day(day) -%}
    {{ return((modules.datetime.date.fromisoformat(day) + modules.datetime.timedelta(days=1)).isoformat()) }}
{%- endmacro %}

{#- The first or newest landed partition day of `relation` (landed_edge) as a SQL date:
    the same day as min/max(_partition_day) over every landed row, which it falls back to. -#}
{% macro landed_edge_day(relation, edge) -%}
    {%- set edge_day = landed_edge(relation, edge) -%}
    {%- if edge_day is none -%}
        (select {{ edge }}(all_landed._partition_day) from {{ relation }} as all_landed)
    {%- else -%}
        {{ day_literal(edge_day) }}
    {%- endif -%}
{%- endmacro %}

{#
    The first landed partition day of the source `source_name`.`table_name` as a SQL date,
    from its `day=` folder names: a partition that landed empty counts (the day was
    fetched and held no records), so a history that starts before a stream's first record
    is seen to start there. DuckDB lists the files (glob opens none); Spark lists them with
    its `binaryFile` source (the `day` partition column, no file content read).
#}
{% macro landed_first_day(source_name, table_name) -%}
    {{ return(adapter.dispatch('landed_first_day', 'salesboard')(source_name, table_name)) }}
{%- endmacro %}

{% macro duckdb__landed_first_day(source_name, table_name) -%}
    {%- set found = modules.re.search("read_parquet[(]'([^']+)'", source(source_name, table_name) | string) -%}
    {%- if found is none -%}
        {{ return(landed_edge_day(source(source_name, table_name), 'min')) }}
    {%- endif -%}
    (
        select cast(min(regexp_extract(file, '/day=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1)) as date)
        from glob('{{ found.group(1) }}')
    )
{%- endmacro %}

{% macro default__landed_first_day(source_name, table_name) -%}
    {%- do source(source_name, table_name) -%}  {#- the lineage: the model reads the source -#}
    {%- set folder = [env_var('SALESBOARD_DATA_DIR'), 'landing', source_name, table_name] | join('/') -%}
    (select cast(min(day) as date) from binaryFile.`{{ folder }}`)
{%- endmacro %}

{#- What an incremental staging model (incremental_latest_version) reads of its source: the
    rows of the run's window from their files only when built incrementally, else the
    source. -#}
{% macro landed_increment(relation) -%}
    {%- if merges_into_kept() -%}
        (select * from {{ landed_window_files(relation) }} where {{ in_day_window('_partition_day') }}) as landed_increment
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#
    dbt's `where` config of data tests, with placeholders for the run's window (dbt's
    documented way to make `where` dynamic: override get_where_subquery).
    `where: "__landed_in_window__"` on a source's test: only the landed partitions of the
    run's window, read from their files only (landed_window_files); every partition in a
    run without vars. A partition never changes but by being landed again, which a run
    covering that day tests; checking the whole history every day re-read all of it.
    `where: "__in_day_window__"`: the rows of a model whose `_partition_day` is in the
    window, for models a run writes by landing partition (an incremental staging model
    replaces a key's row, so a key never holds two rows across runs).
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- if '__landed_in_window__' in where -%}
            {%- set where = where | replace('__landed_in_window__', in_day_window('_partition_day')) -%}
            {%- set relation = landed_window_files(relation) -%}
        {%- endif -%}
        {%- if '__in_day_window__' in where -%}
            {%- set where = where | replace('__in_day_window__', in_day_window('_partition_day')) -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}

{#- The days a stream has a landed partition for, in [first_day, end_day) when given, as a
    query of one date column `landed_day`. From the landing's folders, not its rows: a day
    landed with no record (no sale that day) is still a landed day. -#}
{% macro landed_days(source_name, table_name, first_day=none, end_day=none) -%}
    {{ return(adapter.dispatch('landed_days', 'salesboard')(source_name, table_name, first_day, end_day)) }}
{%- endmacro %}

{% macro duckdb__landed_days(source_name, table_name, first_day=none, end_day=none) -%}
    {%- set found = modules.re.search("read_parquet[(]'([^']+)'", source(source_name, table_name) | string) -%}
    {%- if found is none -%}  {#- a unit test's rows stand in for the files -#}
        {{ return("select landed_day from (select distinct _partition_day as landed_day from "
            ~ source(source_name, table_name) ~ ") as listed where "
            ~ _landed_day_between(first_day, end_day)) }}
    {%- endif -%}
    select landed_day from (
        select distinct
            cast(regexp_extract(file, '/day=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1) as date) as landed_day
        from glob('{{ found.group(1) }}')
    ) as listed
    where {{ _landed_day_between(first_day, end_day) }}
{%- endmacro %}

{% macro default__landed_days(source_name, table_name, first_day=none, end_day=none) -%}
    {%- do source(source_name, table_name) -%}  {#- the lineage: the model reads the source -#}
    {%- set folder = [env_var('SALESBOARD_DATA_DIR'), 'landing', source_name, table_name] | join('/') -%}
    select landed_day from (
        select distinct cast(day as date) as landed_day from binaryFile.`{{ folder }}`
    ) as listed
    where {{ _landed_day_between(first_day, end_day) }}
{%- endmacro %}

{% macro _landed_day_between(first_day, end_day) -%}
    {%- if first_day is none %}true{% else %}landed_day >= {{ day_literal(first_day) }}{% endif %}
    and {% if end_day is none %}true{% else %}landed_day < {{ day_literal(end_day) }}{% endif %}
{%- endmacro %}
