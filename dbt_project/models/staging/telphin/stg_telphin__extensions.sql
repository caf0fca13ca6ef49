-- Managers' phones: the latest snapshot wins (an extension missing from it was removed).
with

landed as (
    select snapshot_rows.*
    from {{ source('telphin', 'extensions') }} as snapshot_rows
    where
        snapshot_rows._partition_day = (
            select max(all_snapshots._partition_day)
            from {{ source('telphin', 'extensions') }} as all_snapshots
        )
),

ranked as (
    select
        *,
        {{ latest_version_rank(['id']) }} as version_rank
    from landed
),

final as (
    select
        cast(id as {{ dbt.type_bigint() }}) as extension_id,
        name as extension_name,
        type as extension_type,
        label as extension_label,
        status as extension_status,
        _partition_day as snapshot_day
    from ranked
    where version_rank = 1
)

select * from final
