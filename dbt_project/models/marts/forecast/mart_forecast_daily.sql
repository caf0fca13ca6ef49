-- The board's month-end sales forecasts as of each landed day, per manager and in total
-- (manager_id 0). Net sales = mart_sales_daily.new_net_revenue (by payment day). Methods
-- (DECISIONS.md): naive run rate; statistical = month-to-date + a weekday-seasonal run rate
-- of new-business sales over the days left + the renewals due (renewals follow their
-- schedule, not last month's pace), with an 80% interval; funnel = month-to-date + open
-- signups × learned odds of paying by month end × expected check + signups yet to come +
-- the renewals due. Every input is what was known at the end of the as-of day.
with

sales as (
    select * from {{ ref('mart_sales_daily') }}
),

signups as (
    select * from {{ ref('int_signup_stage_days') }}
),

signup_odds as (
    select * from {{ ref('int_forecast_signup_odds') }}
),

renewals as (
    select * from {{ ref('int_period_renewals') }}
),

renewal_odds as (
    select * from {{ ref('int_forecast_renewal_odds') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
),

plans as (
    select * from {{ ref('manager_plans') }}
),

new_sales_daily as (
    -- First payments by payment day, net of refunds (the board's definition of a day's sales).
    select
        payment_day as sale_day,
        manager_id,
        sum(net_amount) as new_net_revenue
    from payments
    where sale_type = 'new'
    group by payment_day, manager_id
),

manager_daily as (
    select
        sales.sale_day,
        sales.manager_id,
        sales.month_to_date_net_revenue,
        coalesce(new_sales_daily.new_net_revenue, 0) as new_net_revenue
    from sales
    left join new_sales_daily
        on
            sales.sale_day = new_sales_daily.sale_day
            and sales.manager_id = new_sales_daily.manager_id
),

daily as (
    select * from manager_daily
    union all
    select
        sale_day,
        0 as manager_id,
        sum(month_to_date_net_revenue) as month_to_date_net_revenue,
        sum(new_net_revenue) as new_net_revenue
    from manager_daily
    group by sale_day
),

as_of_days as (
    select
        sale_day as as_of_day,
        {{ month_of('sale_day') }} as month_start,
        {{ month_end_of('sale_day') }} as month_end,
        {{ days_between(month_of('sale_day'), 'sale_day') }} + 1 as days_elapsed,
        {{ days_between(month_of('sale_day'), month_end_of('sale_day')) }} + 1 as days_in_month,
        -- Exclusive starts of the look-back windows.
        {{ days_after('sale_day', -91) }} as weeks_13_before,
        {{ days_after('sale_day', -28) }} as weeks_4_before,
        {{ days_after('sale_day', -56) }} as weeks_8_before,
        {{ days_after('sale_day', -45) }} as days_45_before,
        {{ days_after('sale_day', -1 * (var('renewal_grace_days') | int)) }} as grace_before,
        {{ days_after(month_end_of('sale_day'), 45) }} as renewals_horizon
    from (select distinct sale_day from sales) as landed
),

calendar as (
    select spine.spine_date as calendar_day
    from {{ calendar_spine(
        'day',
        '(select min(as_of_days.month_start) from as_of_days)',
        '(select max(as_of_days.month_end) from as_of_days)',
        20000,
    ) }} as spine
),

-- Statistical forecast ------------------------------------------------------------------

weekday_means as (
    -- Weekday profile of the team's new-business sales over the last 13 weeks.
    select
        as_of_days.as_of_day,
        {{ iso_day_of_week('daily.sale_day') }} as day_of_week,
        avg(daily.new_net_revenue) as mean_net_revenue
    from as_of_days
    inner join daily
        on
            daily.manager_id = 0
            and as_of_days.as_of_day >= daily.sale_day
            and as_of_days.weeks_13_before < daily.sale_day
    group by as_of_days.as_of_day, {{ iso_day_of_week('daily.sale_day') }}
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

recent_sales as (
    -- The last 8 weeks of new-business sales, deseasonalised: level = sales ÷ the weekday
    -- factors of those days (8 weeks: one annual turnkey sale must not swing the level).
    select
        as_of_days.as_of_day,
        daily.manager_id,
        {{ safe_divide('sum(daily.new_net_revenue)', 'sum(coalesce(weekday_factors.weekday_factor, 1))') }}
            as level_per_day,
        count(*) as level_days,
        max(as_of_days.weeks_8_before) as weeks_8_before
    from as_of_days
    inner join daily
        on
            as_of_days.as_of_day >= daily.sale_day
            and as_of_days.weeks_8_before < daily.sale_day
    left join weekday_factors
        on
            as_of_days.as_of_day = weekday_factors.as_of_day
            and {{ iso_day_of_week('daily.sale_day') }} = weekday_factors.day_of_week
    group by as_of_days.as_of_day, daily.manager_id
),

noise as (
    -- Daily scatter around the seasonal level, for the prediction interval.
    select
        recent_sales.as_of_day,
        recent_sales.manager_id,
        {{ safe_divide(
            'sum((daily.new_net_revenue - recent_sales.level_per_day * coalesce(weekday_factors.weekday_factor, 1))'
            ~ ' * (daily.new_net_revenue - recent_sales.level_per_day * coalesce(weekday_factors.weekday_factor, 1)))',
            'count(*) - 1',
        ) }} as daily_variance
    from recent_sales
    inner join daily
        on
            recent_sales.manager_id = daily.manager_id
            and recent_sales.as_of_day >= daily.sale_day
            and recent_sales.weeks_8_before < daily.sale_day
    left join weekday_factors
        on
            recent_sales.as_of_day = weekday_factors.as_of_day
            and {{ iso_day_of_week('daily.sale_day') }} = weekday_factors.day_of_week
    group by recent_sales.as_of_day, recent_sales.manager_id
),

rest_of_month as (
    select
        as_of_days.as_of_day,
        calendar.calendar_day,
        {{ days_between('as_of_days.as_of_day', 'calendar.calendar_day') }} as days_ahead,
        coalesce(weekday_factors.weekday_factor, 1) as weekday_factor
    from as_of_days
    inner join calendar
        on
            as_of_days.as_of_day < calendar.calendar_day
            and as_of_days.month_end >= calendar.calendar_day
    left join weekday_factors
        on
            as_of_days.as_of_day = weekday_factors.as_of_day
            and {{ iso_day_of_week('calendar.calendar_day') }} = weekday_factors.day_of_week
),

statistical as (
    select
        recent_sales.as_of_day,
        recent_sales.manager_id,
        coalesce(sum(recent_sales.level_per_day * rest_of_month.weekday_factor), 0) as expected_new_rest,
        count(rest_of_month.calendar_day) as days_left,
        max(recent_sales.level_days) as level_days
    from recent_sales
    left join rest_of_month on recent_sales.as_of_day = rest_of_month.as_of_day
    group by recent_sales.as_of_day, recent_sales.manager_id
),

-- Funnel forecast -----------------------------------------------------------------------

expected_checks as (
    -- Average first-sale check over the 90 days before the month.
    select
        months.month_start,
        avg(payments.net_amount) as expected_check
    from (select distinct month_start from as_of_days) as months
    inner join payments
        on
            payments.sale_type = 'new'
            and not payments.is_fully_refunded
            and months.month_start > payments.payment_day
            and {{ days_after('months.month_start', -90) }} <= payments.payment_day
    group by months.month_start
),

open_signups as (
    select
        as_of_days.as_of_day,
        as_of_days.month_start,
        {{ days_between('as_of_days.as_of_day', 'as_of_days.month_end') }} as horizon_days,
        signups.manager_id,
        {{ funnel_stage_on('signups', 'as_of_days.as_of_day') }} as funnel_stage,
        {{ days_between('signups.signup_day', 'as_of_days.as_of_day') }} as age_days
    from as_of_days
    inner join signups
        on
            as_of_days.as_of_day >= signups.signup_day
            and as_of_days.days_45_before <= signups.signup_day
            and (signups.paid_day is null or as_of_days.as_of_day < signups.paid_day)
),

open_signup_payers as (
    select
        open_signups.as_of_day,
        open_signups.manager_id,
        sum(coalesce(signup_odds.pay_probability, 0)) as expected_payers
    from open_signups
    left join signup_odds
        on
            open_signups.month_start = signup_odds.month_start
            and open_signups.funnel_stage = signup_odds.funnel_stage
            and open_signups.age_days = signup_odds.age_days
            and open_signups.horizon_days = signup_odds.horizon_days
    group by open_signups.as_of_day, open_signups.manager_id
),

future_signup_payers as (
    -- Signups still to come this month at the last 4 weeks' rate, each with the odds of a
    -- new signup paying in the days left.
    select
        as_of_days.as_of_day,
        signups.manager_id,
        {{ as_double('count(*)') }} / 28 * max(coalesce(signup_odds.cumulative_pay_probability, 0))
            as expected_payers
    from as_of_days
    inner join signups
        on
            as_of_days.as_of_day >= signups.signup_day
            and as_of_days.weeks_4_before < signups.signup_day
    left join signup_odds
        on
            as_of_days.month_start = signup_odds.month_start
            and signup_odds.funnel_stage = 'any'
            and signup_odds.age_days = 0
            and signup_odds.horizon_days = {{ days_between('as_of_days.as_of_day', 'as_of_days.month_end') }}
    group by as_of_days.as_of_day, signups.manager_id
),

renewals_due as (
    -- Periods known on the day, not renewed yet, whose renewal payment may land in the rest
    -- of the month: odds = rate × P(paid in window) ÷ P(not paid by now).
    select
        as_of_days.as_of_day,
        renewals.manager_id,
        renewals.mrr * renewals.period_months as renewal_check,
        renewal_rate_odds.renewal_rate,
        high_cdf.lead_cdf as cdf_until_today,
        low_cdf.lead_cdf as cdf_after_month
    from as_of_days
    inner join renewals
        on
            as_of_days.as_of_day >= renewals.paid_day
            and (renewals.next_paid_day is null or as_of_days.as_of_day < renewals.next_paid_day)
            and as_of_days.grace_before < renewals.period_end
            and as_of_days.renewals_horizon >= renewals.period_end
    inner join renewal_odds as renewal_rate_odds
        on
            as_of_days.month_start = renewal_rate_odds.month_start
            and renewals.period_months = renewal_rate_odds.period_months
            and renewal_rate_odds.lead_days = 0
    left join renewal_odds as high_cdf
        on
            as_of_days.month_start = high_cdf.month_start
            and renewals.period_months = high_cdf.period_months
            and high_cdf.lead_days
            = {{ clamp(
                days_between('as_of_days.as_of_day', 'renewals.period_end') ~ ' - 1',
                -1 * (var('renewal_grace_days') | int) - 1,
                43,
            ) }}
    left join renewal_odds as low_cdf
        on
            as_of_days.month_start = low_cdf.month_start
            and renewals.period_months = low_cdf.period_months
            and low_cdf.lead_days
            = {{ clamp(
                days_between('as_of_days.month_end', 'renewals.period_end') ~ ' - 1',
                -1 * (var('renewal_grace_days') | int) - 1,
                43,
            ) }}
),

renewal_odds_now as (
    select
        as_of_day,
        manager_id,
        renewal_check,
        coalesce({{ safe_divide(
            'renewal_rate * (cdf_until_today - cdf_after_month)',
            '1 - renewal_rate * (1 - cdf_until_today)',
        ) }}, 0) as pay_probability
    from renewals_due
),

renewal_expectations as (
    -- Expected renewal revenue, and its variance (each renewal pays its check or nothing).
    select
        as_of_day,
        manager_id,
        sum(renewal_check * pay_probability) as expected_renewals,
        sum(renewal_check * renewal_check * pay_probability * (1 - pay_probability)) as renewals_variance
    from renewal_odds_now
    group by as_of_day, manager_id
),

funnel_parts as (
    select
        as_of_day,
        manager_id,
        sum(expected_payers) as expected_payers,
        sum(expected_renewals) as expected_renewals,
        sum(renewals_variance) as renewals_variance
    from (
        select
            as_of_day,
            manager_id,
            expected_payers,
            0 as expected_renewals,
            0 as renewals_variance
        from open_signup_payers
        union all
        select
            as_of_day,
            manager_id,
            expected_payers,
            0 as expected_renewals,
            0 as renewals_variance
        from future_signup_payers
        union all
        select
            as_of_day,
            manager_id,
            0 as expected_payers,
            expected_renewals,
            renewals_variance
        from renewal_expectations
    ) as parts
    group by as_of_day, manager_id
),

funnel_with_total as (
    select * from funnel_parts
    union all
    select
        as_of_day,
        0 as manager_id,
        sum(expected_payers) as expected_payers,
        sum(expected_renewals) as expected_renewals,
        sum(renewals_variance) as renewals_variance
    from funnel_parts
    group by as_of_day
),

plans_with_total as (
    select
        manager_id,
        plan_month,
        plan_net_revenue_rub
    from plans
    union all
    select
        0 as manager_id,
        plan_month,
        sum(plan_net_revenue_rub) as plan_net_revenue_rub
    from plans
    group by plan_month
),

-- Together --------------------------------------------------------------------------------

combined as (
    select
        as_of_days.as_of_day,
        daily.manager_id,
        as_of_days.month_start,
        as_of_days.days_elapsed,
        as_of_days.days_in_month,
        daily.month_to_date_net_revenue as mtd_net_sales,
        daily.month_to_date_net_revenue + statistical.expected_new_rest
        + coalesce(funnel_with_total.expected_renewals, 0) as stat_forecast,
        -- 80%: z = 1.2816 × sd of (the days left's noise + the level's error + the renewals).
        1.2816 * sqrt(
            coalesce(noise.daily_variance, 0)
            * (statistical.days_left + statistical.days_left * statistical.days_left / statistical.level_days)
            + coalesce(funnel_with_total.renewals_variance, 0)
        ) as stat_half_width,
        daily.month_to_date_net_revenue
        + coalesce(funnel_with_total.expected_payers, 0) * coalesce(expected_checks.expected_check, 0)
        + coalesce(funnel_with_total.expected_renewals, 0) as funnel_forecast,
        coalesce(funnel_with_total.expected_renewals, 0) as renewals_due,
        plans_with_total.plan_net_revenue_rub as plan_rub,
        {{ as_double('daily.month_to_date_net_revenue') }} / as_of_days.days_elapsed * as_of_days.days_in_month
            as naive_forecast
    from as_of_days
    inner join daily on as_of_days.as_of_day = daily.sale_day
    inner join statistical
        on daily.sale_day = statistical.as_of_day and daily.manager_id = statistical.manager_id
    left join noise
        on daily.sale_day = noise.as_of_day and daily.manager_id = noise.manager_id
    left join funnel_with_total
        on daily.sale_day = funnel_with_total.as_of_day and daily.manager_id = funnel_with_total.manager_id
    left join expected_checks on as_of_days.month_start = expected_checks.month_start
    left join plans_with_total
        on daily.manager_id = plans_with_total.manager_id and as_of_days.month_start = plans_with_total.plan_month
)

select
    as_of_day,
    cast(manager_id as {{ dbt.type_int() }}) as manager_id,
    month_start,
    cast(days_elapsed as {{ dbt.type_int() }}) as days_elapsed,
    cast(days_in_month as {{ dbt.type_int() }}) as days_in_month,
    {{ as_money('mtd_net_sales') }} as mtd_net_sales,
    {{ as_money('stat_forecast') }} as stat_forecast_rub,
    {{ as_money('case when stat_forecast - stat_half_width < mtd_net_sales then mtd_net_sales'
        ~ ' else stat_forecast - stat_half_width end') }} as stat_forecast_low,
    {{ as_money('stat_forecast + stat_half_width') }} as stat_forecast_high,
    {{ as_money('funnel_forecast') }} as funnel_forecast_rub,
    {{ as_money('renewals_due') }} as renewals_due_rub,
    {{ as_money('plan_rub') }} as plan_rub,
    {{ as_double(safe_divide('stat_forecast', 'plan_rub')) }} as forecast_to_plan,
    {{ as_money('naive_forecast') }} as naive_forecast_rub
from combined
