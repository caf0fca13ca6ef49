{# `expression` bounded to [low, high]. #}
{% macro clamp(expression, low, high) -%}
    case
        when {{ expression }} < {{ low }} then {{ low }}
        when {{ expression }} > {{ high }} then {{ high }}
        else {{ expression }}
    end
{%- endmacro %}
