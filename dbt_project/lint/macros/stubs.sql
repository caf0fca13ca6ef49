{#
    Stand-ins for the project's macros when sqlfluff renders models with its jinja
    templater (the dbt templater would need a live profile and data). Each renders SQL of
    the same shape as the real macro, so the linter sees realistic statements.
#}
{% macro latest_version_rank(key_columns) -%}
row_number() over (partition by {{ key_columns | join(', ') }} order by _partition_day desc)
{%- endmacro %}
{% macro utc_timestamp(column) %}timezone('UTC', {{ column }}){% endmacro %}
{% macro business_day(column) %}cast({{ column }} as date){% endmacro %}
{% macro phone_hash(column) %}sha256({{ column }}){% endmacro %}
{% macro phone_e164(column) %}regexp_replace({{ column }}, '[^0-9]', '', 'g'){% endmacro %}
{% macro phone_unreadable(column) %}({{ column }} is not null){% endmacro %}
{% macro email_hash(column) %}sha256(lower({{ column }})){% endmacro %}
{% macro first_element(column) %}{{ column }}[1]{% endmacro %}
{% macro in_day_window(column, lookback_days=0) %}{{ column }} >= current_date{% endmacro %}
{% macro window_start_day(lookback_days=0) %}current_date{% endmacro %}
{% macro incremental_by_day(unique_key, day_column) %}{{ return({'materialized': 'incremental'}) }}{% endmacro %}
{% macro seconds_between(start, finish) %}((epoch_us({{ finish }}) - epoch_us({{ start }})) / 1e6){% endmacro %}
{% macro as_money(expression) %}cast({{ expression }} as decimal(18, 2)){% endmacro %}
{% macro as_count(expression) %}cast({{ expression }} as bigint){% endmacro %}
{% macro as_double(expression) %}cast({{ expression }} as double){% endmacro %}
{% macro safe_divide(numerator, denominator) %}({{ numerator }}) / nullif({{ denominator }}, 0){% endmacro %}
{% macro median(expression) %}median({{ expression }}){% endmacro %}
{% macro funnel_stages() -%}
{{ return([('signed_up', 'signed_up_at'), ('first_called', 'first_call_at'), ('reached', 'reached_at'), ('paid', 'paid_at')]) }}
{%- endmacro %}
{% macro sales_techniques() -%}
{{ return([('consultation_held', 'consultation_at is not null', 'reached_at is not null'), ('webinar_attended', 'attended_webinar', 'true')]) }}
{%- endmacro %}
{% macro revenue_periods() %}int_subscription_periods{% endmacro %}
{% macro data_end(relation) %}select max({{ relation }}.paid_day) as as_of_day from {{ relation }}{% endmacro %}
{% macro paid_period_end(start, months, cancelled_day) %}least({{ start }}, {{ cancelled_day }}){% endmacro %}
{% macro calendar_spine(datepart, start_sql, end_sql, max_count) -%}
(select cast(range as date) as spine_date from range({{ start_sql }}, {{ end_sql }}, interval 1 day))
{%- endmacro %}
{% macro month_of(day) %}cast(date_trunc('month', {{ day }}) as date){% endmacro %}
{% macro month_end_of(day) %}cast(last_day({{ day }}) as date){% endmacro %}
{% macro days_between(start, finish) %}date_diff('day', {{ start }}, {{ finish }}){% endmacro %}
{% macro iso_day_of_week(day) %}isodow({{ day }}){% endmacro %}
{% macro churn_risk_band(score) %}case when {{ score }} >= 6 then 'high' else 'low' end{% endmacro %}
{% macro funnel_stage_on(relation, day) %}case when {{ relation }}.paid_day <= {{ day }} then 'paid' end{% endmacro %}
{% macro clamp(expression, low, high) %}greatest({{ low }}, least({{ high }}, {{ expression }})){% endmacro %}
{% macro forecast_signup_max_age() %}{{ return(45) }}{% endmacro %}
{% macro forecast_history_days() %}{{ return(91) }}{% endmacro %}
{% macro churn_risk_ctes(candidates, activity, failed_payments) -%}
risk_scored as (
    select
        {{ candidates }}.*,
        0 as days_since_last_activity,
        0 as events_last_28d,
        0 as events_prior_28d,
        0 as reports_viewed_last_28d,
        0 as failed_payments_last_90d,
        0 as risk_score,
        '' as top_reasons
    from {{ candidates }}
    inner join {{ activity }} on {{ candidates }}.account_id = {{ activity }}.account_id
    inner join {{ failed_payments }} on {{ candidates }}.account_id = {{ failed_payments }}.account_id
)
{%- endmacro %}
{% macro days_after(day, days) %}cast(date_add({{ day }}, interval ({{ days }}) day) as date){% endmacro %}
{% macro latest_version_of(relation, key_columns) -%}
select * from {{ relation }} where {{ key_columns | join(' is not null and ') }} is not null
{%- endmacro %}
{% macro latest_snapshot_of(relation, key_columns) -%}
select * from {{ relation }} where {{ key_columns | join(' is not null and ') }} is not null
{%- endmacro %}
{% macro window_day_var(name) %}{{ return(none) }}{% endmacro %}
{% macro landed_files(relation, first_day=none, end_day=none) %}{{ relation }}{% endmacro %}
{% macro landed_window_files(relation, lookback_days=0) %}{{ relation }}{% endmacro %}
{% macro landed_increment(relation) %}{{ relation }}{% endmacro %}
{% macro landed_edge_day(relation, edge) %}(select {{ edge }}(_partition_day) from {{ relation }}){% endmacro %}
{% macro incremental_latest_version(unique_key) %}{{ return({'materialized': 'incremental'}) }}{% endmacro %}
{% macro latest_versions_since_kept(cte, unique_key) %}select * from {{ cte }}{% endmacro %}
{% macro required_var(name) %}{{ return(0) }}{% endmacro %}
{% macro with_team_row(relation, key_columns, sum_columns) %}select {{ (key_columns + ['manager_id'] + sum_columns) | join(', ') }} from {{ relation }}{% endmacro %}
{% macro average_check(net_revenue, sales_count) %}({{ net_revenue }}) / nullif({{ sales_count }}, 0){% endmacro %}
{% macro plan_attainment(net_revenue, plan) %}cast(({{ net_revenue }}) / nullif({{ plan }}, 0) as double){% endmacro %}
{% macro plan_pace(plan, days_elapsed, days_in_month) %}cast({{ plan }} * {{ days_elapsed }} / {{ days_in_month }} as decimal(18, 2)){% endmacro %}
{% macro month_days_elapsed(day) %}cast(date_diff('day', date_trunc('month', {{ day }}), {{ day }}) + 1 as bigint){% endmacro %}
{% macro month_days(day) %}cast(date_diff('day', date_trunc('month', {{ day }}), last_day({{ day }})) + 1 as bigint){% endmacro %}
{% macro company_rows(table, columns) %}select {% for name, type in columns %}cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}{% endfor %}{% endmacro %}
{% macro landed_days(source_name, table_name, first_day=none, end_day=none) %}select distinct _partition_day as landed_day from {{ source_name }}_{{ table_name }}{% endmacro %}
{% macro landed_first_day(source_name, table_name) %}(select min(_partition_day) from {{ source_name }}_{{ table_name }}){% endmacro %}
{% macro day_literal(day) %}date '2025-01-01'{% endmacro %}
{% macro revenue_history() %}select history_start_day, revenue_from_day, revenue_complete_from_day from int_landed_history{% endmacro %}
{% macro revenue_complete_on(day, history='history') %}({{ day }} >= {{ history }}.revenue_complete_from_day or {{ day }} < {{ history }}.history_start_day){% endmacro %}
