-- Each manager's monthly net-revenue plan: the company file's `plans`.
{{ company_rows('manager_plans', [
    ('manager_id', 'bigint'),
    ('plan_month', 'date'),
    ('plan_net_revenue_rub', 'decimal(18, 2)'),
]) }}
