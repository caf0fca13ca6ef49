{{ config(**incremental_by_day('payment_id', 'payment_day')) }}
-- One row per payment attempt with what the board needs about the sale: who is credited,
-- tariff and period, discount against the list price, new or renewal, refunds and the net
-- amount. Incremental by payment day with a lookback (a payment is captured or refunded
-- after its day), plus the days of any older payment refunded inside the window. An
-- account's first landed payment is `new` only when no older payment of it can be missing
-- from the landing (DECISIONS.md, "History and completeness"); before that it is unknown.
with

all_payments as (
    select * from {{ ref('stg_yookassa__payments') }}
    where not is_test
),

refunds as (
    select * from {{ ref('stg_yookassa__refunds') }}
    where refund_status = 'succeeded'
),

signups as (
    select * from {{ ref('int_signups') }}
),

tariffs as (
    select * from {{ ref('tariffs') }}
),

history as (
    select * from {{ ref('int_landed_history') }}
),

refunded_in_window as (
    select distinct payment_id
    from refunds
    where {{ in_day_window('created_day') }}
),

refund_totals as (
    select
        payment_id,
        sum(refund_amount) as refunded_amount,
        max(created_at) as last_refunded_at
    from refunds
    group by payment_id
),

sequenced as (
    -- The account's succeeded payments in order: the first is the new sale.
    select
        all_payments.*,
        coalesce(all_payments.captured_day, all_payments.created_day) as payment_day,
        case
            when all_payments.payment_status = 'succeeded'
                then row_number() over (
                        partition by all_payments.account_id, all_payments.payment_status
                        order by all_payments.captured_at, all_payments.payment_id
                    )
        end as succeeded_payment_number
    from all_payments
),

refunded_days as (
    -- Whole days, not only the refunded payments: a run replaces every day it touches
    -- (incremental_by_day), so a day's other payments are recomputed with it.
    select distinct sequenced.payment_day
    from sequenced
    inner join refunded_in_window on sequenced.payment_id = refunded_in_window.payment_id
),

window_payments as (
    select *
    from sequenced
    where
        {{ in_day_window('payment_day', required_var('lookback_days')) }}
        or sequenced.payment_day in (select refunded_days.payment_day from refunded_days)
),

final as (
    select
        window_payments.payment_id,
        window_payments.payment_day,
        window_payments.created_at,
        window_payments.captured_at,
        window_payments.payment_status,
        window_payments.account_id,
        coalesce(window_payments.lead_id, signups.lead_id) as lead_id,
        -- The shop records the credited manager on the payment; the lead's responsible
        -- manager is the fallback for payments made without it.
        coalesce(window_payments.manager_id, signups.manager_id) as manager_id,
        window_payments.tariff_code,
        coalesce(tariffs.is_special, false) as is_special_tariff,
        window_payments.period_months,
        window_payments.list_price,
        window_payments.amount as paid_amount,
        {{ as_money('window_payments.list_price - window_payments.amount') }} as discount_amount,
        window_payments.promo_code is not null as is_promo,
        case
            when window_payments.succeeded_payment_number > 1 then 'renewal'
            when
                window_payments.succeeded_payment_number = 1
                and {{ revenue_complete_on('window_payments.payment_day') }}
                then 'new'
        end as sale_type,
        {{ as_money('coalesce(refund_totals.refunded_amount, 0)') }} as refunded_amount,
        refund_totals.last_refunded_at,
        {{ as_money(
            "case when window_payments.payment_status = 'succeeded'"
            ~ " then window_payments.amount - coalesce(refund_totals.refunded_amount, 0)"
            ~ " else 0 end"
        ) }} as net_amount,
        window_payments.payment_status = 'succeeded'
        and coalesce(refund_totals.refunded_amount, 0) >= window_payments.amount
            as is_fully_refunded
    from window_payments
    left join refund_totals on window_payments.payment_id = refund_totals.payment_id
    left join signups on window_payments.account_id = signups.account_id
    left join tariffs on window_payments.tariff_code = tariffs.tariff_code
    cross join history
)

select * from final
