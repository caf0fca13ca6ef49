{#
    The furthest funnel stage a signup had reached by `day` (a row of `relation` with the
    `*_day` columns of the stages): activated > consulted > reached > signed_up.
#}
{% macro funnel_stage_on(relation, day) -%}
    case
        when {{ relation }}.activated_day <= {{ day }} then 'activated'
        when {{ relation }}.consulted_day <= {{ day }} then 'consulted'
        when {{ relation }}.reached_day <= {{ day }} then 'reached'
        else 'signed_up'
    end
{%- endmacro %}
