-- Where the landed history of each event stream begins (its first landed partition day,
-- an empty one included), and from which day each kind of figure is complete. Read from
-- the landing's folders, not staging: staging keeps each record's *latest* partition, and
-- records re-read by later windows (overlaps, late lookbacks) would move the start.
-- Stages dated by a stream are unknown for signups older than its start; revenue figures
-- are complete once the longest billing period (and the renewal grace) has passed since
-- the payments' start, or from the start when the payments reach back to the first day of
-- the records (DECISIONS.md, "History and completeness").
with

calls as (
    select {{ landed_first_day('telphin', 'calls') }} as calls_from_day
),

events as (
    select {{ landed_first_day('amplitude', 'events') }} as events_from_day
),

leads as (
    select {{ landed_first_day('amocrm', 'leads') }} as leads_from_day
),

status_changes as (
    select {{ landed_first_day('amocrm', 'status_events') }} as status_changes_from_day
),

payments as (
    select {{ landed_first_day('yookassa', 'payments') }} as payments_from_day
),

refunds as (
    select {{ landed_first_day('yookassa', 'refunds') }} as refunds_from_day
),

starts as (
    select
        calls.calls_from_day,
        events.events_from_day,
        leads.leads_from_day,
        status_changes.status_changes_from_day,
        payments.payments_from_day,
        refunds.refunds_from_day,
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
    cross join events
    cross join leads
    cross join status_changes
    cross join payments
    cross join refunds
)

select
    calls_from_day,
    events_from_day,
    leads_from_day,
    status_changes_from_day,
    payments_from_day,
    refunds_from_day,
    history_start_day,
    funnel_from_day,
    revenue_from_day,
    case
        when revenue_from_day <= history_start_day then history_start_day
        else {{ days_after(
            'cast(' ~ dbt.dateadd('month', required_var('longest_period_months'), 'revenue_from_day') ~ ' as date)',
            var('renewal_grace_days') | int,
        ) }}
    end as revenue_complete_from_day
from starts
