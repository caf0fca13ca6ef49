-- The sales of each day in the `forecast_history_days()` up to an as-of day, as they were
-- known at the end of the as-of day, per manager on staff and for the team (manager_id 0):
-- net revenue and new-business net revenue (first payments), by payment day. Known then =
-- payments captured by the as-of day minus the refunds created by it, i.e. today's net plus
-- back the refunds created later (DECISIONS.md, "Forecasts", point in time). Every
-- forecast reads its sales history from here, so a backtest never sees a later refund.
with

forecast_days as (
    select * from {{ ref('int_forecast_days') }}
),

sales as (
    select * from {{ ref('mart_sales_daily') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
),

refunds as (
    select * from {{ ref('int_forecast_sale_refunds') }}
),

new_sales_daily as (
    select
        payment_day as sale_day,
        manager_id,
        sum(net_amount) as new_net_revenue
    from payments
    where sale_type = 'new'
    group by payment_day, manager_id
),

later_refunds as (
    -- Refunds created after the as-of day of the sales of the days up to it: today's net
    -- has them subtracted, what was known on the as-of day did not.
    select
        forecast_days.as_of_day,
        refunds.payment_day as sale_day,
        refunds.manager_id,
        sum(refunds.refund_amount) as refunded_later,
        sum(case when refunds.sale_type = 'new' then refunds.refund_amount else 0 end) as new_refunded_later
    from forecast_days
    inner join refunds
        on
            forecast_days.as_of_day >= refunds.payment_day
            and {{ days_after('forecast_days.as_of_day', -1 * forecast_history_days()) }} < refunds.payment_day
            and forecast_days.as_of_day < refunds.refund_day
    group by forecast_days.as_of_day, refunds.payment_day, refunds.manager_id
),

manager_days as (
    select
        forecast_days.as_of_day,
        sales.sale_day,
        sales.manager_id,
        sales.net_revenue + coalesce(later_refunds.refunded_later, 0) as net_revenue,
        coalesce(new_sales_daily.new_net_revenue, 0) + coalesce(later_refunds.new_refunded_later, 0)
            as new_net_revenue
    from forecast_days
    inner join sales
        on
            forecast_days.as_of_day >= sales.sale_day
            and {{ days_after('forecast_days.as_of_day', -1 * forecast_history_days()) }} < sales.sale_day
    left join new_sales_daily
        on
            sales.sale_day = new_sales_daily.sale_day
            and sales.manager_id = new_sales_daily.manager_id
    left join later_refunds
        on
            forecast_days.as_of_day = later_refunds.as_of_day
            and sales.sale_day = later_refunds.sale_day
            and sales.manager_id = later_refunds.manager_id
),

final as (
    {{ with_team_row('manager_days', ['as_of_day', 'sale_day'], ['net_revenue', 'new_net_revenue']) }}
)

select
    as_of_day,
    sale_day,
    manager_id,
    -- decimal(38, 2) on every engine: sums widen decimals differently (Spark: +10 digits).
    cast(net_revenue as decimal(38, 2)) as net_revenue,
    cast(new_net_revenue as decimal(38, 2)) as new_net_revenue
from final
-- A fixed row order: the forecasts sum doubles over these rows, so a rebuild must read
-- them in the same order to give the same last digit.
order by as_of_day, sale_day, manager_id
