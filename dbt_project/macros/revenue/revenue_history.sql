{#
    The body of the one-row `history` CTE of the revenue models: `history_start_day` (the
    first day of the records), `revenue_from_day` (where the landed payments and refunds
    begin) and `revenue_complete_from_day` (from when every revenue figure is complete),
    from `int_landed_history`. A relation named by var `revenue_periods_relation` (e.g. the
    mrr-playbook fixture) is a whole history: complete from its first paid day. The ref is
    always rendered at parse time, so lineage stays intact.
    Use as `history as ({{ revenue_history() }})`.
#}
{% macro revenue_history() -%}
    {%- set relation = var('revenue_periods_relation', none) -%}
    {%- if relation is none or not execute -%}
        select
            history_start_day,
            revenue_from_day,
            revenue_complete_from_day
        from {{ ref('int_landed_history') }}
    {%- else -%}
        select
            min(paid_day) as history_start_day,
            min(paid_day) as revenue_from_day,
            min(paid_day) as revenue_complete_from_day
        from {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#
    Whether a revenue figure measured on `day` is complete: on or after the history's
    `revenue_complete_from_day`, or before the records begin (nothing existed then, so
    "none" is known). `history` is the name of a `revenue_history()` CTE in scope.
#}
{% macro revenue_complete_on(day, history='history') -%}
    ({{ day }} >= {{ history }}.revenue_complete_from_day or {{ day }} < {{ history }}.history_start_day)
{%- endmacro %}
