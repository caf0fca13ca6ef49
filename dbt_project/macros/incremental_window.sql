{#
    The day window of a run. `min_day` / `max_day` vars ('YYYY-MM-DD') bound a half-open
    window [min_day, max_day) (never `between`: a day must belong to exactly one run);
    either unset = unbounded on that side, so a run without vars rebuilds the whole history.
    `lookback_days` widens the window backwards for facts that change after their day.
#}
{% macro in_day_window(day_column, lookback_days=0) -%}
    {%- set min_day = window_day_var('min_day') -%}
    {%- set max_day = window_day_var('max_day') -%}
    {%- if min_day is none and max_day is none -%}
        true
    {%- else -%}
        {%- if min_day is not none -%}
            {{ day_column }} >= {{ dbt.dateadd('day', -1 * (lookback_days | int), day_literal(min_day)) }}
        {%- else -%}
            true
        {%- endif %}
        and {% if max_day is not none -%}
            {{ day_column }} < {{ day_literal(max_day) }}
        {%- else -%}
            true
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#
    A window var as a validated 'YYYY-MM-DD' day, or none when unset. The value is pasted
    into SQL as a date literal, so anything else (a typo, or `2024-07-01' or 1=1 --`) is
    refused loudly at compile time instead of reaching the warehouse.
#}
{% macro window_day_var(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is not none and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value | string) -%}
        {{ exceptions.raise_compiler_error(name ~ ' must be a YYYY-MM-DD day, got ' ~ (value | string)[:40]) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{# The window's first day (after the lookback) as SQL, or null when unbounded. #}
{% macro window_start_day(lookback_days=0) -%}
    {%- set min_day = window_day_var('min_day') -%}
    {%- if min_day is none -%}
        cast(null as date)
    {%- else -%}
        {{ dbt.dateadd('day', -1 * (lookback_days | int), day_literal(min_day)) }}
    {%- endif -%}
{%- endmacro %}

{#
    The window of a row ranking "latest version first" among landed copies of one record:
    the source's own change time, then the later partition, then the later ingestion
    (DECISIONS.md, "Duplicates and versions").
#}
{% macro latest_version_rank(key_columns) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by
            _source_updated_at desc nulls last,
            _partition_day desc,
            _ingested_at desc
    )
{%- endmacro %}

{#- Every record of `relation` in its latest landed version (see latest_version_rank): the
    one deduplication step every staging model of a landed stream starts with. -#}
{% macro latest_version_of(relation, key_columns) -%}
    select * from (
        select
            *,
            {{ latest_version_rank(key_columns) }} as version_rank
        from {{ relation }}
    ) as ranked
    where version_rank = 1
{%- endmacro %}

{#- Every record of a snapshot stream's latest snapshot (its newest landed partition), one
    version per key: a record missing from that snapshot has been removed at the source. -#}
{% macro latest_snapshot_of(relation, key_columns) -%}
    {#- DuckDB reads the newest partition's files only (landed_edge). -#}
    {%- set newest = landed_edge(relation, 'max') -%}
    select * from (
        select
            snapshot_rows.*,
            {{ latest_version_rank(key_columns) }} as version_rank
        {% if newest is none -%}
        from {{ relation }} as snapshot_rows
        where snapshot_rows._partition_day = (
            select max(all_snapshots._partition_day) from {{ relation }} as all_snapshots
        )
        {%- else -%}
        from {{ landed_files(relation, newest, _next_day(newest)) }} as snapshot_rows
        where snapshot_rows._partition_day = {{ day_literal(newest) }}
        {%- endif %}
    ) as ranked
    where version_rank = 1
{%- endmacro %}

{#
    The config of an incremental model whose run replaces whole days of `day_column` (its
    select returns every row of each day it touches). DuckDB deletes the rows with the
    new rows' `unique_key` and inserts; Spark's Parquet tables cannot delete rows, so they
    are partitioned by the day and the days the run selected are overwritten
    (`insert_overwrite`, dynamic partitions). Same rows either way, and a rerun is a no-op.
#}
{% macro incremental_by_day(unique_key, day_column) -%}
    {%- if target.type == 'spark' -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'insert_overwrite',
            'partition_by': [day_column],
        }) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': unique_key,
        }) }}
    {%- endif -%}
{%- endmacro %}

{#
    The config of a staging model keeping the latest version per key of a stream whose
    new versions land in new partitions (latest_versions_since_kept). DuckDB: incremental,
    a run reads only its window's partitions and replaces (delete+insert on `unique_key`)
    the records whose window version ranks before the one kept. Spark's Parquet tables
    cannot replace rows by key: a table, rebuilt from every partition each run. Same rows.
#}
{% macro incremental_latest_version(unique_key) -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': unique_key,
            'on_schema_change': 'append_new_columns',
        }) }}
    {%- endif -%}
{%- endmacro %}

{#
    Whether an incremental staging run can merge into the table it keeps: the table exists
    (is_incremental) and has the lineage columns the merge compares. A table built before
    they existed (a warehouse from an older salesboard) is rebuilt from every partition
    once, its new columns appended (on_schema_change), instead of failing the run.
#}
{% macro merges_into_kept() -%}
    {%- if not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set kept = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {{ return('_source_updated_at' in kept and '_partition_day' in kept and '_ingested_at' in kept) }}
{%- endmacro %}

{#
    The rows of `cte` (the latest version per `unique_key` among the partitions read,
    lineage columns _source_updated_at, _partition_day, _ingested_at included) that an
    incremental run writes: those whose key is not kept yet, or whose version ranks before
    the kept one (latest_version_rank's order). A kept version from a partition inside the
    window was read again, so the window's version replaces it. The result is the one a
    full rebuild keeps for every key landed in the window; a full build: every row.
#}
{% macro latest_versions_since_kept(cte, unique_key) -%}
    {%- if merges_into_kept() -%}
    select {{ cte }}.*
    from {{ cte }}
    left join {{ this }} as kept
        on
            {{ cte }}.{{ unique_key }} = kept.{{ unique_key }}
            and not ({{ in_day_window('kept._partition_day') }})
    where
        kept.{{ unique_key }} is null
        or coalesce(
            -- _source_updated_at desc nulls last; null = equal, the next order decides
            case
                when {{ cte }}._source_updated_at is null and kept._source_updated_at is null
                    then null
                when kept._source_updated_at is null then true
                when {{ cte }}._source_updated_at is null then false
                when {{ cte }}._source_updated_at <> kept._source_updated_at
                    then {{ cte }}._source_updated_at > kept._source_updated_at
            end,
            {{ cte }}._partition_day > kept._partition_day
            or {{ cte }}._partition_day = kept._partition_day
            and {{ cte }}._ingested_at >= kept._ingested_at
        )
    {%- else -%}
    select * from {{ cte }}
    {%- endif -%}
{%- endmacro %}
