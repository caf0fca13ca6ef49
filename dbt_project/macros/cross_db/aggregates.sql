{# The median of a numeric expression (DuckDB: exact; Spark: percentile). #}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'salesboard')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{# A ratio that is null rather than an error when the denominator is 0 or null. #}
{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
