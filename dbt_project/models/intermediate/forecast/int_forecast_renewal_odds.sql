-- For each forecast month and period length, the empirical renewal rate and the
-- distribution of when renewals are paid relative to the period end (lead = end − payment
-- day; negative = paid late inside the grace), from periods decided in the 180 days before
-- the month (no leakage). A long period is decided at once and renews less often.
with

renewals as (
    select * from {{ ref('int_period_renewals') }}
),

sales_days as (
    select distinct sale_month from {{ ref('mart_sales_daily') }}
),

training as (
    select
        sales_days.sale_month as month_start,
        renewals.period_months,
        renewals.is_renewed,
        case
            when renewals.is_renewed
                then {{ days_between('renewals.next_paid_day', 'renewals.period_end') }}
        end as lead_days
    from renewals
    inner join sales_days
        on
            renewals.decided_on < sales_days.sale_month
            and renewals.decided_on >= {{ days_after('sales_days.sale_month', -180) }}
),

leads as (
    select series.generated_number - {{ var('renewal_grace_days') }} - 2 as lead_days
    from ({{ dbt.generate_series(45 + (var('renewal_grace_days') | int)) }}) as series
),

rates as (
    select
        month_start,
        period_months,
        count(*) as periods_count,
        sum(case when is_renewed then 1 else 0 end) as renewed_count
    from training
    group by month_start, period_months
),

lead_cdf as (
    select
        training.month_start,
        leads.lead_days,
        {{ safe_divide(
            'sum(case when training.lead_days <= leads.lead_days then 1 else 0 end)',
            'sum(case when training.is_renewed then 1 else 0 end)',
        ) }} as lead_cdf
    from training
    cross join leads
    group by training.month_start, leads.lead_days
),

final as (
    select
        rates.month_start,
        rates.period_months,
        lead_cdf.lead_days,
        rates.periods_count,
        {{ safe_divide('rates.renewed_count', 'rates.periods_count') }} as renewal_rate,
        coalesce(lead_cdf.lead_cdf, 0) as lead_cdf
    from rates
    inner join lead_cdf on rates.month_start = lead_cdf.month_start
)

select
    month_start,
    cast(period_months as {{ dbt.type_int() }}) as period_months,
    cast(lead_days as {{ dbt.type_int() }}) as lead_days,
    {{ as_count('periods_count') }} as periods_count,
    {{ as_double('renewal_rate') }} as renewal_rate,
    {{ as_double('lead_cdf') }} as lead_cdf
from final
