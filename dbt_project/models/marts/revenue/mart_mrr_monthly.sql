-- Account × month MRR and its movement (new, expansion, contraction, churn, reactivation)
-- from the account's first active month to one month past its last. An account is active
-- in a month when a paid period covers the month's last day (the as-of day for the current
-- month), so churn is dated in the month the paid period ended (DECISIONS.md). A figure
-- measured on a day before the revenue history is complete is unknown (null), and a row
-- whose movement needs one is flagged `is_history_complete` = false.
with

periods as (
    select * from {{ revenue_periods() }}
),

data_end as (
    {{ data_end('periods') }}
),

history as (
    {{ revenue_history() }}
),

months as (
    select
        spine.spine_date as month_start,
        -- The day the month is measured on: its last day, or the as-of day while it runs.
        case
            when {{ month_end_of('spine.spine_date') }} < data_end.as_of_day
                then {{ month_end_of('spine.spine_date') }}
            else data_end.as_of_day
        end as measured_on,
        {{ month_end_of('spine.spine_date') }} <= data_end.as_of_day as is_complete_month,
        -- The previous month's MRR is measured on the day before this month starts.
        {{ revenue_complete_on(days_after('spine.spine_date', -1)) }} as is_previous_mrr_known
    from {{ calendar_spine(
        'month',
        '(select ' ~ month_of('min(periods.period_start)') ~ ' from periods)',
        '(select ' ~ month_of('data_end.as_of_day') ~ ' from data_end)',
        1200,
    ) }} as spine
    cross join data_end
    cross join history
),

measured_months as (
    select
        months.*,
        {{ revenue_complete_on('months.measured_on') }} as is_mrr_known
    from months
    cross join history
),

covering as (
    -- The periods covering each month's measuring day; the largest names the tariff.
    select
        periods.account_id,
        months.month_start,
        periods.mrr,
        periods.tariff,
        periods.is_special_tariff,
        periods.is_promo,
        row_number() over (
            partition by periods.account_id, months.month_start
            order by periods.mrr desc, periods.period_start desc, periods.subscription_id asc
        ) as size_rank
    from periods
    inner join measured_months as months
        on
            periods.period_start <= months.measured_on
            and periods.period_end > months.measured_on
),

account_months_active as (
    select
        account_id,
        month_start,
        sum(mrr) as mrr,
        max(case when size_rank = 1 then tariff end) as tariff,
        max(case when size_rank = 1 and is_special_tariff then 1 else 0 end) = 1 as is_special_tariff,
        max(case when size_rank = 1 and is_promo then 1 else 0 end) = 1 as is_promo
    from covering
    group by account_id, month_start
),

acquiring as (
    select
        account_id,
        manager_id as acquiring_manager_id
    from (
        select
            account_id,
            manager_id,
            row_number() over (
                partition by account_id order by period_start, paid_day, subscription_id
            ) as period_number
        from periods
    ) as numbered
    where period_number = 1
),

account_bounds as (
    select
        account_id,
        min(month_start) as first_active_month,
        cast({{ dbt.dateadd('month', 1, 'max(month_start)') }} as date) as month_after_last
    from account_months_active
    group by account_id
),

account_spine as (
    -- First active month .. one past the last, never past the as-of month: an account still
    -- active when the data ends gets no churn month.
    select
        account_bounds.account_id,
        account_bounds.first_active_month,
        months.month_start,
        months.is_complete_month,
        months.is_previous_mrr_known,
        months.is_mrr_known
    from account_bounds
    inner join measured_months as months
        on
            account_bounds.first_active_month <= months.month_start
            and account_bounds.month_after_last >= months.month_start
),

with_previous as (
    select
        account_spine.account_id,
        account_spine.month_start,
        account_spine.first_active_month,
        account_spine.is_complete_month,
        account_spine.is_previous_mrr_known,
        account_spine.is_mrr_known,
        account_spine.is_previous_mrr_known and account_spine.is_mrr_known as is_history_complete,
        coalesce(account_months_active.mrr, 0) as mrr,
        account_months_active.tariff,
        account_months_active.is_special_tariff,
        account_months_active.is_promo,
        lag(coalesce(account_months_active.mrr, 0)) over (
            partition by account_spine.account_id order by account_spine.month_start
        ) as previous_mrr,
        first_value(account_spine.is_previous_mrr_known and account_spine.is_mrr_known) over (
            partition by account_spine.account_id order by account_spine.month_start
        ) as is_first_month_complete
    from account_spine
    left join account_months_active
        on
            account_spine.account_id = account_months_active.account_id
            and account_spine.month_start = account_months_active.month_start
),

final as (
    select
        with_previous.account_id,
        with_previous.month_start,
        case when with_previous.is_previous_mrr_known then coalesce(with_previous.previous_mrr, 0) end
            as previous_mrr,
        case when with_previous.is_mrr_known then with_previous.mrr end as mrr,
        case
            when with_previous.is_history_complete
                then with_previous.mrr - coalesce(with_previous.previous_mrr, 0)
        end as mrr_change,
        -- Order matters: reactivation before expansion, or a return looks like an upgrade.
        case
            when not with_previous.is_history_complete then null
            when with_previous.previous_mrr is null and with_previous.mrr > 0 then 'new'
            when with_previous.mrr = 0 and with_previous.previous_mrr > 0 then 'churn'
            when with_previous.mrr > 0 and with_previous.previous_mrr = 0 then 'reactivation'
            when with_previous.mrr > with_previous.previous_mrr then 'expansion'
            when with_previous.mrr < with_previous.previous_mrr then 'contraction'
        end as movement,
        case when with_previous.is_mrr_known then with_previous.mrr > 0 end as is_active,
        with_previous.tariff,
        with_previous.is_special_tariff,
        with_previous.is_promo,
        acquiring.acquiring_manager_id,
        -- The first active month is the cohort only when it is known to be the first.
        case
            when with_previous.is_first_month_complete then with_previous.first_active_month
        end as cohort_month,
        with_previous.is_complete_month,
        with_previous.is_history_complete
    from with_previous
    left join acquiring on with_previous.account_id = acquiring.account_id
)

select
    account_id,
    month_start,
    {{ as_money('previous_mrr') }} as previous_mrr,
    {{ as_money('mrr') }} as mrr,
    {{ as_money('mrr_change') }} as mrr_change,
    movement,
    is_active,
    tariff,
    is_special_tariff,
    is_promo,
    acquiring_manager_id,
    cohort_month,
    is_complete_month,
    is_history_complete
from final
