-- The renewals still due in the rest of the month as of each landed day, per manager and
-- for the team (manager_id 0): both month-end forecasts add them. Periods known on the day
-- and not renewed yet whose renewal payment may land in the rest of the month (ending
-- from the grace before to 45 days after the month end), each worth its check (MRR ×
-- months) × P(renewal paid in the rest of the month | not paid yet) = rate × P(paid in
-- the window) ÷ P(not paid by now) (DECISIONS.md, "Forecasts").
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

renewals_due as (
    select
        forecast_days.as_of_day,
        renewals.manager_id,
        renewals.mrr * renewals.period_months as renewal_check,
        renewal_rate_odds.renewal_rate,
        high_cdf.lead_cdf as cdf_until_today,
        low_cdf.lead_cdf as cdf_after_month
    from forecast_days
    inner join renewals
        on
            forecast_days.as_of_day >= renewals.paid_day
            and (renewals.next_paid_day is null or forecast_days.as_of_day < renewals.next_paid_day)
            and {{ days_after('forecast_days.as_of_day', -1 * (var('renewal_grace_days') | int)) }}
            < renewals.period_end
            and {{ days_after('forecast_days.month_end', 45) }} >= renewals.period_end
    inner join renewal_odds as renewal_rate_odds
        on
            forecast_days.month_start = renewal_rate_odds.month_start
            and renewals.period_months = renewal_rate_odds.period_months
            and renewal_rate_odds.lead_days = 0
    left join renewal_odds as high_cdf
        on
            forecast_days.month_start = high_cdf.month_start
            and renewals.period_months = high_cdf.period_months
            and high_cdf.lead_days
            = {{ clamp(
                days_between('forecast_days.as_of_day', 'renewals.period_end') ~ ' - 1',
                -1 * (var('renewal_grace_days') | int) - 1,
                43,
            ) }}
    left join renewal_odds as low_cdf
        on
            forecast_days.month_start = low_cdf.month_start
            and renewals.period_months = low_cdf.period_months
            and low_cdf.lead_days
            = {{ clamp(
                days_between('forecast_days.month_end', 'renewals.period_end') ~ ' - 1',
                -1 * (var('renewal_grace_days') | int) - 1,
                43,
            ) }}
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
