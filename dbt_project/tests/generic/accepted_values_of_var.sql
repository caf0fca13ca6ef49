{#
    The column holds only the values the dbt var `var_name` lists: company-specific value
    sets (the CRM's channel options) come from the company file (salesboard/company.py),
    never from the project's YAML.
#}
{% test accepted_values_of_var(model, column_name, var_name) %}
{#- Parsing renders the var as none (`required_var`); a run always has it. #}
{%- set accepted = required_var(var_name) or [] %}
select {{ column_name }} as failing_value
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in (
        {%- for value in accepted %}
            '{{ value }}'{{ "," if not loop.last }}
        {%- endfor %}
    )
{% endtest %}
