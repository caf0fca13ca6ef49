-- The morning board's numbers, one row per as-of day and manager plus a team row
-- (manager_id 0). One place where the board's figures are defined, the managers' rank
-- included (week-on-week moves: mart_board_changes); the renderer only formats these rows.
-- Month to date = from the first of the as-of day's month through the as-of
-- day: revenue and plan as mart_sales_daily has them on that day; funnel figures follow
-- this month's signups and count a stage only if it was reached by the end of the as-of
-- day (a past board stays as it was). Every funnel rate is of the month's signups (one
-- base for the funnel panel). Pace = the plan at an even pace through the month. A month
-- that began before the landed history of its sales or its funnel is flagged
-- (`is_history_complete` false): the board shows none of its figures as a fact.
with

sales as (
    select * from {{ ref('mart_sales_daily') }}
),

funnel as (
    select * from {{ ref('fct_signup_funnel') }}
),

forecasts as (
    select * from {{ ref('mart_forecast_daily') }}
),

managers as (
    select * from {{ ref('dim_managers') }}
    where is_sales_manager
),

history as (
    select * from {{ ref('int_landed_history') }}
),

as_of_days as (
    select distinct
        sale_day as as_of_day,
        sale_month as month_start
    from sales
),

sales_to_date as (
    select
        as_of_days.as_of_day,
        as_of_days.month_start,
        sales.manager_id,
        sum(sales.sales_count) as mtd_sales_count,
        sum(sales.new_sales_count) as new_sales_count,
        sum(sales.new_net_revenue) as new_net_sales,
        sum(sales.renewal_sales_count) as renewal_sales_count,
        sum(sales.renewal_net_revenue) as renewal_net_sales,
        sum(sales.special_tariff_sales_count) as special_sales_count,
        sum(sales.special_tariff_net_revenue) as special_net_sales,
        -- Month-to-date revenue and the plan as mart_sales_daily has them on the as-of day.
        max(case when sales.sale_day = as_of_days.as_of_day then sales.month_to_date_net_revenue end)
            as mtd_net_sales,
        max(case when sales.sale_day = as_of_days.as_of_day then sales.month_plan_net_revenue end)
            as plan_rub
    from as_of_days
    inner join sales
        on
            as_of_days.month_start = sales.sale_month
            and as_of_days.as_of_day >= sales.sale_day
    group by as_of_days.as_of_day, as_of_days.month_start, sales.manager_id
),

funnel_to_date as (
    select
        as_of_days.as_of_day,
        funnel.manager_id,
        count(*) as signups_mtd,
    {%- for stage in ['reached', 'consultation', 'activated', 'paid'] %}
        sum(
            case when {{ business_day('funnel.' ~ stage ~ '_at') }} <= as_of_days.as_of_day
                    then 1
                else 0
            end
        ) as {{ stage }}_mtd{{ "," if not loop.last }}
    {%- endfor %}
    from as_of_days
    inner join funnel
        on
            as_of_days.month_start <= funnel.signup_day
            and as_of_days.as_of_day >= funnel.signup_day
    group by as_of_days.as_of_day, funnel.manager_id
),

per_manager as (
    select
        sales_to_date.as_of_day,
        sales_to_date.month_start,
        sales_to_date.manager_id,
        sales_to_date.mtd_sales_count,
        sales_to_date.mtd_net_sales,
        sales_to_date.new_sales_count,
        sales_to_date.new_net_sales,
        sales_to_date.renewal_sales_count,
        sales_to_date.renewal_net_sales,
        sales_to_date.special_sales_count,
        sales_to_date.special_net_sales,
        sales_to_date.plan_rub,
        coalesce(funnel_to_date.signups_mtd, 0) as signups_mtd,
        coalesce(funnel_to_date.reached_mtd, 0) as reached_mtd,
        coalesce(funnel_to_date.consultation_mtd, 0) as consultations_mtd,
        coalesce(funnel_to_date.activated_mtd, 0) as activated_mtd,
        coalesce(funnel_to_date.paid_mtd, 0) as paid_mtd
    from sales_to_date
    left join funnel_to_date
        on
            sales_to_date.as_of_day = funnel_to_date.as_of_day
            and sales_to_date.manager_id = funnel_to_date.manager_id
),

board as (
    {{ with_team_row(
        'per_manager',
        ['as_of_day', 'month_start'],
        [
            'mtd_sales_count', 'mtd_net_sales', 'new_sales_count', 'new_net_sales',
            'renewal_sales_count', 'renewal_net_sales', 'special_sales_count', 'special_net_sales', 'plan_rub',
            'signups_mtd', 'reached_mtd', 'consultations_mtd', 'activated_mtd', 'paid_mtd',
        ],
    ) }}
),

