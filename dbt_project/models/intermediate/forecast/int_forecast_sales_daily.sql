-- The sales the month-end forecasts start from, per landed day and manager on staff plus
-- the team (manager_id 0): the month-to-date net revenue as it was known at the end of the
-- day (int_forecast_sales_known: refunds created later are not subtracted), the one
-- month-to-date every method reads, and the month's plan (as mart_sales_daily has it).
with

forecast_days as (
    select * from {{ ref('int_forecast_days') }}
),

sales_known as (
    select * from {{ ref('int_forecast_sales_known') }}
),

sales as (
    select * from {{ ref('mart_sales_daily') }}
),

month_to_date as (
    select
        sales_known.as_of_day,
        sales_known.manager_id,
        sum(sales_known.net_revenue) as month_to_date_net_revenue
    from sales_known
    inner join forecast_days
        on
            sales_known.as_of_day = forecast_days.as_of_day
            and sales_known.sale_day >= forecast_days.month_start
    group by sales_known.as_of_day, sales_known.manager_id
),

manager_plans as (
    select
        sale_day as as_of_day,
        manager_id,
        month_plan_net_revenue
    from sales
),

plans as (
    {{ with_team_row('manager_plans', ['as_of_day'], ['month_plan_net_revenue']) }}
)

select
    month_to_date.as_of_day,
    month_to_date.manager_id,
    -- decimal(38, 2) on every engine: sums widen decimals differently (Spark: +10 digits).
    cast(month_to_date.month_to_date_net_revenue as decimal(38, 2)) as month_to_date_net_revenue,
    cast(plans.month_plan_net_revenue as decimal(38, 2)) as month_plan_net_revenue
from month_to_date
inner join plans
    on
        month_to_date.as_of_day = plans.as_of_day
        and month_to_date.manager_id = plans.manager_id
-- A fixed row order: the forecasts sum doubles over these rows, so a rebuild must read
-- them in the same order to give the same last digit.
order by month_to_date.as_of_day, month_to_date.manager_id
