-- For each sales technique and signup month: conversion to paid with and without it, the
-- lift (risk ratio) and its 95% interval from the log risk ratio's standard error
-- (Katz): exp(ln RR +- 1.96 * sqrt(1/a - 1/n1 + 1/c - 1/n0)). Null where a cell is empty.
-- Young cohorts have not had time to pay; both arms are equally young, so the ratio
-- still compares like with like, but its interval is wide.
-- Only signups whose every stage is landed (fct_signup_funnel.is_history_complete): an
-- older signup's unknown stages would read as "not reached".
with

funnel as (
    select
        *,
        cast({{ dbt.date_trunc('month', 'signup_day') }} as date) as cohort_month
    from {{ ref('fct_signup_funnel') }}
    where is_history_complete
),

exposures as (
    {%- for technique, flag, population in sales_techniques() %}
        select
            '{{ technique }}' as technique,
            cohort_month,
            coalesce({{ flag }}, false) as has_technique,
            paid_at is not null as is_paid
        from funnel
        where {{ population }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

counts as (
    select
        technique,
        cohort_month,
        sum(case when has_technique then 1 else 0 end) as signups_with,
        sum(case when has_technique and is_paid then 1 else 0 end) as paid_with,
        sum(case when not has_technique then 1 else 0 end) as signups_without,
        sum(case when not has_technique and is_paid then 1 else 0 end) as paid_without
    from exposures
    group by technique, cohort_month
),

rates as (
    select
        *,
        cast({{ safe_divide('paid_with', 'signups_with') }} as double) as paid_rate_with,
        cast({{ safe_divide('paid_without', 'signups_without') }} as double) as paid_rate_without,
        case
            when paid_with > 0 and paid_without > 0
                then sqrt(
                        1.0 / paid_with - 1.0 / signups_with
                        + 1.0 / paid_without - 1.0 / signups_without
                    )
        end as log_lift_standard_error
    from counts
),

final as (
    select
        technique,
        cohort_month,
        {{ as_count('signups_with') }} as signups_with,
        {{ as_count('paid_with') }} as paid_with,
        {{ as_count('signups_without') }} as signups_without,
        {{ as_count('paid_without') }} as paid_without,
        paid_rate_with,
        paid_rate_without,
        {{ safe_divide('paid_rate_with', 'paid_rate_without') }} as lift,
        case
            when log_lift_standard_error is not null
                then exp(ln(paid_rate_with / paid_rate_without) - 1.96 * log_lift_standard_error)
        end as lift_ci_low,
        case
            when log_lift_standard_error is not null
                then exp(ln(paid_rate_with / paid_rate_without) + 1.96 * log_lift_standard_error)
        end as lift_ci_high
    from rates
)

select * from final
