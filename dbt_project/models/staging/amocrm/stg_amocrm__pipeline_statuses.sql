-- One row per (pipeline, status) from the latest snapshot: the names and order of stages.
with

landed as (
    select snapshot_rows.*
    from {{ source('amocrm', 'pipelines') }} as snapshot_rows
    where
        snapshot_rows._partition_day = (
            select max(all_snapshots._partition_day)
            from {{ source('amocrm', 'pipelines') }} as all_snapshots
        )
),

ranked as (
    select
        *,
        {{ latest_version_rank(['pipeline_id', 'status_id']) }} as version_rank
    from landed
),

final as (
    select
        cast(pipeline_id as {{ dbt.type_bigint() }}) as pipeline_id,
        pipeline_name,
        coalesce(pipeline_is_main, false) as is_main_pipeline,
        coalesce(pipeline_is_archive, false) as is_archived_pipeline,
        cast(status_id as {{ dbt.type_bigint() }}) as status_id,
        status_name,
        cast(status_sort as {{ dbt.type_int() }}) as status_sort,
        cast(status_type as {{ dbt.type_int() }}) as status_type,
        _partition_day as snapshot_day
    from ranked
    where version_rank = 1
)

select * from final
