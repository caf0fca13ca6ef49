{#
    Shared logic of the revenue, churn and forecast marts (DECISIONS.md, "Revenue, churn and
    forecast marts").
#}

{#
    The subscription periods the revenue marts read: `int_subscription_periods`, or any
    relation of the same shape named by the var `revenue_periods_relation` (e.g. the
    dbt-labs mrr-playbook fixture), so the movement and churn logic is proven on data it was
    not written for. The ref is always rendered at parse time, so lineage stays intact.
#}
{% macro revenue_periods() -%}
    {%- set relation = var('revenue_periods_relation', none) -%}
    {%- if relation is none or not execute -%}
        {{ ref('int_subscription_periods') }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#
    The day the data ends ("as of"): the var `as_of_day` ('YYYY-MM-DD') when set, for
    re-running a mart as of a past day; else `day_column`. Callers take the max of it.
#}
{% macro as_of_day(day_column) -%}
    {%- set day = var('as_of_day', none) -%}
    {%- if day is none -%}
        {{ day_column }}
    {%- else -%}
        {{ day_literal(day) }}
    {%- endif -%}
{%- endmacro %}

{#
    The exclusive end of a paid period of `months` months from `start`: the calendar months
    added (a 31st clamps to the month's last day, as the billing does), cut at the day of a
    full refund (never before the start).
#}
{% macro paid_period_end(start, months, cancelled_day) -%}
    case
        when {{ cancelled_day }} is null
            then cast({{ dbt.dateadd('month', months, start) }} as date)
        when {{ cancelled_day }} < {{ start }} then {{ start }}
        when {{ cancelled_day }} < cast({{ dbt.dateadd('month', months, start) }} as date)
            then {{ cancelled_day }}
        else cast({{ dbt.dateadd('month', months, start) }} as date)
    end
{%- endmacro %}

{#
    A spine of dates, one per `datepart` from `start_sql` to `end_sql` inclusive (scalar SQL
    expressions), at most `max_count` of them; a subquery with the column `spine_date`.
#}
{% macro calendar_spine(datepart, start_sql, end_sql, max_count) -%}
    (
        select cast({{ dbt.dateadd(datepart, 'series.generated_number - 1', start_sql) }} as date)
            as spine_date
        from ({{ dbt.generate_series(max_count) }}) as series
        where
            cast({{ dbt.dateadd(datepart, 'series.generated_number - 1', start_sql) }} as date)
            <= {{ end_sql }}
    )
{%- endmacro %}

{# The first day of the month of a date, as a date. #}
{% macro month_of(day) -%}
    cast({{ dbt.date_trunc('month', day) }} as date)
{%- endmacro %}

{# The last day of the month of a date. #}
{% macro month_end_of(day) -%}
    cast({{ dbt.last_day(day, 'month') }} as date)
{%- endmacro %}

{# Whole days from `start` to `finish` (dates). #}
{% macro days_between(start, finish) -%}
    {{ dbt.datediff(start, finish, 'day') }}
{%- endmacro %}

{#
    The churn-risk points model: (signal, condition over the signal columns, points, reason
    in words), strongest first. Points only ever add, so the score is monotonic in each
    signal; bands cut the score (`churn_risk_band`). Used by mart_churn_risk and by its
    calibration, so both score with the same weights.
#}
{% macro churn_risk_points() -%}
    {{ return([
        ('no_recent_activity', 'days_since_last_activity > 14', 3, 'no product activity for over two weeks'),
        ('low_activity', 'events_last_28d < 60', 2, 'low product use in the last 4 weeks'),
        ('long_period', 'period_months >= 6', 2, 'a long period ends: the whole year is decided at once'),
        ('promo_buyer', 'is_promo', 2, 'bought on a promotion, may wait for the next one'),
        ('falling_activity', 'events_last_28d < 0.7 * events_prior_28d', 1, 'product use falling vs the previous 4 weeks'),
        ('no_reports', 'reports_viewed_last_28d = 0', 1, 'no reports viewed in the last 4 weeks'),
        ('failed_payments', 'failed_payments_last_90d > 0', 1, 'a failed (canceled) payment in the last 90 days'),
        ('first_renewal', "lifecycle_stage = 'first_renewal'", 1, 'first renewal: not yet a habit'),
    ]) }}
{%- endmacro %}

{# Score → band; the cut-offs are the documented ones (DECISIONS.md). #}
{% macro churn_risk_band(score) -%}
    case
        when {{ score }} >= {{ var('churn_risk_high_from') }} then 'high'
        when {{ score }} >= {{ var('churn_risk_medium_from') }} then 'medium'
        else 'low'
    end
{%- endmacro %}

{#
    Signal CTEs of the churn-risk model for the rows of `candidates` (account_id, as_of_day
    plus the period's columns). Emits the CTEs `risk_activity`, `risk_failures` and
    `risk_scored` (candidates × signals × score, band and reasons); the caller continues
    with `, next_cte as (...)` or selects from `risk_scored`.
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

{#
    The furthest funnel stage a signup had reached by `day` (a row of `relation` with the
    `*_day` columns of the stages): activated > consulted > reached > signed_up.
#}
{% macro funnel_stage_on(relation, day) -%}
    case
        when {{ relation }}.activated_day <= {{ day }} then 'activated'
        when {{ relation }}.consulted_day <= {{ day }} then 'consulted'
        when {{ relation }}.reached_day <= {{ day }} then 'reached'
        else 'signed_up'
    end
{%- endmacro %}

{# Ages (days since signup) at which the funnel forecast's odds are learned and read. #}
{#
    Every day of age up to 45 (an open signup's odds must be those of signups exactly as old:
    a coarser checkpoint would count payments the signup has already not made).
#}
{% macro forecast_age_checkpoints() -%}
    {{ return(range(0, 46) | list) }}
{%- endmacro %}

{# `expression` bounded to [low, high]. #}
{% macro clamp(expression, low, high) -%}
    case
        when {{ expression }} < {{ low }} then {{ low }}
        when {{ expression }} > {{ high }} then {{ high }}
        else {{ expression }}
    end
{%- endmacro %}

{# The date `days` days after `day` (negative = before). #}
{% macro days_after(day, days) -%}
    cast({{ dbt.dateadd('day', days, day) }} as date)
{%- endmacro %}
