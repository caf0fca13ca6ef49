{#
    The exclusive end of a paid period of `months` months from `start`: the calendar months
    added (a 31st clamps to the month's last day, as the billing does), cut at the day of a
    full refund (never before the start).
#}
{% macro paid_period_end(start, months, cancelled_day) -%}
    case
        when {{ cancelled_day }} is null
            then cast({{ dbt.dateadd('month', months, start) }} as date)
        when {{ cancelled_day }} < {{ start }} then {{ start }}
        when {{ cancelled_day }} < cast({{ dbt.dateadd('month', months, start) }} as date)
            then {{ cancelled_day }}
        else cast({{ dbt.dateadd('month', months, start) }} as date)
    end
{%- endmacro %}
