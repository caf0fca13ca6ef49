-- One row per trial signup: the CRM lead in the sales pipeline with its main contact's
-- hashed phone, which is how calls find their signup.
with

leads as (
    select * from {{ ref('stg_amocrm__leads') }}
),

contacts as (
    select * from {{ ref('stg_amocrm__contacts') }}
),

signup_leads as (
    -- A lead created after the day of the partition holding it is a signup of a day no run
    -- has landed yet: the last day of a run fetches leads changed up to the run's start
    -- (ingestion/windows.py), today's new ones too. It is that later day's signup, counted
    -- once that day is landed, and stays out of every day's figures until then.
    select *
    from leads
    where
        pipeline_id = {{ required_var('sales_pipeline_id') }}
        and not is_deleted
        and created_day <= _partition_day
),

final as (
    select
        signup_leads.lead_id,
        signup_leads.main_contact_id as contact_id,
        signup_leads.account_id,
        signup_leads.manager_id,
        signup_leads.channel,
        signup_leads.region_code,
        signup_leads.created_at as signed_up_at,
        signup_leads.created_day as signup_day,
        signup_leads.status_id,
        signup_leads.loss_reason_id,
        signup_leads.is_case_study_shown,
        signup_leads.is_webinar_attended,
        contacts.phone_hash
    from signup_leads
    left join contacts on signup_leads.main_contact_id = contacts.contact_id
)

select * from final
