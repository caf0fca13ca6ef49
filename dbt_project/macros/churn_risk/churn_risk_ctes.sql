{#
    Signal CTEs of the churn-risk model for the rows of `candidates` (account_id, as_of_day
    plus the period's columns). Emits the CTEs `risk_activity`, `risk_failures`,
    `risk_signals` and `risk_scored` (candidates × signals × score, band and reasons); the
    caller continues with `, next_cte as (...)` or selects from `risk_scored`.
#}
{% macro churn_risk_ctes(candidates, activity, failed_payments) -%}
risk_activity as (
    select
        {{ candidates }}.account_id,
        {{ candidates }}.as_of_day,
        max({{ activity }}.activity_day) as last_activity_day,
        sum(
            case
                when {{ activity }}.activity_day > {{ dbt.dateadd('day', -28, candidates ~ '.as_of_day') }}
                    then {{ activity }}.events_count
                else 0
            end
        ) as events_last_28d,
        sum(
            case
                when {{ activity }}.activity_day <= {{ dbt.dateadd('day', -28, candidates ~ '.as_of_day') }}
                    and {{ activity }}.activity_day > {{ dbt.dateadd('day', -56, candidates ~ '.as_of_day') }}
                    then {{ activity }}.events_count
                else 0
            end
        ) as events_prior_28d,
        sum(
            case
                when {{ activity }}.activity_day > {{ dbt.dateadd('day', -28, candidates ~ '.as_of_day') }}
                    then {{ activity }}.reports_viewed_count
                else 0
            end
        ) as reports_viewed_last_28d
    from {{ candidates }}
    inner join {{ activity }}
        on
            {{ candidates }}.account_id = {{ activity }}.account_id
            and {{ activity }}.activity_day <= {{ candidates }}.as_of_day
            and {{ activity }}.activity_day > {{ dbt.dateadd('day', -120, candidates ~ '.as_of_day') }}
    group by {{ candidates }}.account_id, {{ candidates }}.as_of_day
),

risk_failures as (
    select
        {{ candidates }}.account_id,
        {{ candidates }}.as_of_day,
        count(*) as failed_payments_last_90d
    from {{ candidates }}
    inner join {{ failed_payments }}
        on
            {{ candidates }}.account_id = {{ failed_payments }}.account_id
            and {{ failed_payments }}.payment_day <= {{ candidates }}.as_of_day
            and {{ failed_payments }}.payment_day > {{ dbt.dateadd('day', -90, candidates ~ '.as_of_day') }}
    group by {{ candidates }}.account_id, {{ candidates }}.as_of_day
),

risk_signals as (
    select
        {{ candidates }}.*,
        coalesce(
            {{ days_between('risk_activity.last_activity_day', candidates ~ '.as_of_day') }}, 999
        ) as days_since_last_activity,
        coalesce(risk_activity.events_last_28d, 0) as events_last_28d,
        coalesce(risk_activity.events_prior_28d, 0) as events_prior_28d,
        coalesce(risk_activity.reports_viewed_last_28d, 0) as reports_viewed_last_28d,
        coalesce(risk_failures.failed_payments_last_90d, 0) as failed_payments_last_90d
    from {{ candidates }}
    left join risk_activity
        on
            {{ candidates }}.account_id = risk_activity.account_id
            and {{ candidates }}.as_of_day = risk_activity.as_of_day
    left join risk_failures
        on
            {{ candidates }}.account_id = risk_failures.account_id
            and {{ candidates }}.as_of_day = risk_failures.as_of_day
),

risk_scored as (
    select
        risk_signals.*,
        0
        {%- for signal, condition, points, reason in churn_risk_points() %}
            + case when {{ condition }} then {{ points }} else 0 end
        {%- endfor %} as risk_score,
        concat_ws(
            '; '
            {%- for signal, condition, points, reason in churn_risk_points() %},
                case when {{ condition }} then '{{ reason }}' end
            {%- endfor %}
        ) as top_reasons
    from risk_signals
)
{%- endmacro %}
