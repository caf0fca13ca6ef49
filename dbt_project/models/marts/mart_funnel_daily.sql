-- The funnel by signup cohort: for each Moscow signup day, manager and channel, how many
-- signups reached each stage (at any time so far), each stage's conversion from the one
-- before (of those who entered a stage, the share who also reached the next: stages are
-- not strictly nested, e.g. an unreached signup can still activate alone), the overall
-- conversion, and the median hours between consecutive stages. Unknown is null, never 0:
-- a stage's count is null on a signup day before its stream's landed history begins, and
-- every count on a day before the leads' history begins (only leads changed inside the
-- history landed for it); rates and medians over a null count are null.
{%- set stages = funnel_stages() %}
{#- The stream each stage is dated by (int_landed_history's <stream>_from_day). #}
{%- set stage_streams = {
    'signed_up': 'leads',
    'first_called': 'calls',
    'reached': 'calls',
    'consulted': 'status_changes',
    'activated': 'events',
    'paid': 'payments',
} %}
with

funnel as (
    select * from {{ ref('fct_signup_funnel') }}
),

history as (
    select * from {{ ref('int_landed_history') }}
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

stage_history as (
    -- Whether each stage's history is held for the day (its stream's and the leads').
    select
        cohorts.*,
        cohorts.signup_day >= history.funnel_from_day
        and cohorts.signup_day >= history.payments_from_day as is_history_complete,
    {%- for stage, column in stages %}
        cohorts.signup_day >= greatest(history.leads_from_day, history.{{ stage_streams[stage] }}_from_day)
            as is_{{ stage }}_known{{ "," if not loop.last }}
    {%- endfor %}
    from cohorts
    cross join history
),

known as (
    -- Each count where its stages' history is held, else null (unknown).
    select
        signup_day,
        manager_id,
        channel,
        is_history_complete,
        {%- for stage, column in stages %}
            case when is_{{ stage }}_known then {{ stage }}_count end as {{ stage }}_count,
        {%- endfor %}
    {%- for stage, column in stages[1:] %}
        {%- set previous = stages[loop.index0][0] %}
        case
            when is_{{ previous }}_known and is_{{ stage }}_known then {{ previous }}_then_{{ stage }}_count
        end as {{ previous }}_then_{{ stage }}_count,
        case
            when is_{{ previous }}_known and is_{{ stage }}_known then median_hours_{{ previous }}_to_{{ stage }}
        end as median_hours_{{ previous }}_to_{{ stage }}{{ "," if not loop.last }}
    {%- endfor %}
    from stage_history
),

final as (
    select
        signup_day,
        manager_id,
        channel,
        is_history_complete,
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
    from known
)

select * from final
