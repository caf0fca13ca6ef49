with recursive

-- The one interface the revenue marts read: one row per paid subscription period.
-- A succeeded payment buys `period_months` months; a renewal paid before the previous
-- period ends starts at that end (the chain needs the previous period's end, hence the
-- recursion); a full refund ends the period on the refund day; a partial one lowers MRR.
payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
),

ordered as (
    select
        payment_id,
        account_id,
        manager_id,
        tariff_code,
        is_special_tariff,
        is_promo,
        period_months,
        payment_day,
        case
            when is_fully_refunded then {{ business_day('last_refunded_at') }}
        end as cancelled_day,
        -- A fully refunded period is kept until the refund at its price (the account was a
        -- customer until then); a partial refund lowers the month's value.
        case
            when is_fully_refunded then paid_amount
            else net_amount
        end / period_months as mrr,
        row_number() over (
            partition by account_id order by captured_at, payment_id
        ) as payment_number
    from payments
),

chained (account_id, payment_number, period_start, period_end) as (
    select
        ordered.account_id,
        ordered.payment_number,
        ordered.payment_day as period_start,
        {{ paid_period_end('ordered.payment_day', 'ordered.period_months', 'ordered.cancelled_day') }}
            as period_end
    from ordered
    where ordered.payment_number = 1

    union all

    select
        ordered.account_id,
        ordered.payment_number,
        greatest(ordered.payment_day, chained.period_end) as period_start,
        {{ paid_period_end(
            'greatest(ordered.payment_day, chained.period_end)',
            'ordered.period_months',
            'ordered.cancelled_day',
        ) }} as period_end
    from chained
    inner join ordered
        on
            chained.account_id = ordered.account_id
            and ordered.payment_number = chained.payment_number + 1
),

final as (
    select
        ordered.payment_id as subscription_id,
        ordered.account_id,
        chained.period_start,
        chained.period_end,
        {{ as_money('ordered.mrr') }} as mrr,
        ordered.tariff_code as tariff,
        ordered.is_special_tariff,
        ordered.is_promo,
        ordered.payment_day as paid_day,
        ordered.manager_id
    from ordered
    inner join chained
        on
            ordered.account_id = chained.account_id
            and ordered.payment_number = chained.payment_number
    -- A renewal refunded before it began never covered a day.
    where chained.period_end > chained.period_start
)

select * from final
