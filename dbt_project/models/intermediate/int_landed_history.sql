-- Where the landed history of each event stream begins: its first landed partition day.
-- Read from the landing itself, not staging: staging keeps each record's *latest*
-- partition, and records re-read by later windows (overlaps, late lookbacks) would move
-- the start. Stages dated by these streams are unknown for signups older than this.
with

calls as (
    select {{ landed_edge_day(source('telphin', 'calls'), 'min') }} as calls_from_day
),

events as (
    select {{ landed_edge_day(source('amplitude', 'events'), 'min') }} as events_from_day
)

select
    calls.calls_from_day,
    events.events_from_day
from calls
cross join events
