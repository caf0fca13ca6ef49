-- The sales regions and the team's local caller ID in each: the company file's `regions`.
{{ company_rows('regions', [
    ('region_code', dbt.type_string()),
    ('region_name', dbt.type_string()),
    ('time_zone', dbt.type_string()),
    ('area_code', dbt.type_string()),
    ('local_did', dbt.type_string()),
]) }}
