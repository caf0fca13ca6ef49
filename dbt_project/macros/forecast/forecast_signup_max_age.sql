{#
    The oldest unpaid signup (days since signup) the funnel forecast counts as open, and so
    the oldest age its odds are learned for. Every day of age 0..this is its own checkpoint:
    an open signup's odds must be those of signups exactly as old (a coarser checkpoint
    would count payments the signup has visibly not made).
#}
{% macro forecast_signup_max_age() -%}
    {{ return(45) }}
{%- endmacro %}
