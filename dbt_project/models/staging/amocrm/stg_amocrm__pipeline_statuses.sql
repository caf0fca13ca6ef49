-- One row per (pipeline, status) from the latest snapshot: the names and order of stages.
with

latest as (
    {{ latest_snapshot_of(source('amocrm', 'pipelines'), ['pipeline_id', 'status_id']) }}
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
    from latest
)

select * from final
