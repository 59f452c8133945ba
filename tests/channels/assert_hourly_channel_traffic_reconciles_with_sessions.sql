-- int_channel_hours_aggregated counts every session and event
-- of fct_sessions exactly once: the hour spine covers the whole data range.

with

report as (
    select
        cast(sum(sessions) as {{ dbt.type_bigint() }}) as n_sessions,
        cast(sum(engaged_sessions) as {{ dbt.type_bigint() }}) as n_engaged_sessions,
        cast(sum(event_count) as {{ dbt.type_bigint() }}) as n_events
    from {{ ref('int_channel_hours_aggregated') }}
),

sessions as (
    select
        cast(count(*) as {{ dbt.type_bigint() }}) as n_sessions,
        cast(count(case when is_engaged then 1 end) as {{ dbt.type_bigint() }})
            as n_engaged_sessions,
        cast(sum(n_events) as {{ dbt.type_bigint() }}) as n_events
    from {{ ref('fct_sessions') }}
)

select
    report.n_sessions as report_sessions,
    sessions.n_sessions as fct_sessions,
    report.n_engaged_sessions as report_engaged_sessions,
    sessions.n_engaged_sessions as fct_engaged_sessions,
    report.n_events as report_events,
    sessions.n_events as fct_events
from report
cross join sessions
where
    report.n_sessions <> sessions.n_sessions
    or report.n_engaged_sessions <> sessions.n_engaged_sessions
    or report.n_events <> sessions.n_events
