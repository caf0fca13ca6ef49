{{ config(**incremental_latest_version('contact_id')) }}
-- A table, not a view: its salted hashes are computed once, in dbt's session, which alone
-- holds the salt (a view would need the salt in every reader's session). Incremental on
-- DuckDB (incremental_latest_version): a run reads its window's partitions only.

-- One row per CRM contact, its latest version. Only salted hashes of the first phone and
-- e-mail leave this model: they are join keys, never the numbers or addresses themselves.
-- A phone typed so that it cannot be read as a number is flagged (`is_phone_unreadable`)
-- and counted by a warning test: such a contact's calls cannot find its signup.
-- A deleted contact (a deletion marker from amoCRM's trash) has no phone or e-mail left.
with

latest as (
    {{ latest_version_of(landed_increment(source('amocrm', 'contacts')), ['id']) }}
),

final as (
    select
        cast(id as {{ dbt.type_bigint() }}) as contact_id,
        cast(responsible_user_id as {{ dbt.type_bigint() }}) as manager_id,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        coalesce(is_deleted, false) as is_deleted,
        {{ phone_hash(first_element('phones')) }} as phone_hash,
        {{ phone_unreadable(first_element('phones')) }} as is_phone_unreadable,
        {{ email_hash(first_element('emails')) }} as email_hash,
        _source_updated_at,
        _partition_day,
        _ingested_at
    from latest
)

{{ latest_versions_since_kept('final', 'contact_id') }}
