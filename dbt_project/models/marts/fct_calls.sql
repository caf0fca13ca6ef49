{{ config(**incremental_by_day('call_uuid', 'call_day')) }}
-- One row per call with the board's call rules applied: reached = at least 60 s of talk,
-- rings waited = ring time / 5 s cycle, local caller ID = the number shown to the prospect
-- has the prospect's region's area code. Incremental by the Moscow day the call started.
with

calls as (
    select * from {{ ref('stg_telphin__calls') }}
    where {{ in_day_window('call_day') }}
),

call_signups as (
    select * from {{ ref('int_calls_to_signups') }}
),

signups as (
    select * from {{ ref('int_signups') }}
),

manager_extensions as (
    select * from {{ ref('manager_extensions') }}
),

regions as (
    select * from {{ ref('regions') }}
),

measured as (
    select
        calls.*,
        {{ seconds_between('calls.started_at', 'coalesce(calls.bridged_at, calls.hung_up_at)') }}
            as ring_seconds,
        substr(calls.team_number_e164, 3, 3) as shown_area_code
    from calls
),

final as (
    select
        measured.call_uuid,
        measured.call_day,
        measured.started_at,
        measured.bridged_at,
        measured.hung_up_at,
        manager_extensions.manager_id,
        measured.extension_id,
        call_signups.lead_id,
        signups.region_code,
        measured.direction,
        measured.call_result,
        measured.hangup_disposition,
        {{ as_double('measured.ring_seconds') }} as ring_seconds,
        cast(
            floor(measured.ring_seconds / {{ var('ring_cycle_seconds') }})
            as {{ dbt.type_int() }}
        ) as rings_waited,
        measured.talk_seconds,
        measured.bridged_at is not null as is_connected,
        coalesce(measured.talk_seconds, 0) >= {{ var('reached_min_talk_seconds') }} as is_reached,
        measured.shown_area_code,
        case
            when measured.direction = 'out' and regions.area_code is not null
                then measured.shown_area_code = regions.area_code
        end as is_local_caller_id
    from measured
    left join call_signups on measured.call_uuid = call_signups.call_uuid
    left join signups on call_signups.lead_id = signups.lead_id
    left join regions on signups.region_code = regions.region_code
    left join manager_extensions on measured.extension_id = manager_extensions.extension_id
)

select * from final
