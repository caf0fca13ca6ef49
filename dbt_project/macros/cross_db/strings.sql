{# Only the digits of a string (phone numbers typed any way). #}
{% macro digits_only(column) -%}
    {{ return(adapter.dispatch('digits_only', 'salesboard')(column)) }}
{%- endmacro %}

{% macro default__digits_only(column) -%}
    regexp_replace({{ column }}, '[^0-9]', '')
{%- endmacro %}

{% macro duckdb__digits_only(column) -%}
    regexp_replace({{ column }}, '[^0-9]', '', 'g')
{%- endmacro %}

{# Hex SHA-256 of a string. #}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'salesboard')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{# The first element of an array column (DuckDB lists are 1-based, Spark arrays 0-based). #}
{% macro first_element(column) -%}
    {{ return(adapter.dispatch('first_element', 'salesboard')(column)) }}
{%- endmacro %}

{% macro default__first_element(column) -%}
    element_at({{ column }}, 1)
{%- endmacro %}

{% macro duckdb__first_element(column) -%}
    {{ column }}[1]
{%- endmacro %}