final as (
    select
        board.*,
        coalesce(managers.manager_name, 'Team') as manager_name,
        board.manager_id = 0 as is_team_total,
        board.month_start >= history.revenue_from_day
        and board.month_start >= history.funnel_from_day as is_history_complete,
        {{ month_days_elapsed('board.as_of_day') }} as days_elapsed,
        {{ month_days('board.as_of_day') }} as days_in_month,
        forecasts.stat_forecast_rub,
        forecasts.stat_forecast_low,
        forecasts.stat_forecast_high,
        forecasts.funnel_forecast_rub,
        forecasts.forecast_to_plan
    from board
    cross join history
    left join managers on board.manager_id = managers.manager_id
    left join forecasts
        on
            board.as_of_day = forecasts.as_of_day
            and board.manager_id = forecasts.manager_id
),

-- The leaderboard's rank: managers by month-to-date net sales, equal sales share a rank
-- (1, 2, 2, 4); the team row (ranked apart, against itself) gets none. Whom the board shows
-- ranked is its display mode's choice (leaderboard, top 3, team), made from this rank.
ranked as (
    select
        final.*,
        rank() over (
            partition by final.as_of_day, final.is_team_total
            order by final.mtd_net_sales desc
        ) as rank_among_peers
    from final
)

select
    as_of_day,
    {{ as_count('manager_id') }} as manager_id,
    manager_name,
    is_team_total,
    month_start,
    is_history_complete,
    {{ as_count('days_elapsed') }} as days_elapsed,
    {{ as_count('days_in_month') }} as days_in_month,
    {{ as_count('mtd_sales_count') }} as mtd_sales_count,
    {{ as_money('mtd_net_sales') }} as mtd_net_sales,
    {{ as_money('plan_rub') }} as plan_rub,
    {{ plan_attainment('mtd_net_sales', 'plan_rub') }} as plan_attainment,
    {{ plan_pace('plan_rub', 'days_elapsed', 'days_in_month') }} as plan_pace_rub,
    {{ as_double(safe_divide('mtd_net_sales', plan_pace('plan_rub', 'days_elapsed', 'days_in_month'))) }}
        as pace_attainment,
    {{ as_money(average_check('mtd_net_sales', 'mtd_sales_count')) }} as avg_check,
    {{ as_count('new_sales_count') }} as new_sales_count,
    {{ as_money('new_net_sales') }} as new_net_sales,
    {{ as_count('renewal_sales_count') }} as renewal_sales_count,
    {{ as_money('renewal_net_sales') }} as renewal_net_sales,
    {{ as_count('mtd_sales_count - coalesce(new_sales_count, 0)'
        ~ ' - coalesce(renewal_sales_count, 0)') }} as unknown_type_sales_count,
    {{ as_money('mtd_net_sales - coalesce(new_net_sales, 0)'
        ~ ' - coalesce(renewal_net_sales, 0)') }} as unknown_type_net_sales,
    {{ as_count('signups_mtd') }} as signups_mtd,
    {{ as_count('reached_mtd') }} as reached_mtd,
    {{ as_count('consultations_mtd') }} as consultations_mtd,
    {{ as_count('activated_mtd') }} as activated_mtd,
    {{ as_count('paid_mtd') }} as paid_mtd,
    {{ as_double(safe_divide('reached_mtd', 'signups_mtd')) }} as reach_rate,
    {{ as_double(safe_divide('consultations_mtd', 'signups_mtd')) }} as consultation_rate,
    {{ as_double(safe_divide('activated_mtd', 'signups_mtd')) }} as activation_rate,
    {{ as_double(safe_divide('paid_mtd', 'signups_mtd')) }} as paid_rate,
    {{ as_money('stat_forecast_rub') }} as stat_forecast_rub,
    {{ as_money('stat_forecast_low') }} as stat_forecast_low,
    {{ as_money('stat_forecast_high') }} as stat_forecast_high,
    {{ as_money('funnel_forecast_rub') }} as funnel_forecast_rub,
    {{ as_double('forecast_to_plan') }} as forecast_to_plan,
    {{ as_count('special_sales_count') }} as special_sales_count,
    {{ as_money('special_net_sales') }} as special_net_sales,
    {{ as_count('case when not is_team_total then rank_among_peers end') }} as sales_rank
from ranked
