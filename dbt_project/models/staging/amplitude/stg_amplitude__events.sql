{{ config(on_schema_change='append_new_columns', **incremental_by_day('event_uuid', '_partition_day')) }}
-- Product events, one row per event uuid. Incremental by upload day (the landing
-- partition): an event lands once, on the day it was uploaded, so a run re-reads only its
-- window's partitions and a rerun replaces the same uuids.
-- An event whose device clock is implausible (landing's `event_time_implausible`, checked
-- against `server_upload_time`) is dated by its upload: a phone set to 2001 or 2031 must
-- not move its activity off the day it happened.
{%- set event_at -%}
    case
        when event_time_implausible then {{ utc_timestamp('server_upload_time') }}
        else {{ utc_timestamp('event_time') }}
    end
{%- endset %}

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
        {{ event_at }} as event_at,
        {{ utc_timestamp('event_time') }} as device_event_at,
        event_time_implausible as is_device_time_implausible,
        {{ utc_timestamp('server_upload_time') }} as uploaded_at,
        {{ business_day(event_at) }} as event_day,
        platform,
        event_properties,
        _partition_day,
        _ingested_at
    from ranked
    where version_rank = 1
)

select * from final
