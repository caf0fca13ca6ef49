-- Retention of first-payment cohorts: for each cohort month and each month since, the
-- accounts still paying and their MRR, with logo, gross and net revenue retention against
-- the cohort's first month (metrics.md; gross caps each account at its starting MRR).
with

mrr_months as (
    select * from {{ ref('mart_mrr_monthly') }}
),

months as (
    select distinct
        month_start,
        is_complete_month
    from mrr_months
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
    select
        cohort_month,
        count(*) as cohort_accounts,
        sum(starting_mrr) as cohort_starting_mrr
    from cohort_members
    group by cohort_month
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
        cohort_months.cohort_accounts,
        cohort_months.cohort_starting_mrr,
        coalesce(retained.retained_accounts, 0) as retained_accounts,
        coalesce(retained.retained_mrr, 0) as retained_mrr,
        coalesce(retained.retained_mrr_capped, 0) as retained_mrr_capped
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
    {{ as_count('cohort_accounts') }} as cohort_accounts,
    {{ as_money('cohort_starting_mrr') }} as cohort_starting_mrr,
    {{ as_count('retained_accounts') }} as retained_accounts,
    {{ as_money('retained_mrr') }} as retained_mrr,
    {{ as_double(safe_divide('retained_accounts', 'cohort_accounts')) }} as logo_retention,
    {{ as_double(safe_divide('retained_mrr_capped', 'cohort_starting_mrr')) }} as gross_revenue_retention,
    {{ as_double(safe_divide('retained_mrr', 'cohort_starting_mrr')) }} as net_revenue_retention
from final
