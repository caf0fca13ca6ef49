-- The statistical month-end forecast per landed day, manager and team (manager_id 0):
-- month-to-date + Σ over the days left of (new-business level × weekday factor) + the
-- renewals due, with an 80% interval (DECISIONS.md, "Forecasts"). Level = the last 8
-- weeks' new-business net sales ÷ the weekday factors of those days (8 weeks: one annual
-- turnkey sale must not swing it); weekday factors from the team's last 13 weeks. No
-- trend: renewals follow their schedule, not last month's pace.
with

forecast_days as (
    select * from {{ ref('int_forecast_days') }}
),

sales as (
    select * from {{ ref('int_forecast_sales_daily') }}
),

sales_known as (
    -- Each as-of day's last 13 weeks of sales, as known at its end.
    select * from {{ ref('int_forecast_sales_known') }}
),

renewals_due as (
    select * from {{ ref('int_forecast_renewals_due') }}
),

calendar as (
    select spine.spine_date as calendar_day
    from {{ calendar_spine(
        'day',
        '(select min(forecast_days.month_start) from forecast_days)',
        '(select max(forecast_days.month_end) from forecast_days)',
        20000,
    ) }} as spine
),

weekday_means as (
    -- Weekday profile of the team's new-business sales over the last 13 weeks.
    select
        as_of_day,
        {{ iso_day_of_week('sale_day') }} as day_of_week,
        avg(new_net_revenue) as mean_net_revenue
    from sales_known
    where
        manager_id = 0
        and {{ days_after('as_of_day', -91) }} < sale_day
    group by as_of_day, {{ iso_day_of_week('sale_day') }}
),

weekday_factors as (
    select
        as_of_day,
        day_of_week,
        coalesce(
            {{ safe_divide('mean_net_revenue', 'avg(mean_net_revenue) over (partition by as_of_day)') }}, 1
        ) as weekday_factor
    from weekday_means
),

recent_days as (
    -- The last 8 weeks' new-business sales, each with its weekday's factor.
    select
        sales_known.as_of_day,
        sales_known.manager_id,
        sales_known.new_net_revenue,
        coalesce(weekday_factors.weekday_factor, 1) as weekday_factor
    from sales_known
    left join weekday_factors
        on
            sales_known.as_of_day = weekday_factors.as_of_day
            and {{ iso_day_of_week('sales_known.sale_day') }} = weekday_factors.day_of_week
    where {{ days_after('sales_known.as_of_day', -56) }} < sales_known.sale_day
),

levels as (
    -- Deseasonalised level = sales ÷ the weekday factors of their days.
    select
        as_of_day,
        manager_id,
        {{ safe_divide('sum(new_net_revenue)', 'sum(weekday_factor)') }} as level_per_day,
        count(*) as level_days
    from recent_days
    group by as_of_day, manager_id
),

noise as (
    -- Daily scatter around the seasonal level, for the prediction interval.
    select
        levels.as_of_day,
        levels.manager_id,
        {{ safe_divide(
            'sum((recent_days.new_net_revenue - levels.level_per_day * recent_days.weekday_factor)'
            ~ ' * (recent_days.new_net_revenue - levels.level_per_day * recent_days.weekday_factor))',
            'count(*) - 1',
        ) }} as daily_variance
    from levels
    inner join recent_days
        on
            levels.as_of_day = recent_days.as_of_day
            and levels.manager_id = recent_days.manager_id
    group by levels.as_of_day, levels.manager_id
),

rest_of_month as (
    select
        forecast_days.as_of_day,
        calendar.calendar_day,
        coalesce(weekday_factors.weekday_factor, 1) as weekday_factor
    from forecast_days
    inner join calendar
        on
            forecast_days.as_of_day < calendar.calendar_day
            and forecast_days.month_end >= calendar.calendar_day
    left join weekday_factors
        on
            forecast_days.as_of_day = weekday_factors.as_of_day
            and {{ iso_day_of_week('calendar.calendar_day') }} = weekday_factors.day_of_week
),

expected_new as (
    select
        levels.as_of_day,
        levels.manager_id,
        coalesce(sum(levels.level_per_day * rest_of_month.weekday_factor), 0) as expected_new_rest,
        count(rest_of_month.calendar_day) as days_left,
        max(levels.level_days) as level_days
    from levels
    left join rest_of_month on levels.as_of_day = rest_of_month.as_of_day
    group by levels.as_of_day, levels.manager_id
),

forecast as (
    select
        sales.as_of_day,
        sales.manager_id,
        sales.month_to_date_net_revenue,
        sales.month_plan_net_revenue,
        sales.month_to_date_net_revenue + expected_new.expected_new_rest
        + coalesce(renewals_due.expected_renewals, 0) as stat_forecast,
        -- 80%: z = 1.2816 × sd of (the days left's noise + the level's error + the renewals).
        1.2816 * sqrt(
            coalesce(noise.daily_variance, 0)
            * (expected_new.days_left + expected_new.days_left * expected_new.days_left / expected_new.level_days)
            + coalesce(renewals_due.renewals_variance, 0)
        ) as stat_half_width
    from sales
    inner join expected_new
        on sales.as_of_day = expected_new.as_of_day and sales.manager_id = expected_new.manager_id
    left join noise
        on sales.as_of_day = noise.as_of_day and sales.manager_id = noise.manager_id
    left join renewals_due
        on sales.as_of_day = renewals_due.as_of_day and sales.manager_id = renewals_due.manager_id
)

select
    as_of_day,
    manager_id,
    {{ as_money('stat_forecast') }} as stat_forecast_rub,
    -- Never below what is already sold.
    {{ as_money('case when stat_forecast - stat_half_width < month_to_date_net_revenue'
        ~ ' then month_to_date_net_revenue else stat_forecast - stat_half_width end') }} as stat_forecast_low,
    {{ as_money('stat_forecast + stat_half_width') }} as stat_forecast_high,
    {{ as_double(safe_divide('stat_forecast', 'month_plan_net_revenue')) }} as forecast_to_plan
from forecast
