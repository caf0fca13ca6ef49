-- One row per product account (the trial's workspace; payments and product events carry
-- its id): who signed it up, who sells to it, and its paying history so far.
with

signups as (
    select * from {{ ref('int_signups') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
),

payment_history as (
    select
        account_id,
        count(*) as succeeded_payments_count,
        min(captured_at) as first_paid_at,
        max(captured_at) as last_paid_at,
        sum(net_amount) as lifetime_net_revenue,
        max(case when is_promo then 1 else 0 end) = 1 as ever_bought_on_promo
    from payments
    group by account_id
),

latest_payment as (
    select
        account_id,
        tariff_code,
        period_months,
        row_number() over (
            partition by account_id order by captured_at desc, payment_id desc
        ) as recency_rank
    from payments
),

accounts as (
    select account_id from signups
    where account_id is not null
    union
    select account_id from payment_history
),

final as (
    select
        accounts.account_id,
        signups.lead_id,
        signups.manager_id,
        signups.channel,
        signups.region_code,
        signups.signed_up_at,
        payment_history.first_paid_at,
        payment_history.last_paid_at,
        coalesce(payment_history.succeeded_payments_count, 0) as succeeded_payments_count,
        {{ as_money('coalesce(payment_history.lifetime_net_revenue, 0)') }} as lifetime_net_revenue,
        coalesce(payment_history.ever_bought_on_promo, false) as ever_bought_on_promo,
        latest_payment.tariff_code as latest_tariff_code,
        latest_payment.period_months as latest_period_months
    from accounts
    left join signups on accounts.account_id = signups.account_id
    left join payment_history on accounts.account_id = payment_history.account_id
    left join latest_payment
        on accounts.account_id = latest_payment.account_id and latest_payment.recency_rank = 1
)

select * from final
