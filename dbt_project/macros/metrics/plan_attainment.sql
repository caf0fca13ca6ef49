{#
    Plan attainment = month-to-date net revenue ÷ the month's plan, as a double; null
    without a plan (DECISIONS.md, "Revenue, refunds, average check").
#}
{% macro plan_attainment(month_to_date_net_revenue, month_plan) -%}
    {{ as_double(safe_divide(month_to_date_net_revenue, month_plan)) }}
{%- endmacro %}
