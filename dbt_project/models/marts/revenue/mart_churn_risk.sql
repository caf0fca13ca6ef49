-- The retention manager's work list: accounts whose paid coverage ends within
-- `churn_risk_horizon_days` of the as-of day (the last day of data, or var `as_of_day`),
-- with their lifecycle stage, the signals, a points score, a band and the reasons in words.
-- Only what was known on the as-of day is used (payments made by then, events until then).
-- A row whose signals need history the landing does not hold (older payments of the
-- account, or the 8 weeks of product activity before the as-of day) is flagged
-- `is_history_complete` = false.
with

renewals as (
    select * from {{ ref('int_period_renewals') }}
),

activity as (
    select * from {{ ref('int_account_activity_daily') }}
),

failed_payments as (
    select * from {{ ref('fct_payments') }}
    where payment_status = 'canceled'
),

landed_history as (
    select * from {{ ref('int_landed_history') }}
),

data_end as (
    {{ data_end('renewals') }}
),

known_periods as (
    select
        renewals.*,
        data_end.as_of_day,
        max(renewals.period_end) over (partition by renewals.account_id) as covered_until,
        max(case when renewals.period_start <= data_end.as_of_day then 1 else 0 end) over (
            partition by renewals.account_id
        ) as has_started,
        -- The account's whole payment history, and 8 weeks of product activity, landed
        -- (or all activity since the records began).
        renewals.is_history_complete
        and (
            {{ days_after('data_end.as_of_day', -56) }} >= landed_history.events_from_day
            or landed_history.events_from_day <= landed_history.history_start_day
        ) as is_signal_history_complete
    from renewals
    cross join data_end
    cross join landed_history
    where renewals.paid_day <= data_end.as_of_day
),

candidates as (
    -- The period that ends the account's paid coverage, when that is within the horizon.
    select
        account_id,
        as_of_day,
        subscription_id,
        manager_id,
        tariff,
        mrr,
        period_months,
        is_promo,
        period_end,
        lifecycle_stage,
        is_signal_history_complete as is_history_complete
    from known_periods
    where
        period_end = covered_until
        and has_started = 1
        and period_end > as_of_day
        and period_end <= {{ days_after('as_of_day', var('churn_risk_horizon_days') | int) }}
),

{{ churn_risk_ctes('candidates', 'activity', 'failed_payments') }}

select
    as_of_day,
    account_id,
    subscription_id,
    manager_id,
    tariff,
    {{ as_money('mrr') }} as mrr,
    period_months,
    is_promo,
    period_end,
    cast({{ days_between('as_of_day', 'period_end') }} as {{ dbt.type_int() }}) as days_to_period_end,
    lifecycle_stage,
    is_history_complete,
    cast(days_since_last_activity as {{ dbt.type_int() }}) as days_since_last_activity,
    {{ as_count('events_last_28d') }} as events_last_28d,
    {{ as_count('events_prior_28d') }} as events_prior_28d,
    {{ as_double(safe_divide('events_last_28d', 'events_prior_28d')) }} as activity_trend,
    {{ as_count('reports_viewed_last_28d') }} as reports_viewed_last_28d,
    {{ as_count('failed_payments_last_90d') }} as failed_payments_last_90d,
    cast(risk_score as {{ dbt.type_int() }}) as risk_score,
    {{ churn_risk_band('risk_score') }} as risk_band,
    top_reasons
from risk_scored
