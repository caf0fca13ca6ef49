-- Which Telphin extension each CRM user (manager) calls from: the company file's `managers`.
{{ company_rows('manager_extensions', [
    ('manager_id', 'bigint'),
    ('extension_id', 'bigint'),
    ('extension_name', dbt.type_string()),
    ('valid_from', 'date'),
]) }}
