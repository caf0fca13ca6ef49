{{ config(**incremental_by_day(['sale_day', 'manager_id'], 'sale_day')) }}
{%- set min_day = window_day_var('min_day') -%}
{%- set first_landed_day = none if min_day is none else (
    modules.datetime.date.fromisoformat(min_day)
    - modules.datetime.timedelta(days=required_var('lookback_days') | int)).replace(day=1).isoformat() %}
-- The board's sales per day and manager: count, net revenue, the day's average check, special
-- tariffs, and the month's plan attainment so far (splits by tariff and by period are rows
-- of mart_board_splits: no tariff code is a column name). A sale
-- belongs to its payment day and its refunds reduce that day (DECISIONS.md), so a run
-- recomputes its window plus the refund lookback. Every landed day has a row for every
-- manager on staff, with zeros on days without sales. The split into new and renewal sales
-- is unknown (null) on days before the revenue history is complete (`is_history_complete`).
with

landed_days as (
    -- The days with landed payments (an empty day too) that window_days can pick: from its
    -- first month's start on.
    select landed_day as sale_day
    from ({{ landed_days('yookassa', 'payments', first_landed_day, window_day_var('max_day')) }}) as payment_days
),

payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
),

managers as (
    select * from {{ ref('dim_managers') }}
    where is_sales_manager
),

plans as (
    select * from {{ ref('manager_plans') }}
),

history as (
    select * from {{ ref('int_landed_history') }}
),

window_days as (
    -- The window, widened to its first month's start so month-to-date sums are whole.
    select sale_day
    from landed_days
    where
        {{ in_day_window('sale_day', required_var('lookback_days')) }}
        or sale_day >= {{ dbt.date_trunc('month', window_start_day(required_var('lookback_days'))) }}
        and sale_day < {{ window_start_day(required_var('lookback_days')) }}
),

manager_days as (
    select
        window_days.sale_day,
        managers.manager_id
    from window_days
    cross join managers
    where managers.hired_on <= window_days.sale_day
),

daily_sales as (
    select
        payment_day as sale_day,
        manager_id,
        sum(case when not is_fully_refunded then 1 else 0 end) as sales_count,
        sum(case when not is_fully_refunded and sale_type = 'new' then 1 else 0 end)
            as new_sales_count,
        sum(case when not is_fully_refunded and sale_type = 'renewal' then 1 else 0 end)
            as renewal_sales_count,
        sum(case when sale_type = 'new' then net_amount else 0 end) as new_net_revenue,
        sum(case when sale_type = 'renewal' then net_amount else 0 end) as renewal_net_revenue,
        sum(paid_amount) as gross_revenue,
        sum(refunded_amount) as refunded_amount,
        sum(net_amount) as net_revenue,
        sum(case when not is_fully_refunded and is_special_tariff then 1 else 0 end)
            as special_tariff_sales_count,
        sum(case when is_special_tariff then net_amount else 0 end) as special_tariff_net_revenue,
        sum(case when not is_fully_refunded and is_promo then 1 else 0 end) as promo_sales_count
    from payments
    group by payment_day, manager_id
),

board as (
    select
        manager_days.sale_day,
        manager_days.manager_id,
        cast({{ dbt.date_trunc('month', 'manager_days.sale_day') }} as date) as sale_month,
        {{ revenue_complete_on('manager_days.sale_day') }} as is_history_complete,
        coalesce(daily_sales.sales_count, 0) as sales_count,
        case
            when {{ revenue_complete_on('manager_days.sale_day') }}
                then coalesce(daily_sales.new_sales_count, 0)
        end as new_sales_count,
        case
            when {{ revenue_complete_on('manager_days.sale_day') }}
                then coalesce(daily_sales.renewal_sales_count, 0)
        end as renewal_sales_count,
        case
            when {{ revenue_complete_on('manager_days.sale_day') }}
                then coalesce(daily_sales.new_net_revenue, 0)
        end as new_net_revenue,
        case
            when {{ revenue_complete_on('manager_days.sale_day') }}
                then coalesce(daily_sales.renewal_net_revenue, 0)
        end as renewal_net_revenue,
        coalesce(daily_sales.gross_revenue, 0) as gross_revenue,
        coalesce(daily_sales.refunded_amount, 0) as refunded_amount,
        coalesce(daily_sales.net_revenue, 0) as net_revenue,
        coalesce(daily_sales.special_tariff_sales_count, 0) as special_tariff_sales_count,
        coalesce(daily_sales.special_tariff_net_revenue, 0) as special_tariff_net_revenue,
        coalesce(daily_sales.promo_sales_count, 0) as promo_sales_count,
        {{ average_check('daily_sales.net_revenue', 'daily_sales.sales_count') }} as avg_check_daily
    from manager_days
    cross join history
    left join daily_sales
        on
            manager_days.sale_day = daily_sales.sale_day
            and manager_days.manager_id = daily_sales.manager_id
),

final as (
    select
        board.*,
        plans.plan_net_revenue_rub as month_plan_net_revenue,
        sum(board.net_revenue) over (
            partition by board.manager_id, board.sale_month
            order by board.sale_day
            rows between unbounded preceding and current row
        ) as month_to_date_net_revenue
    from board
    left join plans
        on
            board.manager_id = plans.manager_id
            and board.sale_month = plans.plan_month
)

select
    sale_day,
    manager_id,
    sale_month,
    is_history_complete,
    {{ as_count('sales_count') }} as sales_count,
    {{ as_count('new_sales_count') }} as new_sales_count,
    {{ as_count('renewal_sales_count') }} as renewal_sales_count,
    {{ as_money('new_net_revenue') }} as new_net_revenue,
    {{ as_money('renewal_net_revenue') }} as renewal_net_revenue,
    {{ as_money('gross_revenue') }} as gross_revenue,
    {{ as_money('refunded_amount') }} as refunded_amount,
    {{ as_money('net_revenue') }} as net_revenue,
    {{ as_double('avg_check_daily') }} as avg_check_daily,
    {{ as_count('special_tariff_sales_count') }} as special_tariff_sales_count,
    {{ as_money('special_tariff_net_revenue') }} as special_tariff_net_revenue,
    {{ as_count('promo_sales_count') }} as promo_sales_count,
    {{ as_money('month_to_date_net_revenue') }} as month_to_date_net_revenue,
    {{ as_money('month_plan_net_revenue') }} as month_plan_net_revenue,
    {{ plan_attainment('month_to_date_net_revenue', 'month_plan_net_revenue') }} as month_plan_attainment
from final
where {{ in_day_window('sale_day', required_var('lookback_days')) }}
