-- Every succeeded refund of a sale, dated by the day it was created (Moscow), with the
-- sale's payment day, manager and type: what tells the forecasts what was known about a
-- past sale on a past day. A sale's net as known at the end of day d = its paid amount −
-- its refunds created by d (DECISIONS.md, "Forecasts", point in time).
with

refunds as (
    select * from {{ ref('stg_yookassa__refunds') }}
    where refund_status = 'succeeded'
),

payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
),

final as (
    select
        refunds.refund_id,
        refunds.payment_id,
        payments.payment_day,
        payments.manager_id,
        payments.sale_type,
        refunds.created_day as refund_day,
        {{ as_money('refunds.refund_amount') }} as refund_amount
    from refunds
    inner join payments on refunds.payment_id = payments.payment_id
)

select * from final
