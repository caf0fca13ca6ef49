-- Where the landed history of each event stream begins: its first landed partition day.
-- Read from the landing itself, not staging: staging keeps each record's *latest*
-- partition, and records re-read by later windows (overlaps, late lookbacks) would move
-- the start. Stages dated by these streams are unknown for signups older than this.
with

calls as (
    select min(_partition_day) as calls_from_day
    from {{ source('telphin', 'calls') }}
),

events as (
    select min(_partition_day) as events_from_day
    from {{ source('amplitude', 'events') }}
)

select
    calls.calls_from_day,
    events.events_from_day
from calls
cross join events
