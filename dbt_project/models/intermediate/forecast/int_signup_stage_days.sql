-- Each signup's funnel stages as Moscow days: what the funnel forecast needs to tell a
-- signup's stage on any past day (and what its odds are learned from).
with

funnel as (
    select * from {{ ref('fct_signup_funnel') }}
),

final as (
    select
        lead_id,
        manager_id,
        signup_day,
        {{ business_day('reached_at') }} as reached_day,
        {{ business_day('consultation_at') }} as consulted_day,
        {{ business_day('activated_at') }} as activated_day,
        {{ business_day('paid_at') }} as paid_day
    from funnel
)

select * from final
