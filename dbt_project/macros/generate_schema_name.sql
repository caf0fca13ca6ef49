{#
    Layers land in schemas named after the layer (`staging`, `marts`, `reference`), not
    dbt's default `<target schema>_<layer>`: analysts and BI tools query `marts.fct_calls`
    whatever the target, and there is one warehouse per data dir, so no clash to avoid.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
