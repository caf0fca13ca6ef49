-- The tariffs as payments carry their codes: the company file's `tariffs`.
{{ company_rows('tariffs', [
    ('tariff_code', dbt.type_string()),
    ('tariff_name', dbt.type_string()),
    ('monthly_price_rub', 'integer'),
    ('is_special', 'boolean'),
]) }}
