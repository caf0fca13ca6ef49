-- The board's sales splits, month to date: by tariff and by period length, per manager
-- and for the team (manager_id 0). Same sales and net amounts as mart_sales_daily: a fully
-- refunded payment is no sale, and a refund reduces its sale's day.
with

payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
),

as_of_days as (
    select distinct
        sale_day as as_of_day,
        sale_month as month_start
    from {{ ref('mart_sales_daily') }}
),

month_to_date as (
    select
        as_of_days.as_of_day,
        payments.manager_id,
        payments.tariff_code,
        cast(payments.period_months as {{ dbt.type_string() }}) as period_value,
        case when payments.is_fully_refunded then 0 else 1 end as is_sale,
        payments.net_amount
    from as_of_days
    inner join payments
        on
            as_of_days.month_start <= payments.payment_day
            and as_of_days.as_of_day >= payments.payment_day
),

by_manager as (
    {%- for kind, column in [('tariff', 'tariff_code'), ('period', 'period_value')] %}
        select
            as_of_day,
            manager_id,
            '{{ kind }}' as split_kind,
            {{ column }} as split_value,
            sum(is_sale) as sales_count,
            sum(net_amount) as net_sales
        from month_to_date
        group by as_of_day, manager_id, {{ column }}
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

by_split as (
    {{ with_team_row('by_manager', ['as_of_day', 'split_kind', 'split_value'], ['sales_count', 'net_sales']) }}
)

select
    as_of_day,
    {{ as_count('manager_id') }} as manager_id,
    split_kind,
    split_value,
    {{ as_count('sales_count') }} as sales_count,
    {{ as_money('net_sales') }} as net_sales
from by_split
