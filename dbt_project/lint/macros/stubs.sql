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
{% macro email_hash(column) %}sha256(lower({{ column }})){% endmacro %}
{% macro first_element(column) %}{{ column }}[1]{% endmacro %}
{% macro in_day_window(column, lookback_days=0) %}{{ column }} >= current_date{% endmacro %}
{% macro window_start_day(lookback_days=0) %}current_date{% endmacro %}
{% macro seconds_between(start, finish) %}(epoch({{ finish }}) - epoch({{ start }})){% endmacro %}
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
