-- Which signup each call belongs to. Telephony knows only the customer's number, so a
-- call joins the signups with the same hashed phone; when a number signed up more than
-- once, the call goes to the latest signup made before the call started.
with

calls as (
    select * from {{ ref('stg_telphin__calls') }}
),

signups as (
    select * from {{ ref('int_signups') }}
    where phone_hash is not null
),

candidates as (
    select
        calls.call_uuid,
        signups.lead_id,
        row_number() over (
            partition by calls.call_uuid
            order by signups.signed_up_at desc, signups.lead_id desc
        ) as candidate_rank
    from calls
    inner join signups
        on
            calls.customer_phone_hash = signups.phone_hash
            and calls.started_at >= signups.signed_up_at
),

final as (
    select
        call_uuid,
        lead_id
    from candidates
    where candidate_rank = 1
)

select * from final
