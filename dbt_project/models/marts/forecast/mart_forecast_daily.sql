-- The board's month-end sales forecasts as of each landed day, per manager on staff and for
-- the team (manager_id 0), side by side (DECISIONS.md, "Forecasts"). Net sales =
-- mart_sales_daily.net_revenue (by payment day); every input is what was known at the end
-- of the as-of day. Each method is its own model: naive run rate (int_forecast_naive),
-- statistical with an 80% interval (int_forecast_statistical), funnel
-- (int_forecast_funnel); both of the latter add the renewals due (int_forecast_renewals_due).
with

forecast_days as (
    select * from {{ ref('int_forecast_days') }}
),

sales as (
    select * from {{ ref('int_forecast_sales_daily') }}
),

naive as (
    select * from {{ ref('int_forecast_naive') }}
),

statistical as (
    select * from {{ ref('int_forecast_statistical') }}
),

funnel as (
    select * from {{ ref('int_forecast_funnel') }}
),

renewals_due as (
    select * from {{ ref('int_forecast_renewals_due') }}
)

select
    forecast_days.as_of_day,
    cast(sales.manager_id as {{ dbt.type_int() }}) as manager_id,
    forecast_days.month_start,
    cast(forecast_days.days_elapsed as {{ dbt.type_int() }}) as days_elapsed,
    cast(forecast_days.days_in_month as {{ dbt.type_int() }}) as days_in_month,
    {{ as_money('sales.month_to_date_net_revenue') }} as mtd_net_sales,
    statistical.stat_forecast_rub,
    statistical.stat_forecast_low,
    statistical.stat_forecast_high,
    funnel.funnel_forecast_rub,
    {{ as_money('coalesce(renewals_due.expected_renewals, 0)') }} as renewals_due_rub,
    {{ as_money('sales.month_plan_net_revenue') }} as plan_rub,
    statistical.forecast_to_plan,
    naive.naive_forecast_rub
from forecast_days
inner join sales on forecast_days.as_of_day = sales.as_of_day
inner join statistical
    on sales.as_of_day = statistical.as_of_day and sales.manager_id = statistical.manager_id
inner join funnel
    on sales.as_of_day = funnel.as_of_day and sales.manager_id = funnel.manager_id
inner join naive
    on sales.as_of_day = naive.as_of_day and sales.manager_id = naive.manager_id
left join renewals_due
    on sales.as_of_day = renewals_due.as_of_day and sales.manager_id = renewals_due.manager_id
