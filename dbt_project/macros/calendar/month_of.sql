{# The first day of the month of a date, as a date. #}
{% macro month_of(day) -%}
    cast({{ dbt.date_trunc('month', day) }} as date)
{%- endmacro %}
