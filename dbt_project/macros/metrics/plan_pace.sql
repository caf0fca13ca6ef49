{#
    Plan pace = where a manager should be by the end of a day at an even pace through the
    month: the month's plan × days elapsed ÷ days in the month (calendar days), as money;
    null without a plan (DECISIONS.md, "The board").
#}
{% macro plan_pace(month_plan, days_elapsed, days_in_month) -%}
    {{ as_money(month_plan ~ ' * ' ~ days_elapsed ~ ' / ' ~ days_in_month) }}
{%- endmacro %}
