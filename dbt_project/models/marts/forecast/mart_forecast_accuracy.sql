-- Backtest of the month-end forecasts: for every complete past month and every as-of day
-- in it, each method's forecast (made from what was known at the end of that day) vs the
-- month's actual net sales as known now (refunds created since included), the error, the
-- absolute percentage error, and the MAPE of that method on that day of month over all
-- backtested months. Months whose statistical inputs were not yet warm (less than 91 days
-- of sales before them) are left out: their forecasts read partial history.
{%- set methods = [
    ('statistical', 'stat_forecast_rub'),
    ('funnel', 'funnel_forecast_rub'),
    ('naive', 'naive_forecast_rub'),
] %}
with

forecasts as (
    select * from {{ ref('mart_forecast_daily') }}
),

sales as (
    select * from {{ ref('mart_sales_daily') }}
),

complete_months as (
    select distinct month_start
    from forecasts
    where days_elapsed = days_in_month
),

manager_months as (
    -- The month's net sales as known now: a forecast is scored against what the month
    -- turned out to be, not against its own (point-in-time) month-to-date.
    select
        sales.sale_month as month_start,
        sales.manager_id,
        sum(sales.net_revenue) as actual_rub
    from sales
    inner join complete_months on sales.sale_month = complete_months.month_start
    group by sales.sale_month, sales.manager_id
),

month_actuals as (
    {{ with_team_row('manager_months', ['month_start'], ['actual_rub']) }}
),

warm_months as (
    select distinct forecasts.month_start
    from forecasts
    where
        forecasts.month_start
        >= cast({{ dbt.dateadd('day', 91, '(select min(first_days.as_of_day) from forecasts as first_days)') }} as date)
),

long_format as (
    {%- for method, column in methods %}
        select
            forecasts.as_of_day,
            forecasts.manager_id,
            forecasts.month_start,
            forecasts.days_elapsed,
            '{{ method }}' as forecast_method,
            forecasts.{{ column }} as forecast_rub
        from forecasts
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

scored as (
    select
        long_format.*,
        month_actuals.actual_rub,
        long_format.forecast_rub - month_actuals.actual_rub as error_rub,
        {{ safe_divide(
            'abs(long_format.forecast_rub - month_actuals.actual_rub)', 'month_actuals.actual_rub'
        ) }} as absolute_percentage_error
    from long_format
    inner join month_actuals
        on
            long_format.manager_id = month_actuals.manager_id
            and long_format.month_start = month_actuals.month_start
    inner join warm_months on long_format.month_start = warm_months.month_start
)

select
    as_of_day,
    cast(manager_id as {{ dbt.type_int() }}) as manager_id,
    month_start,
    cast(days_elapsed as {{ dbt.type_int() }}) as days_elapsed,
    cast(forecast_method as {{ dbt.type_string() }}) as forecast_method,
    {{ as_money('forecast_rub') }} as forecast_rub,
    {{ as_money('actual_rub') }} as actual_rub,
    {{ as_money('error_rub') }} as error_rub,
    {{ as_double('absolute_percentage_error') }} as absolute_percentage_error,
    {{ as_double('avg(absolute_percentage_error) over (partition by manager_id, forecast_method, days_elapsed)') }}
        as mape_on_day_of_month,
    {{ as_count('count(*) over (partition by manager_id, forecast_method, days_elapsed)') }} as months_backtested
from scored
