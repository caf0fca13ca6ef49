-- The days the month-end forecasts are made at the end of (every landed day of
-- mart_sales_daily), with the calendar of the month being forecast.
with

sales as (
    select * from {{ ref('mart_sales_daily') }}
),

landed_days as (
    select distinct sale_day as as_of_day
    from sales
)

select
    as_of_day,
    {{ month_of('as_of_day') }} as month_start,
    {{ month_end_of('as_of_day') }} as month_end,
    {{ month_days_elapsed('as_of_day') }} as days_elapsed,
    {{ month_days('as_of_day') }} as days_in_month
from landed_days
-- A fixed row order: the forecasts sum doubles over these rows, so a rebuild must read
-- them in the same order to give the same last digit.
order by as_of_day
