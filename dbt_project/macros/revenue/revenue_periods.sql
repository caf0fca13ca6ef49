{#
    The subscription periods the revenue marts read: `int_subscription_periods`, or any
    relation of the same shape named by the var `revenue_periods_relation` (e.g. the
    dbt-labs mrr-playbook fixture), so the movement and churn logic is proven on data it was
    not written for. The ref is always rendered at parse time, so lineage stays intact.
#}
{% macro revenue_periods() -%}
    {%- set relation = var('revenue_periods_relation', none) -%}
    {%- if relation is none or not execute -%}
        {{ ref('int_subscription_periods') }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
