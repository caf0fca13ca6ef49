{#
    A spine of dates, one per `datepart` from `start_sql` to `end_sql` inclusive (scalar SQL
    expressions), at most `max_count` of them; a subquery with the column `spine_date`.
#}
{% macro calendar_spine(datepart, start_sql, end_sql, max_count) -%}
    (
        select cast({{ dbt.dateadd(datepart, 'series.generated_number - 1', start_sql) }} as date)
            as spine_date
        from ({{ dbt.generate_series(max_count) }}) as series
        where
            cast({{ dbt.dateadd(datepart, 'series.generated_number - 1', start_sql) }} as date)
            <= {{ end_sql }}
    )
{%- endmacro %}
