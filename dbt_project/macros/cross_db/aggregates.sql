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

{#
    A ratio that is null rather than an error when the denominator is 0 or null, as a
    double: DuckDB divides decimals in double precision, Spark would keep a decimal rounded
    to 6 places (plan attainment 0.006667), so Spark divides as a double too.
#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'salesboard')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
{%- endmacro %}

{% macro duckdb__safe_divide(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
