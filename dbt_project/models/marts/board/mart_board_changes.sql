-- "What changed" on the board: per as-of day, every figure that can be compared with the
-- same day a week earlier, and by how much it moved. Candidates, in candidate_order: each
-- manager's reach rate (0); the team's reach, consultation, activation and paid rates (1-4);
-- the team's statistical and funnel month-end forecasts (5, 6), only when the day a week
-- earlier is in the same month (before, they forecast another month). A figure missing on
-- either day, or zero a week earlier (no relative change), is no candidate. Rates and
-- rubles compare on one scale, the relative change (now - week ago) / week ago, so the
-- board picks the largest moves by its size; which moves it shows is the board's choice.
{%- set candidates = [
    {'metric': 'reach_rate', 'order': 0, 'team': false, 'money': false},
    {'metric': 'reach_rate', 'order': 1, 'team': true, 'money': false},
    {'metric': 'consultation_rate', 'order': 2, 'team': true, 'money': false},
    {'metric': 'activation_rate', 'order': 3, 'team': true, 'money': false},
    {'metric': 'paid_rate', 'order': 4, 'team': true, 'money': false},
    {'metric': 'stat_forecast_rub', 'order': 5, 'team': true, 'money': true},
    {'metric': 'funnel_forecast_rub', 'order': 6, 'team': true, 'money': true},
] %}
with

board as (
    select * from {{ ref('mart_board') }}
),

week_pairs as (
    select
        today.as_of_day,
        today.manager_id,
        today.is_team_total,
        today.month_start = week_ago.month_start as is_same_month,
    {%- for metric in candidates | map(attribute='metric') | unique %}
        week_ago.{{ metric }} as {{ metric }}_week_ago,
        today.{{ metric }} as {{ metric }}_now{{ "," if not loop.last }}
    {%- endfor %}
    from board as today
    inner join board as week_ago
        on
            today.manager_id = week_ago.manager_id
            and week_ago.as_of_day = cast({{ dbt.dateadd('day', -7, 'today.as_of_day') }} as date)
),

candidates as (
    {%- for candidate in candidates %}
        {%- set before = candidate.metric ~ '_week_ago' %}
        {%- set after = candidate.metric ~ '_now' %}
        select
            as_of_day,
            '{{ candidate.metric }}' as metric,
            manager_id,
            {{ candidate.order }} as candidate_order,
            {{ as_double(before) }} as value_week_ago,
            {{ as_double(after) }} as value_now,
            {%- if candidate.money %}
                -- in kopecks: whole numbers, exact as doubles, so the quotient is the exact
                -- ratio rounded once, on either engine
                {{ safe_divide(as_count('(' ~ after ~ ' - ' ~ before ~ ') * 100'), as_count(before ~ ' * 100')) }}
            {%- else %}
                {{ safe_divide(after ~ ' - ' ~ before, before) }}
            {%- endif %} as relative_change
        from week_pairs
        where
            {{ 'is_team_total' if candidate.team else 'not is_team_total' }}
            {%- if candidate.money %}
                and is_same_month
            {%- endif %}
            and {{ before }} is not null
            and {{ after }} is not null
            and {{ before }} != 0
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select
    as_of_day,
    metric,
    {{ as_count('manager_id') }} as manager_id,
    {{ as_count('candidate_order') }} as candidate_order,
    value_week_ago,
    value_now,
    {{ as_double('relative_change') }} as relative_change
from candidates
