{#
    The day window of a run. `min_day` / `max_day` vars ('YYYY-MM-DD') bound a half-open
    window [min_day, max_day) (never `between`: a day must belong to exactly one run);
    either unset = unbounded on that side, so a run without vars rebuilds the whole history.
    `lookback_days` widens the window backwards for facts that change after their day.
#}
{% macro in_day_window(day_column, lookback_days=0) -%}
    {%- set min_day = var('min_day', none) -%}
    {%- set max_day = var('max_day', none) -%}
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

{# The window's first day (after the lookback) as SQL, or null when unbounded. #}
{% macro window_start_day(lookback_days=0) -%}
    {%- set min_day = var('min_day', none) -%}
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
