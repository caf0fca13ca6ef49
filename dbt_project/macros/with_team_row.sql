{#
    The rows of `relation` (one per manager, column `manager_id`) followed by the team's
    rows: `manager_id` 0, each column of `sum_columns` summed over the managers, one row per
    combination of `key_columns`. The one place a team row is built (DECISIONS.md, "The
    board"): ratios are computed after it from the summed parts, never summed themselves.
    Selects `key_columns`, `manager_id`, `sum_columns` in that order.
#}
{% macro with_team_row(relation, key_columns, sum_columns) -%}
    select
        {%- for column in key_columns %}
            {{ column }},
        {%- endfor %}
        manager_id,
        {%- for column in sum_columns %}
            {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    union all
    select
        {%- for column in key_columns %}
            {{ column }},
        {%- endfor %}
        0 as manager_id,
        {%- for column in sum_columns %}
            sum({{ column }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    group by {{ key_columns | join(', ') }}
{%- endmacro %}
