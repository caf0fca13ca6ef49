-- The board's daily sales trend: for each as-of day, the 30 days up to and including it,
-- per manager and for the team (manager_id 0). `day` is a keyword, but it is the name the
-- board contract gives the column.
with

sales as (
    select * from {{ ref('mart_sales_daily') }}
),

as_of_days as (
    select distinct sale_day as as_of_day
    from sales
),

per_manager as (
    select
        as_of_days.as_of_day,
        sales.manager_id,
        sales.sale_day as day,  -- noqa: RF04
        sales.net_revenue as net_sales,
        sales.sales_count
    from as_of_days
    inner join sales
        on
            as_of_days.as_of_day >= sales.sale_day
            and sales.sale_day > {{ dbt.dateadd('day', -30, 'as_of_days.as_of_day') }}
),

final as (
    {{ with_team_row('per_manager', ['as_of_day', 'day'], ['net_sales', 'sales_count']) }}
)

select
    as_of_day,
    {{ as_count('manager_id') }} as manager_id,
    cast(day as date) as day,  -- noqa: RF04
    {{ as_money('net_sales') }} as net_sales,
    {{ as_count('sales_count') }} as sales_count
from final
