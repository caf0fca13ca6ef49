{# Score → band; the cut-offs are the documented ones (DECISIONS.md). #}
{% macro churn_risk_band(score) -%}
    case
        when {{ score }} >= {{ var('churn_risk_high_from') }} then 'high'
        when {{ score }} >= {{ var('churn_risk_medium_from') }} then 'medium'
        else 'low'
    end
{%- endmacro %}
