{{ config(**incremental_by_day('event_uuid', '_partition_day')) }}
-- Product events, one row per event uuid. Incremental by upload day (the landing
-- partition): an event lands once, on the day it was uploaded, so a run re-reads only its
-- window's partitions and a rerun replaces the same uuids.
with

landed as (
    select * from {{ landed_window_files(source('amplitude', 'events')) }}
    where {{ in_day_window('_partition_day') }}
),

ranked as (
    select
        *,
        {{ latest_version_rank(['uuid']) }} as version_rank
    from landed
),

final as (
    select
        uuid as event_uuid,
        insert_id,
        event_type,
        user_id as account_id,
        device_id,
        {{ utc_timestamp('event_time') }} as event_at,
        {{ utc_timestamp('server_upload_time') }} as uploaded_at,
        {{ business_day(utc_timestamp('event_time')) }} as event_day,
        platform,
        event_properties,
        _partition_day,
        _ingested_at
    from ranked
    where version_rank = 1
)

select * from final
