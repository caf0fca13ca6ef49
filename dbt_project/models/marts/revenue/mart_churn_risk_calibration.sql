-- Does the risk score mean anything? Every past renewal whose outcome is known is scored as
-- of `churn_risk_calibration_lead_days` (30) before its period ended, with the same points
-- model as mart_churn_risk, and compared with what happened (renewed within grace or not).
-- Realised churn must rise with the band.
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

candidates as (
    select
        renewals.account_id,
        {{ days_after('renewals.period_end', -1 * (var('churn_risk_calibration_lead_days') | int)) }}
            as as_of_day,
        renewals.subscription_id,
        renewals.period_months,
        renewals.is_promo,
        renewals.lifecycle_stage,
        renewals.is_renewed
    from renewals
    cross join landed_history
    where
        renewals.is_decided
        -- Only renewals whose account history is whole: an unknown lifecycle stage would
        -- score without its first-renewal point.
        and renewals.is_history_complete
        and renewals.paid_day
        <= {{ days_after('renewals.period_end', -1 * (var('churn_risk_calibration_lead_days') | int)) }}
        -- and 8 weeks of product activity before the scoring day landed (or all activity
        -- since the records began), as mart_churn_risk's is_signal_history_complete:
        -- scoring before the first landed events would read "no activity" for everyone.
        and (
            {{ days_after('renewals.period_end', -56 - (var('churn_risk_calibration_lead_days') | int)) }}
            >= landed_history.events_from_day
            or landed_history.events_from_day <= landed_history.history_start_day
        )
),

{{ churn_risk_ctes('candidates', 'activity', 'failed_payments') }},

banded as (
    select
        risk_scored.*,
        {{ churn_risk_band('risk_score') }} as risk_band
    from risk_scored
),

final as (
    select
        risk_band,
        count(*) as renewals_scored,
        sum(case when is_renewed then 0 else 1 end) as renewals_lost,
        avg(risk_score) as average_score,
        min(as_of_day) as first_scored_on,
        max(as_of_day) as last_scored_on
    from banded
    group by risk_band
)

select
    cast(risk_band as {{ dbt.type_string() }}) as risk_band,
    {{ as_count('renewals_scored') }} as renewals_scored,
    {{ as_count('renewals_lost') }} as renewals_lost,
    {{ as_double(safe_divide('renewals_lost', 'renewals_scored')) }} as realised_churn_rate,
    {{ as_double('average_score') }} as average_score,
    first_scored_on,
    last_scored_on
from final
