-- The naive month-end forecast, the baseline the others must beat: month-to-date net
-- sales ÷ days elapsed × days in the month, per landed day, manager and team.
with

forecast_days as (
    select * from {{ ref('int_forecast_days') }}
),

sales as (
    select * from {{ ref('int_forecast_sales_daily') }}
)

select
    forecast_days.as_of_day,
    sales.manager_id,
    {{ as_money(
        as_double('sales.month_to_date_net_revenue') ~ ' / forecast_days.days_elapsed * forecast_days.days_in_month'
    ) }} as naive_forecast_rub
from forecast_days
inner join sales on forecast_days.as_of_day = sales.as_of_day
