{#
    The funnel's stages in order, as (name, timestamp column of fct_signup_funnel). One
    list drives every funnel mart, so a stage is added or renamed in one place.
#}
{% macro funnel_stages() -%}
    {{ return([
        ('signed_up', 'signed_up_at'),
        ('first_called', 'first_call_at'),
        ('reached', 'reached_at'),
        ('consulted', 'consultation_at'),
        ('activated', 'activated_at'),
        ('paid', 'paid_at'),
    ]) }}
{%- endmacro %}
