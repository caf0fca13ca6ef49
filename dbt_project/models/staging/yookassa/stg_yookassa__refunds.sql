{{ config(**incremental_latest_version('refund_id')) }}
-- One row per refund, its latest version (a pending refund can later succeed). Incremental
-- on DuckDB (incremental_latest_version): a run reads its window's partitions only.
with

landed as (
    select * from {{ landed_increment(source('yookassa', 'refunds')) }}
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
        _source_updated_at,
        _partition_day,
        _ingested_at
    from ranked
    where version_rank = 1
)

{{ latest_versions_since_kept('final', 'refund_id') }}
