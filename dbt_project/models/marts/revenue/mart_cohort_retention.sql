-- Retention of first-payment cohorts: for each cohort month and each month since, the
-- accounts still paying and their MRR, with logo, gross and net revenue retention against
-- the cohort's first month (metrics.md; gross caps each account at its starting MRR).
-- A month before the revenue history is complete is a cohort of unknown members: its rows
-- are kept with every figure null (`is_history_complete` false).
with

mrr_months as (
    select * from {{ ref('mart_mrr_monthly') }}
),

months as (
    select
        month_start,
        max(case when is_complete_month then 1 else 0 end) = 1 as is_complete_month,
        min(case when is_history_complete then 1 else 0 end) = 1 as is_history_complete
    from mrr_months
    group by month_start
),

cohort_members as (
    select
        account_id,
        cohort_month,
        mrr as starting_mrr
    from mrr_months
    where movement = 'new'
),

cohorts as (
    -- Months with new accounts, and every month whose new accounts are unknown.
    select
        months.month_start as cohort_month,
        months.is_history_complete,
        count(cohort_members.account_id) as cohort_accounts,
        sum(cohort_members.starting_mrr) as cohort_starting_mrr
    from months
    left join cohort_members on months.month_start = cohort_members.cohort_month
    group by months.month_start, months.is_history_complete
    having not months.is_history_complete or count(cohort_members.account_id) > 0
),

cohort_months as (
    select
        cohorts.*,
        months.month_start,
        months.is_complete_month,
        {{ dbt.datediff('cohorts.cohort_month', 'months.month_start', 'month') }} as months_since
    from cohorts
    inner join months on cohorts.cohort_month <= months.month_start
),

retained as (
    select
        cohort_members.cohort_month,
        mrr_months.month_start,
        count(*) as retained_accounts,
        sum(mrr_months.mrr) as retained_mrr,
        sum(
            case
                when mrr_months.mrr < cohort_members.starting_mrr then mrr_months.mrr
                else cohort_members.starting_mrr
            end
        ) as retained_mrr_capped
    from mrr_months
    inner join cohort_members on mrr_months.account_id = cohort_members.account_id
    where mrr_months.is_active
    group by cohort_members.cohort_month, mrr_months.month_start
),

final as (
    select
        cohort_months.cohort_month,
        cohort_months.months_since,
        cohort_months.month_start,
        cohort_months.is_complete_month,
        cohort_months.is_history_complete,
        case when cohort_months.is_history_complete then cohort_months.cohort_accounts end
            as cohort_accounts,
        case when cohort_months.is_history_complete then cohort_months.cohort_starting_mrr end
            as cohort_starting_mrr,
        case when cohort_months.is_history_complete then coalesce(retained.retained_accounts, 0) end
            as retained_accounts,
        case when cohort_months.is_history_complete then coalesce(retained.retained_mrr, 0) end
            as retained_mrr,
        case when cohort_months.is_history_complete then coalesce(retained.retained_mrr_capped, 0) end
            as retained_mrr_capped
    from cohort_months
    left join retained
        on
            cohort_months.cohort_month = retained.cohort_month
            and cohort_months.month_start = retained.month_start
)

select
    cohort_month,
    cast(months_since as {{ dbt.type_int() }}) as months_since,
    month_start,
    is_complete_month,
    is_history_complete,
    {{ as_count('cohort_accounts') }} as cohort_accounts,
    {{ as_money('cohort_starting_mrr') }} as cohort_starting_mrr,
    {{ as_count('retained_accounts') }} as retained_accounts,
    {{ as_money('retained_mrr') }} as retained_mrr,
    {{ as_double(safe_divide('retained_accounts', 'cohort_accounts')) }} as logo_retention,
    {{ as_double(safe_divide('retained_mrr_capped', 'cohort_starting_mrr')) }} as gross_revenue_retention,
    {{ as_double(safe_divide('retained_mrr', 'cohort_starting_mrr')) }} as net_revenue_retention
from final
