{{ config(**incremental_latest_version('lead_id')) }}
-- One row per CRM lead (= one trial signup), its latest version by `updated_at`.
with

latest as (
    {{ latest_version_of(landed_increment(source('amocrm', 'leads')), ['id']) }}
),

final as (
    select
        cast(id as {{ dbt.type_bigint() }}) as lead_id,
        name as lead_name,
        price as lead_price,
        cast(responsible_user_id as {{ dbt.type_bigint() }}) as manager_id,
        cast(pipeline_id as {{ dbt.type_bigint() }}) as pipeline_id,
        cast(status_id as {{ dbt.type_bigint() }}) as status_id,
        cast(loss_reason_id as {{ dbt.type_bigint() }}) as loss_reason_id,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        {{ utc_timestamp('closed_at') }} as closed_at,
        {{ business_day(utc_timestamp('created_at')) }} as created_day,
        coalesce(is_deleted, false) as is_deleted,
        cast(main_contact_id as {{ dbt.type_bigint() }}) as main_contact_id,
        channel,
        region as region_code,
        product_account_id as account_id,
        coalesce(case_study_shown, false) as is_case_study_shown,
        coalesce(webinar_attended, false) as is_webinar_attended,
        _source_updated_at,
        _partition_day,
        _ingested_at
    from latest
)

{{ latest_versions_since_kept('final', 'lead_id') }}
