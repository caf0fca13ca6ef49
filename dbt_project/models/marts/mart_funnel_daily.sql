-- The funnel by signup cohort: for each Moscow signup day, manager and channel, how many
-- signups reached each stage (at any time so far), each stage's conversion from the one
-- before (of those who entered a stage, the share who also reached the next: stages are
-- not strictly nested, e.g. an unreached signup can still activate alone), the overall
-- conversion, and the median hours between consecutive stages.
{%- set stages = funnel_stages() %}
with

funnel as (
    select * from {{ ref('fct_signup_funnel') }}
),

cohorts as (
    select
        signup_day,
        manager_id,
        channel,
        {%- for stage, column in stages %}
            count({{ column }}) as {{ stage }}_count,
        {%- endfor %}
        {%- for stage, column in stages[1:] %}
            {%- set previous_column = stages[loop.index0][1] %}
            sum(case when {{ previous_column }} is not null and {{ column }} is not null then 1 else 0 end)
                as {{ stages[loop.index0][0] }}_then_{{ stage }}_count,
        {%- endfor %}
    {%- for stage, column in stages[1:] %}
        {%- set previous_column = stages[loop.index0][1] %}
        {{ median(seconds_between(previous_column, column) ~ ' / 3600.0') }}
            as median_hours_{{ stages[loop.index0][0] }}_to_{{ stage }}{{ "," if not loop.last }}
    {%- endfor %}
    from funnel
    group by signup_day, manager_id, channel
),

final as (
    select
        signup_day,
        manager_id,
        channel,
        {%- for stage, column in stages %}
            {{ stage }}_count,
        {%- endfor %}
        {%- for stage, column in stages[1:] %}
            cast(
                {%- set previous = stages[loop.index0][0] %}
                {{ safe_divide(previous ~ '_then_' ~ stage ~ '_count', previous ~ '_count') }}
                as double
            )
                as {{ stages[loop.index0][0] }}_to_{{ stage }}_rate,
        {%- endfor %}
        cast({{ safe_divide('paid_count', 'signed_up_count') }} as double) as overall_conversion_rate,
    {%- for stage, column in stages[1:] %}
        cast(median_hours_{{ stages[loop.index0][0] }}_to_{{ stage }} as double)
            as median_hours_{{ stages[loop.index0][0] }}_to_{{ stage }}{{ "," if not loop.last }}
    {%- endfor %}
    from cohorts
)

select * from final
