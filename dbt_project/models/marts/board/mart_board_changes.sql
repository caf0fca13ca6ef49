-- "What changed" on the board: per as-of day, the week-on-week moves, each comparing like
-- with like (DECISIONS.md, "The board"):
-- - funnel rates compare two weekly signup cohorts at the same age: this week's signups
--   (as_of_day - 6 .. as_of_day) as they stand at the end of as_of_day against last week's
--   (as_of_day - 13 .. as_of_day - 7) as they stood at the end of as_of_day - 7, so each
--   signup is measured as old as its counterpart a week earlier and a cohort merely getting
--   older never reads as a move. Rates are of the cohort's signups, as on mart_board. Only
--   days whose two weeks are both in the history (mart_board has as_of_day - 13) and
--   complete (`is_history_complete` on both ends) compare.
--   The paid rate is not compared: a week's signups are younger than the time to pay
--   (3-21 days), so theirs is a handful of early payers and its moves are noise.
-- - the team's month-end forecasts compare the same month's forecast now and a week ago
--   (only when that day is in the same month).
-- Candidates, in candidate_order: each manager's reach rate (0); the team's reach,
-- consultation and activation rates (1-3); the team's statistical and funnel forecasts
-- (4, 5). A figure missing on either side, or zero a week earlier (no relative
-- change), is no candidate. Rates and rubles compare on one scale, the relative change
-- (now - week ago) / week ago, so the board picks the largest moves by its size.
{%- set stages = [
    ('reach_rate', 'reached', 'reached_at'),
    ('consultation_rate', 'consultations', 'consultation_at'),
    ('activation_rate', 'activated', 'activated_at'),
] %}
{%- set candidates = [
    {'metric': 'reach_rate', 'order': 0, 'team': false, 'money': false},
    {'metric': 'reach_rate', 'order': 1, 'team': true, 'money': false},
    {'metric': 'consultation_rate', 'order': 2, 'team': true, 'money': false},
    {'metric': 'activation_rate', 'order': 3, 'team': true, 'money': false},
    {'metric': 'stat_forecast_rub', 'order': 4, 'team': true, 'money': true},
    {'metric': 'funnel_forecast_rub', 'order': 5, 'team': true, 'money': true},
] %}
with

board as (
    select * from {{ ref('mart_board') }}
),

funnel as (
    select * from {{ ref('fct_signup_funnel') }}
),

comparable_days as (
    -- Both ends rest on complete history (mart_board.is_history_complete): a cohort with
    -- stages from before the funnel's history would compare unknowns as zeros.
    select distinct today.as_of_day
    from board as today
    inner join board as two_weeks_ago
        on two_weeks_ago.as_of_day = cast({{ dbt.dateadd('day', -13, 'today.as_of_day') }} as date)
    where
        today.is_team_total and two_weeks_ago.is_team_total
        and today.is_history_complete and two_weeks_ago.is_history_complete
),

cohort_signups as (
    -- The two weeks' signups of each manager on the board that day, each stage flagged if
    -- reached by the end of the day the signup is measured at: the as-of day for this
    -- week's signups, a week earlier for last week's.
    select
        comparable_days.as_of_day,
        funnel.manager_id,
        funnel.signup_day > cast({{ dbt.dateadd('day', -7, 'comparable_days.as_of_day') }} as date)
            as is_this_week,
    {%- for _, count, column in stages %}
        case
            when
                {{ business_day('funnel.' ~ column) }} <= case
                    when funnel.signup_day > cast({{ dbt.dateadd('day', -7, 'comparable_days.as_of_day') }} as date)
                        then comparable_days.as_of_day
                    else cast({{ dbt.dateadd('day', -7, 'comparable_days.as_of_day') }} as date)
                end
                then 1
            else 0
        end as is_{{ count }}{{ "," if not loop.last }}
    {%- endfor %}
    from comparable_days
    inner join board
        on
            comparable_days.as_of_day = board.as_of_day
            and not board.is_team_total
    inner join funnel
        on
            board.manager_id = funnel.manager_id
            and cast({{ dbt.dateadd('day', -14, 'comparable_days.as_of_day') }} as date) < funnel.signup_day
            and comparable_days.as_of_day >= funnel.signup_day
),

cohort_counts as (
    select
        as_of_day,
        is_this_week,
        manager_id,
        count(*) as signups,
    {%- for _, count, _ in stages %}
        sum(is_{{ count }}) as {{ count }}{{ "," if not loop.last }}
    {%- endfor %}
    from cohort_signups
    group by as_of_day, is_this_week, manager_id
),

cohorts as (
    {{ with_team_row(
        'cohort_counts',
        ['as_of_day', 'is_this_week'],
        ['signups'] + stages | map(attribute=1) | list,
    ) }}
),

week_pairs as (
    select
        today.as_of_day,
        today.manager_id,
        today.is_team_total,
        today.month_start = week_ago.month_start as is_same_month,
        week_ago.stat_forecast_rub as stat_forecast_rub_week_ago,
        today.stat_forecast_rub as stat_forecast_rub_now,
        week_ago.funnel_forecast_rub as funnel_forecast_rub_week_ago,
        today.funnel_forecast_rub as funnel_forecast_rub_now,
    {%- for metric, count, _ in stages %}
        {{ as_double(safe_divide('last_week.' ~ count, 'last_week.signups')) }} as {{ metric }}_week_ago,
        {{ as_double(safe_divide('this_week.' ~ count, 'this_week.signups')) }} as {{ metric }}_now
        {{- "," if not loop.last }}
    {%- endfor %}
    from board as today
    inner join comparable_days on today.as_of_day = comparable_days.as_of_day
    left join cohorts as this_week
        on
            today.as_of_day = this_week.as_of_day
            and today.manager_id = this_week.manager_id
            and this_week.is_this_week
    left join cohorts as last_week
        on
            today.as_of_day = last_week.as_of_day
            and today.manager_id = last_week.manager_id
            and not last_week.is_this_week
    left join board as week_ago
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
