-- One row per subscription period with its renewal outcome: renewed when the account's
-- next period starts within `renewal_grace_days` of this one's end (the demo's rule, and
-- the truth's). Decided only once end + grace has passed; the renewal ("local") churn,
-- the risk calibration and the renewal forecast all read it. An account whose first landed
-- payment is before the revenue history is complete may have older periods: its periods'
-- lifecycle stage is unknown (null, `is_history_complete` false).
with

periods as (
    select * from {{ revenue_periods() }}
),

numbered as (
    select
        periods.*,
        row_number() over (
            partition by periods.account_id
            order by periods.period_start, periods.paid_day, periods.subscription_id
        ) as period_number,
        lead(periods.period_start) over (
            partition by periods.account_id
            order by periods.period_start, periods.paid_day, periods.subscription_id
        ) as next_period_start,
        lead(periods.paid_day) over (
            partition by periods.account_id
            order by periods.period_start, periods.paid_day, periods.subscription_id
        ) as next_paid_day,
        min(periods.paid_day) over (partition by periods.account_id) as first_paid_day
    from periods
),

months_counted as (
    select
        numbered.*,
        -- Months the period was bought for (a refund-shortened one counts what it covered).
        greatest(1, round({{ days_between('numbered.period_start', 'numbered.period_end') }} / 30.4)) as period_months,
        {{ days_after('numbered.period_end', var('renewal_grace_days') | int) }} as decided_on,
        {{ days_after(
            'lag(numbered.period_end) over (partition by numbered.account_id order by numbered.period_number)',
            var('renewal_grace_days') | int,
        ) }} as previous_grace_end
    from numbered
),

data_end as (
    {{ data_end('periods') }}
),

history as (
    {{ revenue_history() }}
),

final as (
    select
        months_counted.subscription_id,
        months_counted.account_id,
        months_counted.period_start,
        months_counted.period_end,
        months_counted.paid_day,
        months_counted.mrr,
        months_counted.tariff,
        months_counted.is_special_tariff,
        months_counted.is_promo,
        months_counted.manager_id,
        {{ as_count('months_counted.period_number') }} as period_number,
        cast(months_counted.period_months as {{ dbt.type_int() }}) as period_months,
        {{ revenue_complete_on('months_counted.first_paid_day') }} as is_history_complete,
        case
            when not {{ revenue_complete_on('months_counted.first_paid_day') }} then null
            when months_counted.period_number = 1 then 'first_renewal'
            when months_counted.period_start > months_counted.previous_grace_end then 'returned'
            else 'established'
        end as lifecycle_stage,
        months_counted.next_period_start,
        months_counted.next_paid_day,
        months_counted.decided_on,
        months_counted.decided_on <= data_end.as_of_day as is_decided,
        case
            when months_counted.next_period_start <= months_counted.decided_on then true
            when months_counted.decided_on <= data_end.as_of_day then false
        end as is_renewed
    from months_counted
    cross join data_end
    cross join history
)

select * from final
-- A fixed row order: the renewal forecast sums doubles over these rows, so a rebuild must
-- read them in the same order to give the same last digit.
order by account_id, period_number
