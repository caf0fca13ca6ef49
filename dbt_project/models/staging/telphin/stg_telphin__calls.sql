{{ config(**incremental_latest_version('call_uuid')) }}
-- A table, not a view: its salted hashes are computed once, in dbt's session, which alone
-- holds the salt (a view would need the salt in every reader's session). Incremental on
-- DuckDB (incremental_latest_version): a run reads its window's partitions only.

-- One row per call, its latest landed version (calls re-read a 2-hour overlap, so a call
-- near midnight lands twice). The customer's number is replaced by its salted hash: the
-- key that links a call to a signup without keeping the number.
with

latest as (
    {{ latest_version_of(landed_increment(source('telphin', 'calls')), ['call_uuid']) }}
),

final as (
    select
        call_uuid,
        flow as direction,
        {{ utc_timestamp('init_time') }} as initiated_at,
        {{ utc_timestamp('start_time') }} as started_at,
        {{ utc_timestamp('bridged_time') }} as bridged_at,
        {{ utc_timestamp('hangup_time') }} as hung_up_at,
        {{ business_day(utc_timestamp('start_time')) }} as call_day,
        cast(duration_seconds as {{ dbt.type_int() }}) as duration_seconds,
        cast(bridged_duration_seconds as {{ dbt.type_int() }}) as talk_seconds,
        result as call_result,
        hangup_disposition,
        cast(extension_id as {{ dbt.type_bigint() }}) as extension_id,
        extension_name,
        -- The prospect's side: the dialled number on outbound calls, the caller on inbound.
        {{ phone_hash("case when flow = 'in' then from_username else dest_number end") }}
            as customer_phone_hash,
        -- The team's own number the prospect saw (outbound) or dialled (inbound): not
        -- personal data, kept to judge the local caller ID experiment.
        {{ phone_e164("case when flow = 'in' then did_number else ani_number end") }}
            as team_number_e164,
        record_uuid is not null as is_recorded,
        legs_count,
        _source_updated_at,
        _partition_day,
        _ingested_at
    from latest
)

{{ latest_versions_since_kept('final', 'call_uuid') }}
