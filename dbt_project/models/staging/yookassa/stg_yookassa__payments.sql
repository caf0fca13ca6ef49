{{ config(**incremental_latest_version('payment_id')) }}
-- One row per payment, its latest version: a payment lands again every day of the 14-day
-- lookback, and the version with the latest capture (then the latest fetch) is the truth.
with

latest as (
    {{ latest_version_of(landed_increment(source('yookassa', 'payments')), ['id']) }}
),

final as (
    select
        id as payment_id,
        status as payment_status,
        coalesce(paid, false) as is_paid,
        amount,
        currency,
        income_amount,
        coalesce(refunded_amount, 0) as refunded_amount_reported,
        account_id,
        cast(lead_id as {{ dbt.type_bigint() }}) as lead_id,
        cast(manager_id as {{ dbt.type_bigint() }}) as manager_id,
        tariff as tariff_code,
        cast(period_months as {{ dbt.type_int() }}) as period_months,
        list_price,
        promo_code,
        payment_method_type,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('captured_at') }} as captured_at,
        {{ business_day(utc_timestamp('created_at')) }} as created_day,
        {{ business_day(utc_timestamp('captured_at')) }} as captured_day,
        cancellation_party,
        cancellation_reason,
        coalesce(test, false) as is_test,
        _source_updated_at,
        _partition_day,
        _ingested_at
    from latest
)

{{ latest_versions_since_kept('final', 'payment_id') }}
