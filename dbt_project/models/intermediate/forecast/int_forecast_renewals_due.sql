-- The renewals still due in the rest of the month as of each landed day, per manager and
-- for the team (manager_id 0): both month-end forecasts add them. Periods known on the day
-- and not renewed yet whose renewal payment may land in the rest of the month (ending
-- from the grace before to 45 days after the month end), each worth its check (MRR ×
-- months) × P(renewal paid in the rest of the month | not paid yet) = rate × P(paid in
-- the window) ÷ P(not paid by now) (DECISIONS.md, "Forecasts"). Each period as known on
-- the day: a refund created later has not yet cut it short or lowered its check.
with

forecast_days as (
    select * from {{ ref('int_forecast_days') }}
),

renewals as (
    select * from {{ ref('int_period_renewals') }}
),

renewal_odds as (
    select * from {{ ref('int_forecast_renewal_odds') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'succeeded'
),

refunds as (
    select * from {{ ref('int_forecast_sale_refunds') }}
),

refunded_payments as (
    select
        payment_id,
        payment_day,
        max(refund_day) as last_refund_day
    from refunds
    group by payment_id, payment_day
),

refunds_pending as (
    -- A refunded sale on each day before its last refund was created, with the refunds
    -- known by then: on those days its period was not yet what it is now.
    select
        forecast_days.as_of_day,
        refunded_payments.payment_id,
        coalesce(sum(refunds.refund_amount), 0) as refunded_by_then
    from forecast_days
    inner join refunded_payments
        on
            forecast_days.as_of_day >= refunded_payments.payment_day
            and forecast_days.as_of_day < refunded_payments.last_refund_day
    left join refunds
        on
            refunded_payments.payment_id = refunds.payment_id
            and forecast_days.as_of_day >= refunds.refund_day
    group by forecast_days.as_of_day, refunded_payments.payment_id
),

booked_periods as (
    -- Each period with its payment: the months bought and the end before any refund cut it.
    select
        renewals.*,
        payments.paid_amount,
        payments.period_months as booked_months,
        {{ paid_period_end('renewals.period_start', 'payments.period_months', 'null') }} as booked_end
    from renewals
    inner join payments on renewals.subscription_id = payments.payment_id
),

periods_known as (
    -- The periods paid by the day and not renewed by then, as known on the day: while a
    -- refund is still to come, the period as bought (its full months, uncut) and its check
    -- net of the refunds made so far. (A refund only ever shortens a period, so the uncut
    -- end bounds the join.)
    select
        forecast_days.as_of_day,
        forecast_days.month_start,
        forecast_days.month_end,
        booked_periods.manager_id,
        case
            when refunds_pending.payment_id is null then booked_periods.period_end
            else booked_periods.booked_end
        end as period_end,
        case
            when refunds_pending.payment_id is null then booked_periods.period_months
            else booked_periods.booked_months
        end as period_months,
        case
            when refunds_pending.payment_id is null then booked_periods.mrr * booked_periods.period_months
            else booked_periods.paid_amount - refunds_pending.refunded_by_then
        end as renewal_check
    from forecast_days
    inner join booked_periods
        on
            forecast_days.as_of_day >= booked_periods.paid_day
            and (booked_periods.next_paid_day is null or forecast_days.as_of_day < booked_periods.next_paid_day)
            and {{ days_after('forecast_days.as_of_day', -1 * (var('renewal_grace_days') | int)) }}
            < booked_periods.booked_end
            and {{ days_after('forecast_days.month_end', 45) }} >= booked_periods.period_end
    left join refunds_pending
        on
            forecast_days.as_of_day = refunds_pending.as_of_day
            and booked_periods.subscription_id = refunds_pending.payment_id
),

renewals_due as (
    select
        periods_known.as_of_day,
        periods_known.manager_id,
        periods_known.renewal_check,
        renewal_rate_odds.renewal_rate,
        high_cdf.lead_cdf as cdf_until_today,
        low_cdf.lead_cdf as cdf_after_month
    from periods_known
    inner join renewal_odds as renewal_rate_odds
        on
            periods_known.month_start = renewal_rate_odds.month_start
            and periods_known.period_months = renewal_rate_odds.period_months
            and renewal_rate_odds.lead_days = 0
    left join renewal_odds as high_cdf
        on
            periods_known.month_start = high_cdf.month_start
            and periods_known.period_months = high_cdf.period_months
            and high_cdf.lead_days
            = {{ clamp(
                days_between('periods_known.as_of_day', 'periods_known.period_end') ~ ' - 1',
                -1 * (var('renewal_grace_days') | int) - 1,
                43,
            ) }}
    left join renewal_odds as low_cdf
        on
            periods_known.month_start = low_cdf.month_start
            and periods_known.period_months = low_cdf.period_months
            and low_cdf.lead_days
            = {{ clamp(
                days_between('periods_known.month_end', 'periods_known.period_end') ~ ' - 1',
                -1 * (var('renewal_grace_days') | int) - 1,
                43,
            ) }}
    where
        {{ days_after('periods_known.as_of_day', -1 * (var('renewal_grace_days') | int)) }}
        < periods_known.period_end
        and {{ days_after('periods_known.month_end', 45) }} >= periods_known.period_end
),

renewal_odds_now as (
    select
        as_of_day,
        manager_id,
        renewal_check,
        -- A probability: kept in [0, 1] against rounding (a renewal rate of exactly 1 made
        -- it 1 + 1e-16 and the variance below negative).
        {{ clamp(
            'coalesce(' ~ safe_divide(
                'renewal_rate * (cdf_until_today - cdf_after_month)',
                '1 - renewal_rate * (1 - cdf_until_today)',
            ) ~ ', 0)',
            0,
            1,
        ) }} as pay_probability
    from renewals_due
),

renewal_expectations as (
    -- Expected renewal revenue, and its variance (each renewal pays its check or nothing).
    select
        as_of_day,
        manager_id,
        sum(renewal_check * pay_probability) as expected_renewals,
        sum(renewal_check * renewal_check * pay_probability * (1 - pay_probability)) as renewals_variance
    from renewal_odds_now
    group by as_of_day, manager_id
),

final as (
    {{ with_team_row('renewal_expectations', ['as_of_day'], ['expected_renewals', 'renewals_variance']) }}
)

select * from final
-- A fixed row order: the forecasts sum doubles over these rows, so a rebuild must read
-- them in the same order to give the same last digit.
order by as_of_day, manager_id
