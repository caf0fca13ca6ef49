{# Days of the month of a date through that date (the 1st is day 1), as a count. #}
{% macro month_days_elapsed(day) -%}
    {{ as_count(days_between(month_of(day), day) ~ ' + 1') }}
{%- endmacro %}

{# Days in the month of a date, as a count. #}
{% macro month_days(day) -%}
    {{ as_count(days_between(month_of(day), month_end_of(day)) ~ ' + 1') }}
{%- endmacro %}
