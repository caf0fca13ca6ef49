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
