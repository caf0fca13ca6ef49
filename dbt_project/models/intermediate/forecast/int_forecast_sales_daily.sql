-- The sales the month-end forecasts start from, per landed day and manager on staff plus
-- the team (manager_id 0): month-to-date net revenue and the month's plan (as
-- mart_sales_daily has them), and the day's new-business net revenue (first payments by
-- payment day, net of refunds), which the statistical forecast's run rate follows.
with

sales as (
    select * from {{ ref('mart_sales_daily') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
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

manager_daily as (
    select
        sales.sale_day,
        sales.manager_id,
        sales.month_to_date_net_revenue,
        coalesce(new_sales_daily.new_net_revenue, 0) as new_net_revenue,
        sales.month_plan_net_revenue
    from sales
    left join new_sales_daily
        on
            sales.sale_day = new_sales_daily.sale_day
            and sales.manager_id = new_sales_daily.manager_id
),

final as (
    {{ with_team_row(
        'manager_daily',
        ['sale_day'],
        ['month_to_date_net_revenue', 'new_net_revenue', 'month_plan_net_revenue'],
    ) }}
)

select
    sale_day,
    manager_id,
    -- decimal(38, 2) on every engine: sums widen decimals differently (Spark: +10 digits).
    cast(month_to_date_net_revenue as decimal(38, 2)) as month_to_date_net_revenue,
    cast(new_net_revenue as decimal(38, 2)) as new_net_revenue,
    cast(month_plan_net_revenue as decimal(38, 2)) as month_plan_net_revenue
from final
-- A fixed row order: the forecasts sum doubles over these rows, so a rebuild must read
-- them in the same order to give the same last digit.
order by sale_day, manager_id
