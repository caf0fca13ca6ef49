{#
    The warehouse's types for the marts' contracts: money is exact decimal(18, 2) like the
    landing (sums widen it, so casts bring it back), counts are bigint, measured durations
    and ratios are double.
#}
{% macro as_money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{% macro as_count(expression) -%}
    cast({{ expression }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro as_double(expression) -%}
    cast({{ expression }} as double)
{%- endmacro %}
