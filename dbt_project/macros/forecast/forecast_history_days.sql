{#
    How many days of sales up to an as-of day the forecasts read as they were known that
    day (`int_forecast_sales_known`): the statistical forecast's longest look-back (13
    weeks of weekday factors); the month to date and the 8-week level lie within it.
#}
{% macro forecast_history_days() -%}
    {{ return(91) }}
{%- endmacro %}
