-- Managers' phones: the latest snapshot wins (an extension missing from it was removed).
with

latest as (
    {{ latest_snapshot_of(source('telphin', 'extensions'), ['id']) }}
),

final as (
    select
        cast(id as {{ dbt.type_bigint() }}) as extension_id,
        name as extension_name,
        type as extension_type,
        label as extension_label,
        status as extension_status,
        _partition_day as snapshot_day
    from latest
)

select * from final
