-- The data-health volumes count every valid, deduplicated event once: by the hour it
-- occurred (rpt_event_volume_hourly, all devices), by the hour it was received
-- (rpt_event_delivery_hourly), and every session by the hour it started. One row per
-- count that disagrees.
with

counts as (
    select
        'events by occurred hour' as count_name,
        (select count(*) from {{ ref('int_events_deduplicated') }}) as n_expected,
        (
            select coalesce(sum(n_observed), 0)
            from {{ ref('rpt_event_volume_hourly') }}
            where metric = 'events' and device_type = 'all'
        ) as n_counted
    union all
    select
        'events by received hour' as count_name,
        (select count(*) from {{ ref('int_events_deduplicated') }}) as n_expected,
        (select coalesce(sum(n_received), 0) from {{ ref('rpt_event_delivery_hourly') }})
            as n_counted
    union all
    select
        'sessions by start hour' as count_name,
        (select count(*) from {{ ref('fct_sessions') }}) as n_expected,
        (
            select coalesce(sum(n_observed), 0)
            from {{ ref('rpt_event_volume_hourly') }}
            where metric = 'sessions'
        ) as n_counted
)

select *
from counts
where n_expected <> n_counted
