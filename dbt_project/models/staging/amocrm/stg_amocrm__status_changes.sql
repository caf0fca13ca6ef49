{{ config(**incremental_latest_version('status_change_id')) }}
-- One row per lead stage move (`lead_status_changed` event). Events never change, so the
-- latest version only matters when a partition is re-landed. Incremental on DuckDB
-- (incremental_latest_version): a run reads its window's partitions only.
with

landed as (
    select * from {{ landed_increment(source('amocrm', 'status_events')) }}
),

ranked as (
    select
        *,
        {{ latest_version_rank(['id']) }} as version_rank
    from landed
),

final as (
    select
        id as status_change_id,
        cast(lead_id as {{ dbt.type_bigint() }}) as lead_id,
        {{ utc_timestamp('created_at') }} as changed_at,
        {{ business_day(utc_timestamp('created_at')) }} as changed_day,
        -- 0 = a robot (automation), not a person.
        cast(created_by as {{ dbt.type_bigint() }}) as changed_by_user_id,
        cast(pipeline_before as {{ dbt.type_bigint() }}) as pipeline_before,
        cast(status_before as {{ dbt.type_bigint() }}) as status_before,
        cast(pipeline_after as {{ dbt.type_bigint() }}) as pipeline_after,
        cast(status_after as {{ dbt.type_bigint() }}) as status_after,
        _source_updated_at,
        _partition_day,
        _ingested_at
    from ranked
    where version_rank = 1 and type = 'lead_status_changed'
)

{{ latest_versions_since_kept('final', 'status_change_id') }}
