-- The funnel month-end forecast per landed day, manager and team (manager_id 0):
-- month-to-date + expected first payments × the expected check + the renewals due
-- (DECISIONS.md, "Forecasts"). Expected first payments = Σ over open signups (at most
-- `forecast_signup_max_age()` days old, unpaid) of P(pay by month end | furthest stage on
-- the day, age in days) + signups still to come (the last 4 weeks' daily rate × Σ of a new
-- signup's odds over the days left). Expected check = the average check of the new sales
-- of the 90 days before the month.
with

forecast_days as (
    select * from {{ ref('int_forecast_days') }}
),

sales as (
    select * from {{ ref('int_forecast_sales_daily') }}
),

signups as (
    select * from {{ ref('int_signup_stage_days') }}
),

signup_odds as (
    select * from {{ ref('int_forecast_signup_odds') }}
),

renewals_due as (
    select * from {{ ref('int_forecast_renewals_due') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
),

refunds as (
    select * from {{ ref('int_forecast_sale_refunds') }}
),

new_sales_known as (
    -- The new sales of the 90 days before each month as known when it began: net of the
    -- refunds created before it (a later refund was not known to any of its as-of days).
    select
        months.month_start,
        payments.paid_amount - coalesce(sum(refunds.refund_amount), 0) as net_amount
    from (select distinct month_start from forecast_days) as months
    inner join payments
        on
            payments.sale_type = 'new'
            and months.month_start > payments.payment_day
            and {{ days_after('months.month_start', -90) }} <= payments.payment_day
    left join refunds
        on
            payments.payment_id = refunds.payment_id
            and months.month_start > refunds.refund_day
    group by months.month_start, payments.payment_id, payments.paid_amount
),

expected_checks as (
    -- Their average check; a sale fully refunded by then is none.
    select
        month_start,
        {{ average_check('sum(net_amount)', 'count(*)') }} as expected_check
    from new_sales_known
    where net_amount > 0
    group by month_start
),

open_signups as (
    select
        forecast_days.as_of_day,
        forecast_days.month_start,
        {{ days_between('forecast_days.as_of_day', 'forecast_days.month_end') }} as horizon_days,
        signups.manager_id,
        {{ funnel_stage_on('signups', 'forecast_days.as_of_day') }} as funnel_stage,
        {{ days_between('signups.signup_day', 'forecast_days.as_of_day') }} as age_days
    from forecast_days
    inner join signups
        on
            forecast_days.as_of_day >= signups.signup_day
            and {{ days_after('forecast_days.as_of_day', -1 * forecast_signup_max_age()) }} <= signups.signup_day
            and (signups.paid_day is null or forecast_days.as_of_day < signups.paid_day)
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
        forecast_days.as_of_day,
        signups.manager_id,
        {{ as_double('count(*)') }} / 28 * max(coalesce(signup_odds.cumulative_pay_probability, 0))
            as expected_payers
    from forecast_days
    inner join signups
        on
            forecast_days.as_of_day >= signups.signup_day
            and {{ days_after('forecast_days.as_of_day', -28) }} < signups.signup_day
    left join signup_odds
        on
            forecast_days.month_start = signup_odds.month_start
            and signup_odds.funnel_stage = 'any'
            and signup_odds.age_days = 0
            and signup_odds.horizon_days = {{ days_between('forecast_days.as_of_day', 'forecast_days.month_end') }}
    group by forecast_days.as_of_day, signups.manager_id
),

manager_payers as (
    select
        as_of_day,
        manager_id,
        sum(expected_payers) as expected_payers
    from (
        select * from open_signup_payers
        union all
        select * from future_signup_payers
    ) as payers
    group by as_of_day, manager_id
),

expected_payers as (
    {{ with_team_row('manager_payers', ['as_of_day'], ['expected_payers']) }}
)

select
    sales.as_of_day,
    sales.manager_id,
    {{ as_money(
        'sales.month_to_date_net_revenue'
        ~ ' + coalesce(expected_payers.expected_payers, 0) * coalesce(expected_checks.expected_check, 0)'
        ~ ' + coalesce(renewals_due.expected_renewals, 0)'
    ) }} as funnel_forecast_rub
from sales
inner join forecast_days on sales.as_of_day = forecast_days.as_of_day
left join expected_payers
    on sales.as_of_day = expected_payers.as_of_day and sales.manager_id = expected_payers.manager_id
left join expected_checks on forecast_days.month_start = expected_checks.month_start
left join renewals_due
    on sales.as_of_day = renewals_due.as_of_day and sales.manager_id = renewals_due.manager_id
