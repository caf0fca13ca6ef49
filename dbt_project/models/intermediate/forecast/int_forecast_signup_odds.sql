-- For each forecast month, the empirical chance that an unpaid signup pays within h days
-- (h = 0..31), given its furthest funnel stage and its age in days (0..45). Learned only from
-- signups whose 31-day outcome was known before the month began (no leakage) and seen in
-- the 180 days before it (the funnel changes). Stage `any` at age 0 = every new signup:
-- the odds of signups yet to come this month.
with

signups as (
    select * from {{ ref('int_signup_stage_days') }}
),

sales_days as (
    select distinct sale_month from {{ ref('mart_sales_daily') }}
),

checkpoints as (
    select series.generated_number - 1 as age_days
    from ({{ dbt.generate_series(forecast_signup_max_age() + 1) }}) as series
),

observations as (
    -- Each signup at each age it reached unpaid: its stage then, and days until it paid.
    select
        checkpoint_days.age_days,
        checkpoint_days.observed_on,
        {{ funnel_stage_on('checkpoint_days', 'checkpoint_days.observed_on') }} as funnel_stage,
        {{ days_between('checkpoint_days.observed_on', 'checkpoint_days.paid_day') }} as days_to_pay
    from (
        select
            signups.*,
            checkpoints.age_days,
            {{ days_after('signups.signup_day', 'checkpoints.age_days') }} as observed_on
        from signups
        cross join checkpoints
    ) as checkpoint_days
    where checkpoint_days.paid_day is null or checkpoint_days.paid_day > checkpoint_days.observed_on
),

staged as (
    select
        age_days,
        observed_on,
        funnel_stage,
        days_to_pay
    from observations
    union all
    select
        age_days,
        observed_on,
        'any' as funnel_stage,
        days_to_pay
    from observations
    where age_days = 0
),

training as (
    select
        sales_days.sale_month as month_start,
        staged.funnel_stage,
        staged.age_days,
        staged.days_to_pay,
        count(*) as observations_count
    from staged
    inner join sales_days
        on
            staged.observed_on < {{ days_after('sales_days.sale_month', -31) }}
            and staged.observed_on >= {{ days_after('sales_days.sale_month', -211) }}
    group by sales_days.sale_month, staged.funnel_stage, staged.age_days, staged.days_to_pay
),

horizons as (
    select series.generated_number - 1 as horizon_days
    from ({{ dbt.generate_series(32) }}) as series
),

final as (
    select
        training.month_start,
        training.funnel_stage,
        training.age_days,
        horizons.horizon_days,
        sum(training.observations_count) as observations_count,
        sum(case when training.days_to_pay <= horizons.horizon_days then training.observations_count else 0 end)
            as paid_count
    from training
    cross join horizons
    group by training.month_start, training.funnel_stage, training.age_days, horizons.horizon_days
)

select
    month_start,
    cast(funnel_stage as {{ dbt.type_string() }}) as funnel_stage,
    cast(age_days as {{ dbt.type_int() }}) as age_days,
    cast(horizon_days as {{ dbt.type_int() }}) as horizon_days,
    {{ as_count('observations_count') }} as observations_count,
    {{ as_double(safe_divide('paid_count', 'observations_count')) }} as pay_probability,
    {{ as_double('sum(' ~ safe_divide('paid_count', 'observations_count') ~ ') over ('
        ~ 'partition by month_start, funnel_stage, age_days order by horizon_days'
        ~ ' rows between unbounded preceding and 1 preceding)') }} as cumulative_pay_probability
from final
