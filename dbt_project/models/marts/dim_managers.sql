-- One row per CRM user, with the Telphin extension the user calls from. Telephony and CRM
-- share no id, so the hand-kept seed `manager_extensions` links them; a user in that seed
-- is a sales manager (on the board), others (admins, robots) are not.
with

users as (
    select * from {{ ref('stg_amocrm__users') }}
),

manager_extensions as (
    select * from {{ ref('manager_extensions') }}
),

extensions as (
    select * from {{ ref('stg_telphin__extensions') }}
),

final as (
    select
        users.user_id as manager_id,
        users.user_name as manager_name,
        manager_extensions.extension_id,
        manager_extensions.valid_from as hired_on,
        users.is_active,
        users.is_admin,
        coalesce(extensions.extension_name, manager_extensions.extension_name) as extension_name,
        manager_extensions.manager_id is not null as is_sales_manager
    from users
    left join manager_extensions on users.user_id = manager_extensions.manager_id
    left join extensions on manager_extensions.extension_id = extensions.extension_id
)

select * from final
