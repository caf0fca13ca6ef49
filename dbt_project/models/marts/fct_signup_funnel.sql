-- One row per trial signup with the time it reached each funnel stage (null = not yet).
-- A full-refresh table: a signup's late stages happen up to weeks after its signup day,
-- and rebuilding every signup is cheap (thousands of rows), so no incremental bookkeeping.
with

signups as (
    select * from {{ ref('int_signups') }}
),

calls as (
    select * from {{ ref('fct_calls') }}
    where lead_id is not null
),

status_changes as (
    select * from {{ ref('stg_amocrm__status_changes') }}
),

events as (
    select * from {{ ref('stg_amplitude__events') }}
    where
        event_type in (
            '{{ required_var("activation_event") }}', '{{ required_var("lesson_event") }}'
        )
),

payments as (
    select * from {{ ref('stg_yookassa__payments') }}
    where payment_status = 'succeeded' and not is_test
),

history_starts as (
    select * from {{ ref('int_landed_history') }}
),

outbound_calls as (
    select
        *,
        row_number() over (partition by lead_id order by started_at, call_uuid) as attempt_number
    from calls
    where direction = 'out'
),

call_stages as (
    select
        lead_id,
        min(case when attempt_number = 1 then started_at end) as first_call_at,
        max(case when attempt_number = 1 then is_local_caller_id end) as first_call_local_caller_id,
        -- The 6-ring standard is about calls nobody picked up: did the manager let every
        -- one of them ring long enough? Null when no call went unanswered.
        min(case when not is_connected and call_result = 'not_answered' then rings_waited end)
            as min_rings_unanswered
    from outbound_calls
    group by lead_id
),

reached as (
    select
        lead_id,
        min(bridged_at) as reached_at
    from calls
    where is_reached
    group by lead_id
),

consultations as (
    select
        lead_id,
        min(changed_at) as consultation_at
    from status_changes
    where
        status_after = {{ required_var('consultation_status_id') }}
        and pipeline_after = {{ required_var('sales_pipeline_id') }}
    group by lead_id
),

account_events as (
    -- Only events after the signup count: an older import by the same account is not
    -- this trial's activation.
    select
        signups.lead_id,
        min(
            case
                when events.event_type = '{{ required_var("activation_event") }}'
                    then events.event_at
            end
        ) as activated_at,
        min(
            case
                when events.event_type = '{{ required_var("lesson_event") }}'
                    then events.event_at
            end
        ) as first_lesson_watched_at
    from signups
    inner join events
        on signups.account_id = events.account_id and signups.signed_up_at <= events.event_at
    group by signups.lead_id
),

first_payments as (
    select
        signups.lead_id,
        min(payments.captured_at) as paid_at
    from signups
    inner join payments
        on signups.account_id = payments.account_id and signups.signed_up_at <= payments.captured_at
    group by signups.lead_id
),

staged as (
    select
        signups.lead_id,
        signups.account_id,
        signups.manager_id,
        signups.channel,
        signups.region_code,
        signups.signup_day,
        signups.signed_up_at,
        case
            when signups.signup_day >= history_starts.calls_from_day then call_stages.first_call_at
        end as first_call_at,
        case
            when signups.signup_day >= history_starts.calls_from_day then reached.reached_at
        end as reached_at,
        consultations.consultation_at,
        case
            when signups.signup_day >= history_starts.events_from_day then account_events.activated_at
        end as activated_at,
        first_payments.paid_at,
        signups.signup_day >= history_starts.funnel_from_day
        and signups.signup_day >= history_starts.payments_from_day as is_history_complete,
        signups.is_case_study_shown as saw_case_study,
        signups.is_webinar_attended as attended_webinar,
        -- Lessons count when watched before paying (they are meant to convert).
        coalesce(
            account_events.first_lesson_watched_at is not null
            and (
                first_payments.paid_at is null
                or account_events.first_lesson_watched_at < first_payments.paid_at
            ),
            false
        ) as watched_lessons,
        call_stages.first_call_local_caller_id,
        call_stages.min_rings_unanswered
    from signups
    cross join history_starts
    left join call_stages on signups.lead_id = call_stages.lead_id
    left join reached on signups.lead_id = reached.lead_id
    left join consultations on signups.lead_id = consultations.lead_id
    left join account_events on signups.lead_id = account_events.lead_id
    left join first_payments on signups.lead_id = first_payments.lead_id
),

final as (
    select
        lead_id,
        account_id,
        manager_id,
        channel,
        region_code,
        signup_day,
        signed_up_at,
        first_call_at,
        reached_at,
        consultation_at,
        activated_at,
        paid_at,
        is_history_complete,
        saw_case_study,
        attended_webinar,
        watched_lessons,
        {{ as_double(seconds_between('signed_up_at', 'first_call_at') ~ ' / 3600.0') }}
            as hours_to_first_call,
        coalesce(
            {{ seconds_between('signed_up_at', 'first_call_at') }}
            <= {{ var('fast_first_call_minutes') }} * 60,
            false
        ) as first_call_within_15_min,
        case when first_call_at is not null then first_call_local_caller_id end
            as first_call_local_caller_id,
        case
            when first_call_at is not null and min_rings_unanswered is not null
                then min_rings_unanswered >= {{ var('min_rings_standard') }}
        end as waited_six_rings
    from staged
)

select * from final
