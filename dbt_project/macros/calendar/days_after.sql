{# The date `days` days after `day` (negative = before). #}
{% macro days_after(day, days) -%}
    cast({{ dbt.dateadd('day', days, day) }} as date)
{%- endmacro %}
