-- Which manager is strongest at which funnel stage (a request from the article's
-- readers): per manager and signup month, each stage-to-stage conversion next to the
-- whole team's in the same month, and the manager's index against the team (1 = par).
-- Only signups whose every stage is landed (fct_signup_funnel.is_history_complete): an
-- older signup's unknown stages would read as "not reached".
{%- set stages = funnel_stages() %}
with

funnel as (
    select
        *,
        cast({{ dbt.date_trunc('month', 'signup_day') }} as date) as cohort_month
    from {{ ref('fct_signup_funnel') }}
    where is_history_complete
),

by_manager as (
    select
        cohort_month,
        manager_id,
        count(*) as signups_count,
    {%- for stage, column in stages[1:] %}
        {%- set previous_column = stages[loop.index0][1] %}
        count({{ previous_column }}) as {{ stages[loop.index0][0] }}_base_count,
        sum(case when {{ previous_column }} is not null and {{ column }} is not null then 1 else 0 end)
            as {{ stage }}_converted_count{{ "," if not loop.last }}
    {%- endfor %}
    from funnel
    group by cohort_month, manager_id
),

by_team as (
    select
        cohort_month,
    {%- for stage, column in stages[1:] %}
        sum({{ stages[loop.index0][0] }}_base_count) as {{ stages[loop.index0][0] }}_base_count,
        sum({{ stage }}_converted_count) as {{ stage }}_converted_count{{ "," if not loop.last }}
    {%- endfor %}
    from by_manager
    group by cohort_month
),

rates as (
    select
        by_manager.cohort_month,
        by_manager.manager_id,
        by_manager.signups_count,
    {%- for stage, column in stages[1:] %}
        {%- set previous = stages[loop.index0][0] %}
        cast(
            {{ safe_divide('by_manager.' ~ stage ~ '_converted_count', 'by_manager.' ~ previous ~ '_base_count') }}
            as double
        ) as {{ previous }}_to_{{ stage }}_rate,
        cast(
            {{ safe_divide('by_team.' ~ stage ~ '_converted_count', 'by_team.' ~ previous ~ '_base_count') }}
            as double
        ) as team_{{ previous }}_to_{{ stage }}_rate{{ "," if not loop.last }}
    {%- endfor %}
    from by_manager
    inner join by_team on by_manager.cohort_month = by_team.cohort_month
),

final as (
    select
        *,
    {%- for stage, column in stages[1:] %}
        {%- set previous = stages[loop.index0][0] %}
        {{ safe_divide(previous ~ '_to_' ~ stage ~ '_rate', 'team_' ~ previous ~ '_to_' ~ stage ~ '_rate') }}
            as {{ previous }}_to_{{ stage }}_index{{ "," if not loop.last }}
    {%- endfor %}
    from rates
)

select * from final
