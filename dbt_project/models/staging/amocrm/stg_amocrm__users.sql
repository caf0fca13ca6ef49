-- A table, not a view: its salted hashes are computed once, in dbt's session, which alone
-- holds the salt (a view would need the salt in every reader's session).
{{ config(materialized='table') }}

-- CRM users (managers and admins) from the latest snapshot. The user's work e-mail is
-- personal data too, so only its hash is kept.
with

latest as (
    {{ latest_snapshot_of(source('amocrm', 'users'), ['id']) }}
),

final as (
    select
        cast(id as {{ dbt.type_bigint() }}) as user_id,
        name as user_name,
        {{ email_hash('email') }} as email_hash,
        lang as user_language,
        coalesce(is_admin, false) as is_admin,
        -- amoCRM omits `rights.is_active` for active users on some plans.
        coalesce(is_active, true) as is_active,
        _partition_day as snapshot_day
    from latest
)

select * from final
