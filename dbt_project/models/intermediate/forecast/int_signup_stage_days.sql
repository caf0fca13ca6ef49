-- Each signup's funnel stages as Moscow days: what the funnel forecast needs to tell a
-- signup's stage on any past day (and what its odds are learned from). A stage counts from
-- the day it was known: calls, CRM stage changes and payments are recorded as they happen,
-- but a product event reaches Amplitude only when the device uploads it (hours later,
-- after midnight for a late-evening import), so activation dates from the upload.
with

funnel as (
    select * from {{ ref('fct_signup_funnel') }}
),

imports as (
    select * from {{ ref('stg_amplitude__events') }}
    where event_type = '{{ required_var("activation_event") }}'
),

activations_known as (
    -- The first time an import after the signup was in Amplitude (an event is known from
    -- its upload, never before it happened).
    select
        funnel.lead_id,
        min(greatest(imports.uploaded_at, imports.event_at)) as activation_known_at
    from funnel
    inner join imports
        on
            funnel.account_id = imports.account_id
            and funnel.signed_up_at <= imports.event_at
    where funnel.activated_at is not null
    group by funnel.lead_id
),

final as (
    select
        funnel.lead_id,
        funnel.manager_id,
        funnel.signup_day,
        {{ business_day('funnel.reached_at') }} as reached_day,
        {{ business_day('funnel.consultation_at') }} as consulted_day,
        {{ business_day('activations_known.activation_known_at') }} as activated_day,
        {{ business_day('funnel.paid_at') }} as paid_day
    from funnel
    left join activations_known on funnel.lead_id = activations_known.lead_id
)

select * from final
