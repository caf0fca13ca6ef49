-- Where the landed history of each event stream begins (its first landed partition day,
-- an empty one included), and from which day each kind of figure is complete. Read from
-- the landing's folders, not staging: staging keeps each record's *latest* partition, and
-- records re-read by later windows (overlaps, late lookbacks) would move the start.
-- Stages dated by a stream are unknown for signups older than its start; revenue figures
-- are complete once the longest billing period (and the renewal grace) has passed since
-- the payments' start, or from the start when the payments reach back to the first day of
-- the records (DECISIONS.md, "History and completeness").
with

{%- set streams = [
    ('calls', 'telphin', 'calls'),
    ('events', 'amplitude', 'events'),
    ('leads', 'amocrm', 'leads'),
    ('status_changes', 'amocrm', 'status_events'),
    ('payments', 'yookassa', 'payments'),
    ('refunds', 'yookassa', 'refunds'),
] %}
{%- for name, source_name, table_name in streams %}

{{ name }} as (
    select {{ landed_first_day(source_name, table_name) }} as {{ name }}_from_day
),
{%- endfor %}

starts as (
    select
        {%- for name, source_name, table_name in streams %}
            {{ name }}.{{ name }}_from_day,
        {%- endfor %}
        {{ day_literal(required_var('history_start_day')) }} as history_start_day,
        -- Every funnel stage of a signup made on or after this day is in the landing.
        greatest(
            leads.leads_from_day,
            status_changes.status_changes_from_day,
            calls.calls_from_day,
            events.events_from_day
        ) as funnel_from_day,
        -- Every sale of a day on or after this one is landed with its refunds.
        greatest(payments.payments_from_day, refunds.refunds_from_day) as revenue_from_day
    from calls
    {%- for name, source_name, table_name in streams[1:] %}
        cross join {{ name }}
    {%- endfor %}
)

select
    *,
    case
        when revenue_from_day <= history_start_day then history_start_day
        else {{ days_after(
            'cast(' ~ dbt.dateadd('month', required_var('longest_period_months'), 'revenue_from_day') ~ ' as date)',
            var('renewal_grace_days') | int,
        ) }}
    end as revenue_complete_from_day
from starts
