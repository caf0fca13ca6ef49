-- Product use per account and Moscow day: the churn-risk signals (last activity, 4-week
-- trend, reports used) are sums over this small table rather than over raw events.
with

events as (
    select * from {{ ref('stg_amplitude__events') }}
    where account_id is not null
),

final as (
    select
        account_id,
        event_day as activity_day,
        {{ as_count('count(*)') }} as events_count,
        {{ as_count("sum(case when event_type = 'report_viewed' then 1 else 0 end)") }}
            as reports_viewed_count
    from events
    group by account_id, event_day
)

select * from final
