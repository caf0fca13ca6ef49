{# Whole days from `start` to `finish` (dates). #}
{% macro days_between(start, finish) -%}
    {{ dbt.datediff(start, finish, 'day') }}
{%- endmacro %}
