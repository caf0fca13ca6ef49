{# The last day of the month of a date. #}
{% macro month_end_of(day) -%}
    cast({{ dbt.last_day(day, 'month') }} as date)
{%- endmacro %}
