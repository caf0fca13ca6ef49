-- Net revenue per day must agree in three places: the board (mart_sales_daily), the
-- payment fact (fct_payments) and straight from staging (succeeded payments by capture
-- day minus their succeeded refunds). Returns the days where any two disagree.
with

board as (
    select
        sale_day,
        sum(net_revenue) as net_revenue
    from {{ ref('mart_sales_daily') }}
    group by sale_day
),

fact as (
    select
        payment_day as sale_day,
        sum(net_amount) as net_revenue
    from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
    group by payment_day
),

refunds as (
    select
        payment_id,
        sum(refund_amount) as refund_amount
    from {{ ref('stg_yookassa__refunds') }}
    where refund_status = 'succeeded'
    group by payment_id
),

staged as (
    select
        payments.captured_day as sale_day,
        sum(payments.amount - coalesce(refunds.refund_amount, 0)) as net_revenue
    from {{ ref('stg_yookassa__payments') }} as payments
    left join refunds on payments.payment_id = refunds.payment_id
    where payments.payment_status = 'succeeded' and not payments.is_test
    group by payments.captured_day
),

compared as (
    select
        board.sale_day,
        board.net_revenue as board_net_revenue,
        coalesce(fact.net_revenue, 0) as fact_net_revenue,
        coalesce(staged.net_revenue, 0) as staged_net_revenue
    from board
    left join fact on board.sale_day = fact.sale_day
    left join staged on board.sale_day = staged.sale_day
)

select *
from compared
where
    board_net_revenue != fact_net_revenue
    or fact_net_revenue != staged_net_revenue
