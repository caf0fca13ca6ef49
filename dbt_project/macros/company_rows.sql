{#-
    A reference table of the company file (salesboard/company.py `reference_rows`), which
    every invocation passes in the var `company_reference`: `{table: [row, ...]}`. Each row
    becomes one `select` of typed literals (both engines read the same SQL); a table with
    no rows is an empty relation of the same columns. `columns`: [(name, sql type), ...].
    The schema refuses quotes and backslashes in every text value, so a literal is
    the value between single quotes.
-#}
{% macro company_rows(table, columns) -%}
    {%- set rows = (required_var('company_reference') or {}).get(table, []) -%}
    {%- if rows | length == 0 %}
        select
        {%- for name, type in columns %}
            cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
        where 1 = 0
    {%- endif %}
    {%- for row in rows %}
        select
        {%- for name, type in columns %}
            cast({{ _company_literal(row[name]) }} as {{ type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
        {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro _company_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is number -%}{{ value }}
    {%- else -%}'{{ value }}'
    {%- endif -%}
{%- endmacro %}
