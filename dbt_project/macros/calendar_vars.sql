{#- The calendar's vars (business_tz, lookback_days) have no default here: salesboard passes
    them on every invocation from salesboard/calendar.py (`dbt_vars`), the one place they
    are written. A run without them (a bare `dbt build`) stops with this error instead of
    quietly using another zone or lookback than the landing did. Parsing (execute false)
    renders them as none. -#}
{% macro required_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is none and execute -%}
        {{ exceptions.raise_compiler_error(
            "dbt var '" ~ name ~ "' is not set: salesboard passes it from salesboard/calendar.py;"
            ~ " run dbt as `salesboard dbt <args>`") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
