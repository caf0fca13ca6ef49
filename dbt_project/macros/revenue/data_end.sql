{#
    The body of the one-row `data_end` CTE of the revenue models: the day their data ends,
    as `as_of_day`. That is the var `as_of_day` ('YYYY-MM-DD') when set, for re-running a
    model as of a past day; else the last `paid_day` of `relation`.
    Use as `data_end as ({{ data_end('periods') }})`.
#}
{% macro data_end(relation) -%}
    {%- set day = var('as_of_day', none) -%}
    select max({{ relation ~ '.paid_day' if day is none else day_literal(day) }}) as as_of_day
    from {{ relation }}
{%- endmacro %}
