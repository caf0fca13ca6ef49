-- One row per refund, its latest version (a pending refund can later succeed).
with

landed as (
    select * from {{ source('yookassa', 'refunds') }}
),

ranked as (
    select
        *,
        {{ latest_version_rank(['id']) }} as version_rank
    from landed
),

final as (
    select
        id as refund_id,
        payment_id,
        status as refund_status,
        amount as refund_amount,
        currency,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ business_day(utc_timestamp('created_at')) }} as created_day,
        _partition_day,
        _ingested_at
    from ranked
    where version_rank = 1
)

select * from final
